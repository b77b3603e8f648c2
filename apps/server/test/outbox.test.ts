// The outbox strands nothing: a Return the issuer refuses waits as 'needs attention' with the issuer's answer
// until the operator fixes the cause and re-sends it (page, API or CLI); the limits let every Return of an
// accepted bag through.
import { spawnSync } from 'node:child_process';
import type { OutboxRowJson } from '@moneybag/api';
import type { Ticket } from '@moneybag/protocol';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  allocations,
  bagOf,
  call,
  dbClient,
  holder,
  issue,
  type Server,
  serverForFile,
  startServer,
  usesFor,
  waitFor,
} from './helpers.ts';

const bin = new URL('../bin/moneybag.js', import.meta.url).pathname;

const outbox = async (server: Server): Promise<OutboxRowJson[]> =>
  (await call(server, 'GET', '/v1/admin/collector/outbox', { token: server.demo.collector.token })).body
    .outbox;

/** Waits until the Return of `origin` has been answered `attempts` times, and gives its row. */
const answered = (server: Server, origin: string, attempts: number) =>
  waitFor(async () => {
    const row = (await outbox(server)).find((r) => r.origin === origin);
    return row && row.state !== 'pending' && row.attempts >= attempts && row;
  });

describe('a Return the issuer refuses', () => {
  let server: Server;
  let db: pg.Client;
  serverForFile((s, d) => {
    server = s;
    db = d;
  });

  it('needs attention after a 404 and a 422, and is delivered once re-sent after the fix', async () => {
    // An operator's typo in the issuer's url.
    await db.query("UPDATE parties SET url = $1 WHERE id = 'city-transit'", [`${server.url}/typo`]);
    const h = holder(81);
    const t = await issue(server, h, 100);
    const [a] = await allocations(server);
    const bag = await call(server, 'POST', '/v1/bags', {
      token: server.demo.shops[0].token,
      raw: bagOf(a, await usesFor(a, [{ ticket: t, amount: 7, signer: h }])),
    });
    expect(bag.body.accepted).toBe(1);
    const origin = bag.body.digest;

    let row = await answered(server, origin, 1);
    expect(row).toMatchObject({ state: 'needs attention', attempts: 1, lastError: '404 Not Found' });
    expect(row.answer).toMatchObject({ code: 'E_NOT_FOUND' });

    // The url fixed, but the issuer does not know this collector's key yet: 422 E_COLLECTOR. Re-sent by the CLI.
    await db.query("UPDATE parties SET url = $1 WHERE id = 'city-transit'", [server.url]);
    const key = (await db.query("SELECT public_key FROM parties WHERE id = 'first-bank'")).rows[0].public_key;
    await db.query("UPDATE parties SET public_key = NULL WHERE id = 'first-bank'");
    const cli = spawnSync(process.execPath, [bin, 'resend', String(row.id), '--data', server.data], {
      encoding: 'utf8',
    });
    expect([cli.status, cli.stdout.trim()]).toEqual([0, `re-sending #${row.id}`]);
    row = await answered(server, origin, 2);
    expect(row).toMatchObject({
      state: 'needs attention',
      attempts: 2,
      lastError: '422 Unprocessable Entity',
    });
    expect(row.answer).toMatchObject({ code: 'E_COLLECTOR' });

    // Registered at last: every Return that needs attention re-sent by the admin API, and settled.
    await db.query("UPDATE parties SET public_key = $1 WHERE id = 'first-bank'", [key]);
    const resend = await call(server, 'POST', '/v1/admin/collector/outbox/resend', {
      token: server.demo.collector.token,
    });
    expect(resend).toEqual({ status: 200, body: { resent: [row.id] } });
    row = await answered(server, origin, 3);
    expect(row).toMatchObject({ state: 'delivered', attempts: 3, lastError: null, answer: { settled: 1 } });
    const spent = await db.query(
      'SELECT spent FROM tickets JOIN ticket_sums ON ticket = n WHERE tickets.face = 100 AND holder = $1',
      [Buffer.from(h.publicKey).toString('base64url')],
    );
    expect(spent.rows).toEqual([{ spent: '7' }]);
  });

  it('re-sends only what waits: a delivered or unknown Return is 404', async () => {
    const rows = await outbox(server);
    const delivered = rows.find((r) => r.state === 'delivered')!;
    for (const id of [String(delivered.id), '999999', 'x']) {
      const r = await call(server, 'POST', `/v1/admin/collector/outbox/${id}/resend`, {
        token: server.demo.collector.token,
      });
      expect([r.status, r.body.code]).toEqual([404, 'E_NOT_FOUND']);
    }
    const shop = await call(server, 'POST', '/v1/admin/collector/outbox/resend', {
      token: server.demo.shops[0].token,
    });
    expect(shop.status).toBe(403);
  });
});

it('a bag at the size limit yields Returns the issuer accepts and settles', {
  timeout: 180_000,
}, async () => {
  const limit = 256 * 1024;
  const server = await startServer(undefined, ['--bag-limit', String(limit)]);
  try {
    const h = holder(82);
    const tickets: Ticket[] = [];
    for (let i = 0; i < 10; i++) tickets.push(await issue(server, h, 1000));
    const [a, b] = await allocations(server, 2);
    const bagWith = async (n: number, x = a) =>
      bagOf(
        x,
        await usesFor(
          x,
          Array.from({ length: n }, (_, i) => ({
            ticket: tickets[i % tickets.length],
            amount: 1,
            signer: h,
          })),
        ),
      );
    // As many uses as fit under the limit: one more would not.
    const perUse = (await bagWith(101)).length - (await bagWith(100)).length;
    let n = Math.floor(limit / perUse);
    let bag = await bagWith(n);
    while (bag.length > limit) bag = await bagWith(--n);
    expect(bag.length + perUse).toBeGreaterThan(limit);

    const over = await call(server, 'POST', '/v1/bags', {
      token: server.demo.shops[0].token,
      raw: await bagWith(n + 1, b),
    });
    expect([over.status, over.body.code]).toEqual([413, 'E_TOO_LARGE']);
    const r = await call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw: bag });
    expect([r.status, r.body.accepted]).toEqual([200, n]);

    const row = await answered(server, r.body.digest, 1);
    expect(row).toMatchObject({ state: 'delivered', uses: n, answer: { settled: n, rejected: [] } });
    // The Return is larger than the bag limit, and the issuer took it.
    const db = await dbClient(server);
    try {
      const size = await db.query('SELECT length(message) AS n FROM outbox WHERE id = $1', [row.id]);
      expect(Number(size.rows[0].n)).toBeGreaterThan(limit);
    } finally {
      await db.end();
    }
  } finally {
    await server.stop();
  }
});
