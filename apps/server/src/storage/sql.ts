// The bulk forms every store shares, and the two facts about the database the stores rely on.
import type { Sql } from '../db.ts';

export type { Db, Sql } from '../db.ts';

/** bigint columns come back as strings (node-postgres) or numbers (PGlite): read once, here. */
export const int = (v: unknown): number => Number(v);

/** The database refused a row because its key exists (PostgreSQL's unique_violation). */
export const isUniqueViolation = (e: unknown): boolean => (e as { code?: string })?.code === '23505';

/** Hex by Node's native encoder: how bytea columns travel (decode(x, 'hex') in SQL), fast on MBs. */
export const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** A bytea column read back as base64url text (what the JSON views show), in SQL on any PostgreSQL. */
export const base64urlOf = (col: string): string =>
  `translate(rtrim(replace(encode(${col}, 'base64'), E'\\n', ''), '='), '+/', '-_')`;

/** Many rows in few statements: PGlite and PostgreSQL both take ~1000 rows per INSERT comfortably. */
export async function insertMany(
  sql: Sql,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  const per = Math.max(1, Math.floor(1000 / columns.length) * 8);
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const params: unknown[] = [];
    const values = chunk.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`);
    await sql.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}

/** A column of fixed-width byte strings (signatures, challenges): one binary parameter, cut by the database. */
export interface BytesColumn {
  type: 'bytes';
  width: number;
  values: Uint8Array[];
}

/**
 * Many rows in one statement whose columns are words: ids, base64url, hex, codes, integers (no space, not
 * empty; null allowed). Each column travels as one space-joined string that the database splits and
 * unnests: on PGlite, whose parameters are serialised and parsed on this thread, several times faster than
 * multi-row VALUES. `consts` fill the columns that are the same on every row. A `bytes` column travels as
 * its values end to end in one binary parameter, each row's cut out by its position: neither this thread
 * nor the database writes or parses hex for it.
 */
export async function insertWords(
  sql: Sql,
  table: string,
  columns: Record<
    string,
    { type: 'text' | 'integer' | 'bigint'; values: (string | number | null)[] } | BytesColumn
  >,
  consts: Record<string, string | number> = {},
): Promise<void> {
  const names = Object.keys(columns);
  const words = names.filter((name) => columns[name].type !== 'bytes');
  if (!words.length) throw new Error('insertWords: at least one column of words gives the rows');
  const params: unknown[] = [];
  const nullable = new Set<string>();
  const joined = words.map((name) => {
    const c = columns[name] as { values: (string | number | null)[] };
    const list = c.values.map((v) => {
      if (v === null) {
        nullable.add(name);
        return '';
      }
      const w = String(v);
      if (w === '' || w.includes(' '))
        throw new Error(`insertWords: ${name} must be a word, not ${JSON.stringify(w)}`);
      return w;
    });
    return `string_to_array($${params.push(list.join(' '))}, ' ')`;
  });
  const picks = names.map((name) => {
    const c = columns[name];
    if (c.type === 'bytes') {
      const all = Buffer.allocUnsafe(c.width * c.values.length);
      c.values.forEach((v, i) => {
        if (v.length !== c.width) throw new Error(`insertWords: ${name} must be ${c.width} bytes`);
        all.set(v, i * c.width);
      });
      return `substring($${params.push(all)}::bytea FROM (x.ord::integer - 1) * ${c.width} + 1 FOR ${c.width})`;
    }
    const v = nullable.has(name) ? `NULLIF(x.${name}, '')` : `x.${name}`;
    return `${v}::${c.type}`;
  });
  const constNames = Object.keys(consts);
  for (const k of constNames) picks.push(`$${params.push(consts[k])}`);
  await sql.query(
    `INSERT INTO ${table} (${[...names, ...constNames].join(', ')}) SELECT ${picks.join(', ')}
     FROM unnest(${joined.join(', ')}) WITH ORDINALITY AS x(${words.join(', ')}, ord)`,
    params,
  );
}
