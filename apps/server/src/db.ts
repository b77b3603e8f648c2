// One SQL dialect, one driver: PostgreSQL through node-postgres, either the embedded PostgreSQL started from
// the data folder (the default, ./postgres.ts) or the server of DATABASE_URL. Every query of the service goes
// through `Db`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type Cluster, SOCKET_PORT, socketDirOf, startCluster } from './postgres.ts';

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
  // The invariants the code keeps, held by the database too: a bug, a script or a hand-made INSERT cannot
  // break them. Records are never changed or deleted; a ticket's settled sum never passes its face.
  `
  ALTER TABLE allocations
    ADD FOREIGN KEY (collector) REFERENCES parties(id),
    ADD FOREIGN KEY (party) REFERENCES parties(id),
    ADD CHECK (due > issued);
  ALTER TABLE bags
    ADD FOREIGN KEY (party) REFERENCES parties(id),
    ADD CHECK (accepted >= 0);
  ALTER TABLE accepted_uses
    ADD FOREIGN KEY (issuer) REFERENCES parties(id),
    ADD CHECK (amount >= 1),
    ADD CHECK (idx >= 0),
    ADD CHECK (kind IN ('bag', 'direct'));
  ALTER TABLE direct_payments ADD CHECK (amount >= 1);
  ALTER TABLE outbox
    ADD FOREIGN KEY (issuer) REFERENCES parties(id),
    ADD CONSTRAINT outbox_state CHECK (state IN ('pending', 'delivered', 'refused')),
    ADD CHECK (uses >= 1),
    ADD CHECK (attempts >= 0);
  ALTER TABLE tickets ADD CHECK (face >= 1);
  ALTER TABLE settled_returns
    ADD FOREIGN KEY (collector) REFERENCES parties(id),
    ADD CHECK (settled >= 0);
  ALTER TABLE remembered_uses
    ADD FOREIGN KEY (ticket) REFERENCES tickets(id),
    ADD FOREIGN KEY (collector, origin) REFERENCES settled_returns(collector, origin),
    ADD CHECK (amount >= 1),
    ADD CHECK (idx >= 0),
    ADD CHECK (code IS NULL OR code IN ('E_OVERSPENT', 'E_RECLAIMED'));
  -- (no key on incidents.ticket: an E_NOT_ISSUED incident names a ticket this issuer never issued)
  ALTER TABLE incidents
    ADD FOREIGN KEY (collector, origin) REFERENCES settled_returns(collector, origin),
    ADD CHECK (code IN ('E_NOT_ISSUED', 'E_USE_SIGNATURE', 'E_DUPLICATE', 'E_RECLAIMED', 'E_OVERSPENT')),
    ADD CHECK (blame IN ('collector', 'holder'));
  ALTER TABLE denylist ADD FOREIGN KEY (ticket) REFERENCES tickets(id);

  -- A ticket's settled sum, kept by the database as uses are remembered, can never pass its face: two
  -- settlements of one ticket also queue on its row.
  ALTER TABLE tickets ADD COLUMN spent bigint NOT NULL DEFAULT 0;
  UPDATE tickets t SET spent = u.n
    FROM (SELECT ticket, sum(amount) AS n FROM remembered_uses WHERE code IS NULL GROUP BY ticket) u
    WHERE u.ticket = t.id;
  ALTER TABLE tickets ADD CONSTRAINT tickets_spent_within_face CHECK (spent >= 0 AND spent <= face);
  CREATE FUNCTION remembered_uses_spend() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    UPDATE tickets t SET spent = t.spent + n.amount
      FROM (SELECT ticket, sum(amount) AS amount FROM added WHERE code IS NULL GROUP BY ticket) n
      WHERE t.id = n.ticket;
    RETURN NULL;
  END $$;
  CREATE TRIGGER remembered_uses_spend AFTER INSERT ON remembered_uses
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION remembered_uses_spend();

  CREATE FUNCTION keep_record() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    RAISE EXCEPTION '% is a record: its rows are never changed or deleted', TG_TABLE_NAME
      USING ERRCODE = 'restrict_violation';
  END $$;
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON bags FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON accepted_uses FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON settled_returns FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON remembered_uses FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON incidents FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  CREATE TRIGGER kept BEFORE DELETE OR TRUNCATE ON tickets FOR EACH STATEMENT EXECUTE FUNCTION keep_record();

  -- The hot queries: the outbox poll, the bag and allocation lists, the direct payments, the deny list.
  CREATE INDEX outbox_pending ON outbox (id) WHERE state = 'pending';
  CREATE INDEX bags_received ON bags (received_at DESC);
  CREATE INDEX allocations_issued ON allocations (issued DESC, root);
  DROP INDEX allocations_party;
  CREATE INDEX allocations_party ON allocations (party, issued DESC, root);
  CREATE INDEX accepted_direct ON accepted_uses (origin) WHERE kind = 'direct';
  CREATE INDEX settled_returns_at ON settled_returns (at DESC);
  CREATE INDEX denylist_at ON denylist (at, holder);
  `,
  // Direct payments and their receipts are kept (the replay window is a query), like every record.
  `
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON direct_payments FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  DROP INDEX direct_received;
  CREATE INDEX direct_received ON direct_payments (received_at DESC, origin);
  `,
  // The outbox's states say what the operator must do: a Return the issuer refused needs attention (it was
  // 'refused', final) until re-sent.
  `
  ALTER TABLE outbox DROP CONSTRAINT outbox_state;
  UPDATE outbox SET state = 'needs attention' WHERE state = 'refused';
  ALTER TABLE outbox ADD CONSTRAINT outbox_state CHECK (state IN ('pending', 'delivered', 'needs attention'));
  CREATE INDEX outbox_undelivered ON outbox (state, created_at) WHERE state <> 'delivered';
  `,
  // Signatures, challenges and Returns as bytes, not base64url text: a third less on disk and in the index
  // of S that every settlement probes.
  `
  ALTER TABLE remembered_uses
    ALTER COLUMN s TYPE bytea USING decode(translate(s, '-_', '+/') || repeat('=', (4 - length(s) % 4) % 4), 'base64'),
    ALTER COLUMN chal TYPE bytea USING decode(translate(chal, '-_', '+/') || repeat('=', (4 - length(chal) % 4) % 4), 'base64');
  ALTER TABLE settled_returns
    ALTER COLUMN message TYPE bytea USING decode(translate(message, '-_', '+/') || repeat('=', (4 - length(message) % 4) % 4), 'base64');
  ALTER TABLE settled_returns ALTER COLUMN message SET STORAGE EXTERNAL;
  `,
  // The memory of S keyed by the ticket's expiry first: unique exactly when S is (an S names one ticket), and
  // uses arrive for live tickets, so insertions land where the tickets in circulation are instead of at
  // random across all of history (each page first touched after a checkpoint costs a full 8 KB in the WAL).
  `
  ALTER TABLE remembered_uses ADD COLUMN expires bigint;
  ALTER TABLE remembered_uses DISABLE TRIGGER USER;
  UPDATE remembered_uses u SET expires = t.expires FROM tickets t WHERE t.id = u.ticket;
  ALTER TABLE remembered_uses ENABLE TRIGGER USER;
  ALTER TABLE remembered_uses ALTER COLUMN expires SET NOT NULL;
  ALTER TABLE remembered_uses DROP CONSTRAINT remembered_uses_pkey;
  ALTER TABLE remembered_uses ADD PRIMARY KEY (expires, s);
  DROP INDEX remembered_ticket;
  CREATE INDEX remembered_ticket ON remembered_uses (expires, ticket);
  `,
  // Many issuers and collectors: a collector's copy of each registered issuer's deny list as it last fetched
  // it; the horizon each registered issuer publishes (its well-known repeats it); a party removed by its
  // operator stays (records name it) but is no longer trusted, listed or let in.
  `
  CREATE TABLE fetched_denylists (
    issuer text PRIMARY KEY REFERENCES parties(id),
    holders text NOT NULL,
    updated bigint NOT NULL,
    fetched_at bigint NOT NULL
  );
  ALTER TABLE parties ADD COLUMN horizon bigint;
  ALTER TABLE parties ADD COLUMN removed_at bigint;
  `,
  // A reclaim (5.4) is a record like a settled Return: the code only inserts it, and it is the proof an
  // E_RECLAIMED incident shows.
  `
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON reclaims FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  `,
  // The bags a collector refused whole (5.2's bag-level faults), kept for its operator: a shop that sends a
  // number it already handed in is seen. Nothing of the bag is stored, only who sent it, when, and why.
  `
  CREATE TABLE refused_bags (
    id bigserial PRIMARY KEY,
    party text NOT NULL,
    received_at bigint NOT NULL,
    code text NOT NULL,
    message text NOT NULL,
    root text,
    uses integer
  );
  CREATE INDEX refused_bags_received ON refused_bags (received_at DESC, id);
  `,
  // Settlement stores a Return's thousands of uses in one statement: their keys checked once by that statement
  // (a join), not by one lookup and row lock per use (two foreign keys cost more than the insert). What a key
  // also guards, that the ticket or Return named is not deleted or renamed later, the records' triggers
  // guard: neither is ever deleted, and a ticket's fields other than its settled sum never change. The sum's
  // updates stay on their page (fillfactor): no new index entries for each ticket of every Return.
  `
  ALTER TABLE remembered_uses
    DROP CONSTRAINT remembered_uses_ticket_fkey,
    DROP CONSTRAINT remembered_uses_collector_origin_fkey;
  CREATE OR REPLACE FUNCTION remembered_uses_spend() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM 1 FROM added a WHERE NOT EXISTS (SELECT 1 FROM tickets t WHERE t.id = a.ticket) LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'remembered_uses: a use names a ticket not in tickets' USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM 1 FROM (SELECT DISTINCT collector, origin FROM added) a
      WHERE NOT EXISTS (SELECT 1 FROM settled_returns r WHERE r.collector = a.collector AND r.origin = a.origin) LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'remembered_uses: a use names a Return not in settled_returns' USING ERRCODE = 'foreign_key_violation';
    END IF;
    UPDATE tickets t SET spent = t.spent + n.amount
      FROM (SELECT ticket, sum(amount) AS amount FROM added WHERE code IS NULL GROUP BY ticket) n
      WHERE t.id = n.ticket;
    RETURN NULL;
  END $$;
  CREATE TRIGGER kept_fields BEFORE UPDATE OF id, fingerprint, holder, unit, face, expires, issued_at, message
    ON tickets FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  ALTER TABLE tickets SET (fillfactor = 50);
  `,
  // Bytes on disk per use (issue 12: within 2x the raw messages). The collector keeps each Return it makes as
  // bytes (base64url text was 1.33x), and an accepted use by its origin's 32 bytes (not 64 hex characters, in
  // the row and in its key) without its S: the Return that carries the use to its issuer holds it, and a
  // direct payment's row keeps its own. A ticket's fingerprint needs no index: it is read by the ticket's id,
  // and it holds the serial, so it is unique with the id.
  `
  ALTER TABLE outbox ALTER COLUMN message TYPE bytea
    USING decode(translate(message, '-_', '+/') || repeat('=', (4 - length(message) % 4) % 4), 'base64');
  ALTER TABLE outbox ALTER COLUMN message SET STORAGE EXTERNAL;
  DROP INDEX accepted_direct;
  ALTER TABLE accepted_uses DROP COLUMN s;
  ALTER TABLE accepted_uses ALTER COLUMN origin TYPE bytea USING decode(origin, 'hex');
  ALTER TABLE tickets DROP CONSTRAINT tickets_fingerprint_key;
  `,
  // (This was version 12 on main for a while, before two earlier-written migrations were merged in front of
  // it: a database made then has it and meets it again here, hence IF NOT EXISTS; version 15 makes what it
  // skipped of version 12 unnecessary. migrations.test.ts upgrades such a database.)
  // Each POS of a collector's shop its own terminal id and token (last seen, revoked), paired by a one-time
  // code that expires: a code redeemed is kept with the terminal it made (a second redemption is refused).
  `
  CREATE TABLE IF NOT EXISTS terminals (
    shop text NOT NULL REFERENCES parties(id),
    id text NOT NULL,
    label text NOT NULL DEFAULT '',
    token_hash text NOT NULL UNIQUE,
    paired_at bigint NOT NULL,
    last_seen_at bigint,
    revoked_at bigint,
    PRIMARY KEY (shop, id)
  );
  CREATE TABLE IF NOT EXISTS pairing_codes (
    hash text PRIMARY KEY,
    shop text NOT NULL REFERENCES parties(id),
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL,
    used_at bigint,
    terminal text,
    FOREIGN KEY (shop, terminal) REFERENCES terminals(shop, id),
    CHECK ((used_at IS NULL) = (terminal IS NULL))
  );
  `,
  // Bytes on disk per remembered use (issue 12: within 2x the Return that carried it). The signed Return is kept
  // whole (the evidence, read back for an incident's proof); a remembered use keeps only what settlement
  // looks up, by number instead of by name: its ticket's number, its Return's number and index, its amount,
  // and the memory of its S. That memory is S's second half, the scalar s: a holder can repeat the first half
  // R at will (by reusing a nonce, over other messages), but two valid signatures by one key with the same s
  // over different messages take ~2^126 work to find, so (ticket, s) is unique exactly when S is. Tickets are
  // numbered as issued, and uses arrive for tickets in circulation: the key grows where they are, not at
  // random across history. What each Return owes each shop is kept with the Return (its settled amounts per
  // shop and unit), so the owed view reads a row per Return and shop, not every use. A ticket's fingerprint
  // (its fields and C in ~350 hex characters) goes: its fields are columns already, and C is kept as its 64
  // bytes, so that a returned ticket is compared field by field (nothing hashed). A ticket's settled sum, the one thing about
  // it that changes (with every Return of it), moves to a narrow row of its own with the face it stays
  // under: a ticket's record is then never updated, and the updates of the sums stay on their pages
  // (fillfactor) without copying a ticket's ~400 bytes each time.
  `
  ALTER TABLE tickets ADD COLUMN n bigserial;
  ALTER TABLE tickets ADD CONSTRAINT tickets_n_key UNIQUE (n);
  ALTER TABLE tickets ADD COLUMN c bytea;
  UPDATE tickets SET c = decode(right(fingerprint, 128), 'hex');
  ALTER TABLE tickets ALTER COLUMN c SET NOT NULL, ADD CHECK (octet_length(c) = 64);
  CREATE TABLE ticket_sums (
    ticket bigint PRIMARY KEY REFERENCES tickets(n),
    face bigint NOT NULL,
    spent bigint NOT NULL DEFAULT 0,
    CONSTRAINT ticket_sums_within_face CHECK (spent >= 0 AND spent <= face)
  ) WITH (fillfactor = 50);
  INSERT INTO ticket_sums (ticket, face, spent) SELECT n, face, spent FROM tickets;
  DROP TRIGGER IF EXISTS kept_fields ON tickets;
  DROP TRIGGER kept ON tickets;
  ALTER TABLE tickets DROP COLUMN fingerprint, DROP COLUMN spent;
  ALTER TABLE tickets RESET (fillfactor);
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON tickets FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  CREATE TRIGGER kept BEFORE UPDATE OF ticket, face OR DELETE OR TRUNCATE ON ticket_sums
    FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  CREATE FUNCTION tickets_sum() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO ticket_sums (ticket, face) SELECT n, face FROM added;
    RETURN NULL;
  END $$;
  CREATE TRIGGER tickets_sum AFTER INSERT ON tickets
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION tickets_sum();

  ALTER TABLE settled_returns ADD COLUMN id bigserial;
  ALTER TABLE settled_returns ADD CONSTRAINT settled_returns_id_key UNIQUE (id);
  CREATE TABLE settled_amounts (
    ret bigint NOT NULL REFERENCES settled_returns(id),
    shop text NOT NULL,
    unit text NOT NULL,
    amount bigint NOT NULL CHECK (amount >= 1),
    uses integer NOT NULL CHECK (uses >= 1),
    PRIMARY KEY (ret, shop, unit)
  );
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON settled_amounts FOR EACH STATEMENT EXECUTE FUNCTION keep_record();

  ALTER TABLE remembered_uses RENAME TO remembered_uses_old;
  CREATE TABLE remembered_uses (
    ticket bigint NOT NULL,
    ret bigint NOT NULL,
    amount bigint NOT NULL CHECK (amount >= 1),
    idx integer NOT NULL CHECK (idx >= 0),
    s bytea NOT NULL CHECK (octet_length(s) = 32),
    code text CHECK (code IS NULL OR code IN ('E_OVERSPENT', 'E_RECLAIMED')),
    PRIMARY KEY (ticket, s)
  );
  INSERT INTO remembered_uses (ticket, ret, amount, idx, s, code)
    SELECT t.n, r.id, o.amount, o.idx, substring(o.s FROM 33), o.code
    FROM remembered_uses_old o
    JOIN tickets t ON t.id = o.ticket
    JOIN settled_returns r ON r.collector = o.collector AND r.origin = o.origin;
  INSERT INTO settled_amounts (ret, shop, unit, amount, uses)
    SELECT r.id, o.shop, o.unit, sum(o.amount), count(*)
    FROM remembered_uses_old o JOIN settled_returns r ON r.collector = o.collector AND r.origin = o.origin
    WHERE o.code IS NULL GROUP BY r.id, o.shop, o.unit;
  DROP TABLE remembered_uses_old;
  DROP FUNCTION remembered_uses_spend();
  CREATE FUNCTION remembered_uses_spend() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    -- (each ticket once, by its sum's row: the sums refer to tickets by key)
    PERFORM 1 FROM (SELECT DISTINCT ticket FROM added) a
      WHERE NOT EXISTS (SELECT 1 FROM ticket_sums t WHERE t.ticket = a.ticket) LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'remembered_uses: a use names a ticket not in tickets' USING ERRCODE = 'foreign_key_violation';
    END IF;
    PERFORM 1 FROM (SELECT DISTINCT ret FROM added) a
      WHERE NOT EXISTS (SELECT 1 FROM settled_returns r WHERE r.id = a.ret) LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'remembered_uses: a use names a Return not in settled_returns' USING ERRCODE = 'foreign_key_violation';
    END IF;
    UPDATE ticket_sums t SET spent = t.spent + n.amount
      FROM (SELECT ticket, sum(amount) AS amount FROM added WHERE code IS NULL GROUP BY ticket) n
      WHERE t.ticket = n.ticket;
    RETURN NULL;
  END $$;
  CREATE TRIGGER remembered_uses_spend AFTER INSERT ON remembered_uses
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION remembered_uses_spend();
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON remembered_uses FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  `,
  // An accepted use is kept once, in the Return that carries it to its issuer (the outbox holds it byte for
  // byte, in bag order): the collector keeps beside it only what it owes, one sum per bag (or direct payment),
  // shop, issuer and unit, written in the bag's transaction. A row per use cost more on disk than the Return
  // (~220 B a use with its key of random origins), and what the collector owes each shop summed every use
  // ever accepted.
  `
  CREATE TABLE accepted_sums (
    origin bytea NOT NULL,
    kind text NOT NULL CHECK (kind IN ('bag', 'direct')),
    shop text NOT NULL,
    issuer text NOT NULL REFERENCES parties(id),
    unit text NOT NULL,
    amount bigint NOT NULL CHECK (amount >= 1),
    uses integer NOT NULL CHECK (uses >= 1),
    PRIMARY KEY (origin, shop, issuer, unit)
  );
  INSERT INTO accepted_sums (origin, kind, shop, issuer, unit, amount, uses)
    SELECT origin, kind, shop, issuer, unit, sum(amount), count(*) FROM accepted_uses
    GROUP BY origin, kind, shop, issuer, unit;
  CREATE TRIGGER kept BEFORE UPDATE OR DELETE OR TRUNCATE ON accepted_sums FOR EACH STATEMENT EXECUTE FUNCTION keep_record();
  DROP TABLE accepted_uses;
  `,
];

