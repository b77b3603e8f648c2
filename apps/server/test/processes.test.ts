// Two processes of one service on one PostgreSQL, each a collector and an issuer: bags racing across both
// (each root collected once), the outbox shared (each Return delivered once, counted by a proxy in front of
// the issuers), and Returns of one ticket racing across both (never both under its face).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { nativeSigner } from '@moneybag/node';
import { bodyOfUse, fromHex, makeReturns, ticketId } from '@moneybag/protocol';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  allocations,
  bagOf,
  call,
  databaseUrlOf,
  holder,
  issue,
  type Server,
  secondProcessFolder,
  startServer,
  usesFor,
  waitFor,
} from './helpers.ts';

let a: Server;
let b: Server;
let proxy: HttpServer;
/** Each Return the issuers received, by the SHA-256 of its bytes: how many times. */
const received = new Map<string, number>();

const dbUrl = (data: string) =>
  databaseUrlOf(data) ??
  `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(join(data, 'postgres'))}`;

beforeAll(async () => {
  a = await startServer();
  b = await startServer(secondProcessFolder(a.data));
  // In front of the issuers: counts each Return, hands requests to either process in turn.
  let turn = 0;
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const key = createHash('sha256').update(body).digest('hex');
    received.set(key, (received.get(key) ?? 0) + 1);
    const to = turn++ % 2 ? a : b;
    const r = await fetch(`${to.url}${req.url}`, {
      method: req.method,
      headers: { authorization: req.headers.authorization!, 'content-type': req.headers['content-type']! },
      body,
    });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const c = new pg.Client({ connectionString: dbUrl(a.data) });
  await c.connect();
  await c.query('UPDATE parties SET url = $1 WHERE id = $2', [
    `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    a.demo.issuer.id,
  ]);
  await c.end();
}, 120_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  proxy?.close();
});

it('bags racing across two processes: each root collected once, each Return delivered once', {
  timeout: 120_000,
}, async () => {
  const h = holder(61);
  const tickets = await Promise.all(Array.from({ length: 4 }, () => issue(a, h, 1_000)));
  const roots = await allocations(a, 20);
  const shop = a.demo.shops[0].token;
  const post = (s: Server, raw: Uint8Array) => call(s, 'POST', '/v1/bags', { token: shop, raw });
  const spends = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ticket: tickets[i % tickets.length], amount: 1, signer: h }));
  // Even roots: the same bag to both processes at once. Odd roots: a different bag to each.
  const races = await Promise.all(
    roots.map(async (root, i) => {
      const one = bagOf(root, await usesFor(root, spends(10)));
      const other = i % 2 ? bagOf(root, await usesFor(root, spends(11))) : one;
      return Promise.all([post(a, one), post(b, other)]);
    }),
  );
  let accepted = 0;
  for (const [i, [x, y]] of races.entries()) {
    if (i % 2 === 0) {
      expect(x).toEqual(y);
      expect(x.status).toBe(200);
    } else {
      expect([x.status, y.status].sort()).toEqual([200, 409]);
      expect([x, y].find((r) => r.status === 409)!.body.code).toBe('E_BAG_REUSED');
    }
    accepted += [x, y].find((r) => r.status === 200)!.body.accepted;
  }
  const bags = await call(a, 'GET', '/v1/admin/collector/bags', { token: a.demo.collector.token });
  for (const root of roots) {
    const r = Buffer.from(root.root).toString('base64url');
    expect(bags.body.bags.filter((x: { root: string }) => x.root === r)).toHaveLength(1);
  }
  // Both outboxes drain the one outbox: every Return delivered, each received by an issuer once.
  const rows = await waitFor(async () => {
    const r = await call(b, 'GET', '/v1/admin/collector/outbox', { token: a.demo.collector.token });
    const list = r.body.outbox as { state: string; attempts: number }[];
    return list.length === 20 && list.every((x) => x.state === 'delivered') && list;
  }, 60_000);
  for (const row of rows) expect(row.attempts).toBe(1);
  expect(received.size).toBe(20);
  for (const n of received.values()) expect(n).toBe(1);
  // Every accepted use settled once: the issuer's tickets hold exactly what was accepted.
  const t = await call(b, 'GET', '/v1/admin/issuer/tickets', { token: a.demo.issuer.token });
  const ids = new Set(tickets.map(ticketId));
  const spent = t.body.tickets
    .filter((x: { id: string }) => ids.has(x.id))
    .reduce((n: number, x: { spent: number }) => n + x.spent, 0);
  expect(spent).toBe(accepted);
});

it('Returns of one ticket settled by two processes at once never both fit under its face', {
  timeout: 60_000,
}, async () => {
  const collector = nativeSigner(
    fromHex(readFileSync(join(a.data, 'keys', 'first-bank.seed'), 'utf8').trim()),
  );
  const h = holder(62);
  for (let round = 0; round < 6; round++) {
    const t = await issue(a, h, 10);
    const returns = await Promise.all(
      [1, 2].map(async (k) => {
        const chal = new Uint8Array(32).fill(round * 2 + k);
        const S = await h.sign(bodyOfUse(6, t.C, 'acme-coffee', chal));
        const [r] = await makeReturns(collector, 'first-bank', new Uint8Array(32).fill(200 + round * 2 + k), [
          { shop: 'acme-coffee', chal, ticket: t, amount: 6, S },
        ]);
        return r.message;
      }),
    );
    const answers = await Promise.all(
      [a, b].map((s, i) =>
        call(s, 'POST', '/v1/returns', { token: a.demo.collector.token, raw: returns[i] }),
      ),
    );
    expect(answers.map((x) => x.body.settled).sort()).toEqual([0, 1]);
  }
});
