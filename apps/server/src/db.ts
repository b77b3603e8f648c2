// One SQL dialect, one driver: PostgreSQL through node-postgres, either the embedded PostgreSQL started from
// the data folder (the default, ./postgres.ts) or the server of DATABASE_URL. Every query of the service goes
// through `Db`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type Cluster, SOCKET_PORT, startCluster } from './postgres.ts';

export type Row = Record<string, unknown>;
export interface Sql {
  query<T = Row>(sql: string, params?: unknown[]): Promise<{ rows: T[]; count: number }>;
}
/** What GET /v1/health reports of the database. */
export interface DbInfo {
  engine: string;
  fsync: string;
  synchronous_commit: string;
}
export interface Db extends Sql {
  /** Always real PostgreSQL (the embedded one or DATABASE_URL's): transactions run concurrently. */
  readonly engine: 'postgres';
  /** Runs fn in one transaction: all of it is stored, or none. */
  tx<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** The server's name and version and its durability settings, as it reports them. */
  info(): Promise<DbInfo>;
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
  // Many issuers and collectors: a collector's copy of each registered issuer's deny list as it last fetched
  // it, and the horizon each registered issuer publishes (its well-known repeats it).
  `
  CREATE TABLE fetched_denylists (
    issuer text PRIMARY KEY,
    holders text NOT NULL,
    updated bigint NOT NULL,
    fetched_at bigint NOT NULL
  );
  ALTER TABLE parties ADD COLUMN horizon bigint;
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
      // One multi-statement query (no parameters: the simple protocol), as PostgreSQL parses it.
      await sql.query(MIGRATIONS[v - 1]);
      await sql.query('INSERT INTO schema_migrations (version, at) VALUES ($1, $2)', [v, Date.now()]);
    });
  }
}

function openPool(config: pg.PoolConfig, embedded?: Cluster): Db {
  // bigint and numeric come back as strings from node-postgres; the service reads them with Number().
  const pool = new pg.Pool({ max: 8, ...config });
  // An idle client's error (the server restarted, a network cut) must not end the process; the next query
  // gets a new connection, and the operator learns why.
  pool.on('error', (e) => console.error(`database: an idle connection failed: ${e.message}`));
  const sqlOf = (c: pg.Pool | pg.PoolClient): Sql => ({
    async query<T>(sql: string, params?: unknown[]) {
      // A multi-statement query (a migration) answers one result per statement: the last one is the answer.
      const all = (await c.query(sql, params)) as pg.QueryResult | pg.QueryResult[];
      const r = Array.isArray(all) ? all[all.length - 1] : all;
      return { rows: r.rows as T[], count: r.rowCount ?? r.rows.length };
    },
  });
  return {
    engine: 'postgres',
    ...sqlOf(pool),
    async tx(fn) {
      const c = await pool.connect();
      let broken: Error | undefined;
      try {
        await c.query('BEGIN');
        const out = await fn(sqlOf(c));
        await c.query('COMMIT');
        return out;
      } catch (e) {
        try {
          await c.query('ROLLBACK');
        } catch (r) {
          broken = r as Error; // the connection is gone: dropped from the pool, not reused
        }
        throw e;
      } finally {
        c.release(broken);
      }
    },
    async info() {
      const { rows } = await pool.query<{ v: string; fsync: string; sc: string }>(
        "SELECT current_setting('server_version') AS v, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sc",
      );
      const { v, fsync, sc } = rows[0];
      return {
        engine: `PostgreSQL ${v.split(' ')[0]}${embedded ? ' (embedded)' : ''}`,
        fsync,
        synchronous_commit: sc,
      };
    },
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

/**
 * Opens the database: the server of DATABASE_URL if given, else the embedded PostgreSQL in
 * `<data>/postgres`; then runs the migrations.
 */
export async function openDb(dataDir: string, url = process.env.DATABASE_URL): Promise<Db> {
  if (url) {
    const db = openPool({ connectionString: url });
    await migrate(db);
    return db;
  }
  if (existsSync(join(dataDir, 'pg', 'PG_VERSION')))
    throw new Error(
      `${join(dataDir, 'pg')} holds the database of an earlier version (PGlite, fsync off), which this version no longer opens: start on a new data folder (the embedded PostgreSQL in <data>/postgres), or with DATABASE_URL`,
    );
  const cluster = await startCluster(join(dataDir, 'postgres'));
  const db = openPool(
    { host: cluster.socketDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' },
    cluster,
  );
  try {
    await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
