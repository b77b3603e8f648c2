// The POS holds accepted payments until they are delivered: it asks the browser for persistent storage, and
// says so on screen when the browser refuses.
import { expect, test } from '@playwright/test';
import { fakeCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { newShop, pairLink } from './support.ts';

for (const granted of [false, true])
  test(`asks for persistent storage (${granted ? 'granted: no warning' : 'refused: says so'})`, async ({
    browser,
    baseURL,
    request,
  }) => {
    const shop = await newShop(request, `persist-${granted}`, 'Persist Shop');
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The browser's answer, decided here: the POS's own call is what is tested.
    await context.addInitScript((grant) => {
      const asked: string[] = [];
      Object.assign(window, { persistAsked: asked });
      const storage = navigator.storage;
      storage.persisted = async () => false;
      storage.persist = async () => {
        asked.push('persist');
        return grant;
      };
    }, granted);
    const page = await context.newPage();
    await fakeCamera(page);
    await page.goto(pairLink(baseURL!, shop.id, shop.token));
    await page.getByTestId('terminal').fill('pos-1');
    await page.getByTestId('pair-submit').click();
    await expect(page.getByTestId('charge')).toBeVisible();
    expect(
      await page.evaluate(() => (window as unknown as { persistAsked: string[] }).persistAsked),
    ).toContain('persist');
    if (granted) await expect(page.getByTestId('storage-refused')).toHaveCount(0);
    else await expect(page.getByTestId('storage-refused')).toContainText('refused persistent storage');
    await context.close();
  });
