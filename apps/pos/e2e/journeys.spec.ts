// Journeys of issue 13 between the real wallet and the real POS (each device its own context, cameras fed
// the other app's real QR pixels): the cancelled sale, and a payment handed over as a link.
import { expect, test } from '@playwright/test';
import { fakeCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { demo, login } from '../../collector/e2e/helpers.ts';
import { cancelSale, charge, newShop, openPos, openWallet, pay, relay, shot, uniq } from './support.ts';

test('journey: the cancelled sale, as the cashier and the holder see it', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const shop = await newShop(request, `cafe-${uniq()}`, 'Café');
  const pos = await openPos(browser, baseURL!, shop);
  const phone = await browser.newContext({ viewport: { width: 420, height: 860 } });
  const wallet = await phone.newPage();
  await openWallet(wallet, request, [1000]);

  await charge(pos, 'EUR', '2.00');
  await wallet.getByTestId('pay').click();
  await relay(pos.getByTestId('qr'), wallet, wallet.getByTestId('confirm'));
  await wallet.getByTestId('confirm-pay').click();
  const walletQr = wallet.getByTestId('payment-qr').getByTestId('qr');
  await expect(walletQr).toBeVisible();
  await expect(wallet.getByTestId('paid-state')).toContainText('Only the shop’s screen says');
  await expect(wallet.getByRole('button', { name: 'Done' })).toHaveCount(0); // never "done" before the shop says so

  // The cashier presses Cancel: warned first that the wallet may have signed; "Keep the sale" goes back.
  await pos.getByTestId('cancel').click();
  await expect(pos.getByTestId('cancel-warning')).toContainText('scan their code first');
  await shot(pos, 'cancel-warning');
  await pos.getByTestId('cancel-keep').click();
  await expect(pos.getByTestId('deal')).toBeVisible();
  await cancelSale(pos);

  // The customer shows the signed payment anyway: recognised as this cancelled sale, nothing taken.
  await charge(pos, 'EUR', '3.00');
  await relay(walletQr, pos, pos.getByTestId('verdict'));
  const verdict = pos.getByTestId('verdict');
  await expect(verdict).toHaveAttribute('data-sale', 'cancelled');
  await expect(verdict).toHaveAttribute('data-code', 'E_CHALLENGE');
  await expect(pos.getByTestId('verdict-reason')).toContainText('was cancelled: nothing was taken');
  await shot(pos, 'cancelled-sale-verdict');

  // The holder says the shop did not take it: signed, not confirmed, set aside and explained.
  await wallet.getByTestId('not-accepted').click();
  await expect(wallet.getByTestId('not-confirmed')).toContainText('Signed, not confirmed by the shop');
  await expect(wallet.getByTestId('not-confirmed')).toContainText('Reclaim');
  await shot(wallet, 'wallet-not-confirmed');
  await wallet.getByRole('button', { name: 'Back' }).click();
  await expect(wallet.getByTestId('set-aside')).toContainText('€2.00 signed, not confirmed by the shop');
  await expect(wallet.getByTestId('balance')).toContainText('€8.00');
  await expect(wallet.getByTestId('ticket-unconfirmed')).toContainText('€2.00');
});

test('a payment leaves the wallet as a link, and the POS reads a #m= link opened on it', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const shop = await newShop(request, `kiosk-${uniq()}`, 'Kiosk');
  const pos = await openPos(browser, baseURL!, shop);
  const phone = await browser.newContext({ viewport: { width: 420, height: 860 } });
  const wallet = await phone.newPage();
  await openWallet(wallet, request, [500]);

  await charge(pos, 'EUR', '1.20');
  // The POS's challenge link, opened on the phone (no camera needed either way).
  await wallet.goto((await pos.getByTestId('challenge-link').getAttribute('href'))!);
  await wallet.getByTestId('confirm-pay').click();
  await expect(wallet.getByTestId('share-payment')).toBeVisible();
  const link = (await wallet.getByTestId('payment-link').getAttribute('href'))!;
  expect(link).toMatch(/\/pos\/#m=/);

  // Opened on the terminal already showing the sale (hashchange): the verdict, and the link off the address.
  await pos.goto(link);
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
  await expect(pos.getByTestId('verdict-amount')).toHaveText('€1.20');
  await expect(pos).toHaveURL(/\/pos\/$/);
  await pos.getByTestId('verdict-done').click();

  // Opened again on a terminal just started (read on load): recognised as the sale already paid.
  const context = pos.context();
  await pos.close(); // its tab held the POS; the next one takes it
  const again = await context.newPage();
  await again.goto(link);
  await expect(again.getByTestId('verdict')).toHaveAttribute('data-sale', 'paid');
});

