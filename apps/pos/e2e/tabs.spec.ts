// One tab is the POS (a Web Lock): its verdicts come from its memory, so a second tab must not take payments
// beside it. The second tab says so and can take over; memory is then loaded afresh from IndexedDB.
import { expect, test } from '@playwright/test';
import { fakeCamera } from '../../../packages/qr/e2e-support/camera.ts';
import {
  cancelSale,
  challengeOnScreen,
  charge,
  newShop,
  openPos,
  SimWallet,
  showPayment,
} from './support.ts';

const uniq = () => Math.random().toString(36).slice(2, 8);

test('a second tab says the POS is open elsewhere, takes it over, and knows what the first accepted', async ({
  browser,
  request,
  baseURL,
}) => {
  const shop = await newShop(request, `deli-${uniq()}`, 'Deli');
  const first = await openPos(browser, baseURL!, shop);
  const wallet = new SimWallet(request);
  const ticket = await wallet.ticket({ face: 500 });

  await charge(first, 'EUR', '4');
  const paid = await wallet.pay((await challengeOnScreen(first)).challenge, [{ ticket, amount: 400 }]);
  const verdict = await showPayment(first, paid);
  await expect(verdict).toHaveAttribute('data-verdict', 'accepted');
  await expect(verdict).toHaveAttribute('data-saved', 'saved');
  await first.getByTestId('verdict-done').click();

  // The same POS opened in a second tab of the same browser.
  const second = await first.context().newPage();
  await fakeCamera(second);
  await second.goto(`${baseURL}/pos/`);
  await expect(second.getByTestId('other-tab')).toContainText('open in another tab');
  await expect(second.getByTestId('charge')).toHaveCount(0);

  await second.getByTestId('take-over').click();
  await expect(second.getByTestId('charge')).toBeVisible();
  await expect(first.getByTestId('other-tab')).toContainText('was opened in another tab');

  // The second tab's memory came from the database: the payment replayed is refused, the ticket's rest pays.
  await charge(second, 'EUR', '4');
  const replay = await showPayment(second, paid);
  await expect(replay).toHaveAttribute('data-code', 'E_CHALLENGE');
  await second.getByTestId('verdict-done').click();
  await cancelSale(second);
  await charge(second, 'EUR', '2');
  const over = await showPayment(
    second,
    await wallet.pay((await challengeOnScreen(second)).challenge, [{ ticket, amount: 200 }]),
  );
  await expect(over).toHaveAttribute('data-code', 'E_OVERSPENT');
  await second.getByTestId('verdict-done').click();
  await cancelSale(second);
  await charge(second, 'EUR', '1');
  const rest = await showPayment(
    second,
    await wallet.pay((await challengeOnScreen(second)).challenge, [{ ticket, amount: 100 }]),
  );
  await expect(rest).toHaveAttribute('data-verdict', 'accepted');
  await expect(rest).toHaveAttribute('data-saved', 'saved');
  await second.getByTestId('verdict-done').click();
  await second.getByTestId('tab-history').click();
  await expect(second.getByTestId('day-totals')).toHaveText('€5.00');

  // And back: the first tab takes the POS again.
  await first.getByTestId('take-over').click();
  await expect(first.getByTestId('charge')).toBeVisible();
  await expect(second.getByTestId('other-tab')).toBeVisible();
});
