// Bag ingest over HTTP: 20,000 uses in a few bags against a real server process, in uses/s, and the ratio
// to the raw native Ed25519 rate of all cores measured in the same run (per verification the bags need).
// `node --import tsx apps/server/bench/ingest.ts` (BENCH_USES=n to change the size), or benchIngest().
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Ticket } from '@moneybag/protocol';
import { tempFolder } from '../../../test/tmp.ts';
import { allocations, bagOf, call, holder, type Server, startServer, usesFor } from '../test/helpers.ts';
import { issueMany } from './settle.ts';

export const GOAL = 0.8;

export interface IngestResult {
  uses: number;
  bags: number;
  bytes: number;
  seconds: number;
  usesPerSecond: number;
  /** Signatures the bags need verified, per use: every S, and every distinct ticket's C once per bag. */
  verificationsPerUse: number;
  /** OpenSSL's Ed25519 verify on every core at once, the mean of before and after the ingest. */
  rawNativeVerifyPerSecondAllCores: number;
  rawBefore: number;
  rawAfter: number;
  cores: number;
  ratio: number;
  /** From the first bag sent until the outbox had every Return settled by the (local) issuer. */
  returnsSettledSeconds: number;
  /** CPU time of the server process (all threads) while the bags were received. */
  serverCpuSeconds?: number;
  /** The part of it on the main thread (HTTP, decoding): what competes with the workers. */
  mainThreadCpuSeconds?: number;
  /** CPU time of the server's embedded PostgreSQL meanwhile (its child processes: none on DATABASE_URL's). */
  postgresCpuSeconds?: number;
}

/** OpenSSL's verify on every core at once, for about `ms`: verifications per second, summed. */
export async function rawNativeRate(ms: number): Promise<number> {
  const code = `
    const { generateKeyPairSync, sign, verify } = require('node:crypto');
    const { parentPort, workerData } = require('node:worker_threads');
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const msgs = Array.from({ length: 64 }, (_, i) => Buffer.alloc(200, i));
    const sigs = msgs.map((m) => sign(null, m, privateKey));
    const end = Date.now() + workerData.ms;
    let n = 0;
    const start = process.hrtime.bigint();
    while (Date.now() < end) for (let i = 0; i < 64; i++, n++) if (!verify(null, msgs[i], publicKey, sigs[i])) throw 0;
    parentPort.postMessage(n / (Number(process.hrtime.bigint() - start) / 1e9));`;
  const rates = await Promise.all(
    Array.from(
      { length: availableParallelism() },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { ms } });
          w.once('message', resolve);
          w.once('error', reject);
        }),
    ),
  );
  return rates.reduce((a, b) => a + b, 0);
}

/** CPU seconds used so far by a process (all threads) and by its main thread (Linux /proc; else undefined). */
export function cpuSeconds(pid: number | undefined): { all: number; main: number } | undefined {
  const read = (path: string) => {
    const stat = readFileSync(path, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks of 1/100 s
  };
  try {
    return { all: read(`/proc/${pid}/stat`), main: read(`/proc/${pid}/task/${pid}/stat`) };
  } catch {
    return undefined;
  }
}

/** CPU seconds used so far by the descendants of a process: a server's embedded PostgreSQL (Linux). */
export function descendantsCpu(pid: number | undefined): number | undefined {
  try {
    const procs = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .flatMap((d) => {
        try {
          const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
          const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          // with what its exited children used (cutime, cstime): PostgreSQL's autovacuum workers come and go
          const cpu = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
          return [{ pid: Number(d), ppid: Number(f[1]), cpu: cpu / 100 }];
        } catch {
          return []; // exited meanwhile
        }
      });
    const under = new Set([pid]);
    let cpu = 0;
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of procs)
        if (!under.has(p.pid) && under.has(p.ppid)) {
          under.add(p.pid);
          cpu += p.cpu;
          grew = true;
        }
    }
    return cpu;
  } catch {
    return undefined;
  }
}

/** CPU seconds of every thread of a process by thread name and id, for BENCH_THREADS=1 (Linux). */
export function threadCpu(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name}#${tid}`, (Number(f[11]) + Number(f[12])) / 100);
    }
  } catch {}
  return out;
}

/** CPU seconds a server spends from now until the returned function is called: all its threads, its main
 * thread, its embedded PostgreSQL (undefined where /proc cannot tell); BENCH_THREADS=1 prints each thread's. */
export function cpuSpent(pid: number | undefined): () => { all?: number; main?: number; postgres?: number } {
  const cpu0 = cpuSeconds(pid);
  const db0 = descendantsCpu(pid);
  const threads0 = threadCpu(pid);
  return () => {
    const cpu1 = cpuSeconds(pid);
    const db1 = descendantsCpu(pid);
    if (process.env.BENCH_THREADS)
      for (const [k, v] of threadCpu(pid))
        if (v - (threads0.get(k) ?? 0) > 0)
          console.error(`  ${k}: ${(v - (threads0.get(k) ?? 0)).toFixed(2)} s`);
    return {
      all: cpu0 && cpu1 && cpu1.all - cpu0.all,
      main: cpu0 && cpu1 && cpu1.main - cpu0.main,
      postgres: db0 !== undefined && db1 !== undefined ? db1 - db0 : undefined,
    };
  };
}

