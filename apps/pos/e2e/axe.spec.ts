// Every main screen of the four apps and the landing page: no axe-core violation of impact serious or
// critical, one main landmark and one h1 (issue 13).
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { readQr } from '../../../packages/qr/e2e-support/pixels.ts';
import { demo, login } from '../../collector/e2e/helpers.ts';
import { charge, newShop, openPos, openWallet, pairingCode, revokeTerminal, uniq } from './support.ts';

async function screen(page: Page, name: string) {
  await expect(page.locator('main'), `${name}: one main landmark`).toHaveCount(1);
  await expect(page.locator('h1'), `${name}: one h1`).toHaveCount(1);
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `${name}: axe violations`).toEqual([]);
}

test('the landing page, the collector and the issuer pages', async ({ page }) => {
  await page.goto('/');
  await screen(page, 'landing');
  // Its codes open the wallet and the POS (on this machine's network address when opened as localhost).
  const url = async (id: string) =>
    new TextDecoder().decode(await readQr(page.getByTestId(id).getByTestId('qr')));
  expect(await url('open-wallet')).toMatch(/^http:\/\/[^/]+\/wallet\/$/);
  expect(await url('open-pos')).toMatch(/^http:\/\/[^/]+\/pos\/$/);
  await expect(page.locator('link[rel=icon]')).toHaveCount(1);
  await page.goto('/collector/');
  await screen(page, 'collector login');
  await login(page, '/collector/', demo().collector.token);
  await screen(page, 'collector');
  await page.goto('/issuer/');
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await screen(page, 'issuer login');
  await login(page, '/issuer/', demo().issuer.token);
  await screen(page, 'issuer');
});

test('the wallet’s screens', async ({ browser, request }) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const wallet = await phone.newPage();
  await wallet.goto('/wallet/');
  await screen(wallet, 'wallet setup');
  await openWallet(wallet, request, [1000]);
  await screen(wallet, 'wallet home');
  await wallet.getByRole('button', { name: 'Receive' }).click();
  await screen(wallet, 'wallet receive');
  await wallet.getByRole('button', { name: 'Back' }).click();
  await wallet.getByRole('button', { name: 'History' }).click();
  await screen(wallet, 'wallet history');
  await wallet.getByRole('button', { name: 'Back' }).click();
  await wallet.getByRole('button', { name: 'More' }).click();
  await screen(wallet, 'wallet more');
  await expect(wallet.getByLabel('Backup file')).toBeAttached();
});

test('the POS’s screens, and the wallet paying it', async ({ browser, request, baseURL }) => {
  test.setTimeout(90_000);
  const tablet = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const fresh = await tablet.newPage();
  await fresh.goto('/pos/');
  await screen(fresh, 'pos pairing');
  await tablet.close();
  // Paired by a one-time code, so that its terminal can be revoked at the end.
  const shop = await newShop(request, `axe-${uniq()}`, 'Axe café');
  const { link } = await pairingCode(request, shop.id, baseURL!);
  const pos = await openPos(browser, baseURL!, shop, 'Till', undefined, undefined, link);
  await screen(pos, 'pos charge');
  await charge(pos, 'EUR', '1.50');
  await pos.getByText('Paste a payment instead').click();
  await screen(pos, 'pos deal');
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const wallet = await phone.newPage();
  await openWallet(wallet, request, [1000]);
  await wallet.goto((await pos.getByTestId('challenge-link').getAttribute('href'))!);
  await expect(wallet.getByTestId('confirm')).toBeVisible();
  await screen(wallet, 'wallet confirm');
  await wallet.getByTestId('confirm-pay').click();
  await expect(wallet.getByTestId('paid')).toBeVisible();
  await screen(wallet, 'wallet paid');
  await pos.goto((await wallet.getByTestId('payment-link').getAttribute('href'))!);
  await expect(pos.getByTestId('verdict')).toBeVisible();
  await screen(pos, 'pos verdict');
  await pos.getByTestId('verdict-done').click();
  for (const tab of ['bags', 'history', 'settings']) {
    await pos.getByTestId(`tab-${tab}`).click();
    await screen(pos, `pos ${tab}`);
  }
  await revokeTerminal(request, shop.id, (await pos.getByTestId('terminal-id').textContent())!);
  await pos.getByTestId('sync-now').click();
  await expect(pos.getByTestId('pair-again')).toBeVisible();
  await screen(pos, 'pos pair again');
});
