// Requests racing on one root (the database decides, exactly one collects), and Returns racing on one ticket
// at the issuer (its row lock decides, they never both fit under its face).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeSigner } from '@moneybag/node';
import { bodyOfUse, fromHex, makeReturns, type Ticket, ticketId } from '@moneybag/protocol';
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

/** What the issuer's page says was spent of a ticket. */
async function spentOf(t: Ticket): Promise<number> {
  const r = await call(server, 'GET', '/v1/admin/issuer/tickets', { token: server.demo.issuer.token });
  return r.body.tickets.find((x: { id: string }) => x.id === ticketId(t)).spent;
}

it('Returns of one ticket at once never both fit under its face; the same Return at once is settled once', async () => {
  const collector = nativeSigner(
    fromHex(readFileSync(join(server.data, 'keys', 'first-bank.seed'), 'utf8').trim()),
  );
  const h = holder(13);
  const post = (raw: Uint8Array) =>
    call(server, 'POST', '/v1/returns', { token: server.demo.collector.token, raw });
  const returnOf = async (origin: number, ticket: Ticket, amount: number) => {
    const chal = new Uint8Array(32).fill(origin);
    const S = await h.sign(bodyOfUse(amount, ticket.C, 'acme-coffee', chal));
    const [r] = await makeReturns(collector, 'first-bank', new Uint8Array(32).fill(origin), [
      { shop: 'acme-coffee', chal, ticket, amount, S },
    ]);
    return r.message;
  };
  // Eight tickets of face 10, each returned by two collectors' Returns of 6 at once (and one ticket of
  // another holder settled alongside, untouched by the race).
  for (let round = 0; round < 8; round++) {
    const t = await issue(server, h, 10);
    const answers = await Promise.all([
      post(await returnOf(100 + 2 * round, t, 6)),
      post(await returnOf(101 + 2 * round, t, 6)),
    ]);
    for (const a of answers) expect(a.status).toBe(200);
    const settled = answers.map((a) => a.body.settled);
    expect(settled.sort()).toEqual([0, 1]);
    expect(answers.find((a) => a.body.settled === 0)!.body.rejected).toEqual([
      { index: 0, code: 'E_OVERSPENT', blame: 'holder' },
    ]);
    expect(await spentOf(t)).toBe(6);
  }
  // One Return sent five times at once: one answer, its amount counted once.
  const t = await issue(server, h, 10);
  const once = await returnOf(90, t, 4);
  const answers = await Promise.all(Array.from({ length: 5 }, () => post(once)));
  for (const a of answers) expect(a).toEqual({ status: 200, body: { settled: 1, rejected: [] } });
  expect(await spentOf(t)).toBe(4);
});
