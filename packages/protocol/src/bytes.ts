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

/** Members a bucket holds in a list before it keys them by their whole bytes. */
const BUCKET_LIST = 8;

type Entry<V> = { bytes: Uint8Array; value: V };

/**
 * Sets of byte strings whose bytes are uniform (signatures, digests), held by a number made of their first
 * bytes and compared whole within it: no string a member, which a bag of thousands of uses felt. Bytes made
 * to share their first bytes (a forged C is anyone's choice) fill one bucket: past a few members it keys them
 * by their whole bytes, so that such a bag costs a string a member, as before, and never a scan of the
 * bucket a member.
 */
export class ByteBuckets<V> {
  private readonly buckets = new Map<number, Entry<V>[] | Map<string, Entry<V>[]>>();
  private static head(b: Uint8Array): number {
    // 30 bits: a small integer, the cheapest Map key
    return b.length >= 4 ? ((b[0] << 22) | (b[1] << 14) | (b[2] << 6) | (b[3] >>> 2)) >>> 0 : -1 - b.length;
  }
  /** The first value added under bytes equal to `b` (and that `match` takes, if given). */
  find(b: Uint8Array, match?: (value: V) => boolean): V | undefined {
    const bucket = this.buckets.get(ByteBuckets.head(b));
    const list = bucket instanceof Map ? bucket.get(byteKey(b)) : bucket;
    if (list) for (const e of list) if (equal(e.bytes, b) && (!match || match(e.value))) return e.value;
    return undefined;
  }
  has(b: Uint8Array): boolean {
    return this.find(b) !== undefined;
  }
  add(b: Uint8Array, value: V): void {
    const h = ByteBuckets.head(b);
    const bucket = this.buckets.get(h);
    if (!bucket) this.buckets.set(h, [{ bytes: b, value }]);
    else if (bucket instanceof Map) ByteBuckets.keyed(bucket, { bytes: b, value });
    else if (bucket.length < BUCKET_LIST) bucket.push({ bytes: b, value });
    else {
      const keyed = new Map<string, Entry<V>[]>();
      for (const e of [...bucket, { bytes: b, value }]) ByteBuckets.keyed(keyed, e);
      this.buckets.set(h, keyed);
    }
  }
  private static keyed<V>(m: Map<string, Entry<V>[]>, e: Entry<V>): void {
    const k = byteKey(e.bytes);
    const list = m.get(k);
    if (list) list.push(e);
    else m.set(k, [e]);
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
