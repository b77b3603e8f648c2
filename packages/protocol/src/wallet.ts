// The wallet: receiving a ticket, choosing tickets for a price, signing the uses (3.4), reclaiming (3.8).
import { equal } from './bytes.ts';
import { checkOfTicket, type Keys, verifyCollectorAnswer } from './checks.ts';
import type { Signer, Verifier } from './crypto.ts';
import { fail } from './errors.ts';
import { readReclaimAnswer } from './http.ts';
import type { ReclaimAnswer } from './issuer.ts';
import {
  type Challenge,
  type DirectPayment,
  decode,
  MAX_PAYMENT_ITEMS,
  type Payment,
  type Receipt,
  type Reclaim,
  type Ticket,
} from './messages.ts';
import { bodyOfUse, directChallengeOf, reclaimBody } from './signed.ts';

/** Check a ticket the wallet receives: a trusted issuer's valid C, bound to this wallet's key, unexpired. */
export async function verifyReceivedTicket(
  input: Ticket | Uint8Array,
  ctx: { issuers: Keys; holder: Uint8Array; verifier: Verifier; now: number },
): Promise<Ticket> {
  const t = input instanceof Uint8Array ? decode(input, 'Ticket') : input;
  const key = ctx.issuers.get(t.issuer);
  if (!key) fail('E_ISSUER', `unknown issuer ${t.issuer}`);
  const [ok] = await ctx.verifier.verify([checkOfTicket(t, key)]);
  if (!ok) fail('E_TICKET_SIGNATURE');
  if (!equal(t.holder, ctx.holder)) fail('E_FIELD', 'this ticket was issued to another wallet');
  if (ctx.now >= t.expires) fail('E_EXPIRED');
  return t;
}

/** A ticket the wallet holds, with what is left of it. */
export interface Holding {
  ticket: Ticket;
  left: number;
}
export interface Choice {
  ticket: Ticket;
  amount: number;
}

/**
 * Choose tickets to pay `amount` in `unit`: the fewest tickets, then the soonest expiry; a ticket
 * may be spent in part, never beyond what is left of it. The reason it cannot is a ProtocolError.
 */
export function selectTickets(
  holdings: readonly Holding[],
  unit: string,
  amount: number,
  now: number,
): Choice[] {
  if (!Number.isSafeInteger(amount) || amount < 1) fail('E_AMOUNT', 'nothing to pay');
  const ofUnit = holdings.filter((h) => h.ticket.unit === unit && h.left > 0);
  if (ofUnit.length === 0) fail('E_UNIT', `no ticket in ${unit}`);
  const usable = ofUnit.filter((h) => now < h.ticket.expires);
  if (usable.length === 0) fail('E_EXPIRED', `every ticket in ${unit} has expired`);
  const byLeft = [...usable].sort((a, b) => b.left - a.left);
  let k = 0;
  for (let sum = 0; sum < amount; k++) {
    if (k === byLeft.length) fail('E_TOTAL', `not enough left in ${unit}`);
    sum += byLeft[k].left;
  }
  if (k > MAX_PAYMENT_ITEMS)
    fail('E_TOTAL', `this needs ${k} tickets; a payment carries at most ${MAX_PAYMENT_ITEMS}`);

  // With k fixed, take tickets soonest-expiring first whenever the rest can still complete the price.
  const byExpiry = [...usable].sort((a, b) => a.ticket.expires - b.ticket.expires || b.left - a.left);
  const chosen: Holding[] = [];
  let sum = 0;
  for (let i = 0; i < byExpiry.length && chosen.length < k; i++) {
    const h = byExpiry[i];
    const slots = k - chosen.length - 1;
    const best = byExpiry
      .slice(i + 1)
      .map((x) => x.left)
      .sort((a, b) => b - a)
      .slice(0, slots)
      .reduce((a, b) => a + b, 0);
    if (sum + h.left + best >= amount) {
      chosen.push(h);
      sum += h.left;
    }
  }
  let rest = amount;
  return chosen.map((h) => {
    const take = Math.min(h.left, rest);
    rest -= take;
    return { ticket: h.ticket, amount: take };
  });
}

/** 3.4: sign one use per chosen ticket over the challenge, and build the Payment. */
export async function signPayment(signer: Signer, challenge: Challenge, choices: Choice[]): Promise<Payment> {
  const items = await Promise.all(
    choices.map(async ({ ticket, amount }) => ({
      ticket,
      amount,
      S: await signer.sign(bodyOfUse(amount, ticket.C, challenge.shop, challenge.chal)),
    })),
  );
  return { shop: challenge.shop, chal: challenge.chal, items };
}

/** 3.5: pay a shop through a collector, online: one ticket, signed over the direct challenge of `time_ms`. */
export async function signDirectPayment(
  signer: Signer,
  p: { collector: string; shop: string; time_ms: number },
  choice: Choice,
): Promise<DirectPayment> {
  const chal = directChallengeOf(p.collector, p.time_ms);
  const S = await signer.sign(bodyOfUse(choice.amount, choice.ticket.C, p.shop, chal));
  return { ...p, ticket: choice.ticket, amount: choice.amount, S };
}

/** A Receipt the wallet keeps: signed by the collector, for this use (else E_COLLECTOR). */
export async function verifyReceipt(
  receipt: Uint8Array,
  ctx: { S: Uint8Array; collectors: Keys; verifier: Verifier },
): Promise<Receipt> {
  return verifyCollectorAnswer(receipt, 'Receipt', ctx.S, ctx);
}

/**
 * 3.8: sign the Reclaim of what is left of one of this wallet's tickets, for the issuer to issue to `to`
 * (this wallet's own key by default). Post it, encoded, to the issuer from `reclaimableFrom(ticket, horizon)` on.
 */
export async function signReclaim(
  signer: Signer,
  ticket: Ticket,
  to: Uint8Array = signer.publicKey,
): Promise<Reclaim> {
  if (!equal(ticket.holder, signer.publicKey)) fail('E_FIELD', 'this ticket was issued to another wallet');
  const fields = { ticket, to };
  return { ...fields, P: await signer.sign(reclaimBody(fields)) };
}

/**
 * The issuer's answer to a Reclaim, its JSON as it came: a new ticket of the same issuer and unit,
 * for the amount it says, issued to the Reclaim's `to` and signed by the issuer; else a ProtocolError.
 */
export async function verifyReclaimAnswer(
  answer: unknown,
  ctx: { reclaim: Reclaim; issuers: Keys; verifier: Verifier; now: number },
): Promise<ReclaimAnswer> {
  const a = readReclaimAnswer(answer);
  const old = ctx.reclaim.ticket;
  if (a.ticket.issuer !== old.issuer || a.ticket.unit !== old.unit || a.ticket.face !== a.amount)
    fail('E_FIELD', 'the new ticket is not the remainder of the reclaimed one');
  if (a.amount > old.face) fail('E_AMOUNT', 'the new ticket is worth more than the reclaimed one');
  const ticket = await verifyReceivedTicket(a.ticket, { ...ctx, holder: ctx.reclaim.to });
  return { ticket, amount: a.amount };
}
