// The POS store's two promises: a deal number is never used twice, even across a crash; a use is never
// stored without its challenge marked paid.
import 'fake-indexeddb/auto';
import {
  allocate,
  type Challenge,
  checkPayment,
  decode,
  fromHex,
  fromText,
  issueTicket,
  keysOf,
  nobleVerifier,
  numberOfAllocation,
  type PaymentContext,
  randomBytes,
  seedSigner,
  signPayment,
  toHex,
} from '@moneybag/protocol';
import { openDB } from 'idb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Pos } from '../src/pos.ts';
import { createV1Stores, type Db, openStore, type Store } from '../src/store.ts';
import { closeReason, deliver, usable } from '../src/sync.ts';

const collector = seedSigner(randomBytes(32));
const issuer = seedSigner(randomBytes(32));
const holder = seedSigner(randomBytes(32));
const T0 = 1_800_000_000_000; // ms
const now = Math.floor(T0 / 1000);
const issuers = keysOf([{ id: 'city-transit', publicKey: issuer.publicKey }]);

let name: string;
let store: Store;

async function paired(s: Store, allocations = 2) {
  await s.setPairing({
    url: 'http://collector.test',
    shop: 'acme-coffee',
    token: 't',
    terminal: 'pos-1',
    label: 'Acme Coffee',
    pairedAt: T0,
  });
  const list = [];
  for (let i = 0; i < allocations; i++) {
    const a = await allocate(collector, {
      collector: 'first-bank',
      to: 'acme-coffee',
      root: randomBytes(16),
      issued: now,
      due: now + 30 * 86_400 + i,
    });
    list.push({ ...a, path: [{ terminal: 'pos-1', n: 0 }] });
  }
  await s.addAllocations(list);
}

const take = (s: Store, amount = 450, at = T0) =>
  s.takeDeal({ unit: 'EUR', amount, expires: 120, now: at, usable: (b) => usable(b, at) });

const ticket = (face = 1000) =>
  issueTicket(issuer, {
    issuer: 'city-transit',
    unit: 'EUR',
    face,
    holder: holder.publicKey,
    expires: now + 86_400,
  });

const ctxOf = (s: Store, at = now): PaymentContext => ({
  shop: 'acme-coffee',
  now: at,
  challenge: (chal) => s.challenge(chal),
  issuers,
  acceptedOf: (t) => s.acceptedOf(t),
  denied: new Map(),
  verifier: nobleVerifier,
});

beforeEach(async () => {
  name = `pos-test-${Math.random()}`;
  store = await openStore(name);
  await paired(store);
});
afterEach(() => store.close());

describe('deal numbers', () => {
  it('opens the stock number with the soonest due and counts deals up from 0', async () => {
    const a = await take(store);
    const b = await take(store);
    expect([a.record.deal, b.record.deal]).toEqual([0, 1]);
    expect(a.record.bag).toBe(b.record.bag);
    const bags = await store.bags();
    const open = bags.find((x) => x.state === 'open')!;
    expect(open.id).toBe(a.record.bag);
    expect(open.due).toBe(Math.min(...bags.map((x) => x.due)));
    // The challenge is 3.3's over this bag's number (root with the terminal's step folded in).
    const alloc = decode(fromText(open.allocation), 'Allocation');
    expect(toHex(numberOfAllocation(alloc))).toBe(open.id);
    expect(decode(a.message, 'Challenge').label).toBe('Acme Coffee');
  });

  it('never repeats a deal number across a crash (the database closed and opened again)', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 4; round++) {
      // Challenges taken and never paid, then the app "crashes": the connection is dropped, nothing flushed by hand.
      for (let i = 0; i < 3; i++) {
        const { record } = await take(store);
        const key = `${record.bag}/${record.deal}`;
        expect(seen.has(key)).toBe(false);
        seen.add(key);
      }
      store.close();
      store = await openStore(name);
    }
    expect(seen.size).toBe(12);
    // Every challenge shown was stored, each with its own chal.
    const open = (await store.openBag())!;
    expect(open.nextDeal).toBe(12);
    expect((await store.challengesOf(open.id)).map((c) => c.deal).sort((a, b) => a - b)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
  });

  it('never reuses a closed bag number: the next deal opens another number', async () => {
    const first = await take(store);
    await store.closeBag(first.record.bag, 'by hand', T0);
    const next = await take(store);
    expect(next.record.bag).not.toBe(first.record.bag);
    expect(next.record.deal).toBe(0);
    // The challenge of the closed bag is no longer open.
    expect(await store.challenge(first.challenge.chal)).toBeUndefined();
    await expect(store.closeBag(first.record.bag, 'again', T0)).rejects.toMatchObject({
      code: 'E_UNKNOWN_BAG',
    });
  });

  it('refuses to take a deal with no usable number, and stores nothing', async () => {
    const later = (31 * 86_400 - 3600) * 1000 + T0; // within every number's due margin
    await expect(take(store, 100, later)).rejects.toMatchObject({ code: 'E_UNKNOWN_BAG' });
    expect((await store.bags()).every((b) => b.state === 'stock' && b.nextDeal === 0)).toBe(true);
  });
});

