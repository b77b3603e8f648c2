// A revoked tablet paired again from its own screen (issue 13's follow-up): it takes a payment, the operator
// revokes it on the collector's page while a sale is on screen (paid still), its next contact is refused and it
// says so, keeping the undelivered bag; the operator makes a new code, the tablet scans it (its camera fed the
// page's real QR pixels) and is a new terminal; the old bag is delivered under the new token, and new payments
// are taken under the new terminal. Paired again to another shop, the old bag is refused, and offered as a file.
import { expect, type Page, test } from '@playwright/test';
import { clearCamera, fakeCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { demo, login } from '../../collector/e2e/helpers.ts';
import {
  challengeOnScreen,
  charge,
  newShop,
  openPos,
  pairingCode,
  revokeTerminal,
  SimWallet,
  shot,
  showPayment,
  uniq,
} from './support.ts';

/** The collector page's "Pair a POS" for the shop: the code's QR pixels, as a tablet's camera sees them. */
async function codeOnPage(desk: Page, id: string): Promise<Buffer> {
  const terminals = desk.getByTestId('terminals');
  await terminals.getByRole('button', { name: `Pair a POS for ${id}` }).click();
  const pairing = terminals.getByTestId('pairing');
  await expect(pairing).toContainText('It pairs one terminal, once');
  return pairing.getByTestId('qr').screenshot();
}

/** Scan the code with the tablet's camera and pair; the camera is then taken away. */
async function scanAndPair(tablet: Page, qr: Buffer, id: string) {
  await showOnCamera(tablet, qr);
  await expect(tablet.getByTestId('pair-shop')).toContainText(`Shop ${id}`, { timeout: 20_000 });
  await clearCamera(tablet);
  await tablet.getByTestId('pair-submit').click();
  await expect(tablet.getByTestId('charge')).toBeVisible();
  await expect(tablet.getByTestId('stock-count')).toHaveAttribute('data-stock', /^[1-9]/);
  await expect(tablet.getByTestId('shop-label')).toHaveText(`Deli ${id}`);
}

/** A sale of `typed` euros paid by a wallet's payment QR shown to the tablet's camera. */
async function sale(tablet: Page, wallet: SimWallet, typed: string, cents: number) {
  const ticket = await wallet.ticket({ face: 1000 });
  await charge(tablet, 'EUR', typed);
  const { challenge } = await challengeOnScreen(tablet);
  const verdict = await showPayment(tablet, await wallet.pay(challenge, [{ ticket, amount: cents }]));
  await expect(verdict).toHaveAttribute('data-verdict', 'accepted');
  await expect(verdict).toHaveAttribute('data-saved', 'saved');
  await tablet.getByTestId('verdict-done').click();
}

test('journey: a revoked tablet pairs again from its own screen; its undelivered bag is sent, new payments go under the new terminal', async ({
  browser,
  request,
}) => {
  test.setTimeout(150_000);
  const id = `deli-${uniq()}`;
  const shop = await newShop(request, id, `Deli ${id}`);
  const desk = await (
    await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 2 })
  ).newPage();
  await login(desk, '/collector/', demo().collector.token);
  await desk.getByTestId('shops').getByRole('button', { name: id, exact: true }).click();

  // An empty tablet scans the first code and takes a payment: it stays in the open bag, undelivered.
  const tablet = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  await fakeCamera(tablet);
  await tablet.goto('/pos/');
  await scanAndPair(tablet, await codeOnPage(desk, id), id);
  const wallet = new SimWallet(request);
  await sale(tablet, wallet, '2.50', 250);
  await expect(tablet.getByTestId('outbox-count')).toHaveText('All sent');
  await tablet.getByTestId('tab-settings').click();
  await expect(tablet.getByTestId('terminal-id')).toHaveText('pos-1');

  // A second sale is on screen when the operator revokes pos-1.
  await tablet.getByTestId('tab-charge').click();
  const ticket = await wallet.ticket({ face: 1000 });
  await charge(tablet, 'EUR', '1.50');
  const { challenge } = await challengeOnScreen(tablet);
  const first = desk.getByTestId('terminal-pos-1');
  desk.once('dialog', (d) => d.accept());
  await first.getByRole('button', { name: 'Revoke pos-1' }).click();
  await expect(first).toContainText('revoked');

  // The tablet's next contact (the network back: at once) is refused; the sale on screen can still be paid.
  await tablet.context().setOffline(true);
  await tablet.context().setOffline(false);
  await expect(tablet.getByTestId('warnings')).toContainText('finish this sale, then pair it again');
  const verdict = await showPayment(tablet, await wallet.pay(challenge, [{ ticket, amount: 150 }]));
  await expect(verdict).toHaveAttribute('data-verdict', 'accepted');
  await expect(verdict).toHaveAttribute('data-saved', 'saved');
  await tablet.getByTestId('verdict-done').click();

  // Then it says why, closes the bag and keeps it, and offers to pair again.
  const again = tablet.getByTestId('pair-again');
  await expect(tablet.getByRole('heading', { level: 1 })).toHaveText('Pair this terminal again');
  await expect(again.getByTestId('error')).toHaveAttribute('data-code', 'E_AUTH');
  await expect(again).toContainText('The collector no longer accepts this terminal (pos-1)');
  await expect(again).toContainText('the collector revoked this terminal (pos-1');
  await expect(again.getByTestId('kept')).toHaveAttribute('data-count', '1');
  await expect(again.getByTestId('kept')).toContainText('1 bag (€4.00)');
  // Meanwhile the bag can leave as a file.
  const download = tablet.waitForEvent('download');
  await again.getByTestId('kept-export').click();
  expect((await download).suggestedFilename()).toMatch(/^bag-[0-9a-f]{64}\.moneybag\.txt$/);
  await expect(tablet.getByTestId('pair-camera')).toBeVisible();
  await shot(tablet, 'pos-pair-again');

  // A new code from the page, scanned on the revoked tablet's own screen: it is pos-2 now.
  await scanAndPair(tablet, await codeOnPage(desk, id), id);
  await tablet.getByTestId('tab-settings').click();
  await expect(tablet.getByTestId('terminal-id')).toHaveText('pos-2');
  await expect(desk.getByTestId('terminals').getByTestId('pairing-done')).toContainText('Paired: pos-2', {
    timeout: 10_000,
  });

  // The old bag, made under pos-1's number, is delivered with pos-2's token; the collector has it.
  await tablet.getByTestId('tab-bags').click();
  const old = tablet.getByTestId('delivered').getByTestId('bag-delivered');
  await expect(old).toHaveCount(1, { timeout: 30_000 });
  await expect(old.getByTestId('report')).toContainText('2 accepted, 0 rejected');
  await expect(old.getByTestId('report')).toContainText('€4.00');
  const digest = (await old.getAttribute('data-digest'))!;
  const answer = await request.get(`/v1/bags/${digest}`, {
    headers: { Authorization: `Bearer ${shop.token}` },
  });
  expect(answer.status()).toBe(200);
  expect((await answer.json()).totals).toEqual({ EUR: 400 });

  // New payments are taken under pos-2, and delivered.
  await tablet.getByTestId('tab-charge').click();
  await sale(tablet, wallet, '4', 400);
  await tablet.getByTestId('tab-bags').click();
  await tablet.getByTestId('close-bag').click();
  await expect(tablet.getByTestId('delivered').getByTestId('bag-delivered')).toHaveCount(2, {
    timeout: 30_000,
  });
  await expect(tablet.getByTestId('outbox-count')).toHaveText('All sent');
  await shot(tablet, 'pos-paired-again-bags');
});

