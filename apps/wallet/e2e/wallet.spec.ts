// The wallet in Chromium against the real service: receive, pay by camera, reload, offline, two tabs.
import {
  checkPayment,
  decode,
  FrameReader,
  fromText,
  nobleVerifier,
  randomBytes,
  seedSigner,
} from '@moneybag/protocol';
import { expect, type Page, test } from '@playwright/test';
import { clearCamera, fakeCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import {
  challengeFor,
  demo,
  encodeChallenge,
  holderOf,
  issue,
  newWallet,
  openLink,
  posContext,
  qrPng,
  readQr,
  wellKnown,
} from './helpers.ts';

test.use({ viewport: { width: 360, height: 740 } });

const balance = (page: Page) => page.getByTestId('balance').first().locator('.balance');

test('receives a ticket from the real issuer; refuses one bound to another wallet', async ({
  page,
  request,
}) => {
  await newWallet(page);
  const holder = await holderOf(page);
  // The HolderKey QR decodes to this wallet's key.
  await page.getByRole('button', { name: 'Receive' }).click();
  const shown = decode(await readQr(page.getByTestId('holder-qr').getByTestId('qr')), 'HolderKey');
  expect(Buffer.from(shown.holder)).toEqual(Buffer.from(holder));

  await openLink(page, await issue(request, holder, 1000));
  await expect(page.getByTestId('notice')).toContainText('Ticket received: €10.00 from');
  await expect(balance(page)).toHaveText('€10.00');
  await page.reload();
  await expect(balance(page)).toHaveText('€10.00');
  await expect(page.getByTestId('expiry-warning')).toHaveCount(0);

  // A ticket close to its expiry is received with a warning to spend it.
  await openLink(
    page,
    await issue(request, holder, 100, { expires: Math.floor(Date.now() / 1000) + 2 * 86_400 }),
  );
  await expect(balance(page)).toHaveText('€11.00');
  await expect(page.getByTestId('expiry-warning')).toContainText('A ticket expires within');

  // A ticket the real issuer made for another wallet's key is refused, with the reason.
  const other = seedSigner(randomBytes(32)).publicKey;
  await openLink(page, await issue(request, other, 500));
  await expect(page.getByTestId('error')).toContainText('issued to another wallet');
  await expect(balance(page)).toHaveText('€11.00');
});

test('pays a challenge read by the camera; the payment QR decodes to a Payment the POS accepts', async ({
  page,
  request,
}) => {
  await fakeCamera(page);
  await newWallet(page);
  const holder = await holderOf(page);
  // The ticket too arrives by camera: its QR code on the Receive screen's scanner.
  const ticket = fromText(await issue(request, holder, 1000));
  await page.getByRole('button', { name: 'Receive' }).click();
  await page.getByRole('button', { name: 'Scan the ticket' }).click();
  await showOnCamera(page, qrPng(ticket));
  await expect(page.getByTestId('notice')).toContainText('Ticket received: €10.00');
  await expect(balance(page)).toHaveText('€10.00');
  await clearCamera(page);

  const c = challengeFor(450);
  await page.getByTestId('pay').click();
  await showOnCamera(page, qrPng(encodeChallenge(c)));
  await expect(page.getByTestId('shop')).toHaveText('Acme Coffee');
  await expect(page.getByTestId('amount')).toHaveText('€4.50');
  await expect(page.getByTestId('time-left')).toContainText('left to pay');
  await page.getByTestId('confirm-pay').click();

  const qr = page.getByTestId('payment-qr').getByTestId('qr');
  await expect(qr).toBeVisible();
  await expect(qr).not.toHaveAttribute('data-frames'); // one ticket: one QR code
  const payment = await readQr(qr);
  const { issuers } = await wellKnown(request);
  const verdict = await checkPayment(payment, { ...posContext(c, issuers), verifier: nobleVerifier });
  expect(verdict).toMatchObject({ ok: true, total: 450 });

  await page.getByRole('button', { name: 'Accepted by the shop' }).click();
  await expect(balance(page)).toHaveText('€5.50');
  await page.getByRole('button', { name: 'History' }).click();
  await expect(page.getByTestId('payment')).toContainText('Acme Coffee');
  await expect(page.getByTestId('payment')).toContainText('€4.50');
});

test('says why a payment cannot be made, before signing anything', async ({ page, request }) => {
  await newWallet(page);
  const holder = await holderOf(page);
  await openLink(page, await issue(request, holder, 300));
  await expect(balance(page)).toHaveText('€3.00');
  await openLink(page, encodeChallenge(challengeFor(301)));
  await expect(page.getByTestId('error')).toContainText(
    'the shop asks €3.01, your wallet has €3.00 to spend',
  );
  await openLink(page, encodeChallenge(challengeFor(5, { unit: 'RIDE' })));
  await expect(page.getByTestId('error')).toContainText('your wallet has no ticket in RIDE');
  await openLink(page, encodeChallenge(challengeFor(5, { expires: Math.floor(Date.now() / 1000) - 1 })));
  await expect(page.getByTestId('error')).toContainText('expired');
  await expect(balance(page)).toHaveText('€3.00');
  await page.getByRole('button', { name: 'History' }).click();
  await expect(page.getByTestId('payment')).toHaveCount(0);
});

test('a reload at each step loses nothing and never signs twice', async ({ page, request }) => {
  await newWallet(page);
  const holder = await holderOf(page);
  await openLink(page, await issue(request, holder, 500));
  await page.reload();
  await expect(balance(page)).toHaveText('€5.00');

  const c = challengeFor(400);
  await openLink(page, encodeChallenge(c));
  await expect(page.getByTestId('confirm')).toBeVisible();
  await page.reload(); // at the confirm step: still there, nothing spent
  await expect(page.getByTestId('amount')).toHaveText('€4.00');
  await page.getByTestId('confirm-pay').click();
  const qr = page.getByTestId('payment-qr').getByTestId('qr');
  const first = await readQr(qr);

  await page.reload(); // on the payment QR: the same payment, not signed again
  expect(Buffer.from(await readQr(qr))).toEqual(Buffer.from(first));
  await openLink(page, encodeChallenge(c)); // the same challenge again, from its link
  expect(Buffer.from(await readQr(qr))).toEqual(Buffer.from(first));
  await page.getByRole('button', { name: 'Accepted by the shop' }).click();
  await expect(balance(page)).toHaveText('€1.00');

  // A second challenge asking more than is left is refused: the ticket is never signed beyond its face.
  await openLink(page, encodeChallenge(challengeFor(400)));
  await expect(page.getByTestId('error')).toContainText('Not enough left');
  const journal = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((ok, ko) => {
      const r = indexedDB.open('moneybag-wallet');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => ko(r.error);
    });
    return new Promise<{ amount: number }[]>((ok) => {
      const r = db.transaction('journal').objectStore('journal').getAll();
      r.onsuccess = () => ok(r.result);
    });
  });
  expect(journal.map((j) => j.amount)).toEqual([400]);
});

