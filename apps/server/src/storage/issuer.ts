// The issuer's tables: tickets, settled Returns, remembered uses, incidents with their proof, the deny list.
import type { EarlierUseJson, IncidentJson, OwedRowJson, ReturnRowJson } from '@moneybag/api';
import type { Blame, Code, SettlementAnswer } from '@moneybag/protocol';
import { b64, insertWords, int, type Sql } from './sql.ts';

/** Holds, until the transaction ends, the lock that serializes settlements (one at a time). */
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

export interface TicketRow {
  id: string;
  holder: string;
  unit: string;
  face: number;
  expires: number;
  issuedAt: number;
  /** What settled uses took from it. */
  spent: number;
  /** Text form. */
  message: string;
}

/** The newest tickets (500), with what was spent of each. */
export async function listTickets(sql: Sql): Promise<TicketRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT t.*, coalesce((SELECT sum(amount) FROM remembered_uses u WHERE u.ticket = t.id AND u.code IS NULL), 0) AS spent
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
