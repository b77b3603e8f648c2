// 4.2: a message too large for one QR code travels as a loop of Frames.
import { equal } from './bytes.ts';
import { sha256 } from './crypto.ts';
import { fail } from './errors.ts';
import { decode, encode, type Frame } from './messages.ts';

/** The most a message (or one of its Frames) may take to stay within a QR code of version 20 at ECC level M. */
export const QR_MAX_BYTES = 650;
const FRAME_OVERHEAD = 3 + 2 + 16;

/** Whether a message must be cut into frames to stay within a version-20 QR code. */
export const needsFrames = (message: Uint8Array, max = QR_MAX_BYTES): boolean => message.length > max;

/**
 * Cut a message into `count` Frame messages (2..255) whose chunk sizes differ by at most one byte,
 * the longer first. Without `count`, as few as keep each frame within `max` bytes.
 */
export function toFrames(message: Uint8Array, count?: number, max = QR_MAX_BYTES): Uint8Array[] {
  count ??= Math.max(2, Math.ceil(message.length / (max - FRAME_OVERHEAD)));
  if (!Number.isInteger(count) || count < 2 || count > 255) fail('E_FIELD', 'frames: count must be 2..255');
  const whole = sha256(message).subarray(0, 16);
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
    let n = 0;
    for (const c of set.chunks) n += c!.length;
    const message = new Uint8Array(n);
    let at = 0;
    for (const c of set.chunks) {
      message.set(c!, at);
      at += c!.length;
    }
    return equal(sha256(message).subarray(0, 16), set.whole) ? message : undefined;
  }
}
