// The store's one rule: a payment's spends, uses and record are written together or not at all.
import 'fake-indexeddb/auto';
import {
  checkPayment,
  decode,
  encode,
  issueTicket,
  makeChallenge,
  nobleVerifier,
  randomBytes,
  seedSigner,
  type Ticket,
  ticketId,
  toHex,
} from '@moneybag/protocol';
import { openDB } from 'idb';
import { beforeEach, describe, expect, it } from 'vitest';
import { createKey, signerOf } from '../src/keys.ts';
import {
  addTicket,
  type DB,
  firstVersion,
  listJournal,
  listPayments,
  listTickets,
  notAccepted,
  openStore,
  pagePayments,
  putParties,
  receiptsOf,
  recordPayment,
  setOutcome,
  settleDirect,
  type WalletDB,
} from '../src/store.ts';
import { pay, quote, receiveTicket } from '../src/wallet.ts';

const issuer = seedSigner(randomBytes(32));
const now = Math.floor(Date.now() / 1000);
let db: DB;
let n = 0;

beforeEach(async () => {
  db = await openStore(`test-${n++}`);
  await putParties(db, 'issuers', [{ id: 'city-transit', publicKey: issuer.publicKey, url: 'http://x/' }]);
});

const ticketFor = (holder: Uint8Array, face: number, expires = now + 3600, unit = 'EUR'): Promise<Ticket> =>
  issueTicket(issuer, { issuer: 'city-transit', unit, face, holder, expires });

const challenge = (amount: number, unit = 'EUR', expires = now + 60) =>
  makeChallenge({
    collector: 'first-bank',
    bag: randomBytes(16),
    deal: n++,
    shop: 'acme-coffee',
    unit,
    amount,
    expires,
    label: 'Acme Coffee',
  });

const spend = (ticket: string, amount: number, S = toHex(randomBytes(64))) => ({
  ticket,
  amount,
  S,
  shop: 'acme-coffee',
  chal: randomBytes(32),
});
const paymentRecord = (id: string) => ({
  id,
  kind: 'pos' as const,
  shop: 'acme-coffee',
  label: 'Acme',
  unit: 'EUR',
  amount: 1,
  at: Date.now(),
  tickets: [],
  message: new Uint8Array(3),
});

describe('recordPayment', () => {
  it('writes spends, uses and the payment together', async () => {
    const key = await createKey(db, 'portable');
    const t = await ticketFor(key.publicKey, 500);
    await addTicket(db, t);
    await recordPayment(db, paymentRecord('p1'), [spend(ticketId(t), 200)]);
    expect((await listTickets(db))[0].left).toBe(300);
    expect(await listJournal(db)).toHaveLength(1);
    expect(await listPayments(db)).toHaveLength(1);
  });

  it('writes nothing when one spend is short, even after another spend was written in the transaction', async () => {
    const key = await createKey(db, 'portable');
    const a = await ticketFor(key.publicKey, 500);
    const b = await ticketFor(key.publicKey, 100);
    await addTicket(db, a);
    await addTicket(db, b);
    await expect(
      recordPayment(db, paymentRecord('p1'), [spend(ticketId(a), 500), spend(ticketId(b), 101)]),
    ).rejects.toMatchObject({ code: 'E_OVERSPENT' });
    const left = Object.fromEntries((await listTickets(db)).map((t) => [t.id, t.left]));
    expect(left).toEqual({ [ticketId(a)]: 500, [ticketId(b)]: 100 });
    expect(await listJournal(db)).toHaveLength(0);
    expect(await listPayments(db)).toHaveLength(0);
  });

  it('lets only one of two concurrent payments spend the same ticket (two tabs)', async () => {
    const key = await createKey(db, 'portable');
    const t = await ticketFor(key.publicKey, 500);
    await addTicket(db, t);
    const other = await openStore(db.name); // a second connection, as a second tab has
    const results = await Promise.allSettled([
      recordPayment(db, paymentRecord('p1'), [spend(ticketId(t), 400)]),
      recordPayment(other, paymentRecord('p2'), [spend(ticketId(t), 400)]),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await listTickets(db))[0].left).toBe(100);
    expect(await listJournal(db)).toHaveLength(1);
    other.close();
  });

  it('refuses a second payment of the same challenge', async () => {
    const key = await createKey(db, 'portable');
    const t = await ticketFor(key.publicKey, 500);
    await addTicket(db, t);
    await recordPayment(db, paymentRecord('p1'), [spend(ticketId(t), 1)]);
    await expect(recordPayment(db, paymentRecord('p1'), [spend(ticketId(t), 1)])).rejects.toMatchObject({
      code: 'E_CHALLENGE',
    });
    expect((await listTickets(db))[0].left).toBe(499);
  });

  it('never resets what is left when the same ticket is received again', async () => {
    const key = await createKey(db, 'portable');
    const t = await ticketFor(key.publicKey, 500);
    await addTicket(db, t);
    await recordPayment(db, paymentRecord('p1'), [spend(ticketId(t), 200)]);
    await addTicket(db, t);
    expect((await listTickets(db))[0].left).toBe(300);
  });
});

