// The bag ingest path in one process: accepted uses stored in bag order whatever their shop, issuer and
// unit; the outbox waits while a bag is being received, and sends once it is answered.
import { nativeSigner, poolVerifier } from '@moneybag/node';
import {
  allocate,
  closeBag,
  decode,
  encode,
  issueTicket,
  randomBytes,
  type Ticket,
  toBase64url,
} from '@moneybag/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import { receiveBag } from '../src/collector/logic.ts';
import { openDb } from '../src/db.ts';
import { seedDemo } from '../src/demo.ts';
import { startOutbox } from '../src/outbox.ts';
import { Service } from '../src/service.ts';
import { databaseUrlFor, holder, usesFor, waitFor } from './helpers.ts';

const dir = tempFolder('ingest');
// Small batches go to the workers too, so the pool's path is the one exercised.
const verifier = poolVerifier({ threads: 2, minBatch: 1 });
let s: Service;
beforeAll(async () => {
  // With DATABASE_URL, a schema of its own on that server (as every test server gets).
  const db = await openDb(dir, await databaseUrlFor());
  await seedDemo(db, dir);
  s = await Service.open(
    db,
    { dataDir: dir, roles: ['issuer', 'collector'], origin: '', selfUrl: '' },
    verifier,
  );
  // A second issuer the collector trusts, whose key it holds.
  await s.db.query(
    'INSERT INTO parties (id, role, label, public_key, created_at) VALUES ($1, $2, $3, $4, $5)',
    ['metro', 'issuer', 'Metro', toBase64url(metro.publicKey), Date.now()],
  );
});
afterAll(async () => {
  await s?.close();
  await verifier.close();
});

const metro = nativeSigner(new Uint8Array(32).fill(9));

/** A root allocated to acme-coffee and recorded as the allocations endpoint does. */
async function root() {
  const now = Math.floor(Date.now() / 1000);
  const a = await allocate(s.signer(s.collector), {
    collector: s.collector,
    to: 'acme-coffee',
    root: randomBytes(16),
    issued: now,
    due: now + 3600,
  });
  await s.db.query(
    'INSERT INTO allocations (root, collector, party, issued, due, message) VALUES ($1, $2, $3, $4, $5, $6)',
    [toBase64url(a.root), a.collector, a.to, a.issued, a.due, 'test'],
  );
  return a;
}

const ticket = (issuer: string, unit: string, face: number): Promise<Ticket> =>
  issueTicket(issuer === 'metro' ? metro : s.signer(s.issuer), {
    issuer,
    unit,
    face,
    holder: holder(5).publicKey,
    expires: 4e9,
  });

it('stores the accepted uses in bag order, with their own shop, issuer, unit and amount', async () => {
  const a = await root();
  const eur = await ticket('city-transit', 'EUR', 1000);
  const ride = await ticket('metro', 'RIDE', 10);
  const h = holder(5);
  const spends = [
    { ticket: eur, amount: 100, signer: h, shop: 'acme-coffee' },
    { ticket: ride, amount: 2, signer: h, shop: 'acme-coffee' },
    { ticket: eur, amount: 5000, signer: h, shop: 'acme-coffee' }, // over the face: rejected
    { ticket: eur, amount: 7, signer: h, shop: 'tea-house' },
    { ticket: ride, amount: 1, signer: h, shop: 'acme-coffee' },
  ];
  const uses = (await Promise.all(spends.map((sp, i) => usesFor(a, [sp], sp.shop, i)))).flat();
  const answer = await receiveBag(s, 'acme-coffee', encode({ type: 'Bag', ...closeBag(a, uses) }));
  expect(answer.accepted).toBe(4);
  expect(answer.rejected).toEqual([{ path: [], deal: 2, index: 2, code: 'E_AMOUNT' }]);
  expect(answer.totals).toEqual({ EUR: 107, RIDE: 3 });
  const { rows } = await s.db.query<Record<string, string | number>>(
    "SELECT idx, kind, shop, issuer, unit, amount FROM accepted_uses WHERE origin = decode($1, 'hex') ORDER BY idx",
    [answer.digest],
  );
  const accepted = [0, 1, 3, 4].map((i) => ({ ...spends[i], S: toBase64url(uses[i].S) }));
  expect(rows.map((r) => ({ ...r, amount: Number(r.amount) }))).toEqual(
    accepted.map((sp, idx) => ({
      idx,
      kind: 'bag',
      shop: sp.shop,
      issuer: sp.ticket.issuer,
      unit: sp.ticket.unit,
      amount: sp.amount,
    })),
  );
  // One Return per issuer, with how many uses each carries; each accepted use's S is in its issuer's Return.
  const outbox = await s.db.query<{ issuer: string; uses: number; message: Uint8Array }>(
    'SELECT issuer, uses, message FROM outbox WHERE origin = $1 ORDER BY issuer',
    [answer.digest],
  );
  expect(outbox.rows.map(({ issuer, uses }) => ({ issuer, uses }))).toEqual([
    { issuer: 'city-transit', uses: 2 },
    { issuer: 'metro', uses: 2 },
  ]);
  const returned = outbox.rows.flatMap((r) =>
    decode(new Uint8Array(r.message), 'Return').items.map((it) => ({
      issuer: r.issuer,
      S: toBase64url(it.S),
    })),
  );
  const byS = (a: { S: string }, b: { S: string }) => (a.S < b.S ? -1 : 1);
  expect(returned.sort(byS)).toEqual(accepted.map((sp) => ({ issuer: sp.ticket.issuer, S: sp.S })).sort(byS));
});

