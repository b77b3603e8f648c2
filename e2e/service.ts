// What every browser test knows of the service that playwright.config.ts starts: its demo parties (from the
// data folder's demo.json) and the keys it publishes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoFileJson } from '@moneybag/api';
import { type Keys, keysOf, readWellKnown } from '@moneybag/protocol';
import { type APIRequestContext, expect } from '@playwright/test';

/** `<data>/demo.json`. */
export type Demo = DemoFileJson;
export type Party = Demo['issuer'];

export const demo = (): Demo =>
  JSON.parse(readFileSync(join(process.env.MONEYBAG_E2E_DATA!, 'demo.json'), 'utf8')) as Demo;

/** The issuers' and collectors' keys as the service publishes them. */
export async function wellKnown(request: APIRequestContext): Promise<{ issuers: Keys; collectors: Keys }> {
  const res = await request.get('/.well-known/moneybag.json');
  expect(res.ok()).toBe(true);
  const { issuers, collectors } = readWellKnown(await res.json());
  return { issuers: keysOf(issuers), collectors: keysOf(collectors) };
}
