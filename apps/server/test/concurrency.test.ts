// Ten requests racing on one root: the database decides, exactly one collects.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { allocations, bagOf, call, holder, issue, type Server, startServer, usesFor } from './helpers.ts';

let server: Server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const totalUses = async () => {
  const t = await call(server, 'GET', '/v1/admin/collector/totals', { token: server.demo.collector.token });
  return t.body.totals.reduce((n: number, x: { uses: number }) => n + x.uses, 0);
};

it('the same bag ten times at once: one collects, all get the same answer', async () => {
  const h = holder(11);
  const t = await issue(server, h, 10_000);
  const [a] = await allocations(server);
  const bag = bagOf(
    a,
    await usesFor(
      a,
      Array.from({ length: 50 }, () => ({ ticket: t, amount: 1, signer: h })),
    ),
  );
  const before = await totalUses();
  const answers = await Promise.all(
    Array.from({ length: 10 }, () =>
      call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw: bag }),
    ),
  );
  for (const r of answers) expect(r).toEqual(answers[0]);
  expect(answers[0].status).toBe(200);
  expect(answers[0].body.accepted).toBe(50);
  expect((await totalUses()) - before).toBe(50);
});

it('ten different bags on one root at once: one collects, the rest are E_BAG_REUSED', async () => {
  const h = holder(12);
  const t = await issue(server, h, 10_000);
  const [a] = await allocations(server);
  const bags = await Promise.all(
    Array.from({ length: 10 }, async (_, i) =>
      bagOf(
        a,
        await usesFor(
          a,
          Array.from({ length: i + 1 }, () => ({ ticket: t, amount: 1, signer: h })),
        ),
      ),
    ),
  );
  const before = await totalUses();
  const answers = await Promise.all(
    bags.map((raw) => call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw })),
  );
  const won = answers.filter((r) => r.status === 200);
  expect(won).toHaveLength(1);
  for (const r of answers.filter((x) => x.status !== 200))
    expect([r.status, r.body.code]).toEqual([409, 'E_BAG_REUSED']);
  expect((await totalUses()) - before).toBe(won[0].body.accepted);
  const bagsList = await call(server, 'GET', '/v1/admin/collector/bags', {
    token: server.demo.collector.token,
  });
  expect(bagsList.body.bags.filter((b: { root: string }) => b.root === won[0].body.root)).toHaveLength(1);
});
