// fast-check arbitraries for valid values of every message of section 4.
import fc from 'fast-check';
import type { BagNode, Message, Spend, Ticket } from '../src/index.ts';

const idChars = 'abcdefghijklmnopqrstuvwxyz0123456789._:-';
export const id = fc
  .tuple(
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'),
    fc.string({ unit: fc.constantFrom(...idChars), maxLength: 63 }),
  )
  .map(([a, b]) => a + b);
export const unit = fc
  .tuple(
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
    fc.string({ unit: fc.constantFrom(...'ABCXYZ019'), maxLength: 11 }),
  )
  .map(([a, b]) => a + b);
export const u32 = fc.integer({ min: 0, max: 0xffffffff });
export const u64 = fc.maxSafeNat();
const b = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
export const num = fc.uint8Array({ minLength: 1, maxLength: 64 });
export const text = fc
  .string({ unit: 'grapheme', maxLength: 60 })
  .filter((s) => !s.includes('\0') && new TextEncoder().encode(s).length <= 255);

export const ticket: fc.Arbitrary<Ticket> = fc.record({
  issuer: id,
  unit,
  face: u64,
  holder: b(32),
  serial: b(16),
  expires: u32,
  C: b(64),
});
export const spend: fc.Arbitrary<Spend> = fc.record({ ticket, amount: u64, S: b(64) });
const use = fc.record({ deal: u64, shop: id, ticket, amount: u64, S: b(64) });

const node: (depth: number) => fc.Arbitrary<BagNode> = (depth) =>
  fc.record({
    uses: fc.array(use, { maxLength: 3 }),
    children:
      depth >= 8
        ? fc.constant([])
        : fc
            .uniqueArray(fc.record({ terminal: id, n: u32, node: fc.constant(null) }), {
              maxLength: depth < 3 ? 2 : 1,
              selector: (c) => `${c.terminal}/${c.n}`,
            })
            .chain((cs) =>
              cs.length === 0
                ? fc.constant([])
                : fc.tuple(
                    ...cs.map((c) => node(depth + 1).map((n) => ({ terminal: c.terminal, n: c.n, node: n }))),
                  ),
            ),
  });

export const message: fc.Arbitrary<Message> = fc.oneof(
  ticket.map((t) => ({ type: 'Ticket' as const, ...t })),
  fc.record({
    type: fc.constant('Challenge' as const),
    shop: id,
    chal: b(32),
    unit,
    amount: u64,
    expires: u32,
    label: text,
  }),
  fc.record({
    type: fc.constant('Payment' as const),
    shop: id,
    chal: b(32),
    items: fc.array(spend, { minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    type: fc.constant('Allocation' as const),
    collector: id,
    to: id,
    root: num,
    issued: u32,
    due: u32,
    A: b(64),
    path: fc.array(fc.record({ terminal: id, n: u32 }), { maxLength: 7 }),
  }),
  fc.record({ type: fc.constant('Bag' as const), collector: id, to: id, root: num, node: node(1) }),
  fc.record({ type: fc.constant('Receipt' as const), collector: id, S: b(64), received_ms: u64, R: b(64) }),
  fc.record({ type: fc.constant('HolderKey' as const), holder: b(32), label: text }),
  fc.record({
    type: fc.constant('DirectPayment' as const),
    collector: id,
    shop: id,
    time_ms: u64,
    ticket,
    amount: u64,
    S: b(64),
  }),
  fc.record({
    type: fc.constant('Report' as const),
    collector: id,
    root: num,
    bag_digest: b(32),
    accepted_count: u32,
    rejected_count: u32,
    K: b(64),
  }),
  fc.record({
    type: fc.constant('Return' as const),
    collector: id,
    origin: b(32),
    items: fc.array(fc.record({ shop: id, chal: b(32), ticket, amount: u64, S: b(64) }), { maxLength: 3 }),
    Q: b(64),
  }),
  fc.record({ type: fc.constant('Reclaim' as const), ticket, to: b(32), P: b(64) }),
  fc.integer({ min: 2, max: 255 }).chain((count) =>
    fc.record({
      type: fc.constant('Frame' as const),
      index: fc.integer({ min: 0, max: count - 1 }),
      count: fc.constant(count),
      whole: b(16),
      chunk: fc.uint8Array({ maxLength: 40 }),
    }),
  ),
);
