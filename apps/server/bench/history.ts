// Flat cost as history grows: a data folder filled with a million uses and more by bulk SQL (generate_series,
// with triggers and key checks off while loading rows consistent by construction), then the ingest and
// settlement rates measured on it against the same rates on an empty database; and the bytes on disk each
// stored use costs, per role, against the raw bytes of the messages that carried it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, openDb } from '../src/db.ts';
import { databaseUrlOf, startServer } from '../test/helpers.ts';

/** One bag (and one Return) of history per this many uses, as the bench's own bags. */
const PER_BAG = 5_000;
/** Uses per ticket in the history. */
const PER_TICKET = 10;

/**
 * Adds `uses` uses of history to the stopped server's database of `data`: allocations and bags with their
 * accepted uses and delivered Returns on the collector side; tickets, settled Returns and remembered uses
 * on the issuer side. The Returns' message columns hold a 100-byte stand-in (their real bytes are counted
 * by bytesPerUse on real bags): they are stored out of line, and no query reads them. Seconds taken.
 */
export async function fillHistory(data: string, uses: number, batch: string): Promise<number> {
  const t0 = performance.now();
  const db = await openDb(data, databaseUrlOf(data));
  const bags = Math.ceil(uses / PER_BAG);
  const now = Date.now();
  if (!/^[a-z0-9]+$/.test(batch)) throw new Error('a batch is a word');
  try {
    await db.tx(async (tx) => {
      // The numbers the new tickets and Returns take: after those stored (remembered uses name them by number).
      const next = async (table: string, column: string) =>
        Number(
          (await tx.query<{ n: unknown }>(`SELECT coalesce(max(${column}), 0) AS n FROM ${table}`)).rows[0].n,
        );
      // Literals, not parameters: each statement uses some of them, and a parameter it does not use has no type.
      const lit = [
        `'${batch}'`,
        uses,
        bags,
        now,
        PER_BAG,
        PER_TICKET,
        await next('tickets', 'n'),
        await next('settled_returns', 'id'),
      ].map(String);
      const sql = {
        query: async (q: string) => {
          const t = performance.now();
          await tx.query(q.replace(/\$(\d)/g, (_, i) => lit[Number(i) - 1]));
          if (process.env.BENCH_TRACE)
            console.error(`  ${q.slice(0, 30)}: ${(performance.now() - t).toFixed(0)} ms`);
        },
      };
      await tx.query('SET LOCAL session_replication_role = replica');
      // $1 batch, $2 uses, $3 bags, $4 now (ms), $5 uses per bag, $6 uses per ticket, $7 the tickets' number
      // before the first, $8 the Returns'
      const digest = (b: string) => `encode(sha256(convert_to($1::text || ':bag:' || ${b}, 'UTF8')), 'hex')`;
      const root = (b: string) =>
        `rtrim(translate(encode(substring(sha256(convert_to($1::text || ':root:' || ${b}, 'UTF8')) for 16), 'base64'), '+/', '-_'), '=')`;
      // History's tickets expired before today, a second apart (the bench's own are live).
      const expiry = (t: string) => `($4::bigint / 1000 - 86400 - ${t})`;
      const ticket = (t: string) =>
        `'city-transit/' || encode(substring(sha256(convert_to($1::text || ':t:' || ${t}, 'UTF8')) for 16), 'hex')`;
      await sql.query(
        `INSERT INTO tickets (n, id, c, holder, unit, face, expires, issued_at, message)
         SELECT $7::bigint + t, ${ticket('t')}, sha512(convert_to($1::text || ':c:' || t, 'UTF8')),
           repeat('h', 43), 'EUR', 1000, ${expiry('t')}, $4::bigint - $2::bigint + t, repeat('m', 260)
         FROM generate_series(1, ceil($2::numeric / $6::int)::int) AS t`,
      );
      await sql.query(
        `INSERT INTO ticket_sums (ticket, face, spent)
         SELECT $7::bigint + t, 1000, $6::int FROM generate_series(1, ceil($2::numeric / $6::int)::int) AS t`,
      );
      await sql.query(
        `INSERT INTO allocations (root, collector, party, terminal, issued, due, collected, message)
         SELECT ${root('b')}, 'first-bank', 'acme-coffee', NULL, $4::bigint / 1000 - 86400, $4::bigint / 1000 + 86400,
           ${digest('b')}, repeat('a', 200)
         FROM generate_series(1, $3::int) AS b`,
      );
      await sql.query(
        `INSERT INTO bags (digest, root, party, received_at, accepted, answer)
         SELECT ${digest('b')}, ${root('b')}, 'acme-coffee', $4::bigint - $3::bigint + b, $5::int, repeat('r', 300)
         FROM generate_series(1, $3::int) AS b`,
      );
      await sql.query(
        `INSERT INTO outbox (issuer, origin, uses, message, state, attempts, next_attempt_at, answer, created_at)
         SELECT 'city-transit', ${digest('b')}, $5::int, decode(repeat('00', 100), 'hex'), 'delivered', 1, $4::bigint, '{"settled":5000,"rejected":[]}', $4::bigint
         FROM generate_series(1, $3::int) AS b`,
      );
      await sql.query(
        `INSERT INTO settled_returns (id, collector, origin, settled, answer, message, at)
         SELECT $8::bigint + b, 'first-bank', ${digest('b')}, $5::int, '{"settled":5000,"rejected":[]}', decode(repeat('00', 100), 'hex'), $4::bigint - $3::bigint + b
         FROM generate_series(1, $3::int) AS b`,
      );
      await sql.query(
        `INSERT INTO settled_amounts (ret, shop, unit, amount, uses)
         SELECT $8::bigint + b, 'acme-coffee', 'EUR', $5::int, $5::int FROM generate_series(1, $3::int) AS b`,
      );
      // Each bag's sum (the collector: its uses are in its Return), the last bag holding what is left.
      await sql.query(
        `INSERT INTO accepted_sums (origin, kind, shop, issuer, unit, amount, uses)
         SELECT decode(${digest('b')}, 'hex'), 'bag', 'acme-coffee', 'city-transit', 'EUR', n, n
         FROM generate_series(1, $3::int) AS b, LATERAL (SELECT least($5::int, $2::int - (b - 1) * $5::int) AS n) AS x`,
      );
      // Each use (the issuer): its ticket's and Return's numbers, its index and a remembered half of S unique to
      // it (one hash per row).
      await sql.query(
        `INSERT INTO remembered_uses (ticket, ret, amount, idx, s, code)
         SELECT $7::bigint + i / $6::int + 1, $8::bigint + i / $5::int + 1, 1, i % $5::int,
           sha256(int8send(i) || convert_to($1::text, 'UTF8')), NULL
         FROM generate_series(0, $2::int - 1) AS i`,
      );
      // The numbers given next follow those taken here.
      await sql.query("SELECT setval(pg_get_serial_sequence('tickets', 'n'), (SELECT max(n) FROM tickets))");
      await sql.query(
        "SELECT setval(pg_get_serial_sequence('settled_returns', 'id'), (SELECT max(id) FROM settled_returns))",
      );
    });
    // Vacuumed and analysed now, as a database that has run a while is: not by autovacuum during a measure.
    await db.query('VACUUM (ANALYZE)');
  } finally {
    await db.close();
  }
  return (performance.now() - t0) / 1000;
}