test('two tickets make one QR code; three loop Frames that reassemble to a Payment the POS accepts', async ({
  page,
  request,
}) => {
  await newWallet(page);
  const holder = await holderOf(page);
  for (let i = 0; i < 4; i++) await openLink(page, await issue(request, holder, 200));
  await expect(balance(page)).toHaveText('€8.00');
  // Two tickets still fit one QR code.
  await openLink(page, encodeChallenge(challengeFor(300)));
  await page.getByTestId('confirm-pay').click();
  const two = page.getByTestId('payment-qr').getByTestId('qr');
  expect(decode(await readQr(two), 'Payment').items).toHaveLength(2);
  await expect(two).not.toHaveAttribute('data-frames');
  await page.getByRole('button', { name: 'Accepted by the shop' }).click();
  await expect(balance(page)).toHaveText('€5.00');

  const c = challengeFor(450);
  await openLink(page, encodeChallenge(c));
  await page.getByTestId('confirm-pay').click();
  const qr = page.getByTestId('payment-qr').getByTestId('qr');
  await expect(qr).toHaveAttribute('data-frames', /[2-9]/);
  const reader = new FrameReader();
  let payment: Uint8Array | undefined;
  for (let i = 0; i < 40 && !payment; i++) payment = reader.add(await readQr(qr));
  expect(payment).toBeDefined();
  expect(decode(payment!, 'Payment').items).toHaveLength(3);
  const { issuers } = await wellKnown(request);
  expect(await checkPayment(payment!, { ...posContext(c, issuers), verifier: nobleVerifier })).toMatchObject({
    ok: true,
    total: 450,
  });
});

