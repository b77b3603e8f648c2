// Node's native Ed25519 (OpenSSL) behind the protocol's Verifier: ~12x noble. OpenSSL makes checks 2-4;
// makeVerifier adds check 1. Key objects are cached: importing a raw key costs as much as a verification.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  hash,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { hashes, makeVerifier, type Signer, type Verifier } from '@moneybag/protocol';

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

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A Signer over Node's native Ed25519 from a 32-byte seed: the same signatures as seedSigner, faster. */
export function nativeSigner(seed: Uint8Array): Signer {
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return {
    publicKey: new Uint8Array(spki.subarray(SPKI_PREFIX.length)),
    sign: async (message) => new Uint8Array(sign(null, message, key)),
  };
}

/**
 * Use Node's native SHA-256 in the protocol (bag digests, challenges, sub numbers): the one-shot hash
 * (Node 20.12+) where there is one; a Hash object a call (a bag makes one per use) costs more than the hash.
 */
export function useNativeHashes(): void {
  hashes.sha256 =
    typeof hash === 'function'
      ? (b) => {
          const d = hash('sha256', b, 'buffer');
          return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
        }
      : (b) => new Uint8Array(createHash('sha256').update(b).digest());
}
