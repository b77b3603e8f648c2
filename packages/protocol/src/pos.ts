// The POS (and a relay): challenges, the check of a payment (5.1), bags.
import { toHex } from './bytes.ts';
import { checkOfTicket, checkOfUse, type Keys, signedBy, ticketId, verifyCollectorAnswer } from './checks.ts';
import type { Verifier } from './crypto.ts';
import { type Code, fail, ProtocolError } from './errors.ts';
import {
  type Allocation,
  type Bag,
  type BagNode,
  type Bytes,
  type Challenge,
  decode,
  MAX_PATH,
  type Payment,
  type Report,
  type Use,
} from './messages.ts';
import { allocationBody, challengeOf, numberOf } from './signed.ts';

/** The number an Allocation designates for its holder: its root with its path folded in. */
export const numberOfAllocation = (a: Pick<Allocation, 'root' | 'path'>): Bytes => numberOf(a.root, a.path);

/** A relay passes its Allocation down to a child with the path one step longer. */
export function passDown(a: Allocation, terminal: string, n: number): Allocation {
  if (a.path.length >= MAX_PATH) fail('E_FIELD', 'an allocation path has at most 7 steps');
  return { ...a, path: [...a.path, { terminal, n }] };
}

/** 3.3: the Challenge the POS shows for one deal under its bag number. */
export function makeChallenge(p: {
  collector: string;
  bag: Bytes;
  deal: number;
  shop: string;
  unit: string;
  amount: number;
  expires: number;
  label: string;
}): Challenge {
  return {
    shop: p.shop,
    chal: challengeOf(p.collector, p.bag, p.deal),
    unit: p.unit,
    amount: p.amount,
    expires: p.expires,
    label: p.label,
  };
}

/** A challenge the POS has open, as it kept it. */
export interface OpenChallenge {
  unit: string;
  amount: number;
  expires: number;
  paid: boolean;
}

/** What the POS knows at the deal; lookups may be synchronous or not. */
export interface PaymentContext {
  shop: string;
  /** Now, in seconds. */
  now: number;
  /** The open challenge with this chal, if this POS has one. */
  challenge(chal: Bytes): OpenChallenge | undefined | Promise<OpenChallenge | undefined>;
  issuers: Keys;
  /** What this POS has already accepted of a ticket (by ticketId). */
  acceptedOf(ticket: string): number | Promise<number>;
  /** Per issuer, the holder keys (hex) on that issuer's deny list as the POS last fetched it. */
  denied: ReadonlyMap<string, ReadonlySet<string>>;
  verifier: Verifier;
}

export type PaymentVerdict =
  | { ok: true; payment: Payment; unit: string; total: number }
  | { ok: false; code: Code; message: string; index?: number };

const refuse = (code: Code, message: string, index?: number): PaymentVerdict => ({
  ok: false,
  code,
  message,
  index,
});

