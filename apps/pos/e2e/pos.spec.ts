// The POS against the real service, with a wallet simulated by the protocol: the POS's QR pixels are read
// back to get its Challenge, and the Payment's QR pixels are put in front of the POS's camera.
import { issueTicket } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { issuerSigner } from '../../../e2e/service.ts';
import {
  cancelSale,
  challengeOnScreen,
  charge,
  demo,
  newShop,
  openPos,
  SimWallet,
  showPayment,
  uniq,
} from './support.ts';

test('pairs by link, takes a payment offline, refuses its replay, and delivers the bag', async ({
  browser,
  request,
  baseURL,
}) => {
  const shop = await newShop(request, `cafe-${uniq()}`, 'Café Offline');
  const pos = await openPos(browser, baseURL!, shop);
  await expect(pos.getByTestId('shop-label')).toHaveText('Café Offline');
  const wallet = new SimWallet(request);
  const ticket = await wallet.ticket({ face: 1000 });

  // Offline from here on: no request leaves the POS's browser.
  await pos.context().setOffline(true);
  await charge(pos, 'EUR', '4.50');
  const { challenge } = await challengeOnScreen(pos);
  expect(challenge).toMatchObject({ shop: shop.id, unit: 'EUR', amount: 450, label: 'Café Offline' });
  const payment = await wallet.pay(challenge, [{ ticket, amount: 450 }]);
  const verdict = await showPayment(pos, payment);
  await expect(verdict).toHaveAttribute('data-verdict', 'accepted');
  await expect(pos.getByTestId('verdict-amount')).toHaveText('€4.50');
  await pos.getByTestId('verdict-done').click();

  // The same payment QR again, at the next sale (a photo of it): refused, E_CHALLENGE.
  await charge(pos, 'EUR', '4.50');
  const again = await showPayment(pos, payment);
  await expect(again).toHaveAttribute('data-verdict', 'refused');
  await expect(again).toHaveAttribute('data-code', 'E_CHALLENGE');
  await pos.getByTestId('verdict-done').click();
  await cancelSale(pos);

  // The rest of the ticket pays the next sale; beyond its face is refused.
  await charge(pos, 'EUR', '6');
  const over = await showPayment(
    pos,
    await wallet.pay((await challengeOnScreen(pos)).challenge, [{ ticket, amount: 600 }]),
  );
  await expect(over).toHaveAttribute('data-code', 'E_OVERSPENT');
  await pos.getByTestId('verdict-done').click();
  await cancelSale(pos);

  await pos.getByTestId('tab-history').click();
  await expect(pos.getByTestId('day-totals')).toHaveText('€4.50');

  // Close the bag by hand while offline: it waits in the outbox; back online, it is delivered.
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  await expect(pos.getByTestId('outbox-count')).toHaveText('1 to send');
  await pos.context().setOffline(false);
  const report = pos.getByTestId('report');
  await expect(report).toContainText('1 accepted, 0 rejected', { timeout: 30_000 });
  await expect(report).toContainText('€4.50');
  await expect(pos.getByTestId('outbox-count')).toHaveText('All sent');

  // The collector has it too.
  const digest = await pos.getByTestId('bag-delivered').getAttribute('data-digest');
  const res = await request.get(`/v1/bags/${digest}`, { headers: { Authorization: `Bearer ${shop.token}` } });
  expect(res.status()).toBe(200);
  expect((await res.json()).totals).toEqual({ EUR: 450 });
});

