// The worker-thread pool judges every signatures vector as the native verifier does, in big batches too.
import { readFileSync } from 'node:fs';
import { fromHex, type SignatureCheck } from '@moneybag/protocol';
import { afterAll, expect, it } from 'vitest';
import { nativeVerifier, poolVerifier } from '../src/index.ts';

const V = JSON.parse(readFileSync(new URL('../../../spec/vectors/v1.json', import.meta.url), 'utf8'));
const cases: SignatureCheck[] = V.signatures.cases.map(
  (c: { publicKey: string; message: string; signature: string }) => ({
    publicKey: fromHex(c.publicKey),
    message: fromHex(c.message),
    signature: fromHex(c.signature),
  }),
);
const expected: boolean[] = V.signatures.cases.map((c: { valid: boolean }) => c.valid);

const pool = poolVerifier({ threads: 2, minBatch: 8 });
afterAll(() => pool.close());

it('small batches (verified in this thread) match the vectors', async () => {
  for (const [i, c] of cases.entries()) expect(await pool.verify([c])).toEqual([expected[i]]);
});

it('a large batch spread over the workers matches the vectors, in order', async () => {
  const many = Array.from({ length: 40 }, () => cases).flat();
  const got = await pool.verify(many);
  expect(got).toEqual(Array.from({ length: 40 }, () => expected).flat());
  expect(got).toEqual(await nativeVerifier.verify(many));
});

it('concurrent batches each get their own answers; malformed inputs are false', async () => {
  const junk = { publicKey: new Uint8Array(31), message: new Uint8Array(0), signature: new Uint8Array(64) };
  const [a, b] = await Promise.all([
    pool.verify([...cases, ...cases]),
    pool.verify([junk, ...cases.slice().reverse()]),
  ]);
  expect(a).toEqual([...expected, ...expected]);
  expect(b).toEqual([false, ...expected.slice().reverse()]);
});

it('a batch of thousands, in many chunks, keeps every answer in its place', async () => {
  const big = poolVerifier({ threads: 2 });
  try {
    // Every vector 300 times, shuffled by a fixed step so that valid and invalid ones interleave.
    const n = cases.length * 300;
    const order = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const got = await big.verify(order.map((k) => cases[k % cases.length]));
    expect(got).toEqual(order.map((k) => expected[k % cases.length]));
  } finally {
    await big.close();
  }
});

it('a pool closed during a batch fails that batch instead of answering "not verified"', async () => {
  const doomed = poolVerifier({ threads: 2 });
  const many = Array.from({ length: 400 }, () => cases).flat();
  const refused = expect(doomed.verify(many)).rejects.toThrow('closed');
  await doomed.close();
  await refused;
  await expect(doomed.verify(many)).rejects.toThrow('closed');
});
