// A revoked tablet paired again from its own screen, against the real collector over real HTTP: the payment it
// took before the revoke is closed into its outbox when the token is refused (kept across a restart), sent with
// the new terminal's token after pairing again with a new code, and new payments go under the new terminal.
import 'fake-indexeddb/auto';
import type { PairingCodeJson } from '@moneybag/api';
import { decode, encode, fromText, nobleVerifier, type Payment, signPayment } from '@moneybag/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, holder, issue, type Server, startServer } from '../../server/test/helpers.ts';
import { Pos } from '../src/pos.ts';
import { type BagRecord, openStore } from '../src/store.ts';
import { redeem } from '../src/sync.ts';

let server: Server;
beforeAll(async () => {
  server = await startServer();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const shop = () => server.demo.shops[0].id;
const operator = () => ({ token: server.demo.collector.token });

/** A one-time code from the collector's page, redeemed as the POS's pairing screen does. */
async function newCode(name: string) {
  const r = await call(server, 'POST', `/v1/admin/collector/shops/${shop()}/pairings`, operator());
  expect(r.status).toBe(200);
  return redeem({ url: server.url, code: (r.body as PairingCodeJson).code }, name);
}

/** The terminal a number was given to: the last step of its Allocation's path. */
const terminalOf = (b: BagRecord) => decode(fromText(b.allocation), 'Allocation').path.at(-1)?.terminal;

const payment = (p: Payment) => encode({ type: 'Payment', ...p });

/** Charge, pay from the wallet of `h`, and wait until the payment is kept. */
async function sale(pos: Pos, h: ReturnType<typeof holder>, amount: number) {
  const ticket = await issue(server, h, 1000);
  const deal = await pos.charge('EUR', amount);
  const v = await pos.check(payment(await signPayment(h, deal.challenge, [{ ticket, amount }])));
  if (!v.ok) throw new Error(`refused ${v.code}: ${v.message}`);
  await v.saved;
  return deal;
}

it('a revoked terminal keeps its payments, pairs again with a new code and sends them under its new token', {
  timeout: 120_000,
}, async () => {
  let store = await openStore('pos-paired-again');
  let pos = new Pos(store, nobleVerifier);
  const first = await newCode('Front counter');
  await pos.pair(first, first.terminal);
  const h = holder(41);
  await sale(pos, h, 250);
  const oldBag = (await store.openBag())!;
  expect(terminalOf(oldBag)).toBe(first.terminal);
  // A sale on screen when the revoke is learned.
  const ticket = await issue(server, h, 1000);
  const onScreen = await pos.charge('EUR', 150);

  // The operator revokes it: the next round learns it; no sale starts from then on.
  const revoked = await call(
    server,
    'POST',
    `/v1/admin/collector/shops/${shop()}/terminals/${first.terminal}/revoke`,
    operator(),
  );
  expect(revoked.status).toBe(200);
  await pos.sync({ force: true });
  const status = await pos.status();
  expect(status.refused).toMatchObject({ code: 'E_AUTH' });
  expect(status.refused?.message).toContain('revoked');
  await expect(pos.charge('EUR', 100)).rejects.toMatchObject({ code: 'E_AUTH' });
  // The sale on screen is still paid and kept, in the open bag.
  const paid = await pos.check(payment(await signPayment(h, onScreen.challenge, [{ ticket, amount: 150 }])));
  expect(paid.ok).toBe(true);
  if (paid.ok) await paid.saved;
  // Then the pair-again screen closes the bag into the outbox.
  await pos.closeOpen('token refused');
  expect(await store.openBag()).toBeUndefined();
  expect((await store.bagsIn('closed')).map((b) => [b.id, b.count, b.totals])).toEqual([
    [oldBag.id, 2, { EUR: 400 }],
  ]);

  // A restart (the tab closed, the database opened again) keeps the refusal and the bag.
  store.close();
  store = await openStore('pos-paired-again');
  pos = new Pos(store, nobleVerifier);
  await pos.reload();
  expect((await store.pairing())?.refused?.code).toBe('E_AUTH');
  expect((await store.bagsIn('closed')).length).toBe(1);
  const oldStock = (await store.bagsIn('stock')).map((b) => b.id);
  expect(oldStock.length).toBeGreaterThan(0);

  // Paired again with a new code: a new terminal id and token, fresh numbers for it, the old stock dropped.
  const second = await newCode('Front counter');
  expect(second.terminal).not.toBe(first.terminal);
  const paired = await pos.pair(second, second.terminal);
  expect([paired.terminal, paired.refused]).toEqual([second.terminal, undefined]);
  const stock = await store.bagsIn('stock');
  expect(stock.length).toBeGreaterThan(0);
  expect(stock.every((b) => terminalOf(b) === second.terminal && !oldStock.includes(b.id))).toBe(true);

  // The next round sends the old bag with the new token: the collector takes it from any token of its shop.
  await pos.sync({ force: true });
  const delivered = (await store.bag(oldBag.id))!;
  expect(delivered.state).toBe('delivered');
  expect(delivered.answer).toMatchObject({ accepted: 2, rejected: [], totals: { EUR: 400 } });
  expect(delivered.madeBy).toEqual({ shop: shop(), terminal: first.terminal });

  // New payments are taken under the new terminal's numbers, and delivered too.
  await sale(pos, holder(42), 300);
  const fresh = (await store.openBag())!;
  expect(terminalOf(fresh)).toBe(second.terminal);
  await pos.closeOpen();
  await pos.sync({ force: true });
  expect((await store.bag(fresh.id))?.state).toBe('delivered');
  expect((await pos.status()).refused).toBeUndefined();
  store.close();
});
