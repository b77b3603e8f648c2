// Issue 14's journey: a sale cancelled after the wallet signed; the ticket expires; once the issuer's horizon
// has passed, the wallet reclaims what no shop collected and shows the value back. Against a service of its
// own, started with a 1-second horizon.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toBase64url, toUrl } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { freePort, startService } from '../../../e2e/service.ts';
import { tempFolder } from '../../../test/tmp.ts';
import { challengeFor, encodeChallenge, holderOf } from './helpers.ts';

let origin: string;
let data: string;
let service: ChildProcess;

test.beforeAll(async () => {
  data = tempFolder('reclaim');
  const port = await freePort();
  origin = `http://127.0.0.1:${port}`;
  service = await startService(data, port, ['--horizon', '1']);
});
test.afterAll(() => {
  service?.kill();
});

test('journey: the cancelled sale given back: the ticket expires, the wallet reclaims what no shop collected', async ({
  page,
  request,
}) => {
  test.setTimeout(90_000);
  const issuer = JSON.parse(readFileSync(join(data, 'demo.json'), 'utf8')).issuer as { token: string };
  await page.goto(`${origin}/wallet/`);
  await page.getByTestId('create-wallet').click();
  const holder = await holderOf(page);

  // A €10.00 ticket valid a few seconds more: long enough to sign a sale the shop then cancels.
  const expires = Math.floor(Date.now() / 1000) + 10;
  const res = await request.post(`${origin}/v1/tickets`, {
    headers: { authorization: `Bearer ${issuer.token}` },
    data: { holder: toBase64url(holder), unit: 'EUR', face: 1000, expires },
  });
  expect(res.status(), await res.text()).toBe(200);
  await page.goto(`${origin}/wallet/#m=${((await res.json()) as { ticket: string }).ticket}`);
  await expect(page.getByTestId('balance')).toContainText('€10.00');
  await page.goto(toUrl(`${origin}/wallet/`, encodeChallenge(challengeFor(200))));
  await page.getByTestId('confirm-pay').click();
  await page.getByTestId('not-accepted').click();
  await expect(page.getByTestId('not-confirmed')).toContainText('Signed, not confirmed by the shop');

  // Expired, then past the horizon: the wallet offers Reclaim (until then it says from when).
  await page.getByRole('button', { name: 'Back' }).click();
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('reclaim')).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId('expired-ticket')).toContainText('€2.00 signed, not confirmed by the shop');
  // Tapped offline: signed and kept, sent by itself once the phone is back online.
  await page.context().setOffline(true);
  await page.getByTestId('reclaim').click();
  await expect(page.getByTestId('reclaim-pending')).toBeVisible();
  await expect(page.getByTestId('error')).toContainText('No network');
  await page.context().setOffline(false);

  // Nothing was collected of it: all €10.00 comes back, on a new ticket the issuer signed for this wallet.
  await expect(page.getByTestId('reclaimed')).toContainText('€10.00 came back');
  await expect(page.getByTestId('balance')).toContainText('€10.00');
  await expect(page.getByTestId('set-aside')).toHaveCount(0);
  await expect(page.getByTestId('expired-ticket')).toHaveAttribute('data-reclaim', 'done');
  await page.getByTestId('open-history').click();
  await expect(page.getByTestId('settled-by-reclaim')).toContainText('came back as a new ticket');
});