describe('accepting a payment', () => {
  async function paidChallenge(amount = 450) {
    const { challenge } = await take(store, amount);
    const t = await ticket();
    const payment = await signPayment(holder, challenge, [{ ticket: t, amount }]);
    return { challenge, payment, t };
  }

  it('stores the uses and marks the challenge paid together', async () => {
    const { challenge, payment, t } = await paidChallenge();
    const verdict = await checkPayment(payment, ctxOf(store));
    expect(verdict.ok).toBe(true);
    const uses = await store.accept(payment, T0);
    expect(uses).toHaveLength(1);
    expect((await store.challenge(challenge.chal))?.paid).toBe(true);
    expect(await store.acceptedOf(`city-transit/${toHex(t.serial)}`)).toBe(450);
    const bag = (await store.openBag())!;
    expect(bag.count).toBe(1);
    expect(bag.totals).toEqual({ EUR: 450 });
  });

  it('a replay of the same payment is refused with E_CHALLENGE and stores nothing more', async () => {
    const { payment } = await paidChallenge();
    await store.accept(payment, T0);
    expect(await checkPayment(payment, ctxOf(store))).toMatchObject({ ok: false, code: 'E_CHALLENGE' });
    // Even a caller that skipped the check cannot store it twice: the transaction re-checks `paid`.
    await expect(store.accept(payment, T0)).rejects.toMatchObject({ code: 'E_CHALLENGE' });
    expect(await store.usesSince(0)).toHaveLength(1);
  });

  it('of two acceptances racing for one challenge, exactly one stores its uses', async () => {
    const { payment } = await paidChallenge();
    const results = await Promise.allSettled([store.accept(payment, T0), store.accept(payment, T0)]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await store.usesSince(0)).toHaveLength(1);
  });

  it('a transaction that fails half way stores no use and leaves the challenge unpaid', async () => {
    const { challenge, payment } = await paidChallenge();
    // A second spend that cannot be stored (a function cannot be cloned into IndexedDB): the whole
    // transaction aborts after the challenge was marked paid and the first use was added.
    const broken = { ...payment, items: [payment.items[0], { ...payment.items[0], S: (() => 0) as never }] };
    await expect(store.accept(broken, T0)).rejects.toThrow();
    expect(await store.usesSince(0)).toHaveLength(0);
    expect((await store.challenge(challenge.chal))?.paid).toBe(false);
    // And the real payment still goes through, counted once in its ticket's stored sum.
    await store.accept(payment, T0);
    expect(await store.usesSince(0)).toHaveLength(1);
    expect(await store.acceptedOf(`city-transit/${toHex(payment.items[0].ticket.serial)}`)).toBe(450);
  });

  it('every stored use belongs to a paid challenge, over many deals', async () => {
    for (let i = 0; i < 6; i++) {
      const { payment } = await paidChallenge(100 + i);
      if (i % 2 === 0) await store.accept(payment, T0);
    }
    const uses = await store.usesSince(0);
    expect(uses).toHaveLength(3);
    for (const u of uses) expect((await store.challenge(fromHex(u.chal)))?.paid).toBe(true);
  });

  it('a payment for a bag closed meanwhile is refused (E_CHALLENGE)', async () => {
    const { challenge, payment } = await paidChallenge();
    await store.closeBag((await store.openBag())!.id, 'by hand', T0);
    expect(await checkPayment(payment, ctxOf(store))).toMatchObject({ ok: false, code: 'E_CHALLENGE' });
    await expect(store.accept(payment, T0)).rejects.toMatchObject({ code: 'E_CHALLENGE' });
    expect(await store.challenge(challenge.chal)).toBeUndefined();
  });

  it('a ticket spent here up to its face is refused next time (E_OVERSPENT), across bags', async () => {
    const t = await ticket(500);
    const first = await take(store, 400);
    await store.accept(await signPayment(holder, first.challenge, [{ ticket: t, amount: 400 }]), T0);
    await store.closeBag(first.record.bag, 'by hand', T0);
    const second = await take(store, 200);
    const p = await signPayment(holder, second.challenge, [{ ticket: t, amount: 200 }]);
    expect(await checkPayment(p, ctxOf(store))).toMatchObject({ ok: false, code: 'E_OVERSPENT' });
  });
});