/** 5.1: accept a Payment only if every rule holds, in order; otherwise the first failing code. */
export async function checkPayment(
  input: Payment | Uint8Array,
  ctx: PaymentContext,
): Promise<PaymentVerdict> {
  let p: Payment;
  try {
    p = input instanceof Uint8Array ? decode(input, 'Payment') : input;
  } catch (e) {
    if (e instanceof ProtocolError) return refuse(e.code, e.message);
    throw e;
  }
  // 1. its own shop, an open challenge, unexpired, unpaid
  const open = p.shop === ctx.shop ? await ctx.challenge(p.chal) : undefined;
  if (!open) return refuse('E_CHALLENGE', 'not a challenge of this shop');
  if (open.paid) return refuse('E_CHALLENGE', 'this challenge is already paid');
  if (ctx.now >= open.expires) return refuse('E_CHALLENGE', 'this challenge has expired');

  // Every signature at once (the provider may batch); the rules below read the answers in order.
  const keys = p.items.map((s) => ctx.issuers.get(s.ticket.issuer));
  const checks = p.items.flatMap((s, i) =>
    keys[i] ? [checkOfTicket(s.ticket, keys[i]), checkOfUse(s, p.shop, p.chal)] : [],
  );
  const answers = await ctx.verifier.verify(checks);
  let a = 0;
  const valid = keys.map((k) => (k ? { C: answers[a++], S: answers[a++] } : { C: false, S: false }));

  // 2. trusted issuer, valid C
  for (const [i, s] of p.items.entries()) {
    if (!keys[i]) return refuse('E_ISSUER', `ticket ${i + 1}: unknown issuer ${s.ticket.issuer}`, i);
    if (!valid[i].C)
      return refuse('E_TICKET_SIGNATURE', `ticket ${i + 1}: the issuer's signature is not valid`, i);
  }
  // 3. valid S
  for (const i of p.items.keys()) {
    if (!valid[i].S)
      return refuse('E_USE_SIGNATURE', `ticket ${i + 1}: the holder's signature is not valid`, i);
  }
  // 4. unexpired, the challenge's unit, 1 <= amount <= face, amounts sum to the price
  let total = 0;
  for (const [i, { ticket, amount }] of p.items.entries()) {
    if (ctx.now >= ticket.expires) return refuse('E_EXPIRED', `ticket ${i + 1} has expired`, i);
    if (ticket.unit !== open.unit)
      return refuse('E_UNIT', `ticket ${i + 1} is in ${ticket.unit}, not ${open.unit}`, i);
    if (amount < 1 || amount > ticket.face)
      return refuse('E_AMOUNT', `ticket ${i + 1}: amount outside 1..face`, i);
    total += amount;
  }
  if (total !== open.amount)
    return refuse('E_TOTAL', `the tickets pay ${total}, the price is ${open.amount}`);
  // 5. no ticket twice, nothing beyond its face here
  const seen = new Set<string>();
  for (const [i, { ticket, amount }] of p.items.entries()) {
    const id = ticketId(ticket);
    if (seen.has(id)) return refuse('E_OVERSPENT', `ticket ${i + 1} appears twice`, i);
    seen.add(id);
    if ((await ctx.acceptedOf(id)) + amount > ticket.face)
      return refuse('E_OVERSPENT', `ticket ${i + 1} is already spent here`, i);
  }
  // 6. no holder on the deny list of its ticket's issuer
  for (const [i, { ticket }] of p.items.entries()) {
    if (ctx.denied.get(ticket.issuer)?.has(toHex(ticket.holder)))
      return refuse('E_DENIED', `ticket ${i + 1}: the holder is denied`, i);
  }
  return { ok: true, payment: p, unit: open.unit, total };
}

/** The uses an accepted Payment adds to the bag of its deal. */
export const usesOf = (p: Payment, deal: number): Use[] => p.items.map((s) => ({ deal, shop: p.shop, ...s }));

/** Close the uses filled under an Allocation's number into a Bag holding its path from the root. */
export function closeBag(a: Allocation, uses: Use[]): Bag {
  let node: BagNode = { uses, children: [] };
  for (let i = a.path.length - 1; i >= 0; i--) node = { uses: [], children: [{ ...a.path[i], node }] };
  return { collector: a.collector, to: a.to, root: a.root, node };
}

/** An Allocation the POS or a relay receives: signed by a collector it trusts (else E_COLLECTOR). */
export async function verifyAllocation(
  a: Allocation,
  ctx: { collectors: Keys; verifier: Verifier },
): Promise<Allocation> {
  const ok = await signedBy(ctx.collectors, a.collector, allocationBody(a), a.A, ctx.verifier);
  if (!ok) fail('E_COLLECTOR', `this number is not signed by a collector this POS trusts (${a.collector})`);
  return a;
}

/** A Report the POS keeps with its bag: signed by the collector, about this bag (else E_COLLECTOR). */
export async function verifyReport(
  report: Uint8Array,
  ctx: { bagDigest: Bytes; collectors: Keys; verifier: Verifier },
): Promise<Report> {
  return verifyCollectorAnswer(report, 'Report', ctx.bagDigest, ctx);
}
