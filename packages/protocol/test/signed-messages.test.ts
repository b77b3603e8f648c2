// The wallet's direct payment and receipt, the POS's allocation and report checks, against the vectors.
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  keysOf,
  nobleVerifier,
  seedSigner,
  signDirectPayment,
  verifyAllocation,
  verifyReceipt,
  verifyReport,
  verifyReturn,
} from '../src/index.ts';
import { bytes, hex, V } from './vectors.ts';

const collectors = keysOf([{ id: V.keys.collector.id, publicKey: bytes(V.keys.collector.publicKey) }]);
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e) => e.code,
  );

describe('wallet: direct payment and receipt', () => {
  it('signs the direct vector byte for byte and checks its receipt', async () => {
    const D = V.direct;
    const ticket = decode(bytes(D.message), 'DirectPayment').ticket;
    const d = await signDirectPayment(
      seedSigner(bytes(V.keys.holder.seed)),
      { collector: D.inputs.collector, shop: D.inputs.shop, time_ms: D.inputs.time_ms },
      { ticket, amount: D.inputs.amount },
    );
    expect(hex(encode({ type: 'DirectPayment', ...d }))).toBe(D.message);
    const receipt = bytes(V.receipt.message);
    expect(await code(verifyReceipt(receipt, { S: d.S, collectors, verifier: nobleVerifier }))).toBe('ok');
    expect(
      await code(verifyReceipt(receipt, { S: new Uint8Array(64), collectors, verifier: nobleVerifier })),
    ).toBe('E_COLLECTOR');
    const forged = receipt.slice();
    forged[forged.length - 1] ^= 1;
    expect(await code(verifyReceipt(forged, { S: d.S, collectors, verifier: nobleVerifier }))).toBe(
      'E_COLLECTOR',
    );
  });
});

describe('POS: allocations and reports', () => {
  it('accepts the signed allocations, refuses a changed or unknown one', async () => {
    for (const m of [V.allocation.message, V.allocation_path.message]) {
      const a = decode(bytes(m), 'Allocation');
      expect(await code(verifyAllocation(a, { collectors, verifier: nobleVerifier }))).toBe('ok');
      expect(
        await code(verifyAllocation({ ...a, due: a.due + 1 }, { collectors, verifier: nobleVerifier })),
      ).toBe('E_COLLECTOR');
      expect(await code(verifyAllocation(a, { collectors: keysOf([]), verifier: nobleVerifier }))).toBe(
        'E_COLLECTOR',
      );
    }
  });
  it('accepts the report on its bag only', async () => {
    const ctx = { bagDigest: bytes(V.bag.bag_digest), collectors, verifier: nobleVerifier };
    expect(await code(verifyReport(bytes(V.report.message), ctx))).toBe('ok');
    expect(await code(verifyReport(bytes(V.report.message), { ...ctx, bagDigest: new Uint8Array(32) }))).toBe(
      'E_COLLECTOR',
    );
  });
});

describe('issuer: the Return vector', () => {
  it('verifies Q over the bytes as received, or over its fields encoded again; a changed byte fails it', async () => {
    const message = bytes(V.return.message);
    const from = V.keys.collector.id;
    const ctx = { collectors, verifier: nobleVerifier };
    expect(await code(verifyReturn(message, from, ctx))).toBe('ok');
    const r = decode(message, 'Return');
    expect(await code(verifyReturn(r, from, ctx))).toBe('ok');
    expect(await code(verifyReturn(r, from, { ...ctx, received: message }))).toBe('ok');
    // A byte of the body changed (the origin's first): Q no longer verifies over the bytes received.
    const changed = message.slice();
    changed[3 + 1 + from.length] ^= 1;
    expect(await code(verifyReturn(changed, from, ctx))).toBe('E_COLLECTOR');
    // `received` that is not the message of `r` is the caller's mistake, not the collector's.
    const other = message.slice();
    other[other.length - 1] ^= 1;
    await expect(verifyReturn(r, from, { ...ctx, received: other })).rejects.toThrow('is not the message');
  });
});
