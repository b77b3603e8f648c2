// The issuer's tables: tickets, settled Returns, remembered uses, incidents with their proof, the deny list,
// reclaims.
import type { EarlierUseJson, IncidentJson, OwedRowJson, ReclaimRowJson, ReturnRowJson } from '@moneybag/api';
import type { Blame, Code, ReturnAnswerJson } from '@moneybag/protocol';
import { base64urlOf, insertWords, int, type Sql } from './sql.ts';

export async function insertTicket(
  sql: Sql,
  t: {
    id: string;
    fingerprint: string;
    holder: string;
    unit: string;
    face: number;
    expires: number;
    message: string;
  },
): Promise<void> {
  await sql.query(
    `INSERT INTO tickets (id, fingerprint, holder, unit, face, expires, issued_at, message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [t.id, t.fingerprint, t.holder, t.unit, t.face, t.expires, Date.now(), t.message],
  );
}

/** A ticket's text form, by id. */
export async function ticketMessage(sql: Sql, id: string): Promise<string | undefined> {
  const { rows } = await sql.query<{ message: string }>('SELECT message FROM tickets WHERE id = $1', [id]);
  return rows[0]?.message;
}

export interface TicketRow {
  id: string;
  holder: string;
  unit: string;
  face: number;
  expires: number;
  issuedAt: number;
  /** What settled uses took from it. */
  spent: number;
  /** What its holder reclaimed of it (5.4), 0 if nothing. */
  reclaimed: number;
  /** Text form. */
  message: string;
}

/** The newest tickets (500), with what was spent of each. */
export async function listTickets(sql: Sql): Promise<TicketRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT t.*, coalesce((SELECT amount FROM reclaims r WHERE r.ticket = t.id), 0) AS reclaimed
     FROM tickets t ORDER BY issued_at DESC, id LIMIT 500`,
  );
  return rows.map((r) => ({
    id: r.id as string,
    holder: r.holder as string,
    unit: r.unit as string,
    face: int(r.face),
    expires: int(r.expires),
    issuedAt: int(r.issued_at),
    spent: int(r.spent),
    reclaimed: int(r.reclaimed),
    message: r.message as string,
  }));
}

/** What settlement reads of a ticket, kept up to date in its row (no replay of its uses). */
export interface TicketState {
  fingerprint: string;
  face: number;
  /** What settled uses took from it. */
  spent: number;
}

/**
 * The rows of these tickets (by id), locked until the transaction ends: two settlements touching one ticket
 * run one after the other, others at once. Locked in id order, so that two of them never deadlock.
 */
export async function lockTickets(sql: Sql, ids: string[]): Promise<Map<string, TicketState>> {
  const { rows } = await sql.query<{ id: string; fingerprint: string; face: unknown; spent: unknown }>(
    'SELECT id, fingerprint, face, spent FROM tickets WHERE id = ANY($1) ORDER BY id FOR UPDATE',
    [ids],
  );
  return new Map(
    rows.map((r) => [r.id, { fingerprint: r.fingerprint, face: int(r.face), spent: int(r.spent) }]),
  );
}

/**
 * A use's S with its ticket's expiry: the key of the memory of S. The same S always names the same ticket,
 * so the pair is unique exactly when S is; and uses arrive for live tickets, so the index grows where the
 * tickets now in circulation are, not across all of history.
 */
export interface SignatureKey {
  expires: number;
  /** S, hex. */
  s: string;
}

const pairs = (keys: SignatureKey[]) => [keys.map((k) => k.expires), keys.map((k) => k.s).join(' ')];

/** Which of these use signatures were returned before (their S in hex). */
export async function rememberedSignatures(sql: Sql, keys: SignatureKey[]): Promise<Set<string>> {
  const { rows } = await sql.query<{ s: string }>(
    `SELECT encode(s, 'hex') AS s FROM remembered_uses WHERE (expires, s) IN (
       SELECT x.e, decode(x.s, 'hex') FROM unnest($1::bigint[], string_to_array($2, ' ')) AS x(e, s))`,
    pairs(keys),
  );
  return new Set(rows.map((x) => x.s));
}

/** What settled uses took from each of these tickets (by ticket id). */
export async function spentOf(sql: Sql, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ id: string; spent: unknown }>(
    'SELECT id, spent FROM tickets WHERE id = ANY($1)',
    [ids],
  );
  return new Map(rows.map((x) => [x.id, int(x.spent)]));
}

/** What each of these tickets (by ticket id) was reclaimed for; absent if it was not. */
export async function reclaimedOf(sql: Sql, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ ticket: string; amount: unknown }>(
    'SELECT ticket, amount FROM reclaims WHERE ticket = ANY($1)',
    [ids],
  );
  return new Map(rows.map((x) => [x.ticket, int(x.amount)]));
}

