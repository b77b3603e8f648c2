// 4.2: a message too large for one QR code travels as a loop of Frames.
import { equal } from './bytes.ts';
import { sha256 } from './crypto.ts';
import { fail } from './errors.ts';
import { decode, ENVELOPE_LENGTH, encode, type Frame, MAGIC, TYPE_CODES, VERSION } from './messages.ts';

/** The most a message (or one of its Frames) may take to stay within a QR code of version 20 at ECC level M. */
export const QR_MAX_BYTES = 650;
// A Frame: the envelope, u8(index), u8(count), b16(whole), then its chunk.
const WHOLE_AT = ENVELOPE_LENGTH + 2;
const WHOLE_LENGTH = 16;
const FRAME_OVERHEAD = WHOLE_AT + WHOLE_LENGTH;

/** 4.2: `whole`, what names a message in its Frames: the first 16 bytes of its SHA-256. */
export const wholeOf = (message: Uint8Array): Uint8Array => sha256(message).subarray(0, WHOLE_LENGTH);

/**
 * The `whole` of a Frame message read from its header, without decoding it (a view), or undefined for any
 * other message: a camera reads the same frame many times, and a reader skips a loop it has already gathered.
 */
export function frameWhole(message: Uint8Array): Uint8Array | undefined {
  const isFrame =
    message.length >= FRAME_OVERHEAD &&
    message[0] === MAGIC &&
    message[1] === VERSION &&
    message[2] === TYPE_CODES.Frame;
  return isFrame ? message.subarray(WHOLE_AT, FRAME_OVERHEAD) : undefined;
}

/** Whether a message must be cut into frames to stay within a version-20 QR code. */
export const needsFrames = (message: Uint8Array, max = QR_MAX_BYTES): boolean => message.length > max;

/**
 * Cut a message into `count` Frame messages (2..255) whose chunk sizes differ by at most one byte,
 * the longer first. Without `count`, as few as keep each frame within `max` bytes.
 */
export function toFrames(message: Uint8Array, count?: number, max = QR_MAX_BYTES): Uint8Array[] {
  count ??= Math.max(2, Math.ceil(message.length / (max - FRAME_OVERHEAD)));
  if (!Number.isInteger(count) || count < 2 || count > 255) fail('E_FIELD', 'frames: count must be 2..255');
  const whole = wholeOf(message);
  const base = Math.floor(message.length / count);
  const longer = message.length % count;
  const frames: Uint8Array[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    const size = base + (index < longer ? 1 : 0);
    frames.push(encode({ type: 'Frame', index, count, whole, chunk: message.subarray(at, at + size) }));
    at += size;
  }
  return frames;
}

/**
 * Gathers frames by (whole, count), keeping the first chunk read for each index. `add` returns the
 * whole message once every chunk is in and its SHA-256 starts with `whole`; a set that fails that
 * check is dropped and reading goes on (the sender's loop repeats).
 */
export class FrameReader {
  private sets = new Map<
    string,
    { count: number; whole: Uint8Array; chunks: (Uint8Array | undefined)[]; have: number }
  >();

  /** Progress of the most recently touched set: frames held and frames needed. */
  progress = { have: 0, count: 0 };

  add(frame: Uint8Array | Frame): Uint8Array | undefined {
    const f: Frame = frame instanceof Uint8Array ? decode(frame, 'Frame') : frame;
    const key = `${Array.from(f.whole).join(',')}/${f.count}`;
    let set = this.sets.get(key);
    if (!set) {
      if (this.sets.size >= 16) this.sets.delete(this.sets.keys().next().value as string);
      set = { count: f.count, whole: f.whole.slice(), chunks: new Array(f.count), have: 0 };
      this.sets.set(key, set);
    }
    if (!set.chunks[f.index]) {
      set.chunks[f.index] = f.chunk.slice();
      set.have++;
    }
    this.progress = { have: set.have, count: set.count };
    if (set.have < set.count) return undefined;
    this.sets.delete(key);
    const chunks = set.chunks as Uint8Array[]; // every index is in
    let n = 0;
    for (const c of chunks) n += c.length;
    const message = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) {
      message.set(c, at);
      at += c.length;
    }
    return equal(wholeOf(message), set.whole) ? message : undefined;
  }
}