describe('receive and pay', () => {
  it('refuses a ticket bound to another key, from an unknown issuer, or expired', async () => {
    const key = await createKey(db, 'portable');
    const other = seedSigner(randomBytes(32));
    const foreign = encode({ type: 'Ticket', ...(await ticketFor(other.publicKey, 100)) });
    await expect(receiveTicket(db, key.publicKey, foreign)).rejects.toMatchObject({ code: 'E_FIELD' });
    const stranger = seedSigner(randomBytes(32));
    const unknown = encode({
      type: 'Ticket',
      ...(await issueTicket(stranger, {
        issuer: 'nobody',
        unit: 'EUR',
        face: 1,
        holder: key.publicKey,
        expires: now + 60,
      })),
    });
    await expect(receiveTicket(db, key.publicKey, unknown)).rejects.toMatchObject({ code: 'E_ISSUER' });
    const old = encode({ type: 'Ticket', ...(await ticketFor(key.publicKey, 100, now - 1)) });
    await expect(receiveTicket(db, key.publicKey, old)).rejects.toMatchObject({ code: 'E_EXPIRED' });
    expect(await listTickets(db)).toHaveLength(0);
  });

  it('pays a challenge with a payment the POS accepts, and says why before signing when it cannot', async () => {
    const key = await createKey(db, 'portable');
    const signer = signerOf(key);
    for (const face of [300, 200])
      await receiveTicket(
        db,
        key.publicKey,
        encode({ type: 'Ticket', ...(await ticketFor(key.publicKey, face)) }),
      );
    const c = challenge(450);
    const q = await quote(db, encode({ type: 'Challenge', ...c }));
    const record = await pay(db, signer, q);
    const verdict = await checkPayment(record.message, {
      shop: 'acme-coffee',
      now,
      challenge: (chal) => (toHex(chal) === toHex(c.chal) ? { ...c, paid: false } : undefined),
      issuers: new Map([['city-transit', issuer.publicKey]]),
      acceptedOf: () => 0,
      denied: new Map(),
      verifier: nobleVerifier,
    });
    expect(verdict).toMatchObject({ ok: true, total: 450 });
    expect(decode(record.message, 'Payment').items).toHaveLength(2);
    expect((await listTickets(db)).reduce((s, t) => s + t.left, 0)).toBe(50);

    const journal = (await listJournal(db)).length;
    const refuse = async (m: Uint8Array, code: string) => {
      await expect(quote(db, m)).rejects.toMatchObject({ code });
    };
    await refuse(encode({ type: 'Challenge', ...c }), 'E_CHALLENGE'); // already paid
    await refuse(encode({ type: 'Challenge', ...challenge(51) }), 'E_TOTAL');
    await refuse(encode({ type: 'Challenge', ...challenge(5, 'JPY') }), 'E_UNIT');
    await refuse(encode({ type: 'Challenge', ...challenge(5, 'EUR', now - 1) }), 'E_CHALLENGE');
    expect(await listJournal(db)).toHaveLength(journal);
  });

  it('refuses to pay with expired tickets, before signing', async () => {
    const key = await createKey(db, 'portable');
    await addTicket(db, await ticketFor(key.publicKey, 500, now + 10));
    await expect(quote(db, encode({ type: 'Challenge', ...challenge(100) }), now + 10)).rejects.toMatchObject(
      {
        code: 'E_EXPIRED',
      },
    );
    expect(await listJournal(db)).toHaveLength(0);
  });
});

describe('a long history, read in part', () => {
  const at = (id: string, t: number) => ({ ...paymentRecord(id), at: t });

  it('pages payments newest first, finds the ones a shop did not take, and the receipts of a page', async () => {
    for (let i = 0; i < 7; i++) await recordPayment(db, at(`p${i}`, 1_000 + i), []);
    await setOutcome(db, 'p2', 'not-accepted');
    await setOutcome(db, 'p5', 'accepted');
    await setOutcome(db, 'p6', 'not-accepted');
    const receipt = { payment: 'p4', collector: 'first-bank', received_ms: 1, message: new Uint8Array(2) };
    await settleDirect(db, 'p4', { receipt });
    expect((await pagePayments(db, 0, 3)).map((p) => p.id)).toEqual(['p6', 'p5', 'p4']);
    expect((await pagePayments(db, 3, 3)).map((p) => p.id)).toEqual(['p3', 'p2', 'p1']);
    expect((await pagePayments(db, 6, 3)).map((p) => p.id)).toEqual(['p0']);
    expect((await notAccepted(db)).map((p) => p.id).sort()).toEqual(['p2', 'p6']);
    expect(await receiptsOf(db, ['p3', 'p4'])).toEqual([receipt]);
  });

  it('indexes what a wallet of the first version kept when it opens', async () => {
    const name = `v1-${n++}`;
    // The first version's stores, as a wallet installed before the outcome index holds them.
    const old = await openDB<WalletDB>(name, 1, { upgrade: firstVersion });
    await old.put('payments', { ...at('a', 1), outcome: 'not-accepted' });
    await old.put('payments', { ...at('b', 2), outcome: 'accepted' });
    old.close();
    const upgraded = await openStore(name);
    expect((await notAccepted(upgraded)).map((p) => p.id)).toEqual(['a']);
    expect((await pagePayments(upgraded, 0, 10)).map((p) => p.id)).toEqual(['b', 'a']);
    upgraded.close();
  });
});