/** A ticket's reclaim: the ticket and the new one it was answered with (text forms), the amount, when. */
export type ReclaimRow = ReclaimRowJson;

const reclaimRow = (r: Record<string, unknown>): ReclaimRow => ({
  ticket: r.old_message as string,
  amount: int(r.amount),
  newTicket: r.new_message as string,
  at: int(r.at),
});
const RECLAIMS = `SELECT o.message AS old_message, r.amount, n.message AS new_message, r.at FROM reclaims r
  JOIN tickets o ON o.id = r.ticket JOIN tickets n ON n.id = r.new_ticket`;

/** The reclaim of a ticket (by ticket id), if it was reclaimed. */
export async function reclaimOf(sql: Sql, ticket: string): Promise<ReclaimRow | undefined> {
  const { rows } = await sql.query<Record<string, unknown>>(`${RECLAIMS} WHERE r.ticket = $1`, [ticket]);
  return rows[0] && reclaimRow(rows[0]);
}

/** The newest reclaims (500). */
export async function listReclaims(sql: Sql): Promise<ReclaimRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `${RECLAIMS} ORDER BY r.at DESC, r.ticket LIMIT 500`,
  );
  return rows.map(reclaimRow);
}

/** Records that a ticket was reclaimed for `amount`, answered with `newTicket` (already in `tickets`). */
export async function insertReclaim(
  sql: Sql,
  r: { ticket: string; amount: number; newTicket: string; message: string; at: number },
): Promise<void> {
  await sql.query(
    'INSERT INTO reclaims (ticket, amount, new_ticket, message, at) VALUES ($1, $2, $3, $4, $5)',
    [r.ticket, r.amount, r.newTicket, r.message, r.at],
  );
}

/** The answer given to a collector's Return of an origin, if it was settled before. */
export async function settledAnswer(
  sql: Sql,
  collector: string,
  origin: string,
): Promise<ReturnAnswerJson | undefined> {
  const { rows } = await sql.query<{ answer: string }>(
    'SELECT answer FROM settled_returns WHERE collector = $1 AND origin = $2',
    [collector, origin],
  );
  return rows[0] && JSON.parse(rows[0].answer);
}

export async function insertSettled(
  sql: Sql,
  r: {
    collector: string;
    origin: string;
    settled: number;
    answer: ReturnAnswerJson;
    /** The Return, as received. */
    message: Uint8Array;
    at: number;
  },
): Promise<void> {
  await sql.query(
    'INSERT INTO settled_returns (collector, origin, settled, answer, message, at) VALUES ($1, $2, $3, $4, $5, $6)',
    [r.collector, r.origin, r.settled, JSON.stringify(r.answer), Buffer.from(r.message), r.at],
  );
}

/** A row as the admin JSON shows it. */
export type ReturnRow = ReturnRowJson;

export async function listSettled(sql: Sql): Promise<ReturnRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    'SELECT collector, origin, settled, answer, at FROM settled_returns ORDER BY at DESC LIMIT 500',
  );
  return rows.map((r) => ({
    collector: r.collector as string,
    origin: r.origin as string,
    settled: int(r.settled),
    rejected: JSON.parse(r.answer as string).rejected.length,
    at: int(r.at),
  }));
}

/** A use remembered from a Return (settled, or rejected with its code). */
export interface RememberedUse {
  /** S, hex. */
  s: string;
  ticket: string;
  /** The ticket's expires. */
  expires: number;
  shop: string;
  unit: string;
  amount: number;
  /** The challenge, hex. */
  chal: string;
  idx: number;
  code: string | null;
}

export async function rememberUses(
  sql: Sql,
  from: { collector: string; origin: string },
  uses: RememberedUse[],
): Promise<void> {
  await insertWords(
    sql,
    'remembered_uses',
    {
      s: { type: 'bytea', values: uses.map((u) => u.s) },
      ticket: { type: 'text', values: uses.map((u) => u.ticket) },
      expires: { type: 'bigint', values: uses.map((u) => u.expires) },
      shop: { type: 'text', values: uses.map((u) => u.shop) },
      unit: { type: 'text', values: uses.map((u) => u.unit) },
      amount: { type: 'bigint', values: uses.map((u) => u.amount) },
      chal: { type: 'bytea', values: uses.map((u) => u.chal) },
      idx: { type: 'integer', values: uses.map((u) => u.idx) },
      code: { type: 'text', values: uses.map((u) => u.code) },
    },
    { collector: from.collector, origin: from.origin },
  );
}

/** An earlier use, as an incident's proof shows it. */
export type EarlierUse = EarlierUseJson;

const earlierUse = (u: Record<string, unknown>): EarlierUse => ({
  shop: u.shop as string,
  chal: u.chal as string,
  amount: int(u.amount),
  S: u.s as string,
  collector: u.collector as string,
  origin: u.origin as string,
});

