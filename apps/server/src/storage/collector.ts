// The collector's tables: allocations, bags, the sums of accepted uses, direct payments and the outbox of Returns.
import type { DirectRowJson, ShopRowJson, TotalRowJson } from '@moneybag/api';
import type { AcceptedUse, BagAnswerJson, Code } from '@moneybag/protocol';
import { type Db, insertMany, int, type Sql } from './sql.ts';

export interface AllocationRow {
  root: string;
  party: string;
  terminal: string | null;
  issued: number;
  due: number;
  /** The digest (hex) of the bag that collected this root, once collected. */
  collected: string | null;
}

const allocationRow = (r: Record<string, unknown>): AllocationRow => ({
  root: r.root as string,
  party: r.party as string,
  terminal: (r.terminal as string | null) ?? null,
  issued: int(r.issued),
  due: int(r.due),
  collected: (r.collected as string | null) ?? null,
});

export async function allocationByRoot(sql: Sql, root: string): Promise<AllocationRow | undefined> {
  const { rows } = await sql.query(
    'SELECT root, party, terminal, issued, due, collected FROM allocations WHERE root = $1',
    [root],
  );
  return rows[0] && allocationRow(rows[0]);
}

/** The newest allocations (500), of one shop or all. */
export async function listAllocations(sql: Sql, shop: string | null): Promise<AllocationRow[]> {
  const { rows } = await sql.query(
    `SELECT root, party, terminal, issued, due, collected FROM allocations
     WHERE ($1::text IS NULL OR party = $1) ORDER BY issued DESC, root LIMIT 500`,
    [shop],
  );
  return rows.map(allocationRow);
}

export async function insertAllocations(
  sql: Sql,
  rows: {
    root: string;
    collector: string;
    party: string;
    terminal: string | null;
    issued: number;
    due: number;
    message: string;
  }[],
): Promise<void> {
  await insertMany(
    sql,
    'allocations',
    ['root', 'collector', 'party', 'terminal', 'issued', 'due', 'message'],
    rows.map((r) => [r.root, r.collector, r.party, r.terminal, r.issued, r.due, r.message]),
  );
}

/** Marks a root collected by a bag; false when another bag collected it first (the UPDATE decides races). */
export async function collectRoot(sql: Sql, root: string, digest: string): Promise<boolean> {
  const won = await sql.query('UPDATE allocations SET collected = $1 WHERE root = $2 AND collected IS NULL', [
    digest,
    root,
  ]);
  return won.count === 1;
}

/** A row as the admin JSON shows it. */
export type ShopRow = ShopRowJson;

