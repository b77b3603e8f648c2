// The verdict from memory: the Pos checks a payment against what it keeps in memory and counts it there in the
// same tick, before the write; the database (another connection stands for another tab) stays the last word.
import 'fake-indexeddb/auto';
import {
  allocate,
  type Challenge,
  encode,
  issueTicket,
  nobleVerifier,
  randomBytes,
  seedSigner,
  signPayment,
  type Ticket,
  toBase64url,
} from '@moneybag/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Pos, type Verdict } from '../src/pos.ts';
import { openStore, type Store } from '../src/store.ts';

const collector = seedSigner(randomBytes(32));
const issuer = seedSigner(randomBytes(32));
const holder = seedSigner(randomBytes(32));
const T0 = 1_800_000_000_000; // ms
const now = Math.floor(T0 / 1000);

let name: string;
let store: Store;
let pos: Pos;
const others: Store[] = [];

async function paired(s: Store) {
  await s.setPairing({
    url: 'http://127.0.0.1:9',
    shop: 'acme-coffee',
    token: 't',
    terminal: 'pos-1',
    label: 'Acme Coffee',
    pairedAt: T0,
  });
  await s.setDirectory({
    issuers: [{ id: 'city-transit', publicKey: issuer.publicKey, url: 'http://127.0.0.1:9' }],
    collectors: [{ id: 'first-bank', publicKey: collector.publicKey, url: 'http://127.0.0.1:9' }],
    fetchedAt: T0,
  });
  await addNumber(s);
}

/** One more money bag number in stock, allocated by the collector to this terminal. */
async function addNumber(s: Store) {
  const a = await allocate(collector, {
    collector: 'first-bank',
    to: 'acme-coffee',
    root: randomBytes(16),
    issued: now,
    due: now + 30 * 86_400,
  });
  await s.addAllocations([{ ...a, path: [{ terminal: 'pos-1', n: 0 }] }]);
}

/** Another connection to the same database: what another tab of this browser sees. */
async function otherTab(): Promise<Store> {
  const s = await openStore(name);
  others.push(s);
  return s;
}

const ticket = (face = 1000): Promise<Ticket> =>
  issueTicket(issuer, {
    issuer: 'city-transit',
    unit: 'EUR',
    face,
    holder: holder.publicKey,
    expires: now + 86_400,
  });

const pay = async (challenge: Challenge, t: Ticket, amount: number) =>
  encode({ type: 'Payment', ...(await signPayment(holder, challenge, [{ ticket: t, amount }])) });

const saved = (v: Verdict) => {
  if (!v.ok) throw new Error(`refused: ${v.code} ${v.message}`);
  return v.saved;
};

beforeEach(async () => {
  name = `pos-ledger-${Math.random()}`;
  store = await openStore(name);
  await paired(store);
  pos = new Pos(store, nobleVerifier, () => T0);
  await pos.reload();
});
afterEach(() => {
  store.close();
  for (const s of others.splice(0)) s.close();
});

