// The issuer: issuing tickets (3.1), settling Returns (5.3) and answering Reclaims (5.4).
import { byteKey, equal } from './bytes.ts';
import { checkOfReclaim, checksOfUses, type Keys, reclaimableFrom, ticketId } from './checks.ts';
import { isValidPublicKey, randomBytes, type Signer, type Verifier } from './crypto.ts';
import { fail } from './errors.ts';
import type { ReturnAnswerJson } from './http.ts';
import {
  type Bytes,
  decode,
  decodeViews,
  type Reclaim,
  type Return,
  type ReturnItem,
  type Ticket,
} from './messages.ts';
import { returnBody, returnBodyOf, ticketBody } from './signed.ts';

/** 3.1: sign a ticket. Refuses a holder key failing check 1 of section 1, and a face below 1. */
export async function issueTicket(
  signer: Signer,
  t: { issuer: string; unit: string; face: number; holder: Bytes; expires: number; serial?: Bytes },
): Promise<Ticket> {
  if (!isValidPublicKey(t.holder)) fail('E_FIELD', 'the holder key is not a valid Ed25519 public key');
  if (!Number.isSafeInteger(t.face) || t.face < 1) fail('E_FIELD', 'face must be at least 1');
  const fields = { ...t, serial: t.serial ?? randomBytes(16) };
  const body = ticketBody(fields); // validates every field before signing
  return { ...fields, C: await signer.sign(body) };
}

export type Blame = 'collector' | 'holder';

/** What the issuer has stored; lookups may be synchronous or not. */
export interface SettlementStore {
  /** The answer stored for a Return of this origin settled from this collector, if any. */
  answered(from: string, origin: Bytes): ReturnAnswerJson | undefined | Promise<ReturnAnswerJson | undefined>;
  /** Whether this issuer issued exactly this ticket (same fields and C). */
  issued(ticket: Ticket): boolean | Promise<boolean>;
  /** Whether this S was returned before (remembered once it verified). */
  remembered(S: Bytes): boolean | Promise<boolean>;
  /** The sum of settled amounts of a ticket (by ticketId). */
  spent(ticket: string): number | Promise<number>;
  /** The amount a ticket (by ticketId) was reclaimed for (5.4), 0 if it was not. */
  reclaimed(ticket: string): number | Promise<number>;
}

export interface SettledUse {
  index: number;
  item: ReturnItem;
  /** Settled, or the code it was refused with. */
  code?: 'E_RECLAIMED' | 'E_OVERSPENT';
}

/** The outcome of a Return, to store in one transaction. */
export interface Settlement {
  from: string;
  origin: Bytes;
  answer: ReturnAnswerJson;
  /** Uses whose S verified, to remember by S: settled ones (no code) and refused ones (with their code). */
  remembered: SettledUse[];
  /** Holder keys to put on the deny list (proof: the E_OVERSPENT use and the settled uses of its ticket). */
  deny: Bytes[];
}

/** A Return whose Q verified under its sending collector's key, with the verdict of each use's S. */
export interface VerifiedReturn {
  from: string;
  r: Return;
  /** ok[i]: item i's S verified over its `chal`. */
  ok: boolean[];
}

/**
 * 5.3, the signatures: Q under the sending collector's key (else E_COLLECTOR) and each use's S. Needs no
 * stored state, so a service may run it before it takes any lock. The uses' signatures go to the verifier
 * at once, before the collectors' keys are known (a service may still be reading them): they are nearly
 * all the work. Given the message (or `received`, the message a caller decoded itself), Q is verified over
 * its bytes, not over an encoding made again; byte fields it decodes are views into it.
 */
