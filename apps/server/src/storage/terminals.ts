// A collector's paired terminals (each POS its own id and token, last seen, revoked) and the one-time codes
// that pair them. Codes and tokens are stored as their SHA-256, like the parties' tokens.
import { hashToken } from './parties.ts';
import { int, type Sql } from './sql.ts';

export interface TerminalRow {
  id: string;
  label: string;
  pairedAt: number;
  lastSeen: number | null;
  revokedAt: number | null;
}

/** A new pairing code of a shop, usable once until `expiresAt` (ms). */
export async function insertPairingCode(sql: Sql, shop: string, code: string, expiresAt: number) {
  await sql.query('INSERT INTO pairing_codes (hash, shop, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
    hashToken(code),
    shop,
    Date.now(),
    expiresAt,
  ]);
}

/** A pairing code, locked until the transaction ends (two redemptions of one code queue on its row). */
export async function lockPairingCode(sql: Sql, code: string) {
  const { rows } = await sql.query<Record<string, unknown>>(
    'SELECT shop, expires_at, used_at, terminal FROM pairing_codes WHERE hash = $1 FOR UPDATE',
    [hashToken(code)],
  );
  const r = rows[0];
  return r
    ? {
        shop: r.shop as string,
        expiresAt: int(r.expires_at),
        usedAt: r.used_at === null ? null : int(r.used_at),
        terminal: r.terminal as string | null,
      }
    : undefined;
}

/**
 * A new terminal of a shop, named by the code it redeemed: the next free `pos-N` of the shop (N from 1). The
 * shop's row is locked first, so that two codes redeemed at once get two ids.
 */
export async function insertTerminal(
  sql: Sql,
  p: { shop: string; code: string; label: string; token: string; now: number },
): Promise<string> {
  await sql.query('SELECT 1 FROM parties WHERE id = $1 FOR UPDATE', [p.shop]);
  const { rows } = await sql.query<{ id: string }>('SELECT id FROM terminals WHERE shop = $1', [p.shop]);
  const taken = new Set(rows.map((r) => r.id));
  let n = 1;
  while (taken.has(`pos-${n}`)) n++;
  const id = `pos-${n}`;
  await sql.query(
    'INSERT INTO terminals (shop, id, label, token_hash, paired_at) VALUES ($1, $2, $3, $4, $5)',
    [p.shop, id, p.label || id, hashToken(p.token), p.now],
  );
  await sql.query('UPDATE pairing_codes SET used_at = $2, terminal = $3 WHERE hash = $1', [
    hashToken(p.code),
    p.now,
    id,
  ]);
  return id;
}

/** How stale a terminal's last-seen time may get: its requests write it at most this often (ms). */
export const SEEN_EVERY = 60_000;

/**
 * A terminal made a request with its token now, its last-seen time read with its token (`lastSeen`): every
 * request of a terminal passes here (each bag among them), and only one a minute reaches the database. The
 * UPDATE repeats the test, for two requests at once.
 */
export async function touchTerminal(
  sql: Sql,
  t: { shop: string; id: string; lastSeen: number | null },
  now: number,
): Promise<void> {
  if (t.lastSeen !== null && now - t.lastSeen < SEEN_EVERY) return;
  const { shop, id } = t;
  await sql.query(
    'UPDATE terminals SET last_seen_at = $3 WHERE shop = $1 AND id = $2 AND (last_seen_at IS NULL OR last_seen_at <= $3::bigint - $4::bigint)',
    [shop, id, now, SEEN_EVERY],
  );
}

export async function listTerminals(sql: Sql, shop: string): Promise<TerminalRow[]> {
  const { rows } = await sql.query<Record<string, unknown>>(
    'SELECT id, label, paired_at, last_seen_at, revoked_at FROM terminals WHERE shop = $1 ORDER BY paired_at, id',
    [shop],
  );
  const orNull = (v: unknown) => (v === null ? null : int(v));
  return rows.map((r) => ({
    id: r.id as string,
    label: r.label as string,
    pairedAt: int(r.paired_at),
    lastSeen: orNull(r.last_seen_at),
    revokedAt: orNull(r.revoked_at),
  }));
}

/** Revokes a terminal's token; false if it has none that works. */
export async function revokeTerminal(sql: Sql, shop: string, id: string, now: number): Promise<boolean> {
  const { count } = await sql.query(
    'UPDATE terminals SET revoked_at = $3 WHERE shop = $1 AND id = $2 AND revoked_at IS NULL',
    [shop, id, now],
  );
  return count > 0;
}
