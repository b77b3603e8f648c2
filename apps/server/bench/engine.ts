// `node --import tsx apps/server/bench/engine.ts`: what the embedded PostgreSQL costs, the numbers behind the
// README's choice. Prints one line per measure: a fresh data folder opened (initdb, start, migrations), the
// same folder opened again, single-row commits (each fsynced) and rows inserted in 1,000-row statements.
import { tempFolder } from '../../../test/tmp.ts';
import { openDb } from '../src/db.ts';

const dir = tempFolder('bench-engine');
const ms = (t: number) => `${(performance.now() - t).toFixed(0)} ms`;
let t = performance.now();
let db = await openDb(dir, '');
console.log(`open a fresh data folder   ${ms(t)}  (${JSON.stringify(await db.info())})`);
await db.close();
t = performance.now();
db = await openDb(dir, '');
console.log(`open it again              ${ms(t)}`);
await db.query('CREATE TABLE bench (id bigint PRIMARY KEY, s text NOT NULL)');
const n = 1000;
t = performance.now();
for (let i = 0; i < n; i++) await db.query('INSERT INTO bench VALUES ($1, $2)', [i, 'x'.repeat(88)]);
console.log(`single-row commits         ${((n / (performance.now() - t)) * 1000).toFixed(0)}/s`);
const rows = 100_000;
t = performance.now();
const s = Array.from({ length: 1000 }, () => 'x'.repeat(88));
for (let i = 0; i < rows; i += 1000) {
  const ids = Array.from({ length: 1000 }, (_, k) => n + i + k);
  await db.query('INSERT INTO bench SELECT * FROM unnest($1::bigint[], $2::text[])', [ids, s]);
}
console.log(`rows in 1,000-row INSERTs  ${((rows / (performance.now() - t)) * 1000).toFixed(0)}/s`);
await db.close();
