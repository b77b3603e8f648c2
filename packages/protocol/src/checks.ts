// Checks shared by several roles: a ticket's C, a use's S, a reclaim's P and when it may come, the name of a ticket.
import { equal, fromHex, toHex } from './bytes.ts';
import type { SignatureCheck, Verifier } from './crypto.ts';
import { fail } from './errors.ts';
import { type Bytes, decode, type Receipt, type Reclaim, type Report, type Ticket } from './messages.ts';
import { bodiesOfUses, bodyOfUse, receiptBody, reclaimBody, reportBody, ticketBody } from './signed.ts';

/** Trusted keys by party id (issuers, collectors). */
export type Keys = ReadonlyMap<string, Bytes>;
export const keysOf = (list: readonly { id: string; publicKey: Bytes }[]): Keys =>
  new Map(list.map((k) => [k.id, k.publicKey]));

/** (issuer, serial) names a ticket. */
export const ticketId = (t: Pick<Ticket, 'issuer' | 'serial'>): string => `${t.issuer}/${toHex(t.serial)}`;

/** The issuer and serial a ticketId names. */
export function ticketIdParts(id: string): Pick<Ticket, 'issuer' | 'serial'> {
  const at = id.lastIndexOf('/');
  return { issuer: id.slice(0, at), serial: fromHex(id.slice(at + 1)) };
}

/** The same fields (C aside): a copy of a ticket with other fields is another ticket. */
export const sameTicketFields = (a: Ticket, b: Ticket): boolean =>
  a.issuer === b.issuer &&
  a.unit === b.unit &&
  a.face === b.face &&
  a.expires === b.expires &&
  equal(a.holder, b.holder) &&
  equal(a.serial, b.serial);

/** The same ticket: the same fields and C ("this issuer issued this ticket", 5.3 and 5.4). */
export const sameTicket = (a: Ticket, b: Ticket): boolean => equal(a.C, b.C) && sameTicketFields(a, b);

/** The check of C (3.1) under the issuer's key. */
export const checkOfTicket = (t: Ticket, issuerKey: Bytes): SignatureCheck => ({
  publicKey: issuerKey,
  message: ticketBody(t),
  signature: t.C,
});

/** The check of S (3.4) under the ticket's holder key. */
export const checkOfUse = (
  s: { ticket: Ticket; amount: number; S: Bytes },
  shop: string,
  chal: Bytes,
): SignatureCheck => ({
  publicKey: s.ticket.holder,
  message: bodyOfUse(s.amount, s.ticket.C, shop, chal),
  signature: s.S,
});

/** checkOfUse of many uses (each with its shop and chal), their bodies in one buffer (bodiesOfUses). */
export function checksOfUses(
  uses: readonly { ticket: Ticket; amount: number; S: Bytes; shop: string; chal: Bytes }[],
): SignatureCheck[] {
  const bodies = bodiesOfUses(uses);
  return uses.map((u, i) => ({ publicKey: u.ticket.holder, message: bodies[i], signature: u.S }));
}

/** The check of P (3.8) under the reclaimed ticket's holder key. */
export const checkOfReclaim = (r: Reclaim): SignatureCheck => ({
  publicKey: r.ticket.holder,
  message: reclaimBody(r),
  signature: r.P,
});

/** 3.8: an issuer's horizon when its operator sets none, in seconds (45 days). */
export const DEFAULT_HORIZON = 3_888_000;

/** 5.4 step 4: the first second at which a ticket can be reclaimed, under its issuer's horizon. */
export const reclaimableFrom = (t: Pick<Ticket, 'expires'>, horizon: number): number => t.expires + horizon;

/** Sum of amounts per unit. */
export function totalsOf(items: Iterable<{ unit: string; amount: number }>): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const it of items) totals[it.unit] = (totals[it.unit] ?? 0) + it.amount;
  return totals;
}

/** Whether a party among `keys` (by id) signed `body`: an Allocation's A, a Report's K, a Receipt's R. */
export async function signedBy(
  keys: Keys,
  id: string,
  body: Bytes,
  signature: Bytes,
  verifier: Verifier,
): Promise<boolean> {
  const publicKey = keys.get(id);
  return !!publicKey && (await verifier.verify([{ publicKey, message: body, signature }]))[0];
}

/** What a collector answers about something it received: its signed body and the thing it is about. */
const ANSWERS = {
  Report: {
    body: reportBody,
    signature: (r: Report) => r.K,
    about: (r: Report) => r.bag_digest,
    what: 'bag',
  },
  Receipt: { body: receiptBody, signature: (r: Receipt) => r.R, about: (r: Receipt) => r.S, what: 'payment' },
};

/**
 * A collector's answer kept as proof (a bag's Report, a direct payment's Receipt): signed by the collector it
 * names, among `collectors`, and about `about` (the bag's digest, the payment's S); else E_COLLECTOR.
 */
export async function verifyCollectorAnswer<T extends 'Report' | 'Receipt'>(
  message: Uint8Array,
  type: T,
  about: Bytes,
  ctx: { collectors: Keys; verifier: Verifier },
): Promise<{ Report: Report; Receipt: Receipt }[T]> {
  const a = ANSWERS[type] as unknown as {
    body(m: Report | Receipt): Bytes;
    signature(m: Report | Receipt): Bytes;
    about(m: Report | Receipt): Bytes;
    what: string;
  };
  const m = decode(message, type) as unknown as Report | Receipt;
  const ok = await signedBy(ctx.collectors, m.collector, a.body(m), a.signature(m), ctx.verifier);
  if (!ok || !equal(a.about(m), about))
    fail('E_COLLECTOR', `the ${type.toLowerCase()} is not the collector’s on this ${a.what}`);
  return m as { Report: Report; Receipt: Receipt }[T];
}
