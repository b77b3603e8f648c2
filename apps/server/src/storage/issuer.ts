// The issuer's tables: tickets, settled Returns, remembered uses, incidents with their proof, the deny list,
// reclaims.
import type { EarlierUseJson, IncidentJson, OwedRowJson, ReclaimRowJson, ReturnRowJson } from '@moneybag/api';
import {
  type Blame,
  type Code,
  decodeViews,
  fromBase64url,
  type ReturnAnswerJson,
  type Ticket,
  ticketIdParts,
  toBase64url,
} from '@moneybag/protocol';
import { hex, insertWords, int, type Sql } from './sql.ts';

export async function insertTicket(
  sql: Sql,
  t: {
    id: string;
    C: Uint8Array;
    holder: string;
    unit: string;
    face: number;
    expires: number;
    message: string;
  },
): Promise<void> {
  await sql.query(
    `INSERT INTO tickets (id, c, holder, unit, face, expires, issued_at, message)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [t.id, Buffer.from(t.C), t.holder, t.unit, t.face, t.expires, Date.now(), t.message],
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
    `SELECT t.*, s.spent, coalesce((SELECT amount FROM reclaims r WHERE r.ticket = t.id), 0) AS reclaimed
     FROM tickets t JOIN ticket_sums s ON s.ticket = t.n ORDER BY issued_at DESC, id LIMIT 500`,
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

/** What settlement reads of a ticket: its record, and its settled sum kept up to date (no replay of its uses). */
export interface TicketState {
  /** Its number, by which remembered uses name it. */
  n: number;
  /** The ticket issued (its fields and C, from its columns), for the protocol's sameTicket. */
  ticket: Ticket;
  /** What settled uses took from it. */
  spent: number;
}

/**
 * These tickets (by id) with their settled sums, the sums' rows locked until the transaction ends: two
 * settlements touching one ticket run one after the other, others at once. Locked in id order, so that two
 * of them never deadlock.
 */
export async function lockTickets(sql: Sql, ids: string[]): Promise<Map<string, TicketState>> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT t.id, t.n, t.unit, t.face, t.expires, t.holder, t.c, s.spent FROM tickets t
     JOIN ticket_sums s ON s.ticket = t.n WHERE t.id = ANY($1) ORDER BY t.id FOR UPDATE OF s`,
    [ids],
  );
  return new Map(
    rows.map((r) => [
      r.id as string,
      {
        n: int(r.n),
        ticket: {
          ...ticketIdParts(r.id as string),
          unit: r.unit as string,
          face: int(r.face),
          holder: fromBase64url(r.holder as string),
          expires: int(r.expires),
          C: r.c as Buffer,
        },
        spent: int(r.spent),
      },
    ]),
  );
}

/**
 * The memory of a use's S: its ticket's number and S's second half (s), unique exactly when S is (see the
 * migration that made it). Uses arrive for tickets in circulation, numbered as issued: the key grows where
 * they are, not at random across history.
 */
export interface SignatureKey {
  ticket: number;
  /** S's second half, hex. */
  s: string;
}

/** The remembered half of S. */
export const memoryOf = (S: Uint8Array): Uint8Array => S.subarray(32);

/** The memory of a use's S, by its ticket's number. */
export const signatureKey = (ticket: number, S: Uint8Array): SignatureKey => ({
  ticket,
  s: hex(memoryOf(S)),
});

/** A key as text, as rememberedSignatures answers it and usesWithSignatures groups by. */
export const signatureKeyText = (k: { ticket: unknown; s: string }): string => `${k.ticket}/${k.s}`;
const keyRows = (keys: SignatureKey[]) => [keys.map((k) => k.ticket), keys.map((k) => k.s).join(' ')];
const BY_KEY = `(ticket, s) IN (
  SELECT x.t, decode(x.s, 'hex') FROM unnest($1::bigint[], string_to_array($2, ' ')) AS x(t, s))`;

