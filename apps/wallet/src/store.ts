// The wallet's IndexedDB: thin and typed. The one rule that lives here is atomicity: a payment's
// spends (what is left of each ticket), its signed uses (the journal) and the payment itself are
// written in ONE transaction, which re-reads `left`, so two tabs or a crash cannot spend beyond a face.
import { type Bytes, fail, type KeyChange, type Ticket, ticketId } from '@moneybag/protocol';
import { type DBSchema, type IDBPDatabase, openDB } from 'idb';

export type KeyKind = 'device' | 'portable';

/** The holder key. A device key is a non-extractable CryptoKey; a portable one a seed a backup can carry. */
export interface KeyRecord {
  kind: KeyKind;
  publicKey: Bytes;
  /** Non-extractable WebCrypto Ed25519 private key (device key, where the browser has Ed25519). */
  privateKey?: CryptoKey;
  /** RFC 8032 seed (portable key, or the device key where the browser lacks WebCrypto Ed25519). */
  seed?: Bytes;
  label: string;
  created: number;
}

export interface TicketRecord {
  /** ticketId: issuer/serial-hex. */
  id: string;
  ticket: Ticket;
  /** What is left to spend, in the unit's smallest part. */
  left: number;
  received: number;
  /** Its Reclaim (3.8), once signed: kept with the ticket, so the backup carries it. */
  reclaim?: ReclaimState;
}

/** A Reclaim this wallet signed, and what became of it. */
export interface ReclaimState {
  /** The signed Reclaim message: a retry posts the same bytes (the issuer answers a retry the same). */
  message: Bytes;
  at: number;
  status: 'pending' | 'done' | 'refused';
  tries: number;
  /** Done: the new ticket (its id) and what came back. */
  ticket?: string;
  amount?: number;
  /** Refused: the issuer's code and message. */
  code?: string;
  error?: string;
}

/** One signed use: the journal of everything this wallet ever signed. */
export interface SpendRecord {
  /** S, hex: unique per signature. */
  S: string;
  ticket: string;
  amount: number;
  shop: string;
  chal: Bytes;
  payment: string;
  at: number;
}

export interface PaymentRecord {
  /** chal, hex (one payment per challenge). */
  id: string;
  kind: 'pos' | 'direct';
  shop: string;
  label: string;
  unit: string;
  amount: number;
  at: number;
  tickets: { id: string; amount: number }[];
  /** The signed Payment or DirectPayment message, to show again. */
  message: Bytes;
  collector?: string;
  /** Direct payments: 'sent' once the collector signed the receipt, 'pending' until then, or its refusal. */
  status?: 'pending' | 'sent' | 'refused';
  error?: string;
  /**
   * Payments at a POS: what the holder saw on the shop's screen. Offline, the wallet cannot know whether the
   * shop took a payment it signed; 'not-accepted' (the sale was cancelled, or the shop refused it) keeps the
   * amount set aside as signed, not confirmed by the shop.
   */
  outcome?: 'accepted' | 'not-accepted';
}

export interface ReceiptRecord {
  /** The payment (chal hex) it is for. */
  payment: string;
  collector: string;
  received_ms: number;
  message: Bytes;
}

export interface PartyRecord {
  id: string;
  publicKey: Bytes;
  url: string;
  /** An issuer's horizon (3.8), seconds, as its well-known entry says. */
  horizon?: number;
}

export interface WalletDB extends DBSchema {
  meta: { key: string; value: unknown };
  tickets: { key: string; value: TicketRecord };
  journal: { key: string; value: SpendRecord; indexes: { ticket: string } };
  payments: { key: string; value: PaymentRecord; indexes: { at: number; outcome: string } };
  receipts: { key: string; value: ReceiptRecord };
  issuers: { key: string; value: PartyRecord };
  collectors: { key: string; value: PartyRecord };
}

export type DB = IDBPDatabase<WalletDB>;

/** The stores of the first version (1): what a wallet installed then holds. */
export function firstVersion(db: IDBPDatabase<WalletDB>): void {
  db.createObjectStore('meta');
  db.createObjectStore('tickets', { keyPath: 'id' });
  db.createObjectStore('journal', { keyPath: 'S' }).createIndex('ticket', 'ticket');
  db.createObjectStore('payments', { keyPath: 'id' }).createIndex('at', 'at');
  db.createObjectStore('receipts', { keyPath: 'payment' });
  db.createObjectStore('issuers', { keyPath: 'id' });
  db.createObjectStore('collectors', { keyPath: 'id' });
}

export function openStore(name = 'moneybag-wallet'): Promise<DB> {
  return openDB<WalletDB>(name, 2, {
    upgrade(db, from, _to, tx) {
      if (from < 1) firstVersion(db);
      // 2: the payments a shop did not take, found without reading every payment (a long history).
      if (from < 2) tx.objectStore('payments').createIndex('outcome', 'outcome');
    },
  });
}

export const getKey = (db: DB) => db.get('meta', 'key') as Promise<KeyRecord | undefined>;

