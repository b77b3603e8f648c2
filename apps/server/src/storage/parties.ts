// Parties, their hashed tokens, and which issuer and collector this service is (the kv table).
import { createHash } from 'node:crypto';
import type { Sql } from './sql.ts';

export type Role = 'issuer' | 'collector' | 'shop';
export interface Party {
  id: string;
  role: Role;
  label: string;
  /** base64url, for issuers and collectors. */
  public_key: string | null;
  /** Where another service reaches this party (an issuer the collector returns uses to). */
  url: string | null;
  /** Removed by the operator: kept for the records that name it, no longer trusted, listed or let in. */
  removed: boolean;
}

/** The party of a token: a shop's paired terminal's names the terminal, and whether it was revoked. */
export interface PartyOfToken extends Party {
  terminal: string | null;
  revoked: boolean;
  /** A terminal's last request as its page shows it (ms), null if none yet or not a terminal. */
  lastSeen: number | null;
}

/** Tokens are stored as their SHA-256: a copy of the database lets no one in. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const PARTY = 'p.id, p.role, p.label, p.public_key, p.url, p.removed_at IS NOT NULL AS removed';

export async function partyById(sql: Sql, id: string): Promise<Party | undefined> {
  const { rows } = await sql.query<Party>(`SELECT ${PARTY} FROM parties p WHERE p.id = $1`, [id]);
  return rows[0];
}

/** One query: a party's own token, or a terminal's (revoked ones too, so that the refusal says so). */
export async function partyOfToken(sql: Sql, token: string): Promise<PartyOfToken | undefined> {
  const { rows } = await sql.query<PartyOfToken>(
    `SELECT ${PARTY}, NULL::text AS terminal, false AS revoked, NULL::bigint AS last_seen FROM tokens t
       JOIN parties p ON p.id = t.party WHERE t.hash = $1
     UNION ALL
     SELECT ${PARTY}, t.id, t.revoked_at IS NOT NULL, t.last_seen_at FROM terminals t JOIN parties p ON p.id = t.shop
       WHERE t.token_hash = $1`,
    [hashToken(token)],
  );
  const r = rows[0] as (PartyOfToken & { last_seen: unknown }) | undefined;
  if (!r) return undefined;
  const { last_seen, ...party } = r;
  return { ...party, lastSeen: last_seen === null ? null : Number(last_seen) };
}

/** The public keys (base64url) of every party of a role that has one. */
export async function publicKeys(sql: Sql, role: 'issuer' | 'collector'): Promise<[string, string][]> {
  const { rows } = await sql.query<{ id: string; public_key: string }>(
    'SELECT id, public_key FROM parties WHERE role = $1 AND public_key IS NOT NULL AND removed_at IS NULL',
    [role],
  );
  return rows.map((r) => [r.id, r.public_key]);
}

export async function insertParty(
  sql: Sql,
  p: { id: string; role: Role; label: string; publicKey?: string; url?: string; horizon?: number },
): Promise<void> {
  await sql.query(
    'INSERT INTO parties (id, role, label, public_key, url, horizon, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [p.id, p.role, p.label, p.publicKey ?? null, p.url ?? null, p.horizon ?? null, Date.now()],
  );
}

/** A registered party's url, label and (an issuer's) horizon again; its role and key stay. */
export async function updatePartyUrl(
  sql: Sql,
  id: string,
  p: { url: string; label: string; horizon?: number },
): Promise<void> {
  await sql.query('UPDATE parties SET url = $2, label = $3, horizon = $4, removed_at = NULL WHERE id = $1', [
    id,
    p.url,
    p.label,
    p.horizon ?? null,
  ]);
}

/** A registered party's key replaced (only when its operator forced it). */
export async function updatePartyKey(sql: Sql, id: string, publicKey: string): Promise<void> {
  await sql.query('UPDATE parties SET public_key = $2 WHERE id = $1', [id, publicKey]);
}

