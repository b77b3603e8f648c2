// The POS's own pairing, stock and delivery code under a relay (7.1), against real processes over real HTTP:
// paired by the relay's link, numbers through the relay, a payment taken, the bag delivered (202: waiting
// for the collector), then read back with GET until the collector's answer, checked against the merged bag.
import 'fake-indexeddb/auto';
import { spawnSync } from 'node:child_process';
import { nobleVerifier, readPairingLink as readPairLink, signPayment } from '@moneybag/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import { holder, issue, type Proc, type Server, spawnMain, startServer } from '../../server/test/helpers.ts';
import { openStore } from '../src/store.ts';
import { deliver, pair, usable } from '../src/sync.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
let collector: Server;
let relay: Proc;
let link: string;

beforeAll(async () => {
  collector = await startServer();
  const dir = tempFolder('pos-relay');
  // Added before the relay ever ran: its link cannot name the relay's shop yet.
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'apps/server/src/cli.ts', 'add-terminal', 'till-7', '--data', dir, '--json'],
    { cwd: ROOT, encoding: 'utf8' },
  );
  link = JSON.parse(r.stdout).pairing;
  relay = await spawnMain(dir, [
    ...['--role', 'relay', '--upstream', collector.url, `--token=${collector.demo.shops[0].token}`],
  ]);
}, 120_000);

afterAll(async () => {
  await relay?.stop();
  await collector?.stop();
});

it('a POS under a relay: delivered means waiting for the collector, then the final answer', {
  timeout: 120_000,
}, async () => {
  const store = await openStore('pos-under-relay');
  // The POS takes the terminal id the relay knows it by, not the one typed, and the shop the relay names.
  const read = readPairLink(link);
  expect(read.shop).toBe('till-7');
  if (!('token' in read)) throw new Error('a relay link carries a token');
  const pairing = await pair(store, { ...read, url: relay.url }, 'typed', nobleVerifier, Date.now());
  expect([pairing.shop, pairing.terminal]).toEqual(['acme-coffee', 'till-7']);
  expect((await store.bagsIn('stock')).length).toBeGreaterThan(0);

  const h = holder(31);
  const ticket = await issue(collector, h, 1000);
  const now = Date.now();
  const { challenge } = await store.takeDeal({
    unit: 'EUR',
    amount: 250,
    expires: Math.floor(now / 1000) + 120,
    now,
    usable: (b) => usable(b, now),
  });
  await store.accept(await signPayment(h, challenge, [{ ticket, amount: 250 }]), now);
  const open = (await store.openBag())!;
  const closed = await store.closeBag(open.id, 'by hand', now);

  const first = await deliver(store, closed, nobleVerifier, Date.now);
  expect(first.state).toBe('closed');
  expect(first.relayed).toMatch(/^(waiting|forwarded)$/);
  let bag = first;
  for (let i = 0; bag.state === 'closed' && i < 300; i++) {
    await new Promise((r) => setTimeout(r, 200));
    bag = await deliver(store, bag, nobleVerifier, Date.now);
  }
  expect(bag.state).toBe('delivered');
  expect(bag.answer).toMatchObject({ accepted: 1, rejected: [], totals: { EUR: 250 }, digest: bag.digest });
  expect((bag.answer as { merged?: string }).merged).toMatch(/^[0-9a-f]{64}$/);
  store.close();
});