export interface Footprint {
  /** Uses stored by the collector (accepted) and by the issuer (remembered). */
  collectorUses: number;
  issuerUses: number;
  /** Bytes on disk (tables, their TOAST and indexes) of each role's tables. */
  collectorBytes: number;
  issuerBytes: number;
}

const COLLECTOR_TABLES = ['allocations', 'bags', 'accepted_sums', 'direct_payments', 'outbox'];
const ISSUER_TABLES = [
  'tickets',
  'settled_returns',
  'settled_amounts',
  'remembered_uses',
  'incidents',
  'denylist',
];

/** What each role's tables take on disk, and how many uses they hold (the server stopped). */
export async function footprint(data: string): Promise<Footprint> {
  const db = await openDb(data, databaseUrlOf(data));
  try {
    await db.query('CHECKPOINT');
    const size = async (tables: string[]) => {
      const { rows } = await db.query<{ n: unknown }>(
        'SELECT sum(pg_total_relation_size(t::regclass)) AS n FROM unnest($1::text[]) AS t',
        [tables],
      );
      return Number(rows[0].n);
    };
    const count = async (q: string) => Number((await db.query<{ n: unknown }>(q)).rows[0].n);
    return {
      collectorUses: await count('SELECT coalesce(sum(uses), 0) AS n FROM accepted_sums'),
      issuerUses: await count('SELECT count(*) AS n FROM remembered_uses'),
      collectorBytes: await size(COLLECTOR_TABLES),
      issuerBytes: await size(ISSUER_TABLES),
    };
  } finally {
    await db.close();
  }
}

/**
 * A data folder holding `uses` uses of history, kept out of the repository between runs
 * (BENCH_HISTORY_DIR, by default in the system's temp folder): built once, by fillHistory a million at a
 * time, then reused (each run adds its own few thousand uses). On a DATABASE_URL server it is built anew.
 */
export async function preparedHistory(uses: number): Promise<{ data: string; builtSeconds?: number }> {
  const base = process.env.BENCH_HISTORY_DIR ?? join(tmpdir(), 'moneybag-bench-history');
  const data = join(base, String(uses));
  const marker = join(data, 'history.json');
  const shared = !process.env.DATABASE_URL;
  // Built by this version of the schema (a later migration over millions of rows would take the bench's time).
  if (shared && existsSync(marker) && JSON.parse(readFileSync(marker, 'utf8')).schema === MIGRATIONS.length)
    return { data };
  rmSync(data, { recursive: true, force: true });
  mkdirSync(data, { recursive: true });
  const t0 = performance.now();
  await (await startServer(data)).stop(); // its keys, demo parties and schema
  for (let done = 0, k = 0; done < uses; done += 1_000_000, k++)
    await fillHistory(data, Math.min(1_000_000, uses - done), `h${k}`);
  const builtSeconds = (performance.now() - t0) / 1000;
  if (shared) writeFileSync(marker, JSON.stringify({ uses, builtSeconds, schema: MIGRATIONS.length }));
  return { data, builtSeconds };
}