/** The key is written once: a second holder key would orphan every ticket bound to the first. */
export async function putKey(db: DB, key: KeyRecord, replace = false): Promise<void> {
  const tx = db.transaction('meta', 'readwrite');
  if (!replace && (await tx.store.get('key'))) fail('E_FIELD', 'this wallet already has a key');
  await tx.store.put(key, 'key');
  await tx.done;
}

/** Keep a received ticket; receiving the same ticket again changes nothing (never resets `left`). */
export async function addTicket(db: DB, ticket: Ticket, now = Date.now()): Promise<TicketRecord> {
  const tx = db.transaction('tickets', 'readwrite');
  const id = ticketId(ticket);
  const had = await tx.store.get(id);
  const record = had ?? { id, ticket, left: ticket.face, received: now };
  if (!had) await tx.store.add(record);
  await tx.done;
  return record;
}

export const listTickets = (db: DB) => db.getAll('tickets');
export const listPayments = async (db: DB) => (await db.getAllFromIndex('payments', 'at')).reverse();

/** Payments newest first, `limit` of them after the first `skip`: a page of History, read by a cursor. */
export async function pagePayments(db: DB, skip: number, limit: number): Promise<PaymentRecord[]> {
  const out: PaymentRecord[] = [];
  let cursor = await db.transaction('payments').store.index('at').openCursor(null, 'prev');
  if (cursor && skip > 0) cursor = await cursor.advance(skip);
  for (; cursor && out.length < limit; cursor = await cursor.continue()) out.push(cursor.value);
  return out;
}

export const countPayments = (db: DB) => db.count('payments');

/** The payments at a POS the holder said the shop did not take: their amounts stay set aside. */
export const notAccepted = (db: DB) => db.getAllFromIndex('payments', 'outcome', 'not-accepted');

/** The receipts of these payments (online ones), by payment. */
export async function receiptsOf(db: DB, ids: string[]): Promise<ReceiptRecord[]> {
  const tx = db.transaction('receipts');
  const found = await Promise.all(ids.map((id) => tx.store.get(id)));
  return found.filter((r) => r !== undefined);
}
export const listJournal = (db: DB) => db.getAll('journal');
export const getPayment = (db: DB, id: string) => db.get('payments', id);

export interface SpendInput {
  ticket: string;
  amount: number;
  S: string;
}

/**
 * Record a payment, its spends and its signed uses in one transaction. Each ticket's `left` is
 * re-read inside it: if any is short (another tab spent it), the whole transaction aborts with
 * E_OVERSPENT and nothing is written. A payment already recorded for the same challenge is E_CHALLENGE.
 */
export async function recordPayment(
  db: DB,
  payment: PaymentRecord,
  spends: (SpendInput & { shop: string; chal: Bytes })[],
): Promise<void> {
  const tx = db.transaction(['tickets', 'journal', 'payments'], 'readwrite');
  try {
    if (await tx.objectStore('payments').get(payment.id))
      fail('E_CHALLENGE', 'this challenge is already paid');
    const tickets = tx.objectStore('tickets');
    for (const s of spends) {
      const t = await tickets.get(s.ticket);
      if (!t) fail('E_OVERSPENT', `unknown ticket ${s.ticket}`);
      if (!Number.isSafeInteger(s.amount) || s.amount < 1 || s.amount > t.left)
        fail('E_OVERSPENT', `not enough left on ticket ${s.ticket}`);
      await tickets.put({ ...t, left: t.left - s.amount });
      await tx.objectStore('journal').add({
        S: s.S,
        ticket: s.ticket,
        amount: s.amount,
        shop: s.shop,
        chal: s.chal,
        payment: payment.id,
        at: payment.at,
      });
    }
    await tx.objectStore('payments').add(payment);
    await tx.done;
  } catch (e) {
    // Abort explicitly so a refusal thrown between requests writes nothing.
    try {
      tx.abort();
    } catch {}
    await tx.done.catch(() => {});
    throw e;
  }
}

/** A direct payment's outcome: its receipt (kept with the payment), or the collector's refusal. */
export async function settleDirect(
  db: DB,
  id: string,
  outcome: { receipt: ReceiptRecord } | { error: string },
): Promise<void> {
  const tx = db.transaction(['payments', 'receipts'], 'readwrite');
  const p = await tx.objectStore('payments').get(id);
  if (p) {
    if ('receipt' in outcome) {
      await tx.objectStore('receipts').put(outcome.receipt);
      await tx.objectStore('payments').put({ ...p, status: 'sent', error: undefined });
    } else await tx.objectStore('payments').put({ ...p, status: 'refused', error: outcome.error });
  }
  await tx.done;
}

/** What the holder saw on the shop's screen for a payment at a POS. */
export async function setOutcome(db: DB, id: string, outcome: PaymentRecord['outcome']): Promise<void> {
  const tx = db.transaction('payments', 'readwrite');
  const p = await tx.store.get(id);
  if (p) await tx.store.put({ ...p, outcome });
  await tx.done;
}

