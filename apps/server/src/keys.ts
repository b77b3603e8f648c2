// The service's secrets in the data folder: each local party's Ed25519 seed, and the token the collector
// presents to issuers. Readable by their owner only.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeSigner } from '@moneybag/node';
import { fromHex, type Signer, toBase64url, toHex } from '@moneybag/protocol';

export const newToken = (): string => toBase64url(randomBytes(32));

/** Writes a secret file readable by its owner only. */
export function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

const keysDir = (dataDir: string) => join(dataDir, 'keys');
const seedPath = (dataDir: string, party: string) => join(keysDir(dataDir), `${party}.seed`);
const tokenPath = (dataDir: string, party: string) => join(keysDir(dataDir), `${party}.token`);

/** A fresh key for a local party, its seed written to `keys/<party>.seed`. */
export function createKey(dataDir: string, party: string): Signer {
  mkdirSync(keysDir(dataDir), { recursive: true, mode: 0o700 });
  const seed = randomBytes(32);
  writeSecret(seedPath(dataDir, party), toHex(seed));
  return nativeSigner(seed);
}

export function loadKey(dataDir: string, party: string): Signer {
  const p = seedPath(dataDir, party);
  if (!existsSync(p)) throw new Error(`the key of ${party} is missing: ${p}`);
  return nativeSigner(fromHex(readFileSync(p, 'utf8').trim()));
}

/** The token a local party presents to other services (a secret it holds, like its key). */
export const readOutgoingToken = (dataDir: string, party: string): string =>
  readFileSync(tokenPath(dataDir, party), 'utf8').trim();

export function writeOutgoingToken(dataDir: string, party: string, token: string): void {
  mkdirSync(keysDir(dataDir), { recursive: true, mode: 0o700 });
  writeSecret(tokenPath(dataDir, party), token);
}