describe('what was accepted of each ticket', () => {
  it('is kept per ticket; a database of version 1 gets the sums from the uses it kept', async () => {
    const t = await ticket();
    for (const amount of [100, 250]) {
      const { challenge } = await take(store, amount);
      await store.accept(await signPayment(holder, challenge, [{ ticket: t, amount }]), T0);
    }
    const id = `city-transit/${toHex(t.serial)}`;
    expect(await store.acceptedOf(id)).toBe(350);
    expect((await store.ledger(now)).accepted.get(id)).toBe(350);
    // After the ticket's expiry the ledger forgets it: a verdict refuses an expired ticket anyway.
    expect((await store.ledger(now + 86_400)).accepted.has(id)).toBe(false);

    // The same uses in a version-1 database (no sums): opening it computes them.
    const uses = await store.usesSince(0);
    const old = `pos-v1-${Math.random()}`;
    const v1: Db = await openDB(old, 1, { upgrade: createV1Stores });
    for (const u of uses) await v1.put('uses', u);
    v1.close();
    const upgraded = await openStore(old);
    try {
      expect(await upgraded.acceptedOf(id)).toBe(350);
    } finally {
      upgraded.close();
    }
  });
});

describe('closing a bag', () => {
  it('makes one Bag message of the uses in the order accepted, under the allocation path', async () => {
    const deals: Challenge[] = [];
    for (let i = 0; i < 3; i++) {
      const { challenge } = await take(store, 100 * (i + 1));
      deals.push(challenge);
      await store.accept(
        await signPayment(holder, challenge, [{ ticket: await ticket(), amount: 100 * (i + 1) }]),
        T0,
      );
    }
    const open = (await store.openBag())!;
    const closed = await store.closeBag(open.id, 'by hand', T0);
    expect(closed.state).toBe('closed');
    const bag = decode(fromText(closed.bag!), 'Bag');
    expect(bag.node.uses).toHaveLength(0);
    expect(bag.node.children).toHaveLength(1);
    expect(bag.node.children[0]).toMatchObject({ terminal: 'pos-1', n: 0 });
    expect(bag.node.children[0].node.uses.map((u) => [u.deal, u.amount])).toEqual([
      [0, 100],
      [1, 200],
      [2, 300],
    ]);
    expect(closed.totals).toEqual({ EUR: 600 });
    expect((await store.bagsIn('closed')).map((b) => b.id)).toEqual([open.id]);
  });

  it('closes by itself when full, a day old, or near its due date', () => {
    const b = {
      id: 'x',
      allocation: '',
      collector: 'first-bank',
      issued: now,
      due: now + 30 * 86_400,
      state: 'open' as const,
      nextDeal: 1,
      count: 1,
      totals: {},
      openedAt: T0,
      attempts: 0,
    };
    expect(closeReason(b, T0 + 3600_000)).toBeUndefined();
    expect(closeReason({ ...b, count: 500 }, T0)).toMatch(/full/);
    expect(closeReason(b, T0 + 24 * 3600_000)).toMatch(/day/);
    expect(closeReason({ ...b, count: 0, openedAt: T0 - 40 * 3600_000 }, T0)).toBeUndefined();
    const late = (b.due - 86_400) * 1000;
    expect(closeReason({ ...b, openedAt: late - 1000 }, late)).toMatch(/due/);
  });
});