test('works offline after the first load, and pays a POS with no network', async ({
  page,
  context,
  request,
}) => {
  await newWallet(page);
  const holder = await holderOf(page);
  await openLink(page, await issue(request, holder, 1000));
  await expect(balance(page)).toHaveText('€10.00');
  // Wait until the service worker has precached the app and controls the page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  const second = await issue(request, holder, 200); // handed over while the phone is offline
  await context.setOffline(true);
  await page.goto('/wallet/');
  await expect(balance(page)).toHaveText('€10.00');
  // The issuer's key was kept from the first load: a ticket is checked and received offline.
  await openLink(page, second);
  await expect(page.getByTestId('notice')).toContainText('Ticket received');
  await expect(balance(page)).toHaveText('€12.00');
  const c = challengeFor(250);
  await openLink(page, encodeChallenge(c));
  await page.getByTestId('confirm-pay').click();
  const payment = await readQr(page.getByTestId('payment-qr').getByTestId('qr'));
  await context.setOffline(false);
  const { issuers } = await wellKnown(request);
  expect(await checkPayment(payment, { ...posContext(c, issuers), verifier: nobleVerifier })).toMatchObject({
    ok: true,
  });
});

test('two tabs cannot both pay', async ({ page, context, request }) => {
  await newWallet(page);
  const holder = await holderOf(page);
  await openLink(page, await issue(request, holder, 500));
  await expect(balance(page)).toHaveText('€5.00');

  const second = await context.newPage();
  const c = challengeFor(400);
  await openLink(second, encodeChallenge(c));
  await expect(second.getByTestId('other-tab')).toBeVisible();
  await expect(second.getByTestId('confirm-pay')).toHaveCount(0);

  // The second tab takes the wallet over: the first one stops.
  await second.getByRole('button', { name: 'Use the wallet here' }).click();
  await expect(page.getByTestId('other-tab')).toBeVisible();
  await expect(second.getByTestId('confirm-pay')).toBeVisible();
  await second.getByTestId('confirm-pay').click();
  await expect(second.getByTestId('payment-qr')).toBeVisible();
  await second.getByRole('button', { name: 'Accepted by the shop' }).click();
  await expect(balance(second)).toHaveText('€1.00');
});

test('pays a shop online through the collector and keeps its receipt', async ({ page, request }) => {
  await newWallet(page);
  const holder = await holderOf(page);
  await openLink(page, await issue(request, holder, 1000));
  await page.getByRole('button', { name: 'More' }).click();
  const form = page.getByTestId('pay-online');
  await form.getByLabel('Shop id').fill(demo().shops[0].id);
  await form.getByLabel('Amount').fill('2.50');
  await form.getByRole('button', { name: /Pay .* online/ }).click();
  await expect(page.getByTestId('notice')).toContainText('receipt is in your history');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(balance(page)).toHaveText('€7.50');
  await page.getByRole('button', { name: 'History' }).click();
  await expect(page.getByTestId('receipt')).toContainText('Receipt from');
});

test('in a German browser the holder reads German, amounts the German way', async ({ browser, request }) => {
  const page = await browser.newPage({ locale: 'de-DE' });
  await newWallet(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Wallet');
  await expect(page.getByTestId('pay')).toHaveText('Bezahlen');
  const holder = await holderOf(page);
  await openLink(page, await issue(request, holder, 300));
  await expect(balance(page)).toHaveText('3,00\u00a0€');
  await expect(page.getByTestId('ticket')).toContainText('3,00\u00a0€ übrig');
  await openLink(page, encodeChallenge(challengeFor(301)));
  await expect(page.getByTestId('error')).toContainText(
    'Nicht genug übrig: das Geschäft verlangt 3,01\u00a0€, deine Wallet hat 3,00\u00a0€ zum Ausgeben.',
  );
  await openLink(page, encodeChallenge(challengeFor(120)));
  await expect(page.getByTestId('confirm-pay')).toHaveText('1,20\u00a0€ bezahlen');
});