export async function verifyReturn(
  message: Uint8Array | Return,
  from: string,
  ctx: { collectors: Keys | Promise<Keys>; verifier: Verifier; received?: Uint8Array },
): Promise<VerifiedReturn> {
  const r = message instanceof Uint8Array ? decodeViews(message, 'Return') : message;
  const received = message instanceof Uint8Array ? message : ctx.received;
  // (`received` must be the message `r` was decoded from: it ends with r's Q)
  if (received && !equal(received.subarray(received.length - 64), r.Q))
    throw new Error('verifyReturn: `received` is not the message of this Return');
  const uses = ctx.verifier.verify(checksOfUses(r.items));
  const signedByKey = async () => {
    const key = (await ctx.collectors).get(from);
    if (key === undefined) return false;
    const body = received ? returnBodyOf(received) : returnBody(r);
    return (await ctx.verifier.verify([{ publicKey: key, message: body, signature: r.Q }]))[0];
  };
  const [ok, signed] = await Promise.all([uses, signedByKey()]);
  if (!signed || r.collector !== from)
    fail('E_COLLECTOR', 'the Return is not signed by the collector sending it');
  return { from, r, ok };
}

/** 5.3, each returned use in order against what the issuer stored: the outcome to store in one transaction. */
export async function judgeReturn(
  v: VerifiedReturn,
  ctx: {
    issuer: string;
    store: Omit<SettlementStore, 'answered'>;
    /** ticketId of each item's ticket, when the caller made them already. */
    ids?: readonly string[];
  },
): Promise<Settlement> {
  const { from, r, ok } = v;
  const answer: ReturnAnswerJson = { settled: 0, rejected: [] };
  const remembered: SettledUse[] = [];
  const deny: Bytes[] = [];
  const seenHere = new Set<string>();
  const spentHere = new Map<string, number>();
  // A Return holds thousands of uses: byte keys, the ticket ids the caller made (ctx.ids), and no await on a store's synchronous
  // answer (each await is a turn of the microtask queue) keep this loop off the hot path.
  for (let index = 0; index < r.items.length; index++) {
    const item = r.items[index];
    const t = item.ticket;
    let issued = t.issuer === ctx.issuer && ctx.store.issued(t);
    if (issued instanceof Promise) issued = await issued;
    if (!issued) {
      answer.rejected.push({ index, code: 'E_NOT_ISSUED', blame: 'collector' });
      continue;
    }
    if (!ok[index]) {
      answer.rejected.push({ index, code: 'E_USE_SIGNATURE', blame: 'collector' });
      continue;
    }
    const S = byteKey(item.S);
    let again = seenHere.has(S) || ctx.store.remembered(item.S);
    if (again instanceof Promise) again = await again;
    if (again) {
      answer.rejected.push({ index, code: 'E_DUPLICATE', blame: 'collector' });
      continue;
    }
    seenHere.add(S);
    const id = ctx.ids?.[index] ?? ticketId(t);
    let spent = spentHere.get(id) ?? ctx.store.spent(id);
    if (spent instanceof Promise) spent = await spent;
    let reclaimed = ctx.store.reclaimed(id);
    if (reclaimed instanceof Promise) reclaimed = await reclaimed;
    if (reclaimed > 0 && spent + reclaimed + item.amount > t.face) {
      // Returned after the issuer's horizon: the collector's fault, not the holder's.
      answer.rejected.push({ index, code: 'E_RECLAIMED', blame: 'collector' });
      remembered.push({ index, item, code: 'E_RECLAIMED' });
      continue;
    }
    if (spent + item.amount > t.face) {
      answer.rejected.push({ index, code: 'E_OVERSPENT', blame: 'holder' });
      remembered.push({ index, item, code: 'E_OVERSPENT' });
      deny.push(t.holder);
      continue;
    }
    spentHere.set(id, spent + item.amount);
    remembered.push({ index, item });
    answer.settled++;
  }
  return { from, origin: r.origin, answer, remembered, deny };
}

/**
 * 5.3: settle a Return (its bytes, or already decoded) sent by the authenticated collector `from`. A Return refused whole throws a
 * ProtocolError (a decoder code, E_COLLECTOR). One settled before from the same collector gives
 * `{ retry }` with the stored answer.
 */
