// A bag delivered by hand: the POS, offline, exports a closed bag as a file; the collector's operator imports
// it on the collector page; when the POS is back online its own delivery gets the same answer (a retry).
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { challengeOnScreen, charge, demo, newShop, openPos, SimWallet, showPayment } from './support.ts';

test('a bag exported by an offline POS is handed in on the collector page, then delivered as a retry', async ({
  browser,
  request,
  baseURL,
}) => {
  const shop = await newShop(request, `stall-${Math.random().toString(36).slice(2, 8)}`, 'Market Stall');
  const pos = await openPos(browser, baseURL!, shop);
  const wallet = new SimWallet(request);
  const ticket = await wallet.ticket({ face: 500 });

  await pos.context().setOffline(true);
  await charge(pos, 'EUR', '3.20');
  const payment = await wallet.pay((await challengeOnScreen(pos)).challenge, [{ ticket, amount: 320 }]);
  await expect(await showPayment(pos, payment)).toHaveAttribute('data-verdict', 'accepted');
  await pos.getByTestId('verdict-done').click();
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  const [download] = await Promise.all([pos.waitForEvent('download'), pos.getByTestId('export').click()]);
  const file = await download.path();
  expect(readFileSync(file, 'utf8').trim()).toMatch(/^[A-Za-z0-9_-]+$/); // one line of text form

  // The operator, with the collector's token only, imports the file.
  const page = await browser.newPage();
  await page.goto('/collector/');
  await page.getByLabel('Operator token').fill(demo().collector.token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByLabel('Bag file').setInputFiles(file);
  await expect(page.getByTestId('bag-summary')).toContainText(shop.id);
  await page.getByRole('button', { name: /Collect this bag/ }).click();
  const imported = page.getByTestId('import-result');
  await expect(imported).toContainText('1 accepted');
  await expect(imported).toContainText('€3.20');

  // Back online, the POS delivers the same bag by itself: the collector answers as before (a retry), and the
  // POS keeps the report.
  await pos.context().setOffline(false);
  const report = pos.getByTestId('report');
  await expect(report).toContainText('1 accepted, 0 rejected', { timeout: 30_000 });
  await expect(report).toContainText('€3.20');
});