/** Which of these use signatures were returned before (as `ticket/s`). */
export async function rememberedSignatures(sql: Sql, keys: SignatureKey[]): Promise<Set<string>> {
  const { rows } = await sql.query<{ ticket: unknown; s: string }>(
    `SELECT ticket, encode(s, 'hex') AS s FROM remembered_uses WHERE ${BY_KEY}`,
    keyRows(keys),
  );
  return new Set(rows.map(signatureKeyText));
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

/** Stores a settled Return with what it owes each shop, per unit; its number. */
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
    /** Its settled uses' amounts summed per shop and unit. */
    owed: { shop: string; unit: string; amount: number; uses: number }[];
  },
): Promise<number> {
  const { rows } = await sql.query<{ id: unknown }>(
    'INSERT INTO settled_returns (collector, origin, settled, answer, message, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [r.collector, r.origin, r.settled, JSON.stringify(r.answer), Buffer.from(r.message), r.at],
  );
  const ret = int(rows[0].id);
  if (r.owed.length)
    await sql.query(
      `INSERT INTO settled_amounts (ret, shop, unit, amount, uses)
       SELECT $1, x.shop, x.unit, x.amount, x.uses FROM unnest($2::text[], $3::text[], $4::bigint[], $5::int[])
         AS x(shop, unit, amount, uses)`,
      [
        ret,
        r.owed.map((o) => o.shop),
        r.owed.map((o) => o.unit),
        r.owed.map((o) => o.amount),
        r.owed.map((o) => o.uses),
      ],
    );
  return ret;
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
  /** Its ticket's number. */
  ticket: number;
  amount: number;
  idx: number;
  code: string | null;
}

/** The uses of the settled Return numbered `ret` that its issuer remembers. */
export async function rememberUses(sql: Sql, ret: number, uses: RememberedUse[]): Promise<void> {
  await insertWords(
    sql,
    'remembered_uses',
    {
      ticket: { type: 'bigint', values: uses.map((u) => u.ticket) },
      amount: { type: 'bigint', values: uses.map((u) => u.amount) },
      idx: { type: 'integer', values: uses.map((u) => u.idx) },
      s: { type: 'bytes', width: 32, values: uses.map((u) => memoryOf(u.S)) },
      code: { type: 'text', values: uses.map((u) => u.code) },
    },
    { ret },
  );
}

/** An earlier use, as an incident's proof shows it. */
export type EarlierUse = EarlierUseJson;

/**
 * Remembered uses as a proof shows them, read from the Returns that carried them (a remembered use keeps its
 * Return's number and index, not a second copy of its shop, challenge and S), grouped by `group`.
 */
async function earlierUses(
  sql: Sql,
  rows: { ret: unknown; idx: unknown; group: string }[],
): Promise<Map<string, EarlierUse[]>> {
  const rets = [...new Set(rows.map((r) => int(r.ret)))];
  const { rows: returns } = await sql.query<{
    id: unknown;
    collector: string;
    origin: string;
    message: Buffer;
  }>('SELECT id, collector, origin, message FROM settled_returns WHERE id = ANY($1)', [rets]);
  const byId = new Map(
    returns.map((r) => [int(r.id), { ...r, items: decodeViews(r.message, 'Return').items }]),
  );
  const out = new Map<string, EarlierUse[]>();
  for (const row of rows) {
    const r = byId.get(int(row.ret));
    const it = r?.items[int(row.idx)];
    if (!r || !it) throw new Error(`remembered use ${row.ret}/${row.idx} is not in its Return`);
    const list = out.get(row.group) ?? [];
    list.push({
      shop: it.shop,
      chal: toBase64url(it.chal),
      amount: it.amount,
      S: toBase64url(it.S),
      collector: r.collector,
      origin: r.origin,
    });
    out.set(row.group, list);
  }
  return out;
}

/** The uses returned before with these signatures, by key (signatureKeyText). */
export async function usesWithSignatures(sql: Sql, keys: SignatureKey[]): Promise<Map<string, EarlierUse[]>> {
  const { rows } = await sql.query<{ ticket: unknown; s: string; ret: unknown; idx: unknown }>(
    `SELECT ticket, encode(s, 'hex') AS s, ret, idx FROM remembered_uses WHERE ${BY_KEY} ORDER BY ret, idx`,
    keyRows(keys),
  );
  return earlierUses(
    sql,
    rows.map((r) => ({ ...r, group: signatureKeyText(r) })),
  );
}

/** The settled uses of these tickets (by number), in the order they were returned, by ticket number. */
export async function settledUsesOf(sql: Sql, tickets: number[]): Promise<Map<string, EarlierUse[]>> {
  const { rows } = await sql.query<{ ticket: unknown; ret: unknown; idx: unknown }>(
    `SELECT ticket, ret, idx FROM remembered_uses WHERE ticket = ANY($1::bigint[]) AND code IS NULL
     ORDER BY ret, idx`,
    [tickets],
  );
  return earlierUses(
    sql,
    rows.map((r) => ({ ...r, group: String(int(r.ticket)) })),
  );
}

/** A row as the admin JSON shows it. */
export type OwedRow = OwedRowJson;

/** What the issuer owes each shop, per unit: its settled uses. */
export async function owed(sql: Sql): Promise<OwedRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT shop, unit, sum(amount) AS amount, sum(uses) AS uses FROM settled_amounts
     GROUP BY shop, unit ORDER BY shop, unit`,
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
