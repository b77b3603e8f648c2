// The issuer's tables: tickets, settled Returns, remembered uses, incidents with their proof, the deny list,
// reclaims.
import type { EarlierUseJson, IncidentJson, OwedRowJson, ReclaimRowJson, ReturnRowJson } from '@moneybag/api';
import type { Blame, Code, SettlementAnswer } from '@moneybag/protocol';
import { b64, insertWords, int, type Sql } from './sql.ts';

/** Holds, until the transaction ends, the lock that serializes settlements and reclaims (one at a time). */
export async function lockSettlements(sql: Sql): Promise<void> {
  await sql.query('SELECT pg_advisory_xact_lock(4242)');
}

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
    `SELECT t.*, coalesce((SELECT sum(amount) FROM remembered_uses u WHERE u.ticket = t.id AND u.code IS NULL), 0) AS spent,
       coalesce((SELECT amount FROM reclaims r WHERE r.ticket = t.id), 0) AS reclaimed
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

/** Which of these ticket fingerprints this issuer issued. */
export async function issuedFingerprints(sql: Sql, fingerprints: string[]): Promise<Set<string>> {
  const { rows } = await sql.query<{ fingerprint: string }>(
    'SELECT fingerprint FROM tickets WHERE fingerprint = ANY($1)',
    [fingerprints],
  );
  return new Set(rows.map((x) => x.fingerprint));
}

/** Which of these use signatures (base64url) were returned before. */
export async function rememberedSignatures(sql: Sql, sigs: string[]): Promise<Set<string>> {
  const { rows } = await sql.query<{ s: string }>('SELECT s FROM remembered_uses WHERE s = ANY($1)', [sigs]);
  return new Set(rows.map((x) => x.s));
}

/** What settled uses took from each of these tickets (by ticket id). */
export async function spentOf(sql: Sql, ids: string[]): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ ticket: string; n: unknown }>(
    'SELECT ticket, sum(amount) AS n FROM remembered_uses WHERE ticket = ANY($1) AND code IS NULL GROUP BY ticket',
    [ids],
  );
  return new Map(rows.map((x) => [x.ticket, int(x.n)]));
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
): Promise<SettlementAnswer | undefined> {
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
    answer: SettlementAnswer;
    message: string;
    at: number;
  },
): Promise<void> {
  await sql.query(
    'INSERT INTO settled_returns (collector, origin, settled, answer, message, at) VALUES ($1, $2, $3, $4, $5, $6)',
    [r.collector, r.origin, r.settled, JSON.stringify(r.answer), r.message, r.at],
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
  S: Uint8Array;
  ticket: string;
  shop: string;
  unit: string;
  amount: number;
  chal: Uint8Array;
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
      s: { type: 'text', values: uses.map((u) => b64(u.S)) },
      ticket: { type: 'text', values: uses.map((u) => u.ticket) },
      shop: { type: 'text', values: uses.map((u) => u.shop) },
      unit: { type: 'text', values: uses.map((u) => u.unit) },
      amount: { type: 'bigint', values: uses.map((u) => u.amount) },
      chal: { type: 'text', values: uses.map((u) => b64(u.chal)) },
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

/** The use returned before with this signature (base64url). */
export async function usesWithSignature(sql: Sql, S: string): Promise<EarlierUse[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    'SELECT shop, chal, amount, s, collector, origin FROM remembered_uses WHERE s = $1',
    [S],
  );
  return rows.map(earlierUse);
}

/** The settled uses of a ticket, in the order they were returned. */
export async function settledUsesOf(sql: Sql, ticket: string): Promise<EarlierUse[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT shop, chal, amount, s, collector, origin FROM remembered_uses
     WHERE ticket = $1 AND code IS NULL ORDER BY origin, idx`,
    [ticket],
  );
  return rows.map(earlierUse);
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

export async function denyHolder(sql: Sql, d: { holder: string; ticket: string; at: number }): Promise<void> {
  await sql.query(
    'INSERT INTO denylist (holder, ticket, at) VALUES ($1, $2, $3) ON CONFLICT (holder) DO NOTHING',
    [d.holder, d.ticket, d.at],
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

export async function insertIncident(sql: Sql, i: Incident): Promise<void> {
  await sql.query(
    `INSERT INTO incidents (code, blame, collector, origin, idx, ticket, holder, proof, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [i.code, i.blame, i.collector, i.origin, i.index, i.ticket, i.holder, JSON.stringify(i.proof), i.at],
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
