// Test helpers: the spec's vectors, read from disk, and camera-like pictures of a code.
import { readFileSync } from 'node:fs';
import { fromHex } from '@moneybag/protocol';
import { type QrMatrix, QUIET_ZONE, rasterize } from '../src/matrix.ts';

interface MessageVector {
  description: string;
  type: string;
  hex: string;
  text: string;
  size: number;
}
export const vectors = JSON.parse(
  readFileSync(new URL('../../../spec/vectors/v1.json', import.meta.url), 'utf8'),
);
export const messageVectors: MessageVector[] = vectors.messages;

/** The bytes of the message vector whose description starts with `prefix`. */
export function vectorMessage(prefix: string): Uint8Array {
  const v = messageVectors.find((m) => m.description.startsWith(prefix));
  if (!v) throw new Error(`no message vector "${prefix}"`);
  return fromHex(v.hex);
}

/** A deterministic pseudo-random generator (mulberry32), for noise that is the same on every run. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A 640x480 camera-like frame: a noisy grey background, the code pasted at (left, top), washed out (black
 * is grey 40, white is grey 215) and with noise of +-`noise` on every pixel.
 */
export function cameraFrame(m: QrMatrix, scale: number, noise = 30, seed = 1): Uint8ClampedArray {
  const W = 640;
  const H = 480;
  const code = rasterize(m, scale, QUIET_ZONE);
  const left = Math.floor((W - code.width) / 2);
  const top = Math.floor((H - code.height) / 2);
  const rand = prng(seed);
  const out = new Uint8ClampedArray(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const cx = x - left;
      const cy = y - top;
      const inside = cx >= 0 && cy >= 0 && cx < code.width && cy < code.height;
      const base = inside ? (code.data[(cy * code.width + cx) * 4] ? 215 : 40) : 90 + ((x * 7 + y * 3) % 60);
      const v = base + (rand() * 2 - 1) * noise;
      const at = (y * W + x) * 4;
      out[at] = out[at + 1] = out[at + 2] = v;
      out[at + 3] = 255;
    }
  return out;
}
