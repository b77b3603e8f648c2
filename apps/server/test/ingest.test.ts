// The bag ingest path in one process: what each bag owes per shop, issuer and unit, its uses in its Returns
// in bag order; the outbox waits while a bag is being received, and sends once it is answered.
import { nativeSigner, poolVerifier } from '@moneybag/node';
import {
  allocate,
  closeBag,
  decode,
  encode,
  issueTicket,
  mergeBag,
  passDown,
  randomBytes,
  type Ticket,
  toBase64url,
} from '@moneybag/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import { receiveBag, totalsView } from '../src/collector/logic.ts';
import { openDb } from '../src/db.ts';
import { seedDemo } from '../src/demo.ts';
import { startOutbox } from '../src/outbox.ts';
import { Service } from '../src/service.ts';
import { bagOf, databaseUrlFor, holder, usesFor, waitFor } from './helpers.ts';

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

/** What a bag (or direct payment) of `origin` adds to what the collector owes, per shop, issuer and unit. */
const sumsOf = async (origin: string) =>
  (
    await s.db.query<Record<string, string | number>>(
      `SELECT kind, shop, issuer, unit, amount, uses FROM accepted_sums WHERE origin = decode($1, 'hex')
       ORDER BY shop, issuer, unit`,
      [origin],
    )
  ).rows.map((r) => ({ ...r, amount: Number(r.amount), uses: Number(r.uses) }));

/** Everything a bag writes, but for the outbox's delivery state. */
const snapshot = async () => ({
  sums: (await s.db.query('SELECT * FROM accepted_sums ORDER BY origin, shop, issuer, unit')).rows,
  bags: (await s.db.query('SELECT digest FROM bags ORDER BY digest')).rows,
  outbox: (await s.db.query('SELECT id, origin, issuer, uses FROM outbox ORDER BY id')).rows,
  collected: (await s.db.query('SELECT root, collected FROM allocations ORDER BY root')).rows,
});

it('stores what each bag adds per shop, issuer and unit; its uses are in its Returns, in bag order', async () => {
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
    { ticket: eur, amount: 20, signer: h, shop: 'acme-coffee' },
  ];
  const uses = (await Promise.all(spends.map((sp, i) => usesFor(a, [sp], sp.shop, i)))).flat();
  const answer = await receiveBag(s, 'acme-coffee', encode({ type: 'Bag', ...closeBag(a, uses) }));
  expect(answer.accepted).toBe(5);
  expect(answer.rejected).toEqual([{ path: [], deal: 2, index: 2, code: 'E_AMOUNT' }]);
  expect(answer.totals).toEqual({ EUR: 127, RIDE: 3 });
  expect(await sumsOf(answer.digest)).toEqual([
    { kind: 'bag', shop: 'acme-coffee', issuer: 'city-transit', unit: 'EUR', amount: 120, uses: 2 },
    { kind: 'bag', shop: 'acme-coffee', issuer: 'metro', unit: 'RIDE', amount: 3, uses: 2 },
    { kind: 'bag', shop: 'tea-house', issuer: 'city-transit', unit: 'EUR', amount: 7, uses: 1 },
  ]);
  // One Return per issuer, with how many uses each carries: each accepted use, in bag order, with its shop,
  // amount and S (the only copy of a use the collector keeps).
  const outbox = await s.db.query<{ issuer: string; uses: number; message: Uint8Array }>(
    'SELECT issuer, uses, message FROM outbox WHERE origin = $1 ORDER BY issuer',
    [answer.digest],
  );
  expect(outbox.rows.map(({ issuer, uses }) => ({ issuer, uses }))).toEqual([
    { issuer: 'city-transit', uses: 3 },
    { issuer: 'metro', uses: 2 },
  ]);
  const returned = Object.fromEntries(
    outbox.rows.map((r) => [
      r.issuer,
      decode(new Uint8Array(r.message), 'Return').items.map((it) => ({
        shop: it.shop,
        amount: it.amount,
        S: toBase64url(it.S),
      })),
    ]),
  );
  const sent = (issuer: string) =>
    [0, 1, 3, 4, 5]
      .filter((i) => spends[i].ticket.issuer === issuer)
      .map((i) => ({ shop: spends[i].shop, amount: spends[i].amount, S: toBase64url(uses[i].S) }));
  expect(returned).toEqual({ 'city-transit': sent('city-transit'), metro: sent('metro') });
});

