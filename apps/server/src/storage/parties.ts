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
}

/** Tokens are stored as their SHA-256: a copy of the database lets no one in. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const PARTY = 'p.id, p.role, p.label, p.public_key, p.url';

export async function partyById(sql: Sql, id: string): Promise<Party | undefined> {
  const { rows } = await sql.query<Party>(`SELECT ${PARTY} FROM parties p WHERE p.id = $1`, [id]);
  return rows[0];
}

export async function partyOfToken(sql: Sql, token: string): Promise<Party | undefined> {
  const { rows } = await sql.query<Party>(
    `SELECT ${PARTY} FROM tokens t JOIN parties p ON p.id = t.party WHERE t.hash = $1`,
    [hashToken(token)],
  );
  return rows[0];
}

/** The public keys (base64url) of every party of a role that has one. */
export async function publicKeys(sql: Sql, role: 'issuer' | 'collector'): Promise<[string, string][]> {
  const { rows } = await sql.query<{ id: string; public_key: string }>(
    'SELECT id, public_key FROM parties WHERE role = $1 AND public_key IS NOT NULL',
    [role],
  );
  return rows.map((r) => [r.id, r.public_key]);
}

export async function insertParty(
  sql: Sql,
  p: { id: string; role: Role; label: string; publicKey?: string },
): Promise<void> {
  await sql.query(
    'INSERT INTO parties (id, role, label, public_key, created_at) VALUES ($1, $2, $3, $4, $5)',
    [p.id, p.role, p.label, p.publicKey ?? null, Date.now()],
  );
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

export async function setOwnParties(sql: Sql, own: { issuer: string; collector: string }): Promise<void> {
  await sql.query("INSERT INTO kv (key, value) VALUES ('issuer', $1), ('collector', $2)", [
    own.issuer,
    own.collector,
  ]);
}
