// One SQL dialect (PostgreSQL), two engines: embedded PGlite in the data folder, or a real server via
// DATABASE_URL (node-postgres). Every query of the service goes through `Db`, so both run the same SQL.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';

export type Row = Record<string, unknown>;
export interface Sql {
  query<T = Row>(sql: string, params?: unknown[]): Promise<{ rows: T[]; count: number }>;
}
export interface Db extends Sql {
  readonly engine: 'pglite' | 'postgres';
  /** Runs fn in one transaction: all of it is stored, or none. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Versioned migrations: each runs once, in its own transaction, recorded in schema_migrations. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE parties (
    id text PRIMARY KEY,
    role text NOT NULL CHECK (role IN ('issuer', 'collector', 'shop')),
    label text NOT NULL DEFAULT '',
    public_key text,
    url text,
    created_at bigint NOT NULL
  );
  CREATE TABLE tokens (
    hash text PRIMARY KEY,
    party text NOT NULL REFERENCES parties(id),
    created_at bigint NOT NULL
  );
  CREATE TABLE kv (key text PRIMARY KEY, value text NOT NULL);

  -- collector
  CREATE TABLE allocations (
    root text PRIMARY KEY,
    collector text NOT NULL,
    party text NOT NULL,
    terminal text,
    issued bigint NOT NULL,
    due bigint NOT NULL,
    collected text,
    message text NOT NULL
  );
  CREATE INDEX allocations_party ON allocations(party);
  CREATE TABLE bags (
    digest text PRIMARY KEY,
    root text NOT NULL UNIQUE REFERENCES allocations(root),
    party text NOT NULL,
    received_at bigint NOT NULL,
    accepted integer NOT NULL,
    answer text NOT NULL
  );
  CREATE TABLE accepted_uses (
    origin text NOT NULL,
    idx integer NOT NULL,
    kind text NOT NULL,
    shop text NOT NULL,
    issuer text NOT NULL,
    unit text NOT NULL,
    amount bigint NOT NULL,
    s text NOT NULL,
    PRIMARY KEY (origin, idx)
  );
  CREATE TABLE direct_payments (
    s text PRIMARY KEY,
    origin text NOT NULL,
    shop text NOT NULL,
    unit text NOT NULL,
    amount bigint NOT NULL,
    received_at bigint NOT NULL,
    receipt text NOT NULL
  );
  CREATE INDEX direct_received ON direct_payments(received_at);
  CREATE TABLE outbox (
    id bigserial PRIMARY KEY,
    issuer text NOT NULL,
    origin text NOT NULL,
    uses integer NOT NULL,
    message text NOT NULL,
    state text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at bigint NOT NULL,
    last_error text,
    answer text,
    created_at bigint NOT NULL,
    UNIQUE (issuer, origin)
  );

  -- issuer
  CREATE TABLE tickets (
    id text PRIMARY KEY,
    fingerprint text NOT NULL UNIQUE,
    holder text NOT NULL,
    unit text NOT NULL,
    face bigint NOT NULL,
    expires bigint NOT NULL,
    issued_at bigint NOT NULL,
    message text NOT NULL
  );
  CREATE TABLE settled_returns (
    collector text NOT NULL,
    origin text NOT NULL,
    settled integer NOT NULL,
    answer text NOT NULL,
    message text NOT NULL,
    at bigint NOT NULL,
    PRIMARY KEY (collector, origin)
  );
  CREATE TABLE remembered_uses (
    s text PRIMARY KEY,
    ticket text NOT NULL,
    shop text NOT NULL,
    unit text NOT NULL,
    amount bigint NOT NULL,
    chal text NOT NULL,
    collector text NOT NULL,
    origin text NOT NULL,
    idx integer NOT NULL,
    code text
  );
  CREATE INDEX remembered_ticket ON remembered_uses(ticket);
  CREATE TABLE incidents (
    id bigserial PRIMARY KEY,
    code text NOT NULL,
    blame text NOT NULL,
    collector text NOT NULL,
    origin text NOT NULL,
    idx integer NOT NULL,
    ticket text NOT NULL,
    holder text NOT NULL,
    proof text NOT NULL,
    at bigint NOT NULL
  );
  CREATE TABLE denylist (holder text PRIMARY KEY, ticket text NOT NULL, at bigint NOT NULL);
  `,
  // Returns are base64url of signatures and hashes, which do not compress: storing a 5,000-use Return
  // (1.7 MB) took 3x longer while the database tried to compress it.
  `
  ALTER TABLE outbox ALTER COLUMN message SET STORAGE EXTERNAL;
  ALTER TABLE settled_returns ALTER COLUMN message SET STORAGE EXTERNAL;
  `,
  // 5.4: a ticket reclaimed once, for what was left, answered with the new ticket (issued in the same
  // transaction, so it is in `tickets`).
  `
  CREATE TABLE reclaims (
    ticket text PRIMARY KEY REFERENCES tickets(id),
    amount bigint NOT NULL,
    new_ticket text NOT NULL UNIQUE REFERENCES tickets(id),
    message text NOT NULL,
    at bigint NOT NULL
  );
  `,
];

async function migrate(db: Db): Promise<void> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, at bigint NOT NULL)',
  );
  const { rows } = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const done = Number(rows[0]?.v ?? 0);
  for (let v = done + 1; v <= MIGRATIONS.length; v++) {
    await db.tx(async (sql) => {
      // A concurrent starter on a shared server waits here and then finds the version taken.
      await sql.query('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const again = await sql.query('SELECT 1 FROM schema_migrations WHERE version = $1', [v]);
      if (again.count > 0) return;
      for (const stmt of MIGRATIONS[v - 1].split(/;\s*\n/)) if (stmt.trim()) await sql.query(stmt);
      await sql.query('INSERT INTO schema_migrations (version, at) VALUES ($1, $2)', [v, Date.now()]);
    });
  }
}

async function openPglite(dir: string): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create({ dataDir: dir });
  const wrap = (q: { query: typeof pg.query }): Sql => ({
    async query<T>(sql: string, params?: unknown[]) {
      const r = await q.query<T>(sql, params);
      return { rows: r.rows, count: r.affectedRows || r.rows.length };
    },
  });
  return {
    engine: 'pglite',
    ...wrap(pg),
    // PGlite runs one transaction at a time (its own mutex); the constraints still decide conflicts.
    tx: (fn) => pg.transaction((t) => fn(wrap(t))),
    close: () => pg.close(),
  };
}

async function openPostgres(url: string): Promise<Db> {
  const { default: pg } = await import('pg');
  // bigint and numeric come back as strings from node-postgres; the service reads them with Number().
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  pool.on('error', () => {}); // an idle client's error must not end the process
  const sqlOf = (c: { query: Pool['query'] }): Sql => ({
    async query<T>(sql: string, params?: unknown[]) {
      const r = await c.query(sql, params as unknown[]);
      return { rows: r.rows as T[], count: r.rowCount ?? r.rows.length };
    },
  });
  return {
    engine: 'postgres',
    ...sqlOf(pool),
    async tx(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await fn(sqlOf(c as unknown as Pool));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Opens the database: DATABASE_URL if given, else PGlite in `<data>/pg`; then runs the migrations. */
export async function openDb(dataDir: string, url = process.env.DATABASE_URL): Promise<Db> {
  const db = url ? await openPostgres(url) : await openPglite(join(dataDir, 'pg'));
  await migrate(db);
  return db;
}
