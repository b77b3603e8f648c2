// Section 3: every byte string that is signed or hashed, in one place.
import { setU64, Writer } from './codec.ts';
import { sha256 } from './crypto.ts';
import {
  type Allocation,
  type Bytes,
  ENVELOPE_LENGTH,
  type PathStep,
  type Receipt,
  type Reclaim,
  type Report,
  type Return,
  type Ticket,
  writeAllocationHead,
  writeReclaimFields,
  writeReturnItems,
  writeTicketFields,
} from './messages.ts';

const TAG = {
  ticket: 'moneybag/v1/ticket',
  allocation: 'moneybag/v1/allocation',
  sub: 'moneybag/v1/sub',
  challenge: 'moneybag/v1/challenge',
  use: 'moneybag/v1/use',
  direct: 'moneybag/v1/direct',
  receipt: 'moneybag/v1/receipt',
  collected: 'moneybag/v1/collected',
  return: 'moneybag/v1/return',
  reclaim: 'moneybag/v1/reclaim',
} as const;

/** 3.1: what the issuer signs (C). */
export const ticketBody = (t: Omit<Ticket, 'C'>): Bytes =>
  writeTicketFields(new Writer().tag(TAG.ticket), t).finish();

/** 3.2: what the collector signs (A) when it allocates a root number. */
export const allocationBody = (a: Omit<Allocation, 'A' | 'path'>): Bytes =>
  writeAllocationHead(new Writer().tag(TAG.allocation), a).finish();

/** 3.2: the number a child fills under its parent's number. */
export const sub = (parent: Bytes, terminal: string, n: number): Bytes =>
  sha256(new Writer().tag(TAG.sub).num(parent).id(terminal).u32(n).finish());

/** 3.2: the number a path designates: sub folded along it. */
export const numberOf = (root: Bytes, path: readonly PathStep[]): Bytes =>
  path.reduce((number, step) => sub(number, step.terminal, step.n), root);

/** 3.3: the challenges of the deals under one bag number (the prefix is encoded once: a bag has thousands). */
export function challengesOf(collector: string, bag: Bytes): (deal: number) => Bytes {
  const prefix = new Writer().tag(TAG.challenge).id(collector).num(bag).finish();
  const input = new Uint8Array(prefix.length + 8);
  input.set(prefix);
  return (deal) => {
    setU64(input, prefix.length, deal);
    return sha256(input);
  };
}

/** 3.3: the challenge of one deal under a bag number. */
export const challengeOf = (collector: string, bag: Bytes, deal: number): Bytes =>
  challengesOf(collector, bag)(deal);

/** 3.4: what the holder signs (S) to spend `amount` of ticket C at a shop over a challenge. */
export const bodyOfUse = (amount: number, C: Bytes, shop: string, chal: Bytes): Bytes =>
  writeUse(new Writer(1 + TAG.use.length + 8 + 64 + 1 + shop.length + 32), amount, C, shop, chal).finish();

const writeUse = (w: Writer, amount: number, C: Bytes, shop: string, chal: Bytes): Writer =>
  w.tag(TAG.use).u64(amount).fixed(C, 64).id(shop).fixed(chal, 32);

/**
 * bodyOfUse of many uses, written into one buffer and returned as views into it: a Return's thousands of
 * bodies are one allocation, not one each.
 */
export function bodiesOfUses(
  uses: readonly { amount: number; ticket: { C: Bytes }; shop: string; chal: Bytes }[],
): Bytes[] {
  const w = new Writer(uses.length * (1 + TAG.use.length + 8 + 64 + 1 + 16 + 32));
  const ends = uses.map((u) => writeUse(w, u.amount, u.ticket.C, u.shop, u.chal).length);
  const all = w.finish();
  return ends.map((end, i) => all.subarray(i === 0 ? 0 : ends[i - 1], end));
}

/** 3.5: the challenge of a direct payment. */
export const directChallengeOf = (collector: string, time_ms: number): Bytes =>
  sha256(new Writer().tag(TAG.direct).id(collector).u64(time_ms).finish());

/** 3.5: what the collector signs (R) on a direct payment's receipt. */
export const receiptBody = (r: Omit<Receipt, 'R'>): Bytes =>
  new Writer().tag(TAG.receipt).id(r.collector).fixed(r.S, 64).u64(r.received_ms).finish();

/** 3.6: what the collector signs (K) on a collection report. */
export const reportBody = (r: Omit<Report, 'K'>): Bytes =>
  new Writer()
    .tag(TAG.collected)
    .id(r.collector)
    .num(r.root)
    .fixed(r.bag_digest, 32)
    .u32(r.accepted_count)
    .u32(r.rejected_count)
    .finish();

/** 3.7: what the collector signs (Q) on a Return: the body up to its final b64. */
export const returnBody = (r: Omit<Return, 'Q'>): Bytes =>
  writeReturnItems(new Writer().tag(TAG.return), r).finish();

/**
 * returnBody of a Return message as received: its bytes before Q, cut from the message rather than encoded
 * again from its decoding (a Return of 5,000 uses is 1.3 MB).
 */
export const returnBodyOf = (message: Uint8Array): Bytes =>
  new Writer()
    .tag(TAG.return)
    .raw(message.subarray(ENVELOPE_LENGTH, message.length - 64))
    .finish();

/** 3.8: what the holder signs (P) to reclaim what is left of a ticket, to be issued to `to`. */
export const reclaimBody = (r: Omit<Reclaim, 'P'>): Bytes =>
  writeReclaimFields(new Writer().tag(TAG.reclaim), r).finish();

/** 4: bag_digest, and a direct payment's origin: SHA-256 of the whole message. */
export const digestOf = (message: Bytes): Bytes => sha256(message);