const EARLIER = `shop, ${base64urlOf('chal')} AS chal, amount, ${base64urlOf('s')} AS s, collector, origin`;

/** The uses returned before with these signatures, by signature (hex). */
export async function usesWithSignatures(sql: Sql, keys: SignatureKey[]): Promise<Map<string, EarlierUse[]>> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT encode(s, 'hex') AS key, ${EARLIER} FROM remembered_uses WHERE (expires, s) IN (
       SELECT x.e, decode(x.s, 'hex') FROM unnest($1::bigint[], string_to_array($2, ' ')) AS x(e, s))`,
    pairs(keys),
  );
  return groupBy(rows, 'key');
}

/** The settled uses of these tickets (by id, with their expires), in the order they were returned, by ticket. */
export async function settledUsesOf(
  sql: Sql,
  tickets: { id: string; expires: number }[],
): Promise<Map<string, EarlierUse[]>> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT ticket, ${EARLIER} FROM remembered_uses
     WHERE (expires, ticket) IN (SELECT * FROM unnest($1::bigint[], $2::text[])) AND code IS NULL
     ORDER BY origin, idx`,
    [tickets.map((t) => t.expires), tickets.map((t) => t.id)],
  );
  return groupBy(rows, 'ticket');
}

function groupBy(rows: Record<string, unknown>[], key: string): Map<string, EarlierUse[]> {
  const out = new Map<string, EarlierUse[]>();
  for (const r of rows) {
    const k = r[key] as string;
    const list = out.get(k) ?? [];
    list.push(earlierUse(r));
    out.set(k, list);
  }
  return out;
}

/** A row as the admin JSON shows it. */
export type OwedRow = OwedRowJson;

/** What the issuer owes each shop, per unit: its settled uses. */
export async function owed(sql: Sql): Promise<OwedRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT shop, unit, sum(amount) AS amount, count(*) AS uses FROM remembered_uses
     WHERE code IS NULL GROUP BY shop, unit ORDER BY shop, unit`,
  );
  return rows.map((r) => ({
    shop: r.shop as string,
    unit: r.unit as string,
    amount: int(r.amount),
    uses: int(r.uses),
  }));
}

/** Holders onto the deny list (each with the ticket that proved it), unless they are on it already. */
export async function denyHolders(
  sql: Sql,
  list: { holder: string; ticket: string }[],
  at: number,
): Promise<void> {
  if (!list.length) return;
  await sql.query(
    `INSERT INTO denylist (holder, ticket, at) SELECT x.holder, x.ticket, $3
     FROM unnest($1::text[], $2::text[]) AS x(holder, ticket) ON CONFLICT (holder) DO NOTHING`,
    [list.map((d) => d.holder), list.map((d) => d.ticket), at],
  );
}

/** Whether a holder key (base64url) is on the deny list. */
export async function isDenied(sql: Sql, holder: string): Promise<boolean> {
  const { rows } = await sql.query('SELECT 1 FROM denylist WHERE holder = $1', [holder]);
  return rows.length > 0;
}

export async function listDenied(sql: Sql): Promise<{ holder: string; at: number }[]> {
  const { rows } = await sql.query<{ holder: string; at: unknown }>(
    'SELECT holder, at FROM denylist ORDER BY at, holder',
  );
  return rows.map((r) => ({ holder: r.holder, at: int(r.at) }));
}

export type Incident = Omit<IncidentJson, 'id'>;

export async function insertIncidents(sql: Sql, list: Incident[]): Promise<void> {
  if (!list.length) return;
  await sql.query(
    `INSERT INTO incidents (code, blame, collector, origin, idx, ticket, holder, proof, at)
     SELECT x.code, x.blame, x.collector, x.origin, x.idx, x.ticket, x.holder, x.proof, x.at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[],
       $9::bigint[]) AS x(code, blame, collector, origin, idx, ticket, holder, proof, at)`,
    [
      list.map((i) => i.code),
      list.map((i) => i.blame),
      list.map((i) => i.collector),
      list.map((i) => i.origin),
      list.map((i) => i.index),
      list.map((i) => i.ticket),
      list.map((i) => i.holder),
      list.map((i) => JSON.stringify(i.proof)),
      list.map((i) => i.at),
    ],
  );
}

/** The newest incidents (500). */
export async function listIncidents(sql: Sql): Promise<IncidentJson[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    'SELECT * FROM incidents ORDER BY id DESC LIMIT 500',
  );
  return rows.map((r) => ({
    id: int(r.id),
    code: r.code as Code,
    blame: r.blame as Blame,
    collector: r.collector as string,
    origin: r.origin as string,
    index: int(r.idx),
    ticket: r.ticket as string,
    holder: r.holder as string,
    at: int(r.at),
    proof: JSON.parse(r.proof as string),
  }));
}