export async function settleReturn(
  message: Uint8Array | Return,
  from: string,
  ctx: { issuer: string; collectors: Keys; verifier: Verifier; store: SettlementStore },
): Promise<Settlement | { retry: true; answer: ReturnAnswerJson }> {
  const r = message instanceof Uint8Array ? decodeViews(message, 'Return') : message;
  const stored = await ctx.store.answered(from, r.origin);
  if (stored) return { retry: true, answer: stored };
  const received = message instanceof Uint8Array ? message : undefined;
  return judgeReturn(await verifyReturn(r, from, { ...ctx, received }), ctx);
}

/** The answer to a Reclaim: the new Ticket, for what was left. */
export interface ReclaimAnswer {
  ticket: Ticket;
  amount: number;
}

/** What the issuer has stored for 5.4; lookups may be synchronous or not. */
export interface ReclaimStore {
  /** Whether this issuer issued exactly this ticket (same fields and C). */
  issued(ticket: Ticket): boolean | Promise<boolean>;
  /** The answer stored when this ticket (by ticketId) was reclaimed, if it was. */
  reclaim(ticket: string): ReclaimAnswer | undefined | Promise<ReclaimAnswer | undefined>;
  /** Whether this holder key is on the issuer's deny list. */
  denied(holder: Bytes): boolean | Promise<boolean>;
  /** The sum of settled amounts of a ticket (by ticketId). */
  spent(ticket: string): number | Promise<number>;
}

export interface ReclaimContext {
  issuer: string;
  /** This issuer's horizon, in seconds (3.8). */
  horizon: number;
  /** Now, in seconds. */
  now: number;
  /** The new ticket's expires, of the issuer's choosing. */
  expires: number;
  /** The new ticket's serial; fresh random bytes when absent. */
  serial?: Bytes;
  verifier: Verifier;
  signer: Signer;
  store: ReclaimStore;
}

/** A Reclaim answered: to store in one transaction, the reclaimed ticket's id with the answer. */
export interface ReclaimOutcome {
  /** The reclaimed ticket, by ticketId. */
  ticket: string;
  reclaim: Reclaim;
  answer: ReclaimAnswer;
}

/**
 * 5.4: answer a Reclaim (its bytes, or already decoded). A refusal throws a ProtocolError with the first
 * failing code; a ticket reclaimed before gives `{ retry }` with the stored answer, whatever `to`.
 * Otherwise the new Ticket, issued for what is left, to store as the ticket's reclaim.
 */
export async function checkReclaim(
  message: Uint8Array | Reclaim,
  ctx: ReclaimContext,
): Promise<ReclaimOutcome | { retry: true; answer: ReclaimAnswer }> {
  const r = message instanceof Uint8Array ? decode(message, 'Reclaim') : message;
  const t = r.ticket;
  if (t.issuer !== ctx.issuer || !(await ctx.store.issued(t)))
    fail('E_NOT_ISSUED', 'this issuer did not issue this ticket');
  const [ok] = await ctx.verifier.verify([checkOfReclaim(r)]);
  if (!ok) fail('E_USE_SIGNATURE', "the reclaim is not signed by the ticket's holder");
  const id = ticketId(t);
  const stored = await ctx.store.reclaim(id);
  if (stored) return { retry: true, answer: stored };
  const from = reclaimableFrom(t, ctx.horizon);
  if (ctx.now < from)
    fail('E_WINDOW', `this ticket can be reclaimed from ${new Date(from * 1000).toISOString()} on`);
  if (await ctx.store.denied(t.holder)) fail('E_DENIED');
  if (!isValidPublicKey(r.to)) fail('E_FIELD', 'the key to issue to is not a valid Ed25519 public key');
  const left = t.face - (await ctx.store.spent(id));
  if (left <= 0) fail('E_AMOUNT', 'nothing is left of this ticket');
  const ticket = await issueTicket(ctx.signer, {
    issuer: t.issuer,
    unit: t.unit,
    face: left,
    holder: r.to,
    expires: ctx.expires,
    serial: ctx.serial,
  });
  return { ticket: id, reclaim: r, answer: { ticket, amount: left } };
}
