// Pairing as at the counter: the pairing link the service gives a new shop, shown as a QR code the way
// packages/qr's QrText draws it (the collector page's code), in front of the POS's camera.
import { qrMatrix, rasterize } from '@moneybag/qr';
import { expect, test } from '@playwright/test';
import { PNG } from 'pngjs';
import { codesRead, fakeCamera, readAgain, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { newShop } from './support.ts';

const uniq = () => Math.random().toString(36).slice(2, 8);

/** A text as QrText shows it (the same matrix), painted as a PNG. */
function textPng(text: string, scale = 4): Buffer {
  const { data, width, height } = rasterize(qrMatrix(text), scale);
  const png = new PNG({ width, height });
  png.data = Buffer.from(data);
  return PNG.sync.write(png);
}

test('pairs by scanning the pairing code with its camera, then takes numbers from the collector', async ({
  browser,
  request,
  baseURL,
}) => {
  const shop = await newShop(request, `bakery-${uniq()}`, 'Bakery');
  expect(shop.pairing).toContain('#pair=');
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const pos = await context.newPage();
  await fakeCamera(pos);
  await pos.goto(`${baseURL}/pos/`);
  await expect(pos.getByTestId('pair-camera')).toBeVisible();
  await expect(pos.getByTestId('pair-submit')).toBeDisabled();

  // Another code first (not a pairing link), read in 3 frames: ignored, the camera keeps looking.
  const seen = await codesRead(pos);
  await showOnCamera(pos, textPng('https://example.com/menu'));
  await readAgain(pos, seen);
  await expect(pos.getByTestId('pair-camera')).toBeVisible();
  await expect(pos.getByTestId('pair-shop')).toHaveCount(0);
  await showOnCamera(pos, textPng(shop.pairing));
  await expect(pos.getByTestId('pair-shop')).toContainText(shop.id, { timeout: 20_000 });
  await expect(pos.getByTestId('pair-camera')).toHaveCount(0); // the camera is off once the link is read

  await pos.getByTestId('terminal').fill('till-2');
  await pos.getByTestId('pair-submit').click();
  await expect(pos.getByTestId('shop-label')).toHaveText('Bakery');
  await expect(pos.getByTestId('stock-count')).toHaveAttribute('data-stock', /^[1-9]/);
  await pos.getByTestId('tab-settings').click();
  await expect(pos.getByTestId('terminal-id')).toHaveText('till-2');
  await context.close();
});
