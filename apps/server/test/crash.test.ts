// kill -9 while a large bag is being stored; after a restart the bag is wholly collected or not at all,
// and sending it again then succeeds.

import { digestOf, toHex } from '@moneybag/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allocations, bigBag, call, type Server, startServer } from './helpers.ts';

let server: Server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const USES = 5_000;

async function state(digest: string, root: string) {
  const c = server.demo.collector.token;
  const bag = await call(server, 'GET', `/v1/bags/${digest}`, { token: server.demo.shops[0].token });
  const totals = await call(server, 'GET', '/v1/admin/collector/totals', { token: c });
  const allocs = await call(server, 'GET', '/v1/admin/collector/allocations', { token: c });
  const outbox = await call(server, 'GET', '/v1/admin/collector/outbox', { token: c });
  return {
    stored: bag.status === 200,
    uses: totals.body.totals.reduce((n: number, x: { uses: number }) => n + x.uses, 0),
    collected: allocs.body.allocations.find((x: { root: string }) => x.root === root)?.state === 'collected',
    outbox: outbox.body.outbox.filter((x: { origin: string }) => x.origin === digest).length,
  };
}

it('a bag is stored all or nothing across kill -9', { timeout: 600_000 }, async () => {
  // Whether the bag was stored after each kill: false when the kill came before its commit, true after.
  const tried: { fraction: number; stored: boolean }[] = [];
  const PLANNED = [0.1, 0.25, 0.4, 0.6, 0.9];
  // The planned moments first; then, until a kill has landed on each side of the commit, later moments if
  // none was stored yet, earlier ones if every one was (at most 12 kills).
  const nextFraction = (): number | undefined => {
    if (tried.length < PLANNED.length) return PLANNED[tried.length];
    const stored = tried.filter((t) => t.stored).map((t) => t.fraction);
    const lost = tried.filter((t) => !t.stored).map((t) => t.fraction);
    if ((stored.length && lost.length) || tried.length >= 12) return undefined;
    // (A bag may take longer than the first one did: past 1, the kill may also come after the answer.)
    return stored.length ? Math.min(...stored) / 2 : Math.min(4, Math.max(...lost) * 1.4);
  };
  // How long one such bag takes here, to kill at moments before, during and after its transaction.
  const [first] = await allocations(server);
  const firstBag = await bigBag(server, first, USES);
  const t0 = performance.now();
  expect(
    (await call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw: firstBag })).status,
  ).toBe(200);
  const took = performance.now() - t0;
  for (let fraction = nextFraction(); fraction !== undefined; fraction = nextFraction()) {
    const delay = took * fraction;
    const [a] = await allocations(server);
    const bag = await bigBag(server, a, USES);
    const digest = toHex(digestOf(bag));
    const root = Buffer.from(a.root).toString('base64url');
    const before = await state(digest, root);
    expect(before).toMatchObject({ stored: false, collected: false, outbox: 0 });
    const pending = call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw: bag }).catch(
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, delay));
    await server.kill();
    await pending;
    server = await startServer(server.data);
    const after = await state(digest, root);
    tried.push({ fraction, stored: after.stored });
    if (after.stored)
      expect(after).toEqual({ stored: true, uses: before.uses + USES, collected: true, outbox: 1 });
    else expect(after).toEqual({ stored: false, uses: before.uses, collected: false, outbox: 0 });
    const retry = await call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw: bag });
    expect([retry.status, retry.body.accepted]).toEqual([200, USES]);
    expect(await state(digest, root)).toEqual({
      stored: true,
      uses: before.uses + USES,
      collected: true,
      outbox: 1,
    });
  }
  console.log("kills (fraction of a bag's time, stored):", tried);
  // Both sides of the commit were hit: a kill before it lost the bag whole, a kill after it kept it whole.
  expect(tried.map((t) => t.stored)).toContain(false);
  expect(tried.map((t) => t.stored)).toContain(true);
});
