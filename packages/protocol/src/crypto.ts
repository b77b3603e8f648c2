// Ed25519 and SHA-256 behind one small interface, with the exact cofactorless verification of section 1.
import * as ed from '@noble/ed25519';
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js';
import { byteKey } from './bytes.ts';
import type { Bytes } from './messages.ts';

ed.hashes.sha512 = sha512;

/**
 * The hash functions in use. SHA-256 is noble's by default (portable); a runtime with a faster one may put
 * it here (Node's native one hashes a 2 MB bag several times faster), as noble's own `hashes` does.
 */
export const hashes: { sha256: (b: Bytes) => Bytes } = { sha256: nobleSha256 };

export const sha256 = (b: Bytes): Bytes => hashes.sha256(b);

/** The group order L. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

const bytesToNumberLE = (b: Bytes): bigint => {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
  return n;
};

const keyChecks = new Map<string, boolean>();
/**
 * Check 1 of section 1: 32 bytes, y < p, on the curve, not of small order.
 * Cached by key: a bag repeats a holder key thousands of times.
 */
export function isValidPublicKey(publicKey: Bytes): boolean {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
  const key = byteKey(publicKey);
  let ok = keyChecks.get(key);
  if (ok === undefined) {
    try {
      ok = !ed.Point.fromBytes(publicKey, false).isSmallOrder();
    } catch {
      ok = false;
    }
    if (keyChecks.size > 10_000) keyChecks.clear();
    keyChecks.set(key, ok);
  }
  return ok;
}

const L_BYTES = Uint8Array.from({ length: 32 }, (_, i) => Number((L >> BigInt(8 * i)) & 255n)); // little-endian

/** Check 3: S, read little-endian, is < L. Every provider is guarded by it too, to be sure all agree. */
export function isCanonicalS(signature: Bytes): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i];
    if (s !== L_BYTES[i]) return s < L_BYTES[i];
  }
  return false; // S = L
}

/** Checks 2 and 4 with noble's point arithmetic: R decodes strictly, and [S]B - [k]A encodes to R. */
export function nobleVerifyRaw(publicKey: Bytes, message: Bytes, signature: Bytes): boolean {
  try {
    const A = ed.Point.fromBytes(publicKey, false);
    const Rbytes = signature.subarray(0, 32);
    ed.Point.fromBytes(Rbytes, false);
    const s = bytesToNumberLE(signature.subarray(32, 64));
    const k = bytesToNumberLE(sha512(ed.etc.concatBytes(Rbytes, publicKey, message))) % L;
    const check = ed.Point.BASE.multiply(s, false).subtract(A.multiply(k, false)).toBytes();
    let d = 0;
    for (let i = 0; i < 32; i++) d |= check[i] ^ Rbytes[i];
    return d === 0;
  } catch {
    return false;
  }
}

export interface SignatureCheck {
  publicKey: Bytes;
  message: Bytes;
  signature: Bytes;
}

/**
 * Verifies signatures exactly as section 1 says. Batched so that a provider may spread the work
 * (worker threads on the server); each answer is true or false, never a throw.
 */
export interface Verifier {
  readonly name: string;
  verify(checks: SignatureCheck[]): Promise<boolean[]>;
}

/** Checks 2-4 as some library computes them (OpenSSL, BoringSSL, noble): called only after check 1. */
export type RawVerify = (publicKey: Bytes, message: Bytes, signature: Bytes) => boolean | Promise<boolean>;

/**
 * What every provider is guarded by, before its own checks 2-4: well-formed inputs, check 1 (which OpenSSL
 * and BoringSSL do not make) and check 3 (so that all agree on it whatever the library).
 */
export const precheck = (c: SignatureCheck): boolean =>
  c.signature instanceof Uint8Array &&
  c.signature.length === 64 &&
  c.message instanceof Uint8Array &&
  isValidPublicKey(c.publicKey) &&
  isCanonicalS(c.signature);

/** A Verifier from a raw check 2-4 implementation: adds check 1 and check 3 so that every provider agrees. */
export function makeVerifier(name: string, raw: RawVerify): Verifier {
  const one = (c: SignatureCheck): boolean | Promise<boolean> =>
    precheck(c) && raw(c.publicKey, c.message, c.signature);
  return {
    name,
    async verify(checks) {
      const out = checks.map(one);
      return out.some((r) => typeof r !== 'boolean') ? Promise.all(out) : (out as boolean[]);
    },
  };
}

/** The portable default: pure JavaScript, runs anywhere. */
export const nobleVerifier: Verifier = makeVerifier('noble', nobleVerifyRaw);

/**
 * WebCrypto Ed25519 (Chromium's BoringSSL, Node's OpenSSL): cofactorless, so with check 1 in front
 * it agrees with the rest. Imported keys are cached: importing costs as much as a verification.
 */
export function webCryptoVerifier(subtle: SubtleCrypto = globalThis.crypto.subtle): Verifier {
  const keys = new Map<string, Promise<CryptoKey>>();
  const keyOf = (publicKey: Bytes) => {
    const id = byteKey(publicKey);
    let k = keys.get(id);
    if (!k) {
      if (keys.size > 10_000) keys.clear();
      k = subtle.importKey('raw', new Uint8Array(publicKey), { name: 'Ed25519' }, false, ['verify']);
      keys.set(id, k);
    }
    return k;
  };
  return makeVerifier('webcrypto', async (publicKey, message, signature) => {
    try {
      return await subtle.verify(
        { name: 'Ed25519' },
        await keyOf(publicKey),
        new Uint8Array(signature),
        new Uint8Array(message),
      );
    } catch {
      return false;
    }
  });
}

/** Whether this runtime's WebCrypto does Ed25519 (Chromium does; some browsers do not). */
export async function hasWebCryptoEd25519(
  subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle,
): Promise<boolean> {
  if (!subtle) return false;
  try {
    const pub = ed.Point.BASE.toBytes();
    await subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    return true;
  } catch {
    return false;
  }
}

/** The fastest verifier this browser or worker offers. */
export async function bestVerifier(): Promise<Verifier> {
  return (await hasWebCryptoEd25519()) ? webCryptoVerifier() : nobleVerifier;
}

/** Whoever signs: an issuer's or collector's key, or the holder's key in a wallet. */
export interface Signer {
  readonly publicKey: Bytes;
  sign(message: Bytes): Promise<Bytes>;
}

/** A signer from a 32-byte seed (RFC 8032 private key). */
export function seedSigner(seed: Bytes): Signer {
  const s = new Uint8Array(seed);
  return { publicKey: ed.getPublicKey(s), sign: async (m) => ed.sign(m, s) };
}

/** A signer over a (possibly non-extractable) WebCrypto Ed25519 private key. */
export function webCryptoSigner(
  privateKey: CryptoKey,
  publicKey: Bytes,
  subtle = globalThis.crypto.subtle,
): Signer {
  return {
    publicKey,
    sign: async (m) => new Uint8Array(await subtle.sign({ name: 'Ed25519' }, privateKey, new Uint8Array(m))),
  };
}

export const randomBytes = (n: number): Bytes => globalThis.crypto.getRandomValues(new Uint8Array(n));
