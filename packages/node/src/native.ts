// Node's native Ed25519 (OpenSSL) behind the protocol's Verifier: ~12x noble. OpenSSL makes checks 2-4;
// makeVerifier adds check 1. Key objects are cached: importing a raw key costs as much as a verification.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { makeVerifier, type Verifier } from '@moneybag/protocol';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

const keys = new Map<string, KeyObject>();
function keyOf(publicKey: Uint8Array): KeyObject {
  const raw = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength);
  const hex = raw.toString('hex');
  let k = keys.get(hex);
  if (!k) {
    if (keys.size > 50_000) keys.clear();
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    keys.set(hex, k);
  }
  return k;
}

export function nativeVerifyRaw(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, message, keyOf(publicKey), signature);
  } catch {
    return false;
  }
}

/** The native verifier of this thread. */
export const nativeVerifier: Verifier = makeVerifier('node-native', nativeVerifyRaw);
