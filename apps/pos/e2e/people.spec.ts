// What a cashier hits (issue 13): the keypad says why a key is not taken and asks above the shop's amount;
// a bag's delivery state as it changes, and no "send now" while offline.
import { expect, test } from '@playwright/test';
import { challengeOnScreen, newShop, openPos, SimWallet, showPayment, uniq } from './support.ts';

test('the keypad says why a key is not taken, and asks to confirm above the amount the shop set', async ({
  browser,
  request,
  baseURL,
}) => {
  const pos = await openPos(browser, baseURL!, await newShop(request, `shoe-${uniq()}`, 'Shoes'));
  const key = (k: string) => pos.getByTestId(`key-${k}`).click();
  for (const k of '1.234') await key(k);
  await expect(pos.getByTestId('amount')).toHaveText('€1.23');
  await expect(pos.getByTestId('keypad-hint')).toHaveText('At most 2 digits after the point.');
  await key('.');
  await expect(pos.getByTestId('keypad-hint')).toHaveText('The amount has a decimal point already.');
  await key('⌫');
  await expect(pos.getByTestId('keypad-hint')).toBeEmpty();
  await pos.keyboard.press('Escape');
  for (const k of '1000000') await key(k);
  await expect(pos.getByTestId('amount')).toHaveText('€100,000.00');
  await expect(pos.getByTestId('keypad-hint')).toContainText('The most one sale can ask is');

  // Above the shop's amount (€100.00 unless set): asked once more, then charged.
  await pos.keyboard.press('Escape');
  for (const k of '250') await key(k);
  await pos.getByTestId('charge-button').click();
  await expect(pos.getByTestId('confirm-amount')).toContainText('€250.00 is more than €100.00');
  await expect(pos.getByTestId('deal')).toHaveCount(0);
  // The shop sets its own amount in Terminal: €300.00 charges €250.00 without asking.
  await pos.getByTestId('tab-settings').click();
  await pos.getByTestId('limit-EUR').fill('300.00');
  await pos.getByTestId('tab-charge').click();
  for (const k of '250') await key(k);
  await pos.getByTestId('charge-button').click();
  await expect(pos.getByTestId('deal')).toBeVisible();
});

test('a bag closed offline says it waits for the network, offers no "send now", and is sent when back', async ({
  browser,
  request,
  baseURL,
}) => {
  const pos = await openPos(browser, baseURL!, await newShop(request, `tea-${uniq()}`, 'Tea'));
  const wallet = new SimWallet(request);
  const ticket = await wallet.ticket({ face: 500 });
  await pos.context().setOffline(true);
  await pos.getByTestId('key-2').click();
  await pos.getByTestId('charge-button').click();
  const { challenge } = await challengeOnScreen(pos);
  const v = await showPayment(pos, await wallet.pay(challenge, [{ ticket, amount: 200 }]));
  await expect(v).toHaveAttribute('data-verdict', 'accepted');
  await pos.getByTestId('verdict-done').click();
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  await expect(pos.getByTestId('outbox-state')).toHaveAttribute('data-state', 'offline');
  await expect(pos.getByTestId('outbox-state')).toContainText('sent by itself when the network is back');
  await expect(pos.getByTestId('deliver-now')).toHaveCount(0);
  await expect(pos.getByTestId('outbox-count')).toHaveText('1 to send');
  await pos.context().setOffline(false);
  await expect(pos.getByTestId('report')).toContainText('1 accepted', { timeout: 30_000 });
  await expect(pos.getByTestId('outbox-count')).toHaveText('All sent');
});

test('in a German browser the cashier reads German, amounts and dates formatted the German way', async ({
  browser,
  request,
  baseURL,
}) => {
  const shop = await newShop(request, `baeckerei-${uniq()}`, 'Bäckerei');
  const pos = await openPos(browser, baseURL!, shop, 'kasse-1', 'de-DE');
  await expect(pos.locator('html')).toHaveAttribute('lang', 'de');
  await expect(pos.getByTestId('tab-charge')).toHaveText('Kassieren');
  await expect(pos.getByTestId('online')).toHaveText('Online');
  await expect(pos.getByTestId('outbox-count')).toHaveText('Alles gesendet');
  for (const k of '2.505') await pos.getByTestId(`key-${k}`).click();
  await expect(pos.getByTestId('amount')).toHaveText('2,50\u00a0€');
  await expect(pos.getByTestId('keypad-hint')).toHaveText('Höchstens 2 Stellen nach dem Komma.');
  await expect(pos.getByTestId('charge-button')).toHaveText('2,50\u00a0€ kassieren');
  await pos.getByTestId('charge-button').click();
  await expect(pos.getByTestId('expires')).toContainText('Läuft ab in');
  await pos.getByTestId('cancel').click();
  await expect(pos.getByTestId('cancel-warning')).toContainText(
    'Hat der Kunde schon auf dem Telefon bestätigt?',
  );
  await pos.getByTestId('cancel-confirm').click();
  await expect(pos.getByTestId('charge')).toBeVisible();
});
