// Journey 6 of issue 13: offline all day. The POS is paired and the wallet holds its ticket (each installed as
// a real user would, online); the next morning both open with the network cut, from their first load (their
// service workers serve them), take three payments by camera, and the closed bag waits in the POS's outbox,
// saying so, until the network returns: then it leaves by itself, the POS shows it delivered and the
// collector has it.
import { expect, type Page, test } from '@playwright/test';
import { fakeCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { login } from '../../collector/e2e/helpers.ts';
import { demo, newShop, openPos, openWallet, sell, shot, uniq } from './support.ts';

/** Once the service worker has precached the app and controls the page: it opens with no network. */
async function installed(page: Page) {
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
}

/** Whether the page can reach the service at all (not its cache: a fresh URL each time). */
const reaches = (page: Page) =>
  page.evaluate(() =>
    fetch(`/v1/health?probe=${Math.random()}`, { cache: 'no-store' }).then(
      () => true,
      () => false,
    ),
  );

test('journey: offline all day: POS and wallet open with no network, take payments, and the bag leaves when the network returns', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const shop = await newShop(request, `bakery-${uniq()}`, 'Village Bakery');

  // The day before, online: the tablet paired, the phone given €10.00; both apps installed.
  let pos = await openPos(browser, baseURL!, shop);
  await installed(pos);
  const tablet = pos.context();
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  let wallet = await phone.newPage();
  await openWallet(wallet, request, [1000]);
  await installed(wallet);
  await pos.close();
  await wallet.close();

  // The morning: no network, from the first load on.
  await tablet.setOffline(true);
  await phone.setOffline(true);
  pos = await tablet.newPage();
  await fakeCamera(pos);
  await pos.goto('/pos/');
  await expect(pos.getByTestId('charge')).toBeVisible();
  await expect(pos.getByTestId('online')).toHaveText('Offline');
  await expect(pos.getByTestId('stock-count')).toHaveAttribute('data-stock', /^[1-9]/);
  expect(await reaches(pos)).toBe(false);
  wallet = await phone.newPage();
  await fakeCamera(wallet);
  await wallet.goto('/wallet/');
  await expect(wallet.getByTestId('balance')).toContainText('€10.00');
  expect(await reaches(wallet)).toBe(false);

  for (const price of ['1.20', '2.40', '0.90']) await sell(pos, wallet, 'EUR', price);
  await expect(wallet.getByTestId('balance')).toContainText('€5.50');
  await shot(wallet, 'offline-wallet');
  await pos.getByTestId('tab-history').click();
  await expect(pos.getByTestId('day-totals')).toHaveText('€4.50');

  // Closing time: the bag waits in the outbox, and says so; nothing offers to send it while offline.
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  const state = pos.getByTestId('outbox-state');
  await expect(state).toHaveAttribute('data-state', 'offline');
  await expect(state).toContainText('sent by itself when the network is back');
  await expect(pos.getByTestId('deliver-now')).toHaveCount(0);
  // Offline says it all: no failed attempts to count, no browser's error text.
  const card = pos.getByTestId('bag-closed');
  await expect(card).not.toContainText('attempt');
  await expect(card).not.toContainText('Failed to fetch');
  await shot(pos, 'offline-outbox');

  // The network returns: the bag leaves by itself, the POS shows the collector's answer.
  await tablet.setOffline(false);
  await phone.setOffline(false);
  await expect(pos.getByTestId('online')).toHaveText('Online');
  const report = pos.getByTestId('report');
  await expect(report).toContainText('3 accepted, 0 rejected', { timeout: 30_000 });
  await expect(report).toContainText('€4.50');
  await expect(state).toHaveCount(0);
  await shot(pos, 'offline-delivered');

  const desk = await browser.newPage();
  await login(desk, '/collector/', demo().collector.token);
  const bag = desk.getByTestId('bags').locator('details').filter({ hasText: shop.id });
  await expect(bag).toContainText('3 accepted');
  await expect(bag).toContainText('€4.50');
});
