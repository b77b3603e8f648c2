// The service's secrets in the data folder: each own party's Ed25519 seed and operator token (the CLI presents
// it to the admin API), and the token the collector presents to each issuer. Readable by their owner only.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const returnsTokenPath = (dataDir: string, issuer: string) => join(keysDir(dataDir), `to-${issuer}.token`);

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

function readToken(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
function writeToken(dataDir: string, path: string, token: string): void {
  mkdirSync(keysDir(dataDir), { recursive: true, mode: 0o700 });
  writeSecret(path, token);
}

/** An own party's operator token, as its first start or the CLI's `token` left it. */
export const readOperatorToken = (dataDir: string, party: string): string | undefined =>
  readToken(tokenPath(dataDir, party));
export const writeOperatorToken = (dataDir: string, party: string, token: string): void =>
  writeToken(dataDir, tokenPath(dataDir, party), token);

/** The token this collector presents to an issuer on POST /v1/returns (that issuer's operator gave it). */
export const readReturnsToken = (dataDir: string, issuer: string): string | undefined =>
  readToken(returnsTokenPath(dataDir, issuer));
export const writeReturnsToken = (dataDir: string, issuer: string, token: string): void =>
  writeToken(dataDir, returnsTokenPath(dataDir, issuer), token);
export const removeReturnsToken = (dataDir: string, issuer: string): void =>
  rmSync(returnsTokenPath(dataDir, issuer), { force: true });
