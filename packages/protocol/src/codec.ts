// The primitive encodings of section 2: a Writer and a Reader that enforce every rule.
import { fail } from './errors.ts';

export const MAX_U64 = Number.MAX_SAFE_INTEGER; // 2^53 - 1
const ID_RE = /^[a-z0-9][a-z0-9._:-]*$/;
const UNIT_RE = /^[A-Z][A-Z0-9]*$/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

export const isId = (s: string): boolean => s.length >= 1 && s.length <= 64 && ID_RE.test(s);
export const isUnit = (s: string): boolean => s.length >= 1 && s.length <= 12 && UNIT_RE.test(s);
const isU32 = (v: number) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

/** Writes a u64 (at most 2^53 - 1, else E_RANGE) big-endian at `at`. */
export function setU64(buf: Uint8Array, at: number, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) fail('E_RANGE', `u64 out of range: ${v}`);
  const hi = Math.floor(v / 2 ** 32);
  const lo = v >>> 0;
  buf[at] = hi >>> 24;
  buf[at + 1] = (hi >>> 16) & 255;
  buf[at + 2] = (hi >>> 8) & 255;
  buf[at + 3] = hi & 255;
  buf[at + 4] = lo >>> 24;
  buf[at + 5] = (lo >>> 16) & 255;
  buf[at + 6] = (lo >>> 8) & 255;
  buf[at + 7] = lo & 255;
}

export class Writer {
  private buf: Uint8Array;
  length = 0;

  /** `capacity`: the expected size; a hot path that knows it exactly gets its bytes without a copy. */
  constructor(capacity = 128) {
    this.buf = new Uint8Array(capacity);
  }
  private room(n: number) {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2 || 64;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
  finish(): Uint8Array {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 255) fail('E_FIELD', `u8 out of range: ${v}`);
    this.room(1);
    this.buf[this.length++] = v;
    return this;
  }
  u32(v: number): this {
    if (!isU32(v)) fail('E_FIELD', `u32 out of range: ${v}`);
    this.room(4);
    const b = this.buf;
    b[this.length++] = v >>> 24;
    b[this.length++] = (v >>> 16) & 255;
    b[this.length++] = (v >>> 8) & 255;
    b[this.length++] = v & 255;
    return this;
  }
  u64(v: number): this {
    this.room(8);
    setU64(this.buf, this.length, v);
    this.length += 8;
    return this;
  }
  raw(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  fixed(b: Uint8Array, n: 16 | 32 | 64): this {
    if (!(b instanceof Uint8Array) || b.length !== n) fail('E_FIELD', `expected ${n} bytes`);
    return this.raw(b);
  }
  ascii(s: string): this {
    this.room(1 + s.length);
    this.buf[this.length++] = s.length;
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i);
    return this;
  }
  id(s: string): this {
    if (typeof s !== 'string' || !isId(s)) fail('E_FIELD', `not an id: ${JSON.stringify(s)}`);
    return this.ascii(s);
  }
  unit(s: string): this {
    if (typeof s !== 'string' || !isUnit(s)) fail('E_FIELD', `not a unit: ${JSON.stringify(s)}`);
    return this.ascii(s);
  }
  num(b: Uint8Array): this {
    if (!(b instanceof Uint8Array) || b.length < 1 || b.length > 64)
      fail('E_FIELD', 'num must be 1..64 bytes');
    return this.u8(b.length).raw(b);
  }
  text(s: string): this {
    if (typeof s !== 'string' || !s.isWellFormed() || s.includes('\0'))
      fail('E_FIELD', 'text must be UTF-8 without NUL');
    const b = utf8Encoder.encode(s);
    if (b.length > 255) fail('E_FIELD', 'text longer than 255 bytes');
    return this.u8(b.length).raw(b);
  }
  /** tag(s): domain separation. */
  tag(s: string): this {
    return this.ascii(s);
  }
}

/** Reads left to right; the first failure wins. Lengths are judged before their bytes are taken. */
export class Reader {
  pos = 0;
  private readonly view: DataView;
  get left(): number {
    return this.buf.length - this.pos;
  }
  private need(n: number) {
    if (this.pos + n > this.buf.length) fail('E_TRUNCATED');
  }
  end(): void {
    if (this.pos !== this.buf.length) fail('E_TRAILING');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    this.pos += 8;
    if (hi > 0x1fffff) fail('E_RANGE', 'u64 above 2^53 - 1');
    return hi * 2 ** 32 + lo;
  }
  /** `views`: byte fields are views into the input (fast, for a check that keeps nothing); else copies. */
  constructor(
    readonly buf: Uint8Array,
    private readonly views = false,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  /** n raw bytes. */
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.views ? this.buf.subarray(this.pos, this.pos + n) : this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  private ascii(min: number, max: number, re: RegExp, what: string): string {
    const n = this.u8();
    if (n < min || n > max) fail('E_FIELD', `${what} length ${n}`);
    const b = this.bytes(n);
    const s = String.fromCharCode.apply(null, b as unknown as number[]);
    if (!re.test(s)) fail('E_FIELD', `not ${what === 'id' ? 'an' : 'a'} ${what}`);
    return s;
  }
  id(): string {
    return this.ascii(1, 64, ID_RE, 'id');
  }
  unit(): string {
    return this.ascii(1, 12, UNIT_RE, 'unit');
  }
  num(): Uint8Array {
    const n = this.u8();
    if (n < 1 || n > 64) fail('E_FIELD', `num length ${n}`);
    return this.bytes(n);
  }
  text(): string {
    const b = this.bytes(this.u8());
    let s: string;
    try {
      s = utf8Decoder.decode(b);
    } catch {
      return fail('E_FIELD', 'text is not strict UTF-8');
    }
    if (s.includes('\0')) fail('E_FIELD', 'text contains NUL');
    return s;
  }
}
