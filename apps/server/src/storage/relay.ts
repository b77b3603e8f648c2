// The relay's storage (7.1): its children, the roots it holds, every (root, terminal, n) it gave and the bag
// that came back on it, the merged bag of each root and its parent's answer. Its own embedded database.
import type { RelayChildRowJson } from '@moneybag/api';
import { openDb } from '../db.ts';
import { newToken } from '../keys.ts';
import { hashToken } from './parties.ts';
import { type Db, int, type Sql } from './sql.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS relay_kv (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE IF NOT EXISTS relay_children (
    terminal text PRIMARY KEY,
    shop text,
    label text NOT NULL,
    token_hash text NOT NULL UNIQUE,
    revoked_at bigint,
    created_at bigint NOT NULL
  );
  CREATE TABLE IF NOT EXISTS relay_roots (
    root text PRIMARY KEY,
    allocation text NOT NULL,
    issued bigint NOT NULL,
    due bigint NOT NULL,
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'merged', 'forwarded', 'answered', 'refused', 'empty')),
    merged text,
    merged_digest text UNIQUE,
    answer text,
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL DEFAULT 0,
    last_error text,
    created_at bigint NOT NULL
  );
  CREATE TABLE IF NOT EXISTS relay_given (
    root text NOT NULL REFERENCES relay_roots(root),
    terminal text NOT NULL REFERENCES relay_children(terminal),
    n integer NOT NULL,
    allocation text NOT NULL,
    digest text UNIQUE,
    bag text,
    given_at bigint NOT NULL,
    received_at bigint,
    PRIMARY KEY (root, terminal, n)
  )`;

export interface Child {
  terminal: string;
  /** The shop its uses name; null: the relay's own shop. */
  shop: string | null;
  label: string;
  revoked_at: number | null;
}
export type RootState = 'open' | 'merged' | 'forwarded' | 'answered' | 'refused' | 'empty';
export interface RootRow {
  root: string;
  allocation: string;
  issued: number;
  due: number;
  state: RootState;
  merged: string | null;
  merged_digest: string | null;
  answer: string | null;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}
export interface GivenRow {
  root: string;
  terminal: string;
  n: number;
  allocation: string;
  digest: string | null;
  bag: string | null;
}

/** The bigint columns of a row read as numbers (nulls kept). */
const num = <T extends object>(row: T, ...keys: (keyof T)[]): T => {
  for (const k of keys) if (row[k] !== null) (row as Record<keyof T, unknown>)[k] = int(row[k]);
  return row;
};
const rootRow = (r: RootRow) => num(r, 'issued', 'due', 'attempts', 'next_attempt_at');

export class RelayStore {
  private constructor(readonly db: Db) {}

  /** The relay's own embedded database in `dir` (never a shared server: its state is its own). */
  static async open(dir: string): Promise<RelayStore> {
    const db = await openDb(dir, '');
    for (const stmt of SCHEMA.split(/;\s*\n/)) await db.query(stmt);
    return new RelayStore(db);
  }

  close = () => this.db.close();
  tx = <T>(fn: (sql: Sql) => Promise<T>) => this.db.tx(fn);

  async get(key: string, sql: Sql = this.db): Promise<string | undefined> {
    const { rows } = await sql.query<{ value: string }>('SELECT value FROM relay_kv WHERE key = $1', [key]);
    return rows[0]?.value;
  }
  async set(key: string, value: string, sql: Sql = this.db): Promise<void> {
    await sql.query(
      'INSERT INTO relay_kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2',
      [key, value],
    );
  }

  // --- children ------------------------------------------------------------------------------

  /** A new child with a fresh token (returned once; only its hash is kept). */
  async addChild(terminal: string, shop: string | null, label: string): Promise<string> {
    const token = newToken();
    await this.db.query(
      'INSERT INTO relay_children (terminal, shop, label, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
      [terminal, shop, label, hashToken(token), Date.now()],
    );
    return token;
  }
  async child(terminal: string): Promise<Child | undefined> {
    const { rows } = await this.db.query<Child>(
      'SELECT terminal, shop, label, revoked_at FROM relay_children WHERE terminal = $1',
      [terminal],
    );
    return rows[0];
  }
  async childOfToken(token: string): Promise<Child | undefined> {
    const { rows } = await this.db.query<Child>(
      'SELECT terminal, shop, label, revoked_at FROM relay_children WHERE token_hash = $1 AND revoked_at IS NULL',
      [hashToken(token)],
    );
    return rows[0];
  }
  async revokeChild(terminal: string): Promise<boolean> {
    const r = await this.db.query(
      'UPDATE relay_children SET revoked_at = $2 WHERE terminal = $1 AND revoked_at IS NULL',
      [terminal, Date.now()],
    );
    return r.count === 1;
  }
  /** Every child with what it holds (numbers given under roots still open, not yet back) and delivered. */
  async children(): Promise<RelayChildRowJson[]> {
    const { rows } = await this.db.query<Child & { holds: string; delivered: string }>(
      `SELECT c.terminal, c.shop, c.label, c.revoked_at,
         count(g.n) FILTER (WHERE g.bag IS NULL AND r.state = 'open') AS holds,
         count(g.n) FILTER (WHERE g.bag IS NOT NULL) AS delivered
       FROM relay_children c LEFT JOIN relay_given g ON g.terminal = c.terminal
       LEFT JOIN relay_roots r ON r.root = g.root
       GROUP BY c.terminal, c.shop, c.label, c.revoked_at ORDER BY c.terminal`,
    );
    return rows.map((r) => ({
      ...r,
      revoked_at: r.revoked_at === null ? null : Number(r.revoked_at),
      holds: Number(r.holds),
      delivered: Number(r.delivered),
    }));
  }

  // --- roots and numbers ---------------------------------------------------------------------

  async addRoots(sql: Sql, roots: { root: string; allocation: string; issued: number; due: number }[]) {
    for (const r of roots)
      await sql.query(
        'INSERT INTO relay_roots (root, allocation, issued, due, created_at) VALUES ($1, $2, $3, $4, $5)',
        [r.root, r.allocation, r.issued, r.due, Date.now()],
      );
  }

  /**
   * Roots open and not due at `until` (seconds) on which this child holds no number it has not brought back,
   * the oldest first (so that siblings fill the same roots), locked until the transaction ends: a root is not
   * merged while a number is being given under it. The child's own row is locked first, so that two requests
   * of one child take their n one after the other.
   */
  async openRootsFor(sql: Sql, terminal: string, until: number): Promise<RootRow[]> {
    await sql.query('SELECT 1 FROM relay_children WHERE terminal = $1 FOR UPDATE', [terminal]);
    const { rows } = await sql.query<RootRow>(
      `SELECT * FROM relay_roots r WHERE r.state = 'open' AND r.due > $2
         AND NOT EXISTS (SELECT 1 FROM relay_given g WHERE g.root = r.root AND g.terminal = $1 AND g.bag IS NULL)
       ORDER BY r.created_at, r.root FOR UPDATE`,
      [terminal, until],
    );
    return rows.map(rootRow);
  }

  /** The next n for a child under a root: never one given before (the primary key makes sure). */
  async nextN(sql: Sql, root: string, terminal: string): Promise<number> {
    const { rows } = await sql.query<{ n: number | null }>(
      'SELECT max(n) AS n FROM relay_given WHERE root = $1 AND terminal = $2',
      [root, terminal],
    );
    return rows[0].n === null ? 0 : Number(rows[0].n) + 1;
  }
  async give(sql: Sql, g: { root: string; terminal: string; n: number; allocation: string }): Promise<void> {
    await sql.query(
      'INSERT INTO relay_given (root, terminal, n, allocation, given_at) VALUES ($1, $2, $3, $4, $5)',
      [g.root, g.terminal, g.n, g.allocation, Date.now()],
    );
  }

  async root(root: string, sql: Sql = this.db): Promise<RootRow | undefined> {
    const { rows } = await sql.query<RootRow>('SELECT * FROM relay_roots WHERE root = $1', [root]);
    return rows[0] && rootRow(rows[0]);
  }
  /** The root, locked until the transaction ends (a merge decides on it alone). */
  async lockRoot(sql: Sql, root: string): Promise<RootRow | undefined> {
    const { rows } = await sql.query<RootRow>('SELECT * FROM relay_roots WHERE root = $1 FOR UPDATE', [root]);
    return rows[0] && rootRow(rows[0]);
  }
  /**
   * Open roots a merge may be due on: every number given under them is back, or their due is within `margin`
   * of `now` (seconds; null: the default margin, at most a day). A superset: the merge decides on each.
   */
  async rootsToMerge(now: number, margin: number | null): Promise<string[]> {
    const { rows } = await this.db.query<{ root: string }>(
      `SELECT r.root FROM relay_roots r WHERE r.state = 'open' AND (
         r.due - COALESCE($2::bigint, 86400) <= $1
         OR (EXISTS (SELECT 1 FROM relay_given g WHERE g.root = r.root)
             AND NOT EXISTS (SELECT 1 FROM relay_given g WHERE g.root = r.root AND g.bag IS NULL)))
       ORDER BY r.created_at, r.root`,
      [now, margin],
    );
    return rows.map((r) => r.root);
  }
  async roots(states: RootState[]): Promise<RootRow[]> {
    const { rows } = await this.db.query<RootRow>(
      'SELECT * FROM relay_roots WHERE state = ANY($1::text[]) ORDER BY created_at, root',
      [states],
    );
    return rows.map(rootRow);
  }
  async given(sql: Sql, root: string, terminal?: string): Promise<GivenRow[]> {
    const { rows } = await sql.query<GivenRow>(
      `SELECT root, terminal, n, allocation, digest, bag FROM relay_given
       WHERE root = $1 AND ($2::text IS NULL OR terminal = $2) ORDER BY terminal, n`,
      [root, terminal ?? null],
    );
    return rows.map((r) => num(r, 'n'));
  }
  async givenByDigest(digest: string): Promise<GivenRow | undefined> {
    const { rows } = await this.db.query<GivenRow>(
      'SELECT root, terminal, n, allocation, digest, bag FROM relay_given WHERE digest = $1',
      [digest],
    );
    return rows[0] && num(rows[0], 'n');
  }
  /**
   * A child's bag on a number it holds, if the root is still open and nothing came back on it: whether stored.
   * The root is share-locked first, so that a merge either sees this bag or comes before it (and it is late).
   */
  takeBag(g: GivenRow, digest: string, bag: string): Promise<boolean> {
    return this.db.tx(async (sql) => {
      const open = await sql.query("SELECT 1 FROM relay_roots WHERE root = $1 AND state = 'open' FOR SHARE", [
        g.root,
      ]);
      if (open.count !== 1) return false;
      const r = await sql.query(
        `UPDATE relay_given SET digest = $4, bag = $5, received_at = $6
         WHERE root = $1 AND terminal = $2 AND n = $3 AND bag IS NULL`,
        [g.root, g.terminal, g.n, digest, bag, Date.now()],
      );
      return r.count === 1;
    });
  }
  async updateRoot(
    root: string,
    from: RootState[],
    set: Partial<Omit<RootRow, 'root'>>,
    sql: Sql = this.db,
  ): Promise<boolean> {
    const keys = Object.keys(set);
    const params: unknown[] = [root, from];
    const assigns = keys.map((k) => `${k} = $${params.push((set as Record<string, unknown>)[k])}`);
    const r = await sql.query(
      `UPDATE relay_roots SET ${assigns.join(', ')} WHERE root = $1 AND state = ANY($2::text[])`,
      params,
    );
    return r.count === 1;
  }
}