test('paired again to another shop, the old bag is refused by the collector: it says why and who made it, and offers its file', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const linkOf = async (shop: { id: string }) => (await pairingCode(request, shop.id, baseURL!)).link;
  const [before, after] = await Promise.all([
    newShop(request, `old-${uniq()}`, 'Old Deli'),
    newShop(request, `new-${uniq()}`, 'New Deli'),
  ]);
  const tablet = await openPos(browser, baseURL!, before, 'Till', undefined, undefined, await linkOf(before));
  await sale(tablet, new SimWallet(request), '3', 300);
  await revokeTerminal(request, before.id, 'pos-1');
  await tablet.getByTestId('tab-settings').click();
  await tablet.getByTestId('sync-now').click();
  await expect(tablet.getByTestId('pair-again').getByTestId('kept')).toContainText('1 bag (€3.00)');

  // The new shop's code, its link opened in the tab the POS runs in: the old bag is the old shop's, which the
  // collector takes only from it.
  await tablet.evaluate(
    (link) => {
      location.href = link;
    },
    await linkOf(after),
  );
  await expect(tablet.getByTestId('pair-shop')).toContainText(after.id);
  await tablet.getByTestId('pair-submit').click();
  await expect(tablet.getByTestId('shop-label')).toHaveText('New Deli');
  await tablet.getByTestId('tab-bags').click();
  const refused = tablet.getByTestId('bag-refused');
  await expect(refused.getByTestId('refusal')).toContainText('E_UNKNOWN_BAG', { timeout: 30_000 });
  await expect(refused.getByTestId('refusal')).toContainText('This bag number was not given to this shop.');
  await expect(refused.getByTestId('made-under')).toContainText(`Made by terminal pos-1 of ${before.id}`);
  const download = tablet.waitForEvent('download');
  await refused.getByRole('button', { name: 'Export as a file' }).click();
  expect((await download).suggestedFilename()).toMatch(/^bag-[0-9a-f]{64}\.moneybag\.txt$/);
});
