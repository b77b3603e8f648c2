// POS and wallet, the real apps, in two browser contexts: each one's camera is fed the other's QR pixels.
import { decode, readContent } from '@moneybag/protocol';
import { type APIRequestContext, expect, type Locator, type Page, test } from '@playwright/test';
import { clearCamera, fakeCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { charge, issue, newShop, openPos, readQrPng } from './support.ts';

const uniq = () => Math.random().toString(36).slice(2, 8);

/** A phone with the wallet, a key made, and tickets from the real issuer opened by their links. */
async function openWallet(page: Page, request: APIRequestContext, faces: number[]) {
  await fakeCamera(page);
  await page.goto('/wallet/');
  await page.getByTestId('create-wallet').click();
  await expect(page.getByTestId('pay')).toBeVisible();
  await page.getByRole('button', { name: 'Receive' }).click();
  const href = await page.getByTestId('holder-link').getAttribute('href');
  await page.getByRole('button', { name: 'Back' }).click();
  const holder = decode(readContent(href!), 'HolderKey').holder;
  for (const face of faces) {
    await page.goto(`/wallet/#m=${await issue(request, holder, { face })}`);
    await expect(page.getByTestId('notice')).toContainText('Ticket received');
  }
}

/**
 * Show what `from` displays to `to`'s camera, screenshot after screenshot (a loop of Frames changes about
 * 4 times a second), until `until` is visible.
 */
async function relay(from: Locator, to: Page, until: Locator) {
  await expect(async () => {
    await showOnCamera(to, await from.screenshot());
    await expect(until).toBeVisible({ timeout: 400 });
  }).toPass({ timeout: 30_000, intervals: [0] });
}

/** The wallet pays what the POS shows: POS QR -> wallet camera, confirm, wallet QR -> POS camera. */
async function pay(pos: Page, wallet: Page) {
  await wallet.getByTestId('pay').click();
  await relay(pos.getByTestId('qr'), wallet, wallet.getByTestId('confirm'));
  await wallet.getByTestId('confirm-pay').click();
  const walletQr = wallet.getByTestId('payment-qr').getByTestId('qr');
  await expect(walletQr).toBeVisible();
  await relay(walletQr, pos, pos.getByTestId('verdict'));
  return walletQr;
}

test('a full offline payment between the two apps; its replay and a second POS are refused; the bag is delivered', async ({
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
  await clearCamera(pos);
  await pos.getByTestId('verdict-done').click();
  await pos.getByTestId('cancel').click();

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