it('the outbox waits while a bag is being received, then sends', async () => {
  await s.db.query("UPDATE outbox SET state = 'delivered' WHERE state = 'pending'");
  const outbox = startOutbox(s, 20);
  try {
    const release = outbox.hold();
    const a = await root();
    const h = holder(5);
    const uses = await usesFor(a, [
      { ticket: await ticket('city-transit', 'EUR', 10), amount: 1, signer: h },
    ]);
    const answer = await receiveBag(s, 'acme-coffee', encode({ type: 'Bag', ...closeBag(a, uses) }));
    outbox.poke();
    const attempts = async () =>
      Number(
        (
          await s.db.query<{ attempts: number }>('SELECT attempts FROM outbox WHERE origin = $1', [
            answer.digest,
          ])
        ).rows[0].attempts,
      );
    // Several periods of the outbox pass while held: not one attempt. (No issuer url is known here, so
    // an attempt would show as attempts = 1 with its error.)
    await new Promise((r) => setTimeout(r, 200));
    expect(await attempts()).toBe(0);
    release();
    release(); // a second call changes nothing
    await waitFor(async () => (await attempts()) === 1, 10_000);
  } finally {
    await outbox.stop();
  }
});

it('a hold never released stops the outbox no longer than its limit', async () => {
  await s.db.query("UPDATE outbox SET state = 'delivered' WHERE state = 'pending'");
  const outbox = startOutbox(s, 20, 300);
  try {
    outbox.hold(); // never released
    const a = await root();
    const uses = await usesFor(a, [
      { ticket: await ticket('city-transit', 'EUR', 10), amount: 1, signer: holder(5) },
    ]);
    const answer = await receiveBag(s, 'acme-coffee', encode({ type: 'Bag', ...closeBag(a, uses) }));
    await waitFor(
      async () =>
        (await s.db.query('SELECT 1 FROM outbox WHERE origin = $1 AND attempts > 0', [answer.digest])).count >
        0,
      10_000,
    );
  } finally {
    await outbox.stop();
  }
});

it('insertWords keeps nulls and refuses a value that is not one word', async () => {
  const { insertWords } = await import('../src/storage/sql.ts');
  await s.db.query('CREATE TABLE IF NOT EXISTS words_test (a text, n bigint, c text NOT NULL)');
  await insertWords(
    s.db,
    'words_test',
    { a: { type: 'text', values: ['x/1', null] }, n: { type: 'bigint', values: [2 ** 53 - 1, 0] } },
    { c: 'k' },
  );
  const { rows } = await s.db.query('SELECT a, n, c FROM words_test ORDER BY n');
  expect(rows.map((r) => ({ ...r, n: Number(r.n) }))).toEqual([
    { a: null, n: 0, c: 'k' },
    { a: 'x/1', n: 2 ** 53 - 1, c: 'k' },
  ]);
  for (const bad of ['two words', ''])
    await expect(
      insertWords(
        s.db,
        'words_test',
        { a: { type: 'text', values: [bad] }, n: { type: 'bigint', values: [1] } },
        { c: 'k' },
      ),
    ).rejects.toThrow('must be a word');
  expect((await s.db.query('SELECT 1 FROM words_test')).count).toBe(2);
});