describe('the verdict from memory', () => {
  it('accepts a payment, then keeps it: the challenge paid and the use stored', async () => {
    const { challenge } = await pos.charge('EUR', 450);
    const v = await pos.check(await pay(challenge, await ticket(), 450));
    expect(v).toMatchObject({ ok: true, unit: 'EUR', total: 450, deal: 0 });
    expect(await saved(v)).toHaveLength(1);
    expect((await store.challenge(challenge.chal))?.paid).toBe(true);
    expect(await store.usesSince(0)).toHaveLength(1);
  });

  it('reads no database: the one transaction a check makes is its write', async () => {
    const { challenge } = await pos.charge('EUR', 450);
    const m = await pay(challenge, await ticket(), 450);
    const made: string[][] = [];
    const transaction = store.db.transaction.bind(store.db);
    store.db.transaction = ((names: string | string[], mode?: IDBTransactionMode) => {
      made.push([...[names].flat(), mode ?? 'readonly']);
      return transaction(names as never, mode);
    }) as typeof store.db.transaction;
    const v = await pos.check(m);
    expect(v.ok).toBe(true);
    expect(made).toEqual([['challenges', 'uses', 'bags', 'spent', 'readwrite']]);
    await saved(v);
  });

  it('refuses a payment replayed in the same tick (E_CHALLENGE); one use is stored', async () => {
    const { challenge } = await pos.charge('EUR', 450);
    const m = await pay(challenge, await ticket(), 450);
    const [a, b] = await Promise.all([pos.check(m), pos.check(m)]);
    expect(a.ok).toBe(true);
    expect(b).toMatchObject({ ok: false, code: 'E_CHALLENGE' });
    await saved(a);
    expect(await store.usesSince(0)).toHaveLength(1);
  });

  it('refuses a replay checked while the first write is still running', async () => {
    const { challenge } = await pos.charge('EUR', 450);
    const m = await pay(challenge, await ticket(), 450);
    const a = await pos.check(m);
    let written = false;
    void saved(a).then(() => {
      written = true;
    });
    const b = await pos.check(m);
    expect(written).toBe(false); // memory, not the database, refused it
    expect(b).toMatchObject({ ok: false, code: 'E_CHALLENGE' });
    await saved(a);
  });

  it('counts what a ticket paid at once: two deals racing cannot spend it beyond its face (E_OVERSPENT)', async () => {
    const t = await ticket(500);
    const first = await pos.charge('EUR', 400);
    const second = await pos.charge('EUR', 200);
    const m1 = await pay(first.challenge, t, 400);
    const m2 = await pay(second.challenge, t, 200);
    const [a, b] = await Promise.all([pos.check(m1), pos.check(m2)]);
    expect(a.ok).toBe(true);
    expect(b).toMatchObject({ ok: false, code: 'E_OVERSPENT' });
    await saved(a);
  });

  it('a challenge of a bag closed meanwhile is no longer open (E_CHALLENGE)', async () => {
    const { challenge } = await pos.charge('EUR', 450);
    await pos.closeOpen('by hand');
    await pos.sync(); // the round closeOpen starts (nothing listens on port 9: it ends offline)
    const v = await pos.check(await pay(challenge, await ticket(), 450));
    expect(v).toMatchObject({ ok: false, code: 'E_CHALLENGE' });
    expect(await store.usesSince(0)).toHaveLength(0);
  });

  it('a reload rebuilds memory from IndexedDB: paid, spent and still open as they were', async () => {
    const t = await ticket(500);
    const paid = await pos.charge('EUR', 400);
    const open = await pos.charge('EUR', 100);
    const later = await pos.charge('EUR', 200);
    const m = await pay(paid.challenge, t, 400);
    await saved(await pos.check(m));
    store.close();
    // The app starts again: a new connection, a new Pos, memory loaded from the database.
    store = await openStore(name);
    pos = new Pos(store, nobleVerifier, () => T0);
    await pos.reload();
    expect(await pos.check(m)).toMatchObject({ ok: false, code: 'E_CHALLENGE' });
    expect(await pos.check(await pay(later.challenge, t, 200))).toMatchObject({
      ok: false,
      code: 'E_OVERSPENT',
    });
    const v = await pos.check(await pay(open.challenge, t, 100));
    expect(v).toMatchObject({ ok: true, deal: 1 });
    await saved(v);
    expect(await store.acceptedOf((await store.usesSince(0))[0].ticket)).toBe(500);
  });

  it('a tab that has lost the POS takes no payment', async () => {
    const { challenge } = await pos.charge('EUR', 450);
    pos.retired = true;
    expect(await pos.check(await pay(challenge, await ticket(), 450))).toMatchObject({ ok: false });
    await expect(pos.charge('EUR', 100)).rejects.toThrow(/another tab/);
    expect(await store.usesSince(0)).toHaveLength(0);
  });
});

