// Checks shared by several roles: a ticket's C, a use's S, a reclaim's P and when it may come, the name of a ticket.
import { toHex } from './bytes.ts';
import type { SignatureCheck, Verifier } from './crypto.ts';
import type { Bytes, Reclaim, Ticket } from './messages.ts';
import { bodyOfUse, reclaimBody, ticketBody } from './signed.ts';

/** Trusted keys by party id (issuers, collectors). */
export type Keys = ReadonlyMap<string, Bytes>;
export const keysOf = (list: readonly { id: string; publicKey: Bytes }[]): Keys =>
  new Map(list.map((k) => [k.id, k.publicKey]));

/** (issuer, serial) names a ticket. */
export const ticketId = (t: Pick<Ticket, 'issuer' | 'serial'>): string => `${t.issuer}/${toHex(t.serial)}`;

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
