// `moneybag backup` / `moneybag restore`: a data folder's keys and database in one gzipped JSON-lines file,
// consistent while the service runs (the rows are read in one REPEATABLE READ transaction: one snapshot), and
// restored into an empty folder that then serves the same keys, tokens, bags and settlements.
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { attachDb, type Db, MIGRATIONS, openDb } from './db.ts';

/** Every table, parents before children (a row's foreign keys are in place when it is inserted). */
export const TABLES = [
  'parties',
  'tokens',
  'kv',
  'allocations',
  'bags',
  'accepted_sums',
  'direct_payments',
  'outbox',
  'tickets',
  'settled_returns',
  'settled_amounts',
  'remembered_uses',
  'incidents',
  'denylist',
  'reclaims',
  'fetched_denylists',
  'terminals',
  'pairing_codes',
  'refused_bags',
];
/** Tables the database fills again on restore: each ticket's settled sum, from its remembered uses. */
export const COMPUTED_TABLES = ['ticket_sums'];
const FILES = ['demo.json', 'keys'];
const MAGIC = 'moneybag-backup';

interface Header {
  type: typeof MAGIC;
  version: 1;
  /** The schema's migration count: a backup is restored by a service at the same version. */
  schema: number;
  at: number;
}
type Line = Header | { file: string; mode: number; data: string } | { table: string; rows: unknown[] };

function* files(data: string, path: string): Generator<{ file: string; mode: number; data: string }> {
  const full = join(data, path);
  if (!existsSync(full)) return;
  const st = statSync(full);
  if (st.isDirectory()) for (const name of readdirSync(full).sort()) yield* files(data, join(path, name));
  else
    yield { file: relative(data, full), mode: st.mode & 0o777, data: readFileSync(full).toString('base64') };
}

/**
 * Writes the backup of `data` to `out`. While a server runs on the folder, its database is read through the
 * server's own connection point; otherwise it is opened here.
 */
export async function backup(
  data: string,
  out: string,
  running: boolean,
): Promise<{ rows: number; files: number }> {
  const db = running ? attachDb(data) : await openDb(data);
  const gzip = createGzip();
  const done = pipeline(gzip, createWriteStream(out, { mode: 0o600 }));
  const write = (line: Line) =>
    new Promise<void>((ok) => (gzip.write(`${JSON.stringify(line)}\n`) ? ok() : gzip.once('drain', ok)));
  let rows = 0;
  let count = 0;
  try {
    await db.tx(async (sql) => {
      await sql.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const schema = Number(
        (await sql.query<{ v: unknown }>('SELECT max(version) AS v FROM schema_migrations')).rows[0].v,
      );
      await write({ type: MAGIC, version: 1, schema, at: Date.now() });
      for (const path of FILES)
        for (const f of files(data, path)) {
          await write(f);
          count++;
        }
      for (const table of TABLES) {
        // In pages of 1,000 by the table's physical order within the snapshot: memory stays flat.
        for (let offset = 0; ; offset += 1000) {
          const { rows: page } = await sql.query(
            `SELECT * FROM ${table} ORDER BY ctid LIMIT 1000 OFFSET ${offset}`,
          );
          if (!page.length) break;
          await write({ table, rows: page.map(bytesAsHex) });
          rows += page.length;
        }
      }
    });
  } finally {
    gzip.end();
    await done;
    await db.close();
  }
  return { rows, files: count };
}

/** bytea columns (signatures, Returns) as PostgreSQL's hex text, which json_populate_recordset reads back. */
const bytesAsHex = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : v]),
  );

async function* lines(file: string): AsyncGenerator<Line> {
  const input = createReadStream(file).pipe(createGunzip());
  for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY }))
    if (line.trim()) yield JSON.parse(line);
}

/** Restores a backup into `data`, which must be empty (or not exist): its files, then its database's rows. */
export async function restore(file: string, data: string): Promise<{ rows: number; files: number }> {
  if (existsSync(data) && readdirSync(data).length)
    throw new Error(`${data} is not empty: restore into a new folder (nothing was changed)`);
  const it = lines(file);
  const first = (await it.next()).value as Header | undefined;
  if (first?.type !== MAGIC) throw new Error(`${file} is not a Moneybag backup`);
  if (first.schema !== MIGRATIONS.length)
    throw new Error(
      `${file} was made at schema version ${first.schema}, this service is at ${MIGRATIONS.length}: restore it with the version that made it, then upgrade`,
    );
  mkdirSync(data, { recursive: true });
  let db: Db | undefined;
  let rows = 0;
  let count = 0;
  try {
    for await (const line of it) {
      if ('file' in line) {
        const path = join(data, line.file);
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeFileSync(path, Buffer.from(line.data, 'base64'), { mode: line.mode });
        count++;
        continue;
      }
      if (!('table' in line)) continue;
      if (!TABLES.includes(line.table)) throw new Error(`unknown table ${line.table} in the backup`);
      db ??= await openDb(data);
      const page = line.rows as Record<string, unknown>[];
      const columns = Object.keys(page[0]);
      // json_populate_recordset types each value as its column's type: one statement per page.
      await db.query(
        `INSERT INTO ${line.table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM json_populate_recordset(null::${line.table}, $1)`,
        [JSON.stringify(page)],
      );
      rows += page.length;
    }
    db ??= await openDb(data);
    // Serial ids continue after the restored ones.
    for (const [table, column] of [
      ['outbox', 'id'],
      ['incidents', 'id'],
      ['tickets', 'n'],
      ['settled_returns', 'id'],
    ])
      await db.query(
        `SELECT setval(pg_get_serial_sequence('${table}', '${column}'), coalesce((SELECT max(${column}) FROM ${table}), 0) + 1, false)`,
      );
  } finally {
    await db?.close();
  }
  return { rows, files: count };
}