async function migrate(db: Db, upTo: number): Promise<void> {
  await db.query(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, at bigint NOT NULL)',
  );
  const { rows } = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const done = Number(rows[0]?.v ?? 0);
  for (let v = done + 1; v <= upTo; v++) {
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
  // gets a new connection, and the operator learns why. Connections ended by PostgreSQL itself (57P01: it is
  // shutting down, as the embedded one does with this service when a process group is stopped, or an operator
  // ended them) are said once, calmly: nothing failed.
  let endedSaid = false;
  pool.on('error', (e) => {
    if ((e as { code?: string }).code !== '57P01')
      console.error(`database: an idle connection failed: ${e.message}`);
    else if (!endedSaid) {
      endedSaid = true;
      console.error(
        'database: PostgreSQL ended idle connections (it is shutting down, or an operator ended them); the next query opens new ones',
      );
    }
  });
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
 * `<data>/postgres`; then runs the migrations (the first `upTo` of them: a test of an upgrade starts there).
 */
export async function openDb(
  dataDir: string,
  url = process.env.DATABASE_URL,
  upTo = MIGRATIONS.length,
): Promise<Db> {
  if (url) {
    const db = openPool({ connectionString: url });
    await migrate(db, upTo);
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
    await migrate(db, upTo);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

/**
 * The database of a data folder whose server runs now (a backup while it serves): DATABASE_URL's, or the
 * running embedded cluster through its socket. Closing it leaves the server running.
 */
export function attachDb(dataDir: string, url = process.env.DATABASE_URL): Db {
  if (url) return openPool({ connectionString: url, max: 2 });
  const host = socketDirOf(join(dataDir, 'postgres'));
  return openPool({ host, port: SOCKET_PORT, user: 'postgres', database: 'postgres', max: 2 });
}