test('journey: a day at the café: issued, received, three payments offline, the bag delivered, collected and owed', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const shop = await newShop(request, `cafe-${uniq()}`, 'Café du Coin');
  // The holder's phone: a new wallet, whose Receive link goes to the issuer.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const wallet = await phone.newPage();
  await fakeCamera(wallet);
  await wallet.goto('/wallet/');
  await wallet.getByTestId('create-wallet').click();
  await wallet.getByRole('button', { name: 'Receive' }).click();
  const holderLink = (await wallet.getByTestId('holder-link').getAttribute('href'))!;
  await wallet.getByRole('button', { name: 'Back' }).click();

  // The issuer's desk opens that link, issues €10.00; the phone opens the ticket's link.
  const desk = await browser.newPage();
  await login(desk, `/issuer/${new URL(holderLink).hash}`, demo().issuer.token);
  await expect(desk.getByTestId('holder')).toBeVisible();
  await desk.getByLabel('Face').fill('10.00');
  await desk.getByRole('button', { name: 'Issue' }).click();
  await wallet.goto((await desk.getByTestId('ticket-link').getAttribute('href'))!);
  await expect(wallet.getByTestId('balance')).toContainText('€10.00');

  // Three sales with the network cut on both sides.
  const pos = await openPos(browser, baseURL!, shop);
  await pos.context().setOffline(true);
  await phone.setOffline(true);
  for (const price of ['2.50', '3.20', '1.80']) {
    await charge(pos, 'EUR', price);
    await pay(pos, wallet);
    await expect(pos.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
    if (price === '2.50') {
      await shot(wallet, 'wallet-paying');
      await shot(pos, 'pos-verdict');
    }
    await wallet.getByTestId('accepted').click();
    await pos.getByTestId('verdict-done').click();
  }
  await expect(wallet.getByTestId('balance')).toContainText('€2.50');
  await pos.getByTestId('tab-history').click();
  await expect(pos.getByTestId('day-totals')).toHaveText('€7.50');

  // Evening: the bag is closed and leaves once the network is back.
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  await expect(pos.getByTestId('outbox-state')).toHaveAttribute('data-state', 'offline');
  await pos.context().setOffline(false);
  await expect(pos.getByTestId('report')).toContainText('3 accepted, 0 rejected', { timeout: 30_000 });

  // The collector's page shows the café's bag; the issuer's page what the café is owed.
  await login(desk, '/collector/', demo().collector.token);
  const bag = desk.getByTestId('bags').locator('details').filter({ hasText: shop.id });
  await expect(bag).toContainText('3 accepted');
  await expect(bag).toContainText('€7.50');
  await shot(desk, 'collector-report');
  await desk.goto('/issuer/'); // logged in since the morning (the token is kept for the tab)
  await expect(async () => {
    await desk.getByRole('button', { name: 'Refresh' }).click();
    await expect(desk.getByTestId('owed').getByRole('row').filter({ hasText: shop.id })).toContainText(
      '€7.50',
      {
        timeout: 1000,
      },
    );
  }).toPass({ timeout: 30_000 });
});

test('journey: admission: an ADMIT ticket of 2 lets a visitor through the gate twice; the third time it is refused, with the reason', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const gate = await openPos(browser, baseURL!, await newShop(request, `museum-${uniq()}`, 'Museum gate'));
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const wallet = await phone.newPage();
  await openWallet(wallet, request, [2], 'ADMIT');
  for (let visit = 1; visit <= 2; visit++) {
    await charge(gate, 'ADMIT', '1');
    await pay(gate, wallet);
    await expect(gate.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
    await expect(gate.getByTestId('verdict-amount')).toHaveText('1 ADMIT');
    await wallet.getByTestId('accepted').click();
    await gate.getByTestId('verdict-done').click();
  }
  // The third visit: the wallet says why before signing anything; the gate takes nothing.
  await charge(gate, 'ADMIT', '1');
  await wallet.getByTestId('pay').click();
  await relay(gate.getByTestId('qr'), wallet, wallet.getByTestId('error'));
  await expect(wallet.getByTestId('error')).toContainText('Nothing left: the shop asks 1 ADMIT');
  await expect(wallet.getByTestId('confirm-pay')).toHaveCount(0);
  await expect(gate.getByTestId('deal')).toBeVisible();
  await shot(wallet, 'admission-refused');
});
