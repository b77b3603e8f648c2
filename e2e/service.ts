// What every browser test knows of the service that playwright.config.ts starts: its demo parties (from the
// data folder's demo.json) and the keys it publishes.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import type { DemoFileJson } from '@moneybag/api';
import { fromHex, type Keys, keysOf, readWellKnown, type Signer, seedSigner } from '@moneybag/protocol';
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
const REPO = new URL('../', import.meta.url).pathname;

/**
 * The service as its own process on `port` over the data folder `data`, once its well-known answers (the
 * benches; a test that needs its own settings, such as a short `--horizon`, passes them in `args`).
 */
export async function startService(data: string, port: number, args: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    'node',
    ['--import', 'tsx', 'apps/server/src/main.ts', '--data', data, '--port', String(port), ...args],
    { cwd: REPO, stdio: 'ignore' },
  );
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/.well-known/moneybag.json`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`the service did not start on port ${port}`);
}

/** A port no service on this machine holds now (several engineers' test services run side by side). */
export const freePort = (): Promise<number> =>
  new Promise((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => ok(port));
    });
  });