/** Waits until the collector's outbox has no pending Return. */
async function returnsSettled(server: Server): Promise<void> {
  for (const end = Date.now() + 120_000; Date.now() < end; ) {
    const r = await call(server, 'GET', '/v1/admin/collector/outbox', { token: server.demo.collector.token });
    const rows = r.body.outbox as { state: string }[];
    if (rows.length > 0 && rows.every((x) => x.state !== 'pending')) {
      if (rows.some((x) => x.state !== 'delivered')) throw new Error(JSON.stringify(rows));
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the Returns were not settled in 120 s');
}

export interface IngestOptions {
  uses?: number;
  bags?: number;
  /** Tickets issued by the server (so that the issuer settles every use), or their number. */
  tickets?: Ticket[] | number;
  rawMs?: number;
  label?: string;
}

export async function benchIngest(opts: IngestOptions = {}): Promise<IngestResult> {
  const data = tempFolder('bench');
  const server = await startServer(data);
  try {
    return await measureIngest(server, opts);
  } finally {
    await server.stop();
  }
}

/** Bags posted at once to a running server, their Returns settled by its own issuer. */
export async function measureIngest(server: Server, opts: IngestOptions = {}): Promise<IngestResult> {
  const USES = opts.uses ?? Number(process.env.BENCH_USES ?? 20_000);
  const BAGS = opts.bags ?? 4;
  const rawMs = opts.rawMs ?? 2000;
  const WARM = Number(process.env.BENCH_WARM ?? 2000);
  // A warm bag, then bursts of the measured bags' shape: V8 optimises the bag path (checkBag's loops, the
  // decoder, the Returns' writer) only once it has run at this size, and a first burst compiled it while
  // measured (~0.1 core-second of 2.2, on the helper threads).
  const BURSTS = Number(process.env.BENCH_WARM_BURSTS ?? (WARM ? 1 : 0));
  const h = holder(78);
  const tickets = Array.isArray(opts.tickets)
    ? opts.tickets
    : await issueMany(server, opts.tickets ?? 2_000, h);
  const TICKETS = tickets.length;
  {
    const allocs = await allocations(server, BAGS * (1 + BURSTS) + 1);
    const warm = allocs.pop()!;
    const per = USES / BAGS;
    const burst = (of: typeof allocs) =>
      Promise.all(
        of.map(async (a, b) =>
          bagOf(
            a,
            await usesFor(
              a,
              Array.from({ length: per }, (_, i) => ({
                ticket: tickets[(b * per + i) % TICKETS],
                amount: 1,
                signer: h,
              })),
            ),
          ),
        ),
      );
    const bags = await burst(allocs.splice(0, BAGS));
    const verifications = USES + BAGS * Math.min(TICKETS, per);
    if (WARM) {
      // A server that has run a while: its code optimised (its JS), its workers warm (and the bursts below).
      const raw = bagOf(
        warm,
        await usesFor(
          warm,
          tickets.slice(0, WARM).map((ticket) => ({ ticket, amount: 1, signer: h })),
        ),
      );
      const r = await call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw });
      if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      await returnsSettled(server);
    }
    for (let k = 0; k < BURSTS; k++) {
      const warmBags = await burst(allocs.splice(0, BAGS));
      const answers = await Promise.all(
        warmBags.map((raw) => call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw })),
      );
      for (const r of answers) if (r.status !== 200) throw new Error(JSON.stringify(r.body));
      await returnsSettled(server);
    }
    // The machine's rate while the server is idle, before and after (others may share the cores).
    const rawBefore = await rawNativeRate(rawMs);
    const spent = cpuSpent(server.proc.pid);
    const t0 = process.hrtime.bigint();
    const answers = await Promise.all(
      bags.map((raw) => call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw })),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = spent();
    for (const r of answers)
      if (r.status !== 200 || r.body.accepted !== per) throw new Error(JSON.stringify(r.body));
    await returnsSettled(server);
    const returnsSettledSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const rawAfter = await rawNativeRate(rawMs);
    const raw = (rawBefore + rawAfter) / 2;
    const usesPerSecond = USES / seconds;
    const perUse = verifications / USES;
    const ratio = usesPerSecond / (raw / perUse);
    const { all: serverCpuSeconds, main: mainThreadCpuSeconds, postgres: postgresCpuSeconds } = cpu;
    const result: IngestResult = {
      uses: USES,
      bags: BAGS,
      bytes: bags.reduce((n, b) => n + b.length, 0),
      seconds,
      usesPerSecond,
      verificationsPerUse: perUse,
      rawNativeVerifyPerSecondAllCores: raw,
      rawBefore,
      rawAfter,
      cores: availableParallelism(),
      ratio,
      returnsSettledSeconds,
      serverCpuSeconds,
      mainThreadCpuSeconds,
      postgresCpuSeconds,
    };
    const n = (x: number) => Math.round(x).toLocaleString('en');
    console.log(
      `bag ingest over HTTP (${WARM ? `server warmed by a ${n(WARM)}-use bag and ${BURSTS} burst${BURSTS === 1 ? '' : 's'}` : 'cold server'}${opts.label ? `, ${opts.label}` : ''}): ${n(USES)} uses in ${BAGS} bags in ${seconds.toFixed(2)} s = ${n(usesPerSecond)} uses/s; ` +
        `raw native Ed25519 on ${result.cores} cores ${n(raw)}/s (before ${n(rawBefore)}, after ${n(rawAfter)}); ` +
        `${perUse.toFixed(2)} verifications/use; ratio ${ratio.toFixed(2)} (goal ${GOAL}: ${ratio >= GOAL ? 'met' : 'not met'}); ` +
        `server CPU ${serverCpuSeconds?.toFixed(2)} s, of which main thread ${mainThreadCpuSeconds?.toFixed(2)} s; its PostgreSQL ${postgresCpuSeconds?.toFixed(2)} s; ` +
        `Returns settled by the issuer ${returnsSettledSeconds.toFixed(2)} s after the first bag`,
    );
    return result;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await benchIngest();