/** Every party not removed, by role and id. */
export async function listParties(sql: Sql): Promise<Party[]> {
  const { rows } = await sql.query<Party>(
    `SELECT ${PARTY} FROM parties p WHERE p.removed_at IS NULL ORDER BY p.role, p.id`,
  );
  return rows;
}

/**
 * Removes a party: its tokens let no one in any more, its key is trusted no more. Its row stays, since what
 * it sent and was settled names it.
 */
export async function removeParty(sql: Sql, id: string): Promise<void> {
  await sql.query('DELETE FROM tokens WHERE party = $1', [id]);
  await sql.query('UPDATE terminals SET revoked_at = $2 WHERE shop = $1 AND revoked_at IS NULL', [
    id,
    Date.now(),
  ]);
  await sql.query('UPDATE parties SET removed_at = $2 WHERE id = $1', [id, Date.now()]);
}

export async function insertToken(sql: Sql, party: string, token: string): Promise<void> {
  await sql.query('INSERT INTO tokens (hash, party, created_at) VALUES ($1, $2, $3)', [
    hashToken(token),
    party,
    Date.now(),
  ]);
}

/** The ids of this service's own issuer and collector, once the first start has set them. */
export async function ownParties(sql: Sql): Promise<{ issuer?: string; collector?: string }> {
  const { rows } = await sql.query<{ key: string; value: string }>(
    "SELECT key, value FROM kv WHERE key IN ('issuer', 'collector')",
  );
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

/** Records which parties this service is: once, on an empty database (a data folder keeps its identity). */
export async function setOwnParties(sql: Sql, own: { issuer?: string; collector?: string }): Promise<void> {
  for (const key of ['issuer', 'collector'] as const)
    if (own[key]) await sql.query('INSERT INTO kv (key, value) VALUES ($1, $2)', [key, own[key]]);
}

/** The columns a registered party's row shows on a page. */
const peer = (r: Record<string, unknown>) => ({
  id: r.id as string,
  label: r.label as string,
  url: (r.url as string | null) ?? null,
  publicKey: (r.public_key as string | null) ?? null,
});

/** Every collector an issuer knows, with what it returned: Returns, settled and rejected uses. */
export async function collectorsOfIssuer(sql: Sql) {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT p.id, p.label, p.url, p.public_key, count(r.origin) AS returns,
       coalesce(sum(r.settled), 0) AS settled, max(r.at) AS last_at
     FROM parties p LEFT JOIN settled_returns r ON r.collector = p.id
     WHERE p.role = 'collector' AND p.removed_at IS NULL GROUP BY p.id ORDER BY p.id`,
  );
  return rows.map((r) => ({
    ...peer(r),
    returns: Number(r.returns),
    settled: Number(r.settled),
    lastAt: r.last_at === null ? null : Number(r.last_at),
  }));
}

/** Every issuer a collector knows, with its outbox's Returns by state. */
export async function issuersOfCollector(sql: Sql) {
  const { rows } = await sql.query<Record<string, unknown>>(
    `SELECT p.id, p.label, p.url, p.public_key,
       count(o.id) FILTER (WHERE o.state = 'pending') AS pending,
       count(o.id) FILTER (WHERE o.state = 'delivered') AS delivered,
       count(o.id) FILTER (WHERE o.state = 'needs attention') AS attention,
       max(o.last_error) FILTER (WHERE o.state <> 'delivered') AS last_error
     FROM parties p LEFT JOIN outbox o ON o.issuer = p.id
     WHERE p.role = 'issuer' AND p.removed_at IS NULL GROUP BY p.id ORDER BY p.id`,
  );
  return rows.map((r) => ({
    ...peer(r),
    outbox: {
      pending: Number(r.pending),
      delivered: Number(r.delivered),
      attention: Number(r.attention),
      lastError: (r.last_error as string | null) ?? null,
    },
  }));
}
