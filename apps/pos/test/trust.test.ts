// Keys pinned at pairing: a sync that finds another collector key stops payments until the operator confirms,
// and sees it even while the deliveries fail (the service answers them 503).
import 'fake-indexeddb/auto';
import {
  allocate,
  encode,
  issueTicket,
  nobleVerifier,
  randomBytes,
  seedSigner,
  signPayment,
  toBase64url,
} from '@moneybag/protocol';
import { afterEach, expect, it, vi } from 'vitest';
import { Pos } from '../src/pos.ts';
import { openStore } from '../src/store.ts';

const collector = seedSigner(randomBytes(32));
const issuer = seedSigner(randomBytes(32));
const holder = seedSigner(randomBytes(32));
const T0 = 1_800_000_000_000;
const now = Math.floor(T0 / 1000);

afterEach(() => {
  vi.unstubAllGlobals();
});

it('a changed collector key, seen while deliveries fail, stops payments until confirmed', async () => {
  const store = await openStore(`pos-trust-${Math.random()}`);
  await store.setPairing({
    url: 'http://svc.test',
    shop: 'acme-coffee',
    token: 't',
    terminal: 'pos-1',
    label: 'Acme',
    pairedAt: T0,
  });
  await store.setDirectory({
    issuers: [{ id: 'city-transit', publicKey: issuer.publicKey, url: '' }],
    collectors: [{ id: 'first-bank', publicKey: collector.publicKey, url: '' }],
    fetchedAt: T0,
  });
  // Two numbers: one filled and closed before the change, one for the sale after it.
  for (let i = 0; i < 2; i++) {
    const a = await allocate(collector, {
      collector: 'first-bank',
      to: 'acme-coffee',
      root: randomBytes(16),
      issued: now,
      due: now + 30 * 86_400,
    });
    await store.addAllocations([{ ...a, path: [{ terminal: 'pos-1', n: 0 }] }]);
  }
  const served = seedSigner(randomBytes(32)).publicKey;
  vi.stubGlobal('fetch', async (url: string | URL) =>
    String(url).endsWith('/.well-known/moneybag.json')
      ? new Response(
          JSON.stringify({
            version: 1,
            issuers: [{ id: 'city-transit', publicKey: toBase64url(issuer.publicKey), url: '' }],
            collectors: [{ id: 'first-bank', publicKey: toBase64url(served), url: '' }],
          }),
        )
      : new Response('down', { status: 503 }),
  );

  // A bag in the outbox (its delivery will fail), from a payment taken before the change.
  const before = new Pos(store, nobleVerifier, () => T0);
  await before.reload();
  const deal = await before.charge('EUR', 100);
  const ticket = await issueTicket(issuer, {
    issuer: 'city-transit',
    unit: 'EUR',
    face: 500,
    holder: holder.publicKey,
    expires: now + 86_400,
  });
  const payment = async (c: typeof deal.challenge, amount: number) =>
    encode({ type: 'Payment', ...(await signPayment(holder, c, [{ ticket, amount }])) });
  const v = await before.check(await payment(deal.challenge, 100));
  expect(v.ok).toBe(true);
  if (v.ok) await v.saved;
  await store.closeBag((await store.openBag())!.id, 'by hand', T0);
  before.retired = true;

  const pos = new Pos(store, nobleVerifier, () => T0 + 60_000);
  await pos.reload();
  await pos.sync({ force: true });
  expect((await store.bagsIn('closed')).length).toBe(1); // not delivered
  expect(pos.keyChanges.map((c) => [c.party, c.id])).toEqual([['collector', 'first-bank']]);
  expect((await pos.status()).keyChanges).toHaveLength(1);
  expect((await store.directory())?.collectors[0].publicKey).toEqual(collector.publicKey);
  await expect(pos.charge('EUR', 100)).rejects.toMatchObject({ code: 'E_COLLECTOR' });

  await pos.confirmKeys();
  expect(pos.keyChanges).toEqual([]);
  expect((await store.directory())?.collectors[0].publicKey).toEqual(served);
  const next = await pos.charge('EUR', 200);
  expect((await pos.check(await payment(next.challenge, 200))).ok).toBe(true);
  // The round confirmKeys started ends before the database closes.
  pos.retired = true;
  await pos.sync();
  await pos.sync();
  store.close();
});
