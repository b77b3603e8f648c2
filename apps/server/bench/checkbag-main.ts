// The main thread's share of checkBag (5.2) on the ingest bench's bags: 4 bags of 5,000 uses over 2,000
// tickets, checked with a verifier that only prechecks (the signatures are the workers' part), in one
// process. Prints the CPU of all threads and of the main thread per use (the difference is V8's helper
// threads: garbage collection, compilers) and the main thread's time per use, min and median of the rounds.
// `node --import tsx apps/server/bench/checkbag-main.ts` (ROUNDS=n, 15 by default); Linux (/proc).
import { readFileSync } from 'node:fs';
import { nativeSigner, useNativeHashes } from '@moneybag/node';
import { allocate, checkBag, issueTicket, precheck, randomBytes, type Verifier } from '@moneybag/protocol';
import { bagOf, holder, usesFor } from '../test/helpers.ts';

useNativeHashes(); // as the server does
const collector = nativeSigner(new Uint8Array(32).fill(1));
const issuer = nativeSigner(new Uint8Array(32).fill(2));
const h = holder(78);
const now = Math.floor(Date.now() / 1000);
const tickets = await Promise.all(
  Array.from({ length: 2000 }, () =>
    issueTicket(issuer, {
      issuer: 'city-transit',
      unit: 'EUR',
      face: 100,
      holder: h.publicKey,
      expires: 4e9,
    }),
  ),
);
const bags = await Promise.all(
  [0, 1, 2, 3].map(async (b) => {
    const a = await allocate(collector, {
      collector: 'first-bank',
      to: 'acme-coffee',
      root: randomBytes(16),
      issued: now,
      due: now + 3600,
    });
    const spends = Array.from({ length: 5000 }, (_, i) => ({
      ticket: tickets[(b * 5000 + i) % 2000],
      amount: 1,
      signer: h,
    }));
    return bagOf(a, await usesFor(a, spends));
  }),
);
const USES = 20_000;
const verifier: Verifier = { name: 'precheck only', verify: async (checks) => checks.map(precheck) };
const ctx = {
  collector: 'first-bank',
  sender: 'acme-coffee',
  now,
  allocation: () => ({ to: 'acme-coffee', issued: now - 10, due: now + 3600, collected: null }),
  issuers: new Map([['city-transit', issuer.publicKey]]),
  verifier,
  signer: collector,
};
/** The bags one after the other: µs a use. */
async function round(): Promise<number> {
  const t = performance.now();
  for (const m of bags) await checkBag(m, ctx);
  return ((performance.now() - t) * 1000) / USES;
}
const mainCpu = () => {
  const st = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
for (let i = 0; i < 3; i++) await round(); // warm
const rounds = Number(process.env.ROUNDS ?? 15);
const times: number[] = [];
const cpu0 = process.cpuUsage();
const main0 = mainCpu();
for (let i = 0; i < rounds; i++) times.push(await round());
const cpu = process.cpuUsage(cpu0);
const perUse = (seconds: number) => ((seconds / rounds / USES) * 1e6).toFixed(2);
times.sort((a, b) => a - b);
console.log(
  `checkBag's main thread on 4 bags of 5,000 uses: CPU a use ${perUse((cpu.user + cpu.system) / 1e6)} µs on all threads, ` +
    `${perUse(mainCpu() - main0)} µs on the main thread; time a use min ${times[0].toFixed(2)} µs, median ${times[times.length >> 1].toFixed(2)} µs`,
);