/** Keep a Reclaim's state on its ticket (signed, retried, refused). */
export async function setReclaim(db: DB, id: string, reclaim: ReclaimState): Promise<void> {
  const tx = db.transaction('tickets', 'readwrite');
  const t = await tx.store.get(id);
  if (t) await tx.store.put({ ...t, reclaim });
  await tx.done;
}

/**
 * A Reclaim answered: in one transaction, the new ticket kept and the old one marked reclaimed with nothing
 * left to spend (what no shop collected now lives on the new ticket).
 */
export async function finishReclaim(db: DB, id: string, reclaim: ReclaimState, fresh: Ticket): Promise<void> {
  const tx = db.transaction('tickets', 'readwrite');
  const t = await tx.store.get(id);
  if (t) await tx.store.put({ ...t, left: 0, reclaim });
  const newId = ticketId(fresh);
  if (!(await tx.store.get(newId)))
    await tx.store.add({ id: newId, ticket: fresh, left: fresh.face, received: Date.now() });
  await tx.done;
}

export async function putParties(db: DB, role: 'issuers' | 'collectors', list: PartyRecord[]): Promise<void> {
  const tx = db.transaction(role, 'readwrite');
  for (const p of list) await tx.store.put(p);
  await tx.done;
}
export const listParties = (db: DB, role: 'issuers' | 'collectors') => db.getAll(role);

/** The parties a well-known document serves. */
export interface PartyLists {
  issuers: PartyRecord[];
  collectors: PartyRecord[];
}

/** A document serving another key for a party already kept: held until the holder confirms it. */
export interface PendingKeys {
  served: PartyLists;
  changes: KeyChange[];
}

export const getPendingKeys = (db: DB) => db.get('meta', 'pendingKeys') as Promise<PendingKeys | undefined>;

/** Keep the parties trusted now and the change waiting for the holder (or none), in one transaction. */
export async function putTrust(db: DB, trusted: PartyLists, pending: PendingKeys | undefined): Promise<void> {
  const tx = db.transaction(['issuers', 'collectors', 'meta'], 'readwrite');
  for (const p of trusted.issuers) await tx.objectStore('issuers').put(p);
  for (const p of trusted.collectors) await tx.objectStore('collectors').put(p);
  if (pending) await tx.objectStore('meta').put(pending, 'pendingKeys');
  else await tx.objectStore('meta').delete('pendingKeys');
  await tx.done;
}

/** Everything a backup carries (the key only where it is portable). */
export interface Snapshot {
  key?: KeyRecord;
  tickets: TicketRecord[];
  journal: SpendRecord[];
  payments: PaymentRecord[];
  receipts: ReceiptRecord[];
  issuers: PartyRecord[];
  collectors: PartyRecord[];
}

export async function snapshot(db: DB): Promise<Snapshot> {
  const tx = db.transaction(
    ['meta', 'tickets', 'journal', 'payments', 'receipts', 'issuers', 'collectors'],
    'readonly',
  );
  const key = (await tx.objectStore('meta').get('key')) as KeyRecord | undefined;
  const s: Snapshot = {
    key: key?.kind === 'portable' ? key : undefined,
    tickets: await tx.objectStore('tickets').getAll(),
    journal: await tx.objectStore('journal').getAll(),
    payments: await tx.objectStore('payments').getAll(),
    receipts: await tx.objectStore('receipts').getAll(),
    issuers: await tx.objectStore('issuers').getAll(),
    collectors: await tx.objectStore('collectors').getAll(),
  };
  await tx.done;
  return s;
}

/**
 * Merge a backup in, in one transaction. Per ticket, the smaller `left` wins: the wallet never
 * forgets a spend it knows of. `key` (already judged by the caller) is written when given.
 */
export async function restoreSnapshot(db: DB, s: Snapshot, key?: KeyRecord): Promise<void> {
  const tx = db.transaction(
    ['meta', 'tickets', 'journal', 'payments', 'receipts', 'issuers', 'collectors'],
    'readwrite',
  );
  if (key) await tx.objectStore('meta').put(key, 'key');
  const tickets = tx.objectStore('tickets');
  for (const t of s.tickets) {
    const had = await tickets.get(t.id);
    const reclaim = had?.reclaim?.status === 'done' ? had.reclaim : (t.reclaim ?? had?.reclaim);
    await tickets.put(had ? { ...had, left: Math.min(had.left, t.left), reclaim } : t);
  }
  for (const j of s.journal) await tx.objectStore('journal').put(j);
  for (const p of s.payments)
    if (!(await tx.objectStore('payments').get(p.id))) await tx.objectStore('payments').put(p);
  for (const r of s.receipts) await tx.objectStore('receipts').put(r);
  for (const p of s.issuers) await tx.objectStore('issuers').put(p);
  for (const p of s.collectors) await tx.objectStore('collectors').put(p);
  await tx.done;
}