describe('a refused token, and pairing again', () => {
  const directory = { issuers: [], collectors: [], fetchedAt: T0 };
  const pairingOf = async (change: object) => ({ ...(await store.pairing())!, ...change });

  async function sold() {
    const { challenge } = await take(store, 300);
    await store.accept(await signPayment(holder, challenge, [{ ticket: await ticket(), amount: 300 }]), T0);
    return (await store.openBag())!;
  }

  it('the refusal is kept across a restart: no deal after; the open bag stays open for a sale on screen', async () => {
    const open = await sold();
    await store.refuseToken({ code: 'E_AUTH', message: 'revoked', at: T0 + 1 });
    store.close();
    store = await openStore(name);
    expect((await store.pairing())?.refused).toEqual({ code: 'E_AUTH', message: 'revoked', at: T0 + 1 });
    expect((await store.openBag())?.id).toBe(open.id);
    await expect(take(store)).rejects.toMatchObject({ code: 'E_AUTH' });
  });

  it('under another token: the open bag to the outbox, due at once; the old stock dropped; the refusal gone', async () => {
    const open = await sold();
    const stock = (await store.bagsIn('stock')).map((b) => b.id);
    expect(stock).toHaveLength(1);
    await store.refuseToken({ code: 'E_AUTH', message: 'revoked', at: T0 + 1 });
    await store.closeBag(open.id, 'token refused', T0 + 2);
    await store.updateBag(open.id, 'closed', { attempts: 4, nextAttemptAt: T0 + 600_000, lastError: 'x' });
    const next = await pairingOf({ token: 't2', terminal: 'pos-2', refused: undefined, pairedAt: T0 + 5 });
    await store.setPaired(next, directory, { issuer: {}, collector: {} }, T0 + 5);
    expect(await store.pairing()).toEqual(next);
    expect(await store.bagsIn('stock')).toEqual([]);
    const [kept] = await store.bagsIn('closed');
    expect([kept.id, kept.count, kept.nextAttemptAt, kept.lastError]).toEqual([
      open.id,
      1,
      T0 + 5,
      undefined,
    ]);
    expect(await store.usesOf(open.id)).toHaveLength(1);
  });

  it('refused and paired again before the open bag was closed (a crash): pairing again closes it', async () => {
    const open = await sold();
    await store.refuseToken({ code: 'E_AUTH', message: 'revoked', at: T0 + 1 });
    const next = await pairingOf({ token: 't2', terminal: 'pos-2', refused: undefined });
    await store.setPaired(next, directory, { issuer: {}, collector: {} }, T0 + 5);
    expect(await store.openBag()).toBeUndefined();
    const [kept] = await store.bagsIn('closed');
    expect([kept.id, kept.count, kept.closeReason]).toEqual([open.id, 1, 'paired again']);
    expect(kept.madeBy).toEqual({ shop: 'acme-coffee', terminal: 'pos-1' });
  });

  it('a delivery refused for the token (401) leaves the bag as it was; the round notes the refusal', async () => {
    const open = await sold();
    const closed = await store.closeBag(open.id, 'closed by hand', T0);
    await store.setDirectory(directory);
    const refusal = { code: 'E_AUTH', message: 'unknown token' };
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify(refusal), { status: 401 }));
    try {
      await expect(deliver(store, closed, nobleVerifier, () => T0)).rejects.toMatchObject({ status: 401 });
      expect(await store.bag(open.id)).toEqual(closed);
      await new Pos(store, nobleVerifier, () => T0 + 10).sync({ force: true });
      expect((await store.pairing())?.refused).toEqual({ ...refusal, at: T0 + 10 });
      expect(await store.bag(open.id)).toEqual(closed);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('paired again with the same token (a retry): the open bag and the stock stay as they are', async () => {
    const open = await sold();
    await store.setPaired(await pairingOf({}), directory, { issuer: {}, collector: {} }, T0 + 5);
    expect((await store.openBag())?.id).toBe(open.id);
    expect(await store.bagsIn('stock')).toHaveLength(1);
  });
});
