// End to end in Chromium: a QrCode on one page, its screenshot in front of the fake camera of another page,
// whose Scanner (camera, downscale, worker, jsQR, reader) must read back the very bytes.
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { build } from 'vite';
import {
  cameraTracks,
  codesRead,
  endCamera,
  failCamera,
  fakeCamera,
  readAgain,
  showOnCamera,
} from '../e2e-support/camera.ts';

const fixture = fileURLToPath(new URL('../fixture/', import.meta.url));
let dist = join(fixture, 'dist');
const ORIGIN = 'http://fixture.test';

interface MessageVector {
  description: string;
  hex: string;
}
const vectors = JSON.parse(readFileSync(new URL('../../../spec/vectors/v1.json', import.meta.url), 'utf8'));
const hexOf = (prefix: string): string =>
  (vectors.messages as MessageVector[]).find((m) => m.description.startsWith(prefix))!.hex;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  // One folder per worker: workers building at once must not empty each other's.
  dist = join(fixture, 'dist', `worker-${test.info().workerIndex}`);
  await build({ configFile: join(fixture, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dist } });
});

/** The fixture, served from its dist folder by the test itself: no server. */
async function serve(context: BrowserContext): Promise<void> {
  await context.route(`${ORIGIN}/**`, async (route) => {
    const path = normalize(new URL(route.request().url()).pathname);
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist)) return route.fulfill({ status: 403 });
    try {
      const body = readFileSync(file);
      const type = extname(file) === '.js' ? 'text/javascript' : 'text/html';
      await route.fulfill({ status: 200, body, contentType: type });
    } catch {
      await route.fulfill({ status: 404 });
    }
  });
}

async function pages(
  context: BrowserContext,
  show: string,
  camera?: { width: number; height: number },
): Promise<{ shown: Page; scanner: Page }> {
  await serve(context);
  const shown = await context.newPage();
  await shown.goto(`${ORIGIN}/#show=${show}`);
  const scanner = await context.newPage();
  await fakeCamera(scanner, camera);
  await scanner.goto(`${ORIGIN}/#scan`);
  return { shown, scanner };
}

test('a Payment shown as a QR code is read back by the Scanner through a camera', async ({ context }) => {
  const hex = hexOf('Payment k=2');
  const { shown, scanner } = await pages(context, hex);
  const qr = shown.getByTestId('qr');
  await expect(qr).toBeVisible();
  await expect(qr).not.toHaveAttribute('data-frames');
  await showOnCamera(scanner, await qr.screenshot());
  await expect(scanner.getByTestId('messages').locator('li')).toHaveText([hex], { timeout: 15_000 });
  await expect(scanner.getByTestId('errors')).toHaveText('');
  expect(scanner.workers().length).toBeGreaterThan(0); // decoded off the main thread
  // The camera keeps seeing the code (read in 3 more frames): still one message.
  await readAgain(scanner, await codesRead(scanner));
  await expect(scanner.getByTestId('messages').locator('li')).toHaveCount(1);
  // Pausing stops the camera tracks; resuming reads the code in view again.
  await scanner.getByRole('button', { name: 'Pause' }).click();
  await expect.poll(() => cameraTracks(scanner)).toMatchObject({ live: 0 });
  await scanner.getByRole('button', { name: 'Resume' }).click();
  await expect(scanner.getByTestId('messages').locator('li')).toHaveText([hex, hex], { timeout: 15_000 });
});

test('a message too long for one code loops as 2 frames and is reassembled with progress', async ({
  context,
}) => {
  const hex = hexOf('Payment k=3');
  const { shown, scanner } = await pages(context, hex);
  const qr = shown.getByTestId('qr');
  await expect(qr).toHaveAttribute('data-frames', '2');
  const read = scanner.getByTestId('messages').locator('li');
  // What a phone held up to the loop sees: whichever frame is showing, again and again.
  for (let i = 0; i < 60 && (await read.count()) === 0; i++) {
    await showOnCamera(scanner, await qr.screenshot());
    await scanner.waitForTimeout(150);
  }
  await expect(read).toHaveText([hex]);
  await expect(scanner.getByTestId('progress')).toHaveText('1/2 2/2');
});

test('a refused camera is explained in plain words; "Try again" recovers and reads a #m= link', async ({
  context,
}) => {
  const hex = hexOf('Challenge');
  const url = `https://shop.example/wallet/#m=${Buffer.from(hex, 'hex').toString('base64url')}`;
  await serve(context);
  const scanner = await context.newPage();
  await fakeCamera(scanner);
  await scanner.goto(`${ORIGIN}/`);
  await failCamera(scanner, 'NotAllowedError');
  await scanner.getByRole('button', { name: 'Pause' }).click();
  await scanner.getByRole('button', { name: 'Resume' }).click();
  await expect(scanner.getByTestId('camera-error')).toContainText('The camera is blocked');
  await failCamera(scanner, null);
  await scanner.getByRole('button', { name: 'Try again' }).click();
  await expect(scanner.getByTestId('camera-error')).toBeHidden();
  const shown = await context.newPage();
  await shown.goto(`${ORIGIN}/#text=${encodeURIComponent(url)}`);
  await showOnCamera(scanner, await shown.getByTestId('qr').screenshot());
  await expect(scanner.getByTestId('messages').locator('li')).toHaveText([hex], { timeout: 15_000 });
  // The camera taken away while scanning: said so, camera released, and "Try again" brings it back.
  await endCamera(scanner);
  await expect(scanner.getByTestId('camera-error')).toContainText('The camera stopped.');
  await expect.poll(() => cameraTracks(scanner)).toMatchObject({ live: 0 });
  await scanner.getByRole('button', { name: 'Try again' }).click();
  await expect(scanner.getByTestId('camera-error')).toBeHidden();
  await expect.poll(() => cameraTracks(scanner)).toMatchObject({ live: 1 });
});

test('a small dense code in a 1280x720 camera is read from the centre at full resolution', async ({
  context,
}) => {
  const hex = hexOf('Payment k=2'); // version 17: 85 modules and the quiet zone, 2 pixels each at size 186
  const { shown, scanner } = await pages(context, `${hex}&size=186`, { width: 1280, height: 720 });
  const qr = shown.getByTestId('qr');
  await expect(qr).toHaveAttribute('width', '186');
  // Downscaled whole (1.15 pixels a module) jsQR cannot read it; the centre crop (2 pixels) it can.
  await showOnCamera(scanner, await qr.screenshot());
  await expect(scanner.getByTestId('messages').locator('li')).toHaveText([hex], { timeout: 15_000 });
});
