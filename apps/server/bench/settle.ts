// Settlement at the issuer over HTTP: Returns of 20,000 uses posted at once to POST /v1/returns as the
// collector, in uses settled per second, and the ratio to the raw native Ed25519 rate of all cores measured
// in the same run, per verification settlement needs (each use's S, and each Return's Q).
// `node --import tsx apps/server/bench/settle.ts`, or benchSettle().
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nativeSigner } from '@moneybag/node';
import { bodyOfUse, fromHex, makeReturns, type ReturnItem, type Ticket } from '@moneybag/protocol';
import { tempFolder } from '../../../test/tmp.ts';
import { call, holder, issue, type Server, startServer } from '../test/helpers.ts';
import { cpuSpent, rawNativeRate } from './ingest.ts';

export const SETTLE_GOAL = 0.7;

export interface SettleResult {
  uses: number;
  /** The Returns' bytes. */
  bytes: number;
  returns: number;
  seconds: number;
  usesPerSecond: number;
  verificationsPerUse: number;
  raw: number;
  rawBefore: number;
  rawAfter: number;
  ratio: number;
}

/** `count` tickets issued by the server (POST /v1/tickets, a few at a time) to one holder. */
export async function issueMany(server: Server, count: number, h = holder(78), face = 1_000_000) {
  const out: Ticket[] = [];
  for (let i = 0; i < count; i += 16)
    out.push(
      ...(await Promise.all(Array.from({ length: Math.min(16, count - i) }, () => issue(server, h, face)))),
    );
  return out;
}

/** Returns signed with the collector's key from the data folder, each use signed by its holder. */
export async function returnsFor(
  server: Server,
  tickets: Ticket[],
  opts: { returns: number; per: number; h?: ReturnType<typeof holder>; offset?: number },
): Promise<Uint8Array[]> {
  const h = opts.h ?? holder(78);
  const collector = nativeSigner(
    fromHex(readFileSync(join(server.data, 'keys', 'first-bank.seed'), 'utf8').trim()),
  );
  const out: Uint8Array[] = [];
  for (let r = 0; r < opts.returns; r++) {
    const items: ReturnItem[] = [];
    for (let i = 0; i < opts.per; i++) {
      const ticket = tickets[((opts.offset ?? 0) + r * opts.per + i) % tickets.length];
      const chal = new Uint8Array(randomBytes(32));
      const S = await h.sign(bodyOfUse(1, ticket.C, 'acme-coffee', chal));
      items.push({ shop: 'acme-coffee', chal, ticket, amount: 1, S });
    }
    const [ret] = await makeReturns(collector, 'first-bank', new Uint8Array(randomBytes(32)), items);
    out.push(ret.message);
  }
  return out;
}

export async function postReturns(server: Server, returns: Uint8Array[], per: number): Promise<void> {
  const answers = await Promise.all(
    returns.map((raw) => call(server, 'POST', '/v1/returns', { token: server.demo.collector.token, raw })),
  );
  for (const a of answers)
    if (a.status !== 200 || a.body.settled !== per) {
      if (process.env.BENCH_TRACE) console.error(server.output());
      throw new Error(JSON.stringify(a.body).slice(0, 300));
    }
}

/** Settles `uses` uses in `returns` Returns posted at once on a running server (its tickets issued first). */
export async function measureSettle(
  server: Server,
  opts: { uses?: number; returns?: number; tickets?: Ticket[]; rawMs?: number; label?: string } = {},
): Promise<SettleResult> {
  const USES = opts.uses ?? 20_000;
  const RETURNS = opts.returns ?? 4;
  const per = USES / RETURNS;
  const tickets = opts.tickets ?? (await issueMany(server, 2_000));
  // A warm server, as one that has served a while: the same load once before, so that its code is optimised
  // (with one smaller Return first, V8's compiler threads still took ~10 µs a use of the measured run).
  await postReturns(server, await returnsFor(server, tickets, { returns: RETURNS, per }), per);
  const returns = await returnsFor(server, tickets, { returns: RETURNS, per });
  const rawMs = opts.rawMs ?? 2000;
  const rawBefore = await rawNativeRate(rawMs);
  const spent = cpuSpent(server.proc.pid);
  const t0 = process.hrtime.bigint();
  await postReturns(server, returns, per);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = spent();
  // CPU per use, which others' load on the shared cores moves less than the rates.
  const us = (x: number | undefined) => (x === undefined ? '?' : ((x * 1e6) / USES).toFixed(1));
  const rawAfter = await rawNativeRate(rawMs);
  const raw = (rawBefore + rawAfter) / 2;
  const usesPerSecond = USES / seconds;
  const verificationsPerUse = (USES + RETURNS) / USES;
  const ratio = usesPerSecond / (raw / verificationsPerUse);
  const n = (x: number) => Math.round(x).toLocaleString('en');
  console.log(
    `settlement over HTTP${opts.label ? ` (${opts.label})` : ''}: ${n(USES)} uses in ${RETURNS} Returns in ${seconds.toFixed(2)} s = ${n(usesPerSecond)} uses/s; ` +
      `raw native Ed25519 ${n(raw)}/s (before ${n(rawBefore)}, after ${n(rawAfter)}); ${verificationsPerUse.toFixed(4)} verifications/use; ratio ${ratio.toFixed(2)}; ` +
      `server CPU ${us(cpu.all)} µs a use, of which main thread ${us(cpu.main)} µs; its PostgreSQL ${us(cpu.postgres)} µs a use`,
  );
  return {
    uses: USES,
    bytes: returns.reduce((n, r) => n + r.length, 0),
    returns: RETURNS,
    seconds,
    usesPerSecond,
    verificationsPerUse,
    raw,
    rawBefore,
    rawAfter,
    ratio,
  };
}

export async function benchSettle(opts: { uses?: number; returns?: number } = {}): Promise<SettleResult> {
  const data = tempFolder('bench');
  const server = await startServer(data);
  try {
    const r = await measureSettle(server, opts);
    if (process.env.BENCH_TRACE) console.error(server.output());
    return r;
  } finally {
    await server.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await benchSettle();
