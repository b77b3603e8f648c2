// The collector page lists direct payments with the date each was received (the admin answer carries
// receivedAt; it was missing, and the page showed "Invalid Date").
import { bodyOfUse, directChallengeOf, encode } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { demo, issueOverHttp, login, newHolder } from './helpers.ts';

test('lists a direct payment with its shop, amount and date', async ({ page, request }) => {
  const { issuer, collector, shops } = demo();
  const shop = shops[0].id;
  const { signer } = newHolder();
  const ticket = await issueOverHttp(request, issuer, signer.publicKey, 'EUR', 900);
  const time_ms = Date.now();
  const S = await signer.sign(bodyOfUse(345, ticket.C, shop, directChallengeOf(collector.id, time_ms)));
  const res = await request.post('/v1/direct', {
    headers: { 'content-type': 'application/vnd.moneybag' },
    data: Buffer.from(
      encode({ type: 'DirectPayment', collector: collector.id, shop, time_ms, ticket, amount: 345, S }),
    ),
  });
  expect(res.status(), await res.text()).toBe(200);

  await login(page, '/collector/', collector.token);
  const row = page.getByTestId('direct').locator('tr').filter({ hasText: '3.45' });
  await expect(row).toBeVisible();
  await expect(row).toContainText(shop);
  await expect(row).not.toContainText('Invalid Date');
  await expect(row).toContainText(String(new Date().getFullYear()));
});
