// One process against two on one PostgreSQL: bag ingest posted to one process, then spread over two (the
// second on the first's database), in uses/s; and whether any work was lost or done twice: every accepted
// use stored once by the collector and settled once by the issuer.
import { availableParallelism } from 'node:os';
import { type Ticket, ticketId } from '@moneybag/protocol';
import {
  allocations,
  bagOf,
  call,
  holder,
  type Server,
  secondProcessFolder,
  startServer,
  usesFor,
  waitFor,
} from '../test/helpers.ts';
import { issueMany } from './settle.ts';

export interface ProcessesResult {
  onePerSecond: number;
  twoPerSecond: number;
  /** Uses accepted but not stored or not settled, and stored or settled more than once. */
  lost: number;
  doubled: number;
}

async function ingest(servers: Server[], tickets: Ticket[], uses: number, bags: number): Promise<number> {
  const h = holder(78);
  const a = servers[0];
  const roots = await allocations(a, bags);
  const per = uses / bags;
  const raws = await Promise.all(
    roots.map(async (root, b) =>
      bagOf(
        root,
        await usesFor(
          root,
          Array.from({ length: per }, (_, i) => ({
            ticket: tickets[(b * per + i) % tickets.length],
            amount: 1,
            signer: h,
          })),
        ),
      ),
    ),
  );
  const t0 = performance.now();
  const answers = await Promise.all(
    raws.map((raw, i) =>
      call(servers[i % servers.length], 'POST', '/v1/bags', { token: a.demo.shops[0].token, raw }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const r of answers)
    if (r.status !== 200 || r.body.accepted !== per) throw new Error(JSON.stringify(r.body));
  return uses / seconds;
}

export async function benchProcesses(uses = 10_000, bags = 4): Promise<ProcessesResult> {
  const a = await startServer();
  const b = await startServer(secondProcessFolder(a.data));
  try {
    // At most 500: the issuer's page lists the newest 500 tickets, where their settled sums are read.
    const tickets = await issueMany(a, 400);
    await ingest([a], tickets, 2_000, 2); // warm both
    await ingest([b], tickets, 2_000, 2);
    const onePerSecond = await ingest([a], tickets, uses, bags);
    const twoPerSecond = await ingest([a, b], tickets, uses, bags);
    // Every Return settled (by either process's outbox), then the books of both roles.
    await waitFor(async () => {
      const r = await call(a, 'GET', '/v1/admin/collector/outbox', { token: a.demo.collector.token });
      return (r.body.outbox as { state: string }[]).every((x) => x.state === 'delivered');
    }, 120_000);
    const totals = await call(b, 'GET', '/v1/admin/collector/totals', { token: a.demo.collector.token });
    const stored = totals.body.totals.reduce((n: number, x: { uses: number }) => n + x.uses, 0);
    const t = await call(b, 'GET', '/v1/admin/issuer/tickets', { token: a.demo.issuer.token });
    const ids = new Set(tickets.map(ticketId));
    const settled = t.body.tickets
      .filter((x: { id: string }) => ids.has(x.id))
      .reduce((n: number, x: { spent: number }) => n + x.spent, 0);
    const posted = 2 * 2_000 + 2 * uses;
    const lost = Math.max(0, posted - stored) + Math.max(0, posted - settled);
    const doubled = Math.max(0, stored - posted) + Math.max(0, settled - posted);
    const n = (x: number) => Math.round(x).toLocaleString('en');
    console.log(
      `one process vs two on one PostgreSQL: ${n(uses)} uses in ${bags} bags to one process ${n(onePerSecond)} uses/s; ` +
        `spread over two ${n(twoPerSecond)} uses/s (${availableParallelism()} cores shared); ${n(posted)} uses posted, ` +
        `${n(stored)} stored by the collector, ${n(settled)} settled by the issuer`,
    );
    return { onePerSecond, twoPerSecond, lost, doubled };
  } finally {
    await b.stop();
    await a.stop();
  }
}
