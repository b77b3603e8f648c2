// Direct payments (3.5) as records: kept for ever with their receipts, the replay window a query; a refused
// request changes nothing.
import type pg from 'pg';
import { expect, it } from 'vitest';
import { call, directPayment, holder, issue, type Server, serverForFile } from './helpers.ts';

let server: Server;
let db: pg.Client;
serverForFile((s, d) => {
  server = s;
  db = d;
});

const direct = async (h = holder(71), time_ms = Date.now()) =>
  directPayment(h, await issue(server, h, 500), 120, time_ms);

/** Everything a direct payment writes. */
const snapshot = async () => ({
  direct: (await db.query('SELECT * FROM direct_payments ORDER BY s')).rows,
  sums: (await db.query('SELECT * FROM accepted_sums ORDER BY origin')).rows,
  outbox: (await db.query('SELECT id, origin FROM outbox ORDER BY id')).rows, // its state moves as it delivers
});

it('keeps every payment and its receipt; refused requests change nothing', async () => {
  const first = await call(server, 'POST', '/v1/direct', { raw: await direct() });
  expect(first.status).toBe(200);
  // A payment received long ago (three hours, past twice the window), as an older version stored it.
  const longAgo = Date.now() - 3 * 3_600_000;
  await db.query(
    `INSERT INTO direct_payments (s, origin, shop, unit, amount, received_at, receipt)
     VALUES ('old-s', 'old-origin', 'acme-coffee', 'EUR', 5, $1, 'old-receipt')`,
    [longAgo],
  );
  const before = await snapshot();
  expect(before.direct).toHaveLength(2);
  // What it owes the shop: one sum of one use, under the payment's origin, counted in the totals.
  const paid = before.direct.find((d) => d.s !== 'old-s')!;
  expect(
    before.sums.map((r) => ({ ...r, origin: r.origin.toString('hex'), amount: Number(r.amount) })),
  ).toEqual([
    {
      origin: paid.origin,
      kind: 'direct',
      shop: 'acme-coffee',
      issuer: 'city-transit',
      unit: 'EUR',
      amount: 120,
      uses: 1,
    },
  ]);
  const totals = await call(server, 'GET', '/v1/admin/collector/totals', {
    token: server.demo.collector.token,
  });
  expect(totals.body.totals).toEqual([{ shop: 'acme-coffee', unit: 'EUR', amount: 120, uses: 1 }]);

  const late = await call(server, 'POST', '/v1/direct', {
    raw: await direct(holder(72), Date.now() - 2 * 3_600_000),
  });
  expect([late.status, late.body.code]).toEqual([422, 'E_WINDOW']);
  const bad = await direct(holder(73));
  bad[bad.length - 10] ^= 1;
  expect((await call(server, 'POST', '/v1/direct', { raw: bad })).body.code).toBe('E_USE_SIGNATURE');
  const garbage = await call(server, 'POST', '/v1/direct', { raw: new Uint8Array([1, 2, 3]) });
  expect(garbage.status).toBe(422);
  expect(await snapshot()).toEqual(before);

  // The admin list has every payment with its date, newest first.
  const list = await call(server, 'GET', '/v1/admin/collector/direct', {
    token: server.demo.collector.token,
  });
  expect(list.status).toBe(200);
  expect(list.body.direct.map((d: { origin: string }) => d.origin)).toEqual([
    before.direct.find((d) => d.s !== 'old-s')!.origin,
    'old-origin',
  ]);
  expect(list.body.direct[1].receivedAt).toBe(longAgo);
  expect(list.body.direct[0].receivedAt).toBeGreaterThan(longAgo);
});

it('refuses the same payment twice (the window), and the database refuses deleting one', async () => {
  const m = await direct(holder(74));
  expect((await call(server, 'POST', '/v1/direct', { raw: m })).status).toBe(200);
  const before = await snapshot();
  const again = await call(server, 'POST', '/v1/direct', { raw: m });
  expect([again.status, again.body.code]).toEqual([422, 'E_WINDOW']);
  expect(await snapshot()).toEqual(before);
  await expect(db.query('DELETE FROM direct_payments')).rejects.toMatchObject({ code: '23001' });
});
