// What every browser test knows of the service that playwright.config.ts starts: its demo parties (from the
// data folder's demo.json) and the keys it publishes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex, type Keys, keysOf, readWellKnown, type Signer, seedSigner } from '@moneybag/protocol';
import { type APIRequestContext, expect } from '@playwright/test';

export interface Party {
  id: string;
  token: string;
}
export interface Demo {
  issuer: Party;
  collector: Party;
  shops: Party[];
}

export const demo = (): Demo =>
  JSON.parse(readFileSync(join(process.env.MONEYBAG_E2E_DATA!, 'demo.json'), 'utf8')) as Demo;

/** The issuers' and collectors' keys as the service publishes them. */
export async function wellKnown(request: APIRequestContext): Promise<{ issuers: Keys; collectors: Keys }> {
  const res = await request.get('/.well-known/moneybag.json');
  expect(res.ok()).toBe(true);
  const { issuers, collectors } = readWellKnown(await res.json());
  return { issuers: keysOf(issuers), collectors: keysOf(collectors) };
}

/**
 * The demo issuer's signing key, from the data folder: for a ticket the service refuses to issue (one already
 * expired), made as the issuer would have signed it.
 */
export const issuerSigner = (): Signer =>
  seedSigner(
    fromHex(
      readFileSync(join(process.env.MONEYBAG_E2E_DATA!, 'keys', `${demo().issuer.id}.seed`), 'utf8').trim(),
    ),
  );
