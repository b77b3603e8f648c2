// POS and wallet, the real apps, in two browser contexts: each one's camera is fed the other's QR pixels.
import { decode, readContent } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { clearCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import {
  cancelSale,
  charge,
  newShop,
  openPos,
  openWallet,
  pay,
  readQrPng,
  relay,
  shot,
  uniq,
} from './support.ts';

test('journey: the photographed payment: a full offline payment; shown again at the same POS and at another POS, refused; the bag is delivered', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const shop = await newShop(request, `deli-${uniq()}`, 'Deli');
  const pos = await openPos(browser, baseURL!, shop, 'pos-1');
  const other = await openPos(browser, baseURL!, shop, 'pos-2');
  const phone = await browser.newContext({ viewport: { width: 420, height: 860 } });
  const wallet = await phone.newPage();
  await openWallet(wallet, request, [1000]);

  await pos.context().setOffline(true);
  await phone.setOffline(true);
  await charge(pos, 'EUR', '4.50');
  const walletQr = await pay(pos, wallet);
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
  await expect(pos.getByTestId('verdict-amount')).toHaveText('€4.50');
  const paymentPng = await walletQr.screenshot();
  // What the wallet showed is a Payment for this shop.
  expect(decode(readContent(readQrPng(paymentPng)), 'Payment').shop).toBe(shop.id);
  await clearCamera(pos);
  await pos.getByTestId('verdict-done').click();

  // The same payment QR at the next sale (a photo of the phone): refused.
  await charge(pos, 'EUR', '4.50');
  await showOnCamera(pos, paymentPng);
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-code', 'E_CHALLENGE', { timeout: 20_000 });
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-sale', 'paid');
  await expect(pos.getByTestId('verdict-reason')).toContainText('already paid');
  await shot(pos, 'photographed-refused');
  await clearCamera(pos);
  await pos.getByTestId('verdict-done').click();
  await cancelSale(pos);

  // A second POS shown the payment made for the first: not its challenge.
  await charge(other, 'EUR', '4.50');
  await showOnCamera(other, paymentPng);
  await expect(other.getByTestId('verdict')).toHaveAttribute('data-code', 'E_CHALLENGE', { timeout: 20_000 });

  // Back online: the bag, closed by hand, is delivered to the real collector, and its report shown.
  await pos.context().setOffline(false);
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  await expect(pos.getByTestId('report')).toContainText('1 accepted, 0 rejected', { timeout: 30_000 });
  await expect(pos.getByTestId('report')).toContainText('€4.50');
});

test('a payment of three tickets arrives as a loop of Frames, with progress, and is accepted', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const shop = await newShop(request, `bar-${uniq()}`, 'Bar');
  const pos = await openPos(browser, baseURL!, shop);
  const phone = await browser.newContext({ viewport: { width: 420, height: 860 } });
  const wallet = await phone.newPage();
  await openWallet(wallet, request, [500, 500, 500]);

  await charge(pos, 'EUR', '12');
  await wallet.getByTestId('pay').click();
  await relay(pos.getByTestId('qr'), wallet, wallet.getByTestId('confirm'));
  await wallet.getByTestId('confirm-pay').click();
  const walletQr = wallet.getByTestId('payment-qr').getByTestId('qr');
  await expect(walletQr).toHaveAttribute('data-frames', /[2-9]/);
  await relay(walletQr, pos, pos.getByTestId('progress'));
  await relay(walletQr, pos, pos.getByTestId('verdict'));
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
  await expect(pos.getByTestId('verdict-amount')).toHaveText('€12.00');
  await expect(pos.getByTestId('verdict-tickets').locator('li')).toHaveCount(3);
});
