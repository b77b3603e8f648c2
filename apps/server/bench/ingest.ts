// Bag ingest over HTTP: 20,000 uses in a few bags against a real server process, in uses/s, and the ratio
// to the raw native Ed25519 rate of all cores measured in the same run (per verification the bags need).
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { nativeSigner } from '@moneybag/node';
import { fromHex, issueTicket, type Ticket } from '@moneybag/protocol';
import { allocations, bagOf, call, holder, startServer, usesFor } from '../test/helpers.ts';

const USES = Number(process.env.BENCH_USES ?? 20_000);
const BAGS = 4;
const TICKETS = 2_000;

/** OpenSSL's verify on every core at once, for about `ms`: verifications per second, summed. */
async function rawNativeRate(ms = 3000): Promise<number> {
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

const server = await startServer(mkdtempSync(join(tmpdir(), 'moneybag-bench-')));
try {
  // Tickets signed here with the issuer's key from the data folder: the same as POST /v1/tickets, faster.
  const issuer = nativeSigner(
    fromHex(readFileSync(join(server.data, 'keys', 'city-transit.seed'), 'utf8').trim()),
  );
  const h = holder(77);
  const tickets: Ticket[] = [];
  for (let i = 0; i < TICKETS; i++)
    tickets.push(
      await issueTicket(issuer, {
        issuer: 'city-transit',
        unit: 'EUR',
        face: 1000,
        holder: h.publicKey,
        expires: 4e9,
      }),
    );
  const allocs = await allocations(server, BAGS);
  const per = USES / BAGS;
  const bags = await Promise.all(
    allocs.map(async (a, b) =>
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
  // Every S once, every distinct ticket's C once per bag.
  const verifications = USES + BAGS * Math.min(TICKETS, per);
  const t0 = process.hrtime.bigint();
  const answers = await Promise.all(
    bags.map((raw) => call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw })),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (const r of answers)
    if (r.status !== 200 || r.body.accepted !== per) throw new Error(JSON.stringify(r.body));
  const usesPerSecond = USES / seconds;
  const raw = await rawNativeRate();
  const ratio = usesPerSecond / (raw / (verifications / USES));
  console.log(
    JSON.stringify({
      bench: 'bag ingest over HTTP',
      uses: USES,
      bags: BAGS,
      bytes: bags.reduce((n, b) => n + b.length, 0),
      seconds: +seconds.toFixed(3),
      usesPerSecond: Math.round(usesPerSecond),
      verificationsPerUse: +(verifications / USES).toFixed(3),
      rawNativeVerifyPerSecondAllCores: Math.round(raw),
      cores: availableParallelism(),
      ratio: +ratio.toFixed(3),
    }),
  );
} finally {
  await server.stop();
}