test('refuses a use made for another POS, an expired ticket and tampered tickets, with their codes', async ({
  browser,
  request,
  baseURL,
}) => {
  const shop = await newShop(request, `kiosk-${uniq()}`, 'Kiosk');
  const [first, second] = await Promise.all([
    openPos(browser, baseURL!, shop, 'pos-1'),
    openPos(browser, baseURL!, shop, 'pos-2'),
  ]);
  const wallet = new SimWallet(request);
  const ticket = await wallet.ticket({ unit: 'RIDE', face: 5 });

  // A payment made for the first POS's challenge, shown to the second: not its challenge.
  await charge(first, 'RIDE', '2');
  const forFirst = await wallet.pay((await challengeOnScreen(first)).challenge, [{ ticket, amount: 2 }]);
  await charge(second, 'RIDE', '2');
  const v = await showPayment(second, forFirst);
  await expect(v).toHaveAttribute('data-code', 'E_CHALLENGE');
  await second.getByTestId('verdict-done').click();
  // The first POS still accepts it.
  await expect(await showPayment(first, forFirst)).toHaveAttribute('data-verdict', 'accepted');

  const { challenge } = await challengeOnScreen(second);
  const refusedWith = async (spends: Parameters<SimWallet['pay']>[1], code: string) => {
    const verdict = await showPayment(second, await wallet.pay(challenge, spends));
    await expect(verdict).toHaveAttribute('data-code', code);
    await expect(second.getByTestId('verdict-reason')).not.toBeEmpty();
    await second.getByTestId('verdict-done').click();
  };
  // An expired ticket (signed with the issuer's key: its service refuses to issue one).
  const expired = await issueTicket(issuerSigner(), {
    issuer: demo().issuer.id,
    unit: 'RIDE',
    face: 5,
    holder: wallet.holder.publicKey,
    expires: Math.floor(Date.now() / 1000) - 60,
  });
  await refusedWith([{ ticket: expired, amount: 2 }], 'E_EXPIRED');
  // A ticket whose face was raised after the issuer signed it.
  await refusedWith([{ ticket: { ...ticket, face: 50 }, amount: 2 }], 'E_TICKET_SIGNATURE');
  // A ticket bound to another holder key than the one that signs.
  const other = new SimWallet(request);
  await refusedWith(
    [{ ticket: { ...(await other.ticket({ unit: 'RIDE', face: 5 })) }, amount: 2 }],
    'E_USE_SIGNATURE',
  );
  // Another unit.
  await refusedWith([{ ticket: await wallet.ticket({ unit: 'ADMIT', face: 5 }), amount: 2 }], 'E_UNIT');
  // One ticket twice in one payment.
  await refusedWith(
    [
      { ticket, amount: 1 },
      { ticket, amount: 1 },
    ],
    'E_OVERSPENT',
  );
  // And then a good payment of the same challenge is still accepted.
  const ok = await showPayment(second, await wallet.pay(challenge, [{ ticket, amount: 2 }]));
  await expect(ok).toHaveAttribute('data-verdict', 'accepted');
});

test('the outbox survives a reload while the collector is down, and delivers when it is back', async ({
  browser,
  request,
  baseURL,
}) => {
  const shop = await newShop(request, `bakery-${uniq()}`, 'Bakery');
  const pos = await openPos(browser, baseURL!, shop);
  const wallet = new SimWallet(request);
  const ticket = await wallet.ticket({ face: 2000 });
  for (const [typed, amount] of [
    ['3', 300],
    ['2.25', 225],
  ] as const) {
    await charge(pos, 'EUR', typed);
    const v = await showPayment(
      pos,
      await wallet.pay((await challengeOnScreen(pos)).challenge, [{ ticket, amount }]),
    );
    await expect(v).toHaveAttribute('data-verdict', 'accepted');
    await pos.getByTestId('verdict-done').click();
  }

  // The collector is down: every bag delivery fails at the network.
  const down = (route: { abort(): Promise<void> }) => route.abort();
  await pos.context().route('**/v1/bags', down);
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  await expect(pos.getByTestId('outbox-state')).toContainText('attempt', { timeout: 20_000 });
  await expect(pos.getByTestId('outbox-count')).toHaveText('1 to send');

  await pos.reload();
  await pos.getByTestId('tab-bags').click();
  await expect(pos.getByTestId('outbox')).toContainText('€5.25');
  await expect(pos.getByTestId('outbox-count')).toHaveText('1 to send');

  // Back up: the POS delivers by itself on its next attempt.
  await pos.context().unroute('**/v1/bags', down);
  await expect(pos.getByTestId('report')).toContainText('2 accepted, 0 rejected', { timeout: 45_000 });
  await expect(pos.getByTestId('report')).toContainText('€5.25');
  await expect(pos.getByTestId('outbox-count')).toHaveText('All sent');
});
