// Byte helpers: hex, base64url (strict, section 4.1), comparison.
import { fail } from './errors.ts';

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** A cheap Map/Set key for bytes (one char a byte): hex costs several times more on a hot path. */
export const byteKey = (b: Uint8Array): string => String.fromCharCode.apply(null, b as unknown as number[]);

/**
 * Sets of byte strings whose bytes are uniform (signatures, digests), held by a number made of their first
 * bytes and compared whole within it: no string a member, which a bag of thousands of uses felt.
 */
export class ByteBuckets<V> {
  private readonly buckets = new Map<number, { bytes: Uint8Array; value: V }[]>();
  private static head(b: Uint8Array): number {
    // 30 bits: a small integer, the cheapest Map key
    return b.length >= 4 ? ((b[0] << 22) | (b[1] << 14) | (b[2] << 6) | (b[3] >>> 2)) >>> 0 : -1 - b.length;
  }
  /** The first value added under bytes equal to `b` (and that `match` takes, if given). */
  find(b: Uint8Array, match?: (value: V) => boolean): V | undefined {
    const list = this.buckets.get(ByteBuckets.head(b));
    if (list) for (const e of list) if (equal(e.bytes, b) && (!match || match(e.value))) return e.value;
    return undefined;
  }
  has(b: Uint8Array): boolean {
    return this.find(b) !== undefined;
  }
  add(b: Uint8Array, value: V): void {
    const h = ByteBuckets.head(b);
    const list = this.buckets.get(h);
    if (list) list.push({ bytes: b, value });
    else this.buckets.set(h, [{ bytes: b, value }]);
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]];
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) fail('E_FIELD', 'not hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** base64url without padding (btoa is native and far faster than building the string by hand). */
export function toBase64url(b: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < b.length; i += 0x8000)
    binary += String.fromCharCode.apply(null, b.subarray(i, i + 0x8000) as unknown as number[]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Strict base64url: url alphabet, no padding, no 4n+1 length, canonical (zero) final bits; else E_FIELD. */
export function fromBase64url(s: string): Uint8Array {
  if (s.length % 4 === 1) fail('E_FIELD', 'base64url of impossible length');
  const vals = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) fail('E_FIELD', 'not base64url');
    vals[i] = v;
  }
  const rem = s.length % 4;
  const last = vals[s.length - 1];
  if ((rem === 2 && (last & 15) !== 0) || (rem === 3 && (last & 3) !== 0))
    fail('E_FIELD', 'non-canonical base64url');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < s.length; i += 4) {
    const v = (vals[i] << 18) | (vals[i + 1] << 12) | (vals[i + 2] << 6) | vals[i + 3];
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  if (rem === 2) out[o++] = (vals[i] << 2) | (vals[i + 1] >> 4);
  else if (rem === 3) {
    out[o++] = (vals[i] << 2) | (vals[i + 1] >> 4);
    out[o++] = ((vals[i + 1] & 15) << 4) | (vals[i + 2] >> 2);
  }
  return out;
}
