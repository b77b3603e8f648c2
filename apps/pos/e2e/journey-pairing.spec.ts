// Journey 7 of issue 13: a tablet with an empty browser pairs by scanning the pairing code on the collector's
// page (the camera fed that page's real QR pixels); the same code scanned again by a second tablet is refused,
// saying why; a new code, typed, pairs it. The collector's page lists both with when each was last seen, and
// revokes one.
import { expect, type Page, test } from '@playwright/test';
import { fakeCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { demo, login } from '../../collector/e2e/helpers.ts';
import { shot, uniq } from './support.ts';

/** A tablet in its own browser context, nothing stored: the pairing screen with its camera on. */
async function emptyTablet(browser: import('@playwright/test').Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  await fakeCamera(page);
  await page.goto('/pos/');
  await expect(page.getByTestId('pair-camera')).toBeVisible();
  return page;
}

test('journey: pairing from an empty browser by scanning the collector page’s code; the same code again is refused', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const id = `deli-${uniq()}`;

  // The operator adds the shop on the collector's page: a one-time code, as a QR, valid once.
  // A desk screen of 2 device pixels per CSS pixel: the link's dense code stays sharp for a 640x480 camera.
  const desk = await (
    await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 })
  ).newPage();
  await login(desk, '/collector/', demo().collector.token);
  await desk.getByLabel('Shop id').fill(id);
  await desk.getByLabel('Name').fill('Corner Deli');
  await desk.getByRole('button', { name: 'Add' }).click();
  const pairing = desk.getByTestId('pairing');
  await expect(pairing.getByRole('heading')).toContainText(id);
  await expect(pairing).toContainText('It pairs one terminal, once');
  const code = (await pairing.getByTestId('pairing-code').textContent())!;
  expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  // The code's pixels as the tablets' cameras see them (the second one holds up a photo of it later).
  const qr = await pairing.getByTestId('qr').screenshot();
  await shot(desk, 'collector-pairing-code');

  // The first tablet scans it, is named by the service, and is ready to charge.
  const tablet = await emptyTablet(browser);
  await showOnCamera(tablet, qr);
  await expect(tablet.getByTestId('pair-shop')).toContainText(id, { timeout: 20_000 });
  await expect(tablet.getByTestId('pair-once')).toContainText('pairs one terminal, once');
  await tablet.getByTestId('terminal').fill('Front counter');
  await tablet.getByTestId('pair-submit').click();
  await expect(tablet.getByTestId('charge')).toBeVisible();
  await expect(tablet.getByTestId('shop-label')).toHaveText('Corner Deli');
  await expect(tablet.getByTestId('stock-count')).toHaveAttribute('data-stock', /^[1-9]/);
  await tablet.getByTestId('tab-settings').click();
  await expect(tablet.getByTestId('terminal-id')).toHaveText('pos-1');
  await shot(tablet, 'pos-paired');

  // The collector's page sees the code used: the QR is gone, the terminal listed and seen.
  await expect(desk.getByTestId('pairing-done')).toContainText('Paired: pos-1 (Front counter)', {
    timeout: 10_000,
  });
  await expect(pairing.getByTestId('qr')).toHaveCount(0);

  // A second tablet scans the same code: refused, saying why, and it stays unpaired.
  const second = await emptyTablet(browser);
  await showOnCamera(second, qr);
  await expect(second.getByTestId('pair-shop')).toContainText(id, { timeout: 20_000 });
  await second.getByTestId('pair-submit').click();
  const refusal = second.getByTestId('error');
  await expect(refusal).toContainText('This pairing code was used already (it paired pos-1');
  await expect(refusal).toContainText('make a new one');
  await expect(refusal).toHaveAttribute('data-code', 'E_AUTH');
  await expect(second.getByTestId('pair')).toBeVisible();
  await shot(second, 'pos-pairing-refused');

  // The operator opens the shop: pos-1 listed, paired and seen (it took numbers); a new code for the second
  // tablet, read off the page and typed on it.
  const row = desk.getByTestId('shops').getByRole('row').filter({ hasText: id }).first();
  await row.getByRole('button', { name: id }).click();
  const terminals = desk.getByTestId('terminals');
  const first = desk.getByTestId('terminal-pos-1');
  await expect(first).toContainText('Front counter');
  await expect(first.locator('td').nth(2)).not.toHaveText('not yet');
  await expect(terminals.locator('tbody tr')).toHaveCount(1);
  await terminals.getByRole('button', { name: `Pair a POS for ${id}` }).click();
  const typed = (await terminals.getByTestId('pairing-code').textContent())!;
  expect(typed).not.toBe(code);
  await second.getByTestId('pair-link').fill('');
  await second.getByText('Or type the service and the pairing code').click();
  await second.getByTestId('pair-code').fill(typed.toLowerCase());
  await expect(second.getByTestId('pair-shop')).toContainText('The shop of this code');
  await second.getByTestId('pair-submit').click();
  await expect(second.getByTestId('shop-label')).toHaveText('Corner Deli');
  await second.getByTestId('tab-settings').click();
  await expect(second.getByTestId('terminal-id')).toHaveText('pos-2');
  await expect(terminals.getByTestId('pairing-done')).toContainText('Paired: pos-2', { timeout: 10_000 });
  await expect(terminals.locator('tbody tr')).toHaveCount(2);

  // Revoke stops one terminal; the other stays.
  desk.once('dialog', (d) => d.accept());
  await first.getByRole('button', { name: 'Revoke pos-1' }).click();
  await expect(first).toContainText('revoked');
  await expect(
    desk.getByTestId('terminal-pos-2').getByRole('button', { name: 'Revoke pos-2' }),
  ).toBeVisible();
  await shot(desk, 'collector-terminals');
  // The revoked tablet's next contact is refused, and it says why, offering to pair again (journey-pair-again).
  await tablet.getByTestId('sync-now').click();
  await expect(tablet.getByTestId('pair-again')).toContainText('the collector revoked this terminal (pos-1');
});