it("a relay's merged bag: the sums of its children's shops", async () => {
  const a = await root();
  const eur = await ticket('city-transit', 'EUR', 1000);
  const ride = await ticket('metro', 'RIDE', 10);
  const h = holder(5);
  // Two POS under the relay (acme-coffee's main office), one of them selling for a second shop.
  const pos1 = passDown(a, 'pos-1', 0);
  const pos2 = passDown(a, 'pos-2', 0);
  const one = await usesFor(pos1, [
    { ticket: eur, amount: 10, signer: h },
    { ticket: ride, amount: 1, signer: h },
  ]);
  const two = await usesFor(
    pos2,
    [
      { ticket: eur, amount: 4, signer: h },
      { ticket: eur, amount: 5, signer: h },
    ],
    'tea-house',
  );
  const merged = mergeBag(a, [
    { terminal: 'pos-2', n: 0, node: closeBag(pos2, two).node.children[0].node },
    { terminal: 'pos-1', n: 0, node: closeBag(pos1, one).node.children[0].node },
  ]);
  const owedBefore = (await totalsView(s)).totals;
  const answer = await receiveBag(s, 'acme-coffee', encode({ type: 'Bag', ...merged }));
  expect([answer.accepted, answer.rejected]).toEqual([4, []]);
  expect(await sumsOf(answer.digest)).toEqual([
    { kind: 'bag', shop: 'acme-coffee', issuer: 'city-transit', unit: 'EUR', amount: 10, uses: 1 },
    { kind: 'bag', shop: 'acme-coffee', issuer: 'metro', unit: 'RIDE', amount: 1, uses: 1 },
    { kind: 'bag', shop: 'tea-house', issuer: 'city-transit', unit: 'EUR', amount: 9, uses: 2 },
  ]);
  // What the collector owes each shop moved by those sums, per shop and unit.
  const owed = (await totalsView(s)).totals;
  const moved = owed.map((t) => {
    const was = owedBefore.find((o) => o.shop === t.shop && o.unit === t.unit);
    return { ...t, amount: t.amount - (was?.amount ?? 0), uses: t.uses - (was?.uses ?? 0) };
  });
  expect(moved.filter((t) => t.uses)).toEqual([
    { shop: 'acme-coffee', unit: 'EUR', amount: 10, uses: 1 },
    { shop: 'acme-coffee', unit: 'RIDE', amount: 1, uses: 1 },
    { shop: 'tea-house', unit: 'EUR', amount: 9, uses: 2 },
  ]);
});

it('a bag refused whole stores nothing; one whose every use is refused adds no sum', async () => {
  const a = await root();
  const h = holder(5);
  const eur = await ticket('city-transit', 'EUR', 10);
  const first = await receiveBag(
    s,
    'acme-coffee',
    bagOf(a, await usesFor(a, [{ ticket: eur, amount: 1, signer: h }])),
  );
  const b = await root();
  const before = await snapshot();
  // Another bag of the same number, a bag of a number never allocated, a bag sent by another party.
  const other = bagOf(a, await usesFor(a, [{ ticket: eur, amount: 2, signer: h }]));
  await expect(receiveBag(s, 'acme-coffee', other)).rejects.toMatchObject({ code: 'E_BAG_REUSED' });
  const stranger = { ...a, root: randomBytes(16) };
  await expect(
    receiveBag(
      s,
      'acme-coffee',
      bagOf(stranger, await usesFor(stranger, [{ ticket: eur, amount: 1, signer: h }])),
    ),
  ).rejects.toMatchObject({ code: 'E_UNKNOWN_BAG' });
  await expect(
    receiveBag(s, 'tea-house', bagOf(b, await usesFor(b, [{ ticket: eur, amount: 1, signer: h }]))),
  ).rejects.toMatchObject({ code: 'E_UNKNOWN_BAG' });
  expect(await snapshot()).toEqual(before);
  // Every use refused (over the face): the bag is collected and answered, and owes nothing.
  const all = await receiveBag(
    s,
    'acme-coffee',
    bagOf(b, await usesFor(b, [{ ticket: eur, amount: 11, signer: h }])),
  );
  expect([all.accepted, all.rejected.map((r) => r.code)]).toEqual([0, ['E_AMOUNT']]);
  expect(await sumsOf(all.digest)).toEqual([]);
  expect(await sumsOf(first.digest)).toHaveLength(1);
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
