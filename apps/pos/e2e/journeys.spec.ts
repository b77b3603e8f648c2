// Journeys of issue 13 between the real wallet and the real POS (each device its own context, cameras fed
// the other app's real QR pixels): the cancelled sale, and a payment handed over as a link.
import { expect, test } from '@playwright/test';
import { cancelSale, charge, newShop, openPos, openWallet, relay, shot, uniq } from './support.ts';

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