describe('the write, the last word', () => {
  it('another tab paid the challenge first: the write fails (E_CHALLENGE) and stores nothing more', async () => {
    const { challenge } = await pos.charge('EUR', 450);
    const m = await pay(challenge, await ticket(), 450);
    const other = await otherTab();
    const { decode } = await import('@moneybag/protocol');
    await other.accept(decode(m, 'Payment'), T0);
    const v = await pos.check(m); // memory did not know
    expect(v.ok).toBe(true);
    await expect(saved(v)).rejects.toMatchObject({ code: 'E_CHALLENGE' });
    expect(await store.usesSince(0)).toHaveLength(1);
  });

  it('another tab spent the ticket meanwhile: the write fails (E_OVERSPENT) and stores nothing', async () => {
    const t = await ticket(500);
    const first = await pos.charge('EUR', 400);
    const second = await pos.charge('EUR', 200);
    const other = await otherTab();
    const { decode } = await import('@moneybag/protocol');
    await other.accept(decode(await pay(second.challenge, t, 200), 'Payment'), T0);
    const v = await pos.check(await pay(first.challenge, t, 400));
    expect(v.ok).toBe(true);
    await expect(saved(v)).rejects.toMatchObject({ code: 'E_OVERSPENT' });
    expect((await store.usesSince(0)).map((u) => u.amount)).toEqual([200]);
    expect((await store.challenge(first.challenge.chal))?.paid).toBe(false);
  });

  it('a write that fails is forgotten by memory too: the same payment is judged again', async () => {
    const { challenge } = await pos.charge('EUR', 450);
    const m = await pay(challenge, await ticket(), 450);
    store.db.close(); // the database goes away (the browser closed it, the disk failed)
    const v = await pos.check(m);
    expect(v.ok).toBe(true);
    await expect(saved(v)).rejects.toThrow();
    // Not counted as paid in memory: judged again (and failing again, loudly, while the database is gone).
    const again = await pos.check(m);
    expect(again.ok).toBe(true);
    await expect(saved(again)).rejects.toThrow();
    store = await openStore(name);
    expect(await store.usesSince(0)).toHaveLength(0);
  });
});

describe('the keys pinned at pairing', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('a changed collector key, seen while deliveries fail, stops payments until confirmed', async () => {
    // The service now serves another collector key, and answers 503 to everything else.
    const served = seedSigner(randomBytes(32)).publicKey;
    const doc = {
      version: 1,
      issuers: [{ id: 'city-transit', publicKey: toBase64url(issuer.publicKey), url: '' }],
      collectors: [{ id: 'first-bank', publicKey: toBase64url(served), url: '' }],
    };
    vi.stubGlobal('fetch', async (url: string | URL) =>
      String(url).endsWith('/.well-known/moneybag.json')
        ? new Response(JSON.stringify(doc))
        : new Response('down', { status: 503 }),
    );
    // A bag in the outbox from a sale before the change, and a spare number for the sale after it.
    const t = await ticket(500);
    const first = await pos.charge('EUR', 100);
    await saved(await pos.check(await pay(first.challenge, t, 100)));
    await store.closeBag((await store.openBag())!.id, 'by hand', T0);
    pos.retired = true;
    await addNumber(store);

    const later = new Pos(store, nobleVerifier, () => T0 + 60_000);
    await later.reload();
    await later.sync({ force: true });
    expect(await store.bagsIn('closed')).toHaveLength(1); // not delivered
    expect(later.keyChanges.map((c) => [c.party, c.id])).toEqual([['collector', 'first-bank']]);
    expect((await later.status()).keyChanges).toHaveLength(1);
    expect((await store.directory())?.collectors[0].publicKey).toEqual(collector.publicKey);
    await expect(later.charge('EUR', 100)).rejects.toMatchObject({ code: 'E_COLLECTOR' });

    await later.confirmKeys();
    expect(later.keyChanges).toEqual([]);
    expect((await store.directory())?.collectors[0].publicKey).toEqual(served);
    const next = await later.charge('EUR', 200);
    await saved(await later.check(await pay(next.challenge, t, 200)));
    // The round confirmKeys started ends before the database closes.
    later.retired = true;
    await later.sync();
    await later.sync();
  });
});
