// How many 640x480 frames jsQR reads a second in Node: a clean code, a noisy washed-out one, none.
// Prints, never asserts. Run: node --import tsx packages/qr/bench/decode-rate.ts
import { readFileSync } from 'node:fs';
import { fromHex, toFrames } from '@moneybag/protocol';
import { decodeImage } from '../src/decode.ts';
import { qrMatrix } from '../src/matrix.ts';
import { cameraFrame } from '../test/helpers.ts';

const vectors = JSON.parse(readFileSync(new URL('../../../spec/vectors/v1.json', import.meta.url), 'utf8'));
const hexOf = (prefix: string): string =>
  (vectors.messages as { description: string; hex: string }[]).find((m) => m.description.startsWith(prefix))!
    .hex;

/** Decodes of `frame` per second over about `ms` milliseconds, and whether it found the code. */
export function decodeRate(frame: Uint8ClampedArray, width = 640, height = 480, ms = 2000) {
  let n = 0;
  let found = false;
  const start = performance.now();
  while (performance.now() - start < ms) {
    found = decodeImage(frame, width, height) !== undefined;
    n++;
  }
  const elapsed = performance.now() - start;
  return { perSecond: Math.round((n * 1000) / elapsed), msEach: +(elapsed / n).toFixed(1), found };
}

export function main(): void {
  const payment = fromHex(hexOf('Payment k=2')); // 474 bytes: version 17
  const frame = toFrames(fromHex(hexOf('Payment k=3')))[0]; // 365 bytes: version 14
  const empty = { size: 0, version: 0, modules: new Uint8Array() };
  const cases: [string, Uint8ClampedArray][] = [
    ['Payment v17, 4 px/module, clean', cameraFrame(qrMatrix(payment), 4, 0)],
    ['Payment v17, 4 px/module, noisy', cameraFrame(qrMatrix(payment), 4, 40)],
    ['Frame v14, 3 px/module, noisy', cameraFrame(qrMatrix(frame), 3, 40)],
    ['no code, noisy', cameraFrame(empty, 1, 40)],
  ];
  for (const [name, image] of cases) {
    const r = decodeRate(image);
    console.log(`${name.padEnd(34)} ${String(r.perSecond).padStart(5)}/s  ${r.msEach} ms  found: ${r.found}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
