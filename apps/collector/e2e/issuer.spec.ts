// The issuer's page against the real service: log in, issue a ticket to a pasted HolderKey, check it.
import { decode, fromText, nobleVerifier, readContent, verifyReceivedTicket } from '@moneybag/protocol';
import { qrMatrix, rasterize } from '@moneybag/qr';
import { expect, test } from '@playwright/test';
import { fakeCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { demo, login, newHolder, readQr, wellKnown } from './helpers.ts';

test('a wrong token is refused with its code and nothing is kept', async ({ page }) => {
  await page.goto('/issuer/');
  await page.getByLabel('Operator token').fill('not-a-token');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('E_AUTH');
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
});

test('the token is kept for the tab; one the service does not know sends back to the login', async ({
  page,
}) => {
  const { issuer } = demo();
  await login(page, '/issuer/', issuer.token);
  await page.reload();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.getByTestId('tickets')).toBeVisible();

  await page.evaluate(() => sessionStorage.setItem('moneybag.issuer.token', 'revoked'));
  await page.reload();
  await expect(page.getByLabel('Operator token')).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('E_AUTH');
  expect(await page.evaluate(() => sessionStorage.getItem('moneybag.issuer.token'))).toBeNull();

  // The collector's token is not the issuer's.
  await page.getByLabel('Operator token').fill(demo().collector.token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('E_FORBIDDEN');
});

test('issues a ticket to a pasted HolderKey; the QR and the link carry a ticket that verifies', async ({
  page,
  request,
}) => {
  const { issuer } = demo();
  const { issuers } = await wellKnown(request);
  const wallet = newHolder('Alice');
  await login(page, '/issuer/', issuer.token);

  // A pasted link works as well as a bare text form (the QR reader rule of 4.1).
  await page.getByLabel(/paste the wallet/).fill(`https://wallet.example/wallet/#m=${wallet.holderKey}`);
  await page.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByTestId('holder')).toContainText('Alice');

  await page.getByLabel('Unit').selectOption('EUR');
  await page.getByLabel('Face').fill('12.50');
  await page.getByRole('button', { name: 'Issue' }).click();
  const issued = page.getByTestId('issued');
  await expect(issued).toBeVisible();

  const ctx = { issuers, holder: wallet.signer.publicKey, verifier: nobleVerifier, now: Date.now() / 1000 };
  const link = (await page.getByTestId('ticket-link').getAttribute('href'))!;
  expect(link.startsWith(`${new URL(page.url()).origin}/wallet/#m=`)).toBe(true);
  const fromLink = await verifyReceivedTicket(readContent(link), ctx);
  expect(fromLink.issuer).toBe(issuer.id);
  expect(fromLink.unit).toBe('EUR');
  expect(fromLink.face).toBe(1250);

  // The big QR holds the same Ticket, raw.
  const fromQr = await verifyReceivedTicket(readContent(await readQr(issued.getByTestId('qr'))), ctx);
  expect(fromQr.C).toEqual(fromLink.C);

  // It is listed with all of its face left.
  await expect(page.getByTestId('tickets')).toContainText('€12.50');
});

test('a ticket in a count unit, and bad input refused without issuing', async ({ page, request }) => {
  const { issuer } = demo();
  const { issuers } = await wellKnown(request);
  const wallet = newHolder('Bob');
  await login(page, '/issuer/', issuer.token);

  await page.getByLabel(/paste the wallet/).fill('not a key');
  await page.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByRole('alert')).toContainText('E_FIELD');
  await expect(page.getByRole('button', { name: 'Issue' })).toBeDisabled();

  await page.getByLabel(/paste the wallet/).fill(wallet.holderKey);
  await page.getByRole('button', { name: 'Read' }).click();
  await expect(page.getByTestId('holder')).toContainText('Bob');
  await page.getByLabel('Unit').selectOption('RIDE');
  await page.getByLabel('Face').fill('2.5');
  await expect(page.getByRole('button', { name: 'Issue' })).toBeDisabled();
  await page.getByLabel('Face').fill('10');
  await page.getByRole('button', { name: 'Issue' }).click();

  const link = (await page.getByTestId('ticket-link').getAttribute('href'))!;
  const t = await verifyReceivedTicket(readContent(link), {
    issuers,
    holder: wallet.signer.publicKey,
    verifier: nobleVerifier,
    now: Date.now() / 1000,
  });
  expect([t.unit, t.face]).toEqual(['RIDE', 10]);
  expect(decode(readContent(link), 'Ticket').holder).toEqual(wallet.signer.publicKey);
});

test("scans the wallet's HolderKey QR with the camera and issues to it", async ({ page, request }) => {
  const { issuer } = demo();
  const { issuers } = await wellKnown(request);
  const wallet = newHolder('Carol');
  await fakeCamera(page);
  await login(page, '/issuer/', issuer.token);
  await page.getByRole('button', { name: /Scan the wallet/ }).click();
  await expect(page.getByTestId('scanner')).toBeVisible();

  // The wallet's QR: the raw HolderKey in byte mode, as real pixels in front of the camera.
  const { data, width, height } = rasterize(qrMatrix(fromText(wallet.holderKey)), 6);
  const png = await page.evaluate(
    ({ data, width, height }) => {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      canvas.getContext('2d')!.putImageData(new ImageData(Uint8ClampedArray.from(data), width, height), 0, 0);
      return canvas.toDataURL('image/png').split(',')[1];
    },
    { data: Array.from(data), width, height },
  );
  await showOnCamera(page, Buffer.from(png, 'base64'));
  await expect(page.getByTestId('holder')).toContainText('Carol', { timeout: 15_000 });
  await expect(page.getByTestId('scanner')).toHaveCount(0); // the camera stops once the key is read

  await page.getByLabel('Unit').selectOption('ADMIT');
  await page.getByLabel('Face').fill('3');
  await page.getByRole('button', { name: 'Issue' }).click();
  const link = (await page.getByTestId('ticket-link').getAttribute('href'))!;
  const t = await verifyReceivedTicket(readContent(link), {
    issuers,
    holder: wallet.signer.publicKey,
    verifier: nobleVerifier,
    now: Date.now() / 1000,
  });
  expect([t.unit, t.face]).toEqual(['ADMIT', 3]);
});