/** Every shop with how many of its allocations are open, collected and late at `now` (seconds). */
export async function listShops(sql: Sql, now: number): Promise<ShopRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT p.id, p.label, p.created_at,
       count(a.root) FILTER (WHERE a.collected IS NULL AND a.due > $1) AS open,
       count(a.root) FILTER (WHERE a.collected IS NOT NULL) AS collected,
       count(a.root) FILTER (WHERE a.collected IS NULL AND a.due <= $1) AS late
     FROM parties p LEFT JOIN allocations a ON a.party = p.id
     WHERE p.role = 'shop' AND p.removed_at IS NULL GROUP BY p.id, p.label, p.created_at ORDER BY p.id`,
    [now],
  );
  return rows.map((r) => ({
    id: r.id as string,
    label: r.label as string,
    createdAt: int(r.created_at),
    allocations: { open: int(r.open), collected: int(r.collected), late: int(r.late) },
  }));
}

// --- bags ---------------------------------------------------------------------------------------

export interface BagRow {
  party: string;
  receivedAt: number;
  answer: BagAnswerJson;
}

export async function bagByDigest(sql: Sql, digest: string): Promise<BagRow | undefined> {
  const { rows } = await sql.query<{ party: string; received_at: unknown; answer: string }>(
    'SELECT party, received_at, answer FROM bags WHERE digest = $1',
    [digest],
  );
  const r = rows[0];
  return r && { party: r.party, receivedAt: int(r.received_at), answer: JSON.parse(r.answer) };
}

/** The newest bags (200). */
export async function listBags(sql: Sql): Promise<BagRow[]> {
  const { rows } = await sql.query<{ party: string; received_at: unknown; answer: string }>(
    'SELECT party, received_at, answer FROM bags ORDER BY received_at DESC LIMIT 200',
  );
  return rows.map((r) => ({ party: r.party, receivedAt: int(r.received_at), answer: JSON.parse(r.answer) }));
}

/** A bag refused whole, for the operator (nothing of the bag itself is kept). */
export interface RefusedBag {
  party: string;
  code: Code;
  message: string;
  root: string | null;
  uses: number | null;
}

export async function insertRefusedBag(sql: Sql, r: RefusedBag): Promise<void> {
  await sql.query(
    'INSERT INTO refused_bags (party, received_at, code, message, root, uses) VALUES ($1, $2, $3, $4, $5, $6)',
    [r.party, Date.now(), r.code, r.message, r.root, r.uses],
  );
}

/** The newest refused bags (200). */
export async function listRefusedBags(sql: Sql): Promise<(RefusedBag & { receivedAt: number })[]> {
  const { rows } = await sql.query(
    'SELECT party, received_at, code, message, root, uses FROM refused_bags ORDER BY received_at DESC, id DESC LIMIT 200',
  );
  return rows.map((r) => ({
    party: r.party as string,
    receivedAt: int(r.received_at),
    code: r.code as Code,
    message: r.message as string,
    root: (r.root as string | null) ?? null,
    uses: r.uses === null ? null : int(r.uses),
  }));
}

export async function insertBag(
  sql: Sql,
  b: { digest: string; root: string; party: string; accepted: number; answer: BagAnswerJson },
): Promise<void> {
  await sql.query(
    'INSERT INTO bags (digest, root, party, received_at, accepted, answer) VALUES ($1, $2, $3, $4, $5, $6)',
    [b.digest, b.root, b.party, Date.now(), b.accepted, JSON.stringify(b.answer)],
  );
}

/**
 * What a bag's accepted uses add to what the collector owes: one row per (shop, issuer, unit), usually one,
 * in one statement. The uses themselves are kept once, in the bag's Returns (the outbox).
 */
export async function insertBagSums(
  sql: Sql,
  origin: string,
  accepted: readonly AcceptedUse[],
): Promise<void> {
  const sums = new Map<string, AcceptedSum>();
  let g: AcceptedSum | undefined;
  for (const a of accepted) {
    const { issuer, unit } = a.use.ticket;
    // Uses of one shop, issuer and unit come in runs: a key is made only where a run ends.
    if (g?.shop !== a.shop || g.issuer !== issuer || g.unit !== unit) {
      const key = `${a.shop} ${issuer} ${unit}`;
      g = sums.get(key);
      if (!g) sums.set(key, (g = { shop: a.shop, issuer, unit, amount: 0, uses: 0 }));
    }
    g.amount += a.amount;
    g.uses++;
  }
  await insertSums(sql, origin, 'bag', [...sums.values()]);
}

/** What one origin (a bag or a direct payment) owes one shop in one issuer's unit, and for how many uses. */
interface AcceptedSum {
  shop: string;
  issuer: string;
  unit: string;
  amount: number;
  uses: number;
}

function insertSums(sql: Sql, origin: string, kind: 'bag' | 'direct', sums: AcceptedSum[]): Promise<void> {
  const bytes = Buffer.from(origin, 'hex');
  return insertMany(
    sql,
    'accepted_sums',
    ['origin', 'kind', 'shop', 'issuer', 'unit', 'amount', 'uses'],
    sums.map((g) => [bytes, kind, g.shop, g.issuer, g.unit, g.amount, g.uses]),
  );
}

/** A row as the admin JSON shows it. */
export type TotalRow = TotalRowJson;

/** What the collector accepted, per shop and unit: the sums of its bags and direct payments. */
export async function acceptedTotals(sql: Sql): Promise<TotalRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    'SELECT shop, unit, sum(amount) AS amount, sum(uses) AS uses FROM accepted_sums GROUP BY shop, unit ORDER BY shop, unit',
  );
  return rows.map((r) => ({
    shop: r.shop as string,
    unit: r.unit as string,
    amount: int(r.amount),
    uses: int(r.uses),
  }));
}

// --- direct payments (3.5) ------------------------------------------------------------------------

/**
 * Whether this S was received since `since_ms` (the replay window, by a query: every direct payment and its
 * receipt stay on record; the primary key refuses an S twice whatever its age).
 */
export async function directSeen(sql: Sql, S: string, since_ms: number): Promise<boolean> {
  return (
    (await sql.query('SELECT 1 FROM direct_payments WHERE s = $1 AND received_at >= $2', [S, since_ms]))
      .count > 0
  );
}

/** A direct payment: its window row, and what it adds to what the collector owes (kind 'direct'). */
export async function insertDirect(
  sql: Sql,
  d: {
    S: string;
    origin: string;
    shop: string;
    issuer: string;
    unit: string;
    amount: number;
    receivedAt: number;
    receipt: string;
  },
): Promise<void> {
  await sql.query(
    'INSERT INTO direct_payments (s, origin, shop, unit, amount, received_at, receipt) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [d.S, d.origin, d.shop, d.unit, d.amount, d.receivedAt, d.receipt],
  );
  await insertSums(sql, d.origin, 'direct', [{ ...d, uses: 1 }]);
}

/** A row as the admin JSON shows it. */
export type DirectRow = DirectRowJson;

/** The direct payments, newest first (at most 500). */
export async function listDirect(sql: Sql): Promise<DirectRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    'SELECT origin, shop, unit, amount, received_at FROM direct_payments ORDER BY received_at DESC, origin LIMIT 500',
  );
  return rows.map((r) => ({
    origin: r.origin as string,
    shop: r.shop as string,
    unit: r.unit as string,
    amount: int(r.amount),
    receivedAt: int(r.received_at),
  }));
}

// --- outbox ---------------------------------------------------------------------------------------

/** Returns to send, one per issuer of an origin (a bag's digest or a direct payment's). */
export async function insertOutbox(
  sql: Sql,
  origin: string,
  returns: { issuer: string; message: Uint8Array; uses: number }[],
): Promise<void> {
  const now = Date.now();
  await insertMany(
    sql,
    'outbox',
    ['issuer', 'origin', 'uses', 'message', 'next_attempt_at', 'created_at'],
    // The bytes as they are (node-postgres sends a view as bytea over the same memory): a Return is megabytes.
    returns.map((r) => [r.issuer, origin, r.uses, r.message, now, now]),
  );
}

export type OutboxState = 'pending' | 'delivered' | 'needs attention';

export interface OutboxRow {
  id: number;
  issuer: string;
  origin: string;
  uses: number;
  /** `needs attention`: the issuer refused it (its answer kept) until the operator re-sends it. */
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  /** The issuer's answer, as it sent it. */
  answer: string | null;
  createdAt: number;
  /** The Return's bytes. */
  message: Uint8Array;
}

const outboxRow = (r: Record<string, unknown>): OutboxRow => ({
  id: int(r.id),
  issuer: r.issuer as string,
  origin: r.origin as string,
  uses: int(r.uses),
  state: r.state as OutboxRow['state'],
  attempts: int(r.attempts),
  nextAttemptAt: int(r.next_attempt_at),
  lastError: (r.last_error as string | null) ?? null,
  answer: (r.answer as string | null) ?? null,
  createdAt: int(r.created_at),
  message: r.message as Uint8Array,
});

/** The newest Returns (500), whatever their state. */
export async function listOutbox(sql: Sql): Promise<OutboxRow[]> {
  const { rows } = await sql.query('SELECT * FROM outbox ORDER BY id DESC LIMIT 500');
  return rows.map(outboxRow);
}

/**
 * Claims the oldest pending Return due at `now` for `leaseMs`: its next attempt moves past the lease, so that
 * another process (each skips the rows another is claiming) takes it only if this one has not answered by
 * then, having crashed. Each Return is sent by one process at a time.
 */
export async function claimDue(sql: Sql, now: number, leaseMs: number): Promise<OutboxRow | undefined> {
  const { rows } = await sql.query(
    `UPDATE outbox o SET next_attempt_at = $2 FROM (
       SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1
       ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
     ) due WHERE o.id = due.id RETURNING o.*`,
    [now, now + leaseMs],
  );
  return rows[0] && outboxRow(rows[0]);
}

/** The issuer answered: delivered (2xx), or a refusal that needs the operator (a 4xx). */
export async function outboxAnswered(
  db: Db,
  id: number,
  a: { state: Exclude<OutboxState, 'pending'>; attempts: number; answer: string; error: string | null },
): Promise<void> {
  await db.query('UPDATE outbox SET state = $1, attempts = $2, answer = $3, last_error = $4 WHERE id = $5', [
    a.state,
    a.attempts,
    a.answer,
    a.error,
    id,
  ]);
}

export async function outboxRetryAt(
  db: Db,
  id: number,
  a: { attempts: number; at: number; error: string },
): Promise<void> {
  await db.query('UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4', [
    a.attempts,
    a.at,
    a.error,
    id,
  ]);
}

/**
 * The operator re-sends Returns that are not delivered (one by id, or every one that needs attention): they
 * are due now. Returns the ids made pending.
 */
export async function resendOutbox(db: Db, id: number | 'attention'): Promise<number[]> {
  const { rows } = await db.query<{ id: unknown }>(
    id === 'attention'
      ? "UPDATE outbox SET state = 'pending', next_attempt_at = $1 WHERE state = 'needs attention' RETURNING id"
      : "UPDATE outbox SET state = 'pending', next_attempt_at = $1 WHERE id = $2 AND state <> 'delivered' RETURNING id",
    id === 'attention' ? [Date.now()] : [Date.now(), id],
  );
  return rows.map((r) => int(r.id)).sort((a, b) => a - b);
}

/** Every Return to one issuer that is not delivered, due now (its operator registered it again). */
export async function resendTo(db: Db, issuer: string): Promise<void> {
  await db.query(
    "UPDATE outbox SET state = 'pending', next_attempt_at = $1 WHERE issuer = $2 AND state <> 'delivered'",
    [Date.now(), issuer],
  );
}

/** How many Returns wait (pending or needing attention), and the age of the oldest, for /metrics. */
export async function outboxDepth(
  sql: Sql,
): Promise<{ state: OutboxState; count: number; oldest: number | null }[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    "SELECT state, count(*) AS n, min(created_at) AS oldest FROM outbox WHERE state <> 'delivered' GROUP BY state",
  );
  return rows.map((r) => ({
    state: r.state as OutboxState,
    count: int(r.n),
    oldest: r.oldest === null ? null : int(r.oldest),
  }));
}
