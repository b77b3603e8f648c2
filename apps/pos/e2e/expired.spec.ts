// Bug 3 of issue 13, its other half: a payment signed for a sale the POS let expire (its challenge's 120 s) and
// shown later is recognised as that sale, "nothing was taken", not a bare E_CHALLENGE.

import { toText } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { challengeOnScreen, charge, newShop, openPos, SimWallet, uniq } from './support.ts';

test('a payment for a sale that expired is recognised: nothing was taken', async ({
  browser,
  request,
  baseURL,
}) => {
  const pos = await openPos(browser, baseURL!, await newShop(request, `kiosk-${uniq()}`, 'Kiosk'));
  // The terminal's clock, driven by the test from here on (it runs on by itself meanwhile).
  await pos.clock.install();
  await pos.reload();
  await expect(pos.getByTestId('charge')).toBeVisible();
  const wallet = new SimWallet(request);
  const ticket = await wallet.ticket({ face: 500 });

  await charge(pos, 'EUR', '2.60');
  const { challenge } = await challengeOnScreen(pos);
  const late = await wallet.pay(challenge, [{ ticket, amount: 260 }]);
  // The customer's phone is slow to show its code: meanwhile the sale's challenge expires, and the screen says so.
  await pos.clock.fastForward('02:01');
  await expect(pos.getByTestId('deal')).toContainText('Expired');

  // Handed over as its text: under the test's clock the scanner did not read the fake camera (the camera path
  // of this check is journey 8's, the cancelled sale).
  await pos.getByText('Paste a payment instead').click();
  await pos.getByLabel('The payment’s text or link, as the wallet shares it').fill(toText(late));
  await pos.getByRole('button', { name: 'Check' }).click();
  const verdict = pos.getByTestId('verdict');
  await expect(verdict).toHaveAttribute('data-verdict', 'refused');
  await expect(verdict).toHaveAttribute('data-code', 'E_CHALLENGE');
  await expect(verdict).toHaveAttribute('data-sale', 'expired');
  await expect(pos.getByTestId('verdict-reason')).toContainText(
    'This sale (€2.60) was not completed in time: nothing was taken.',
  );
});
