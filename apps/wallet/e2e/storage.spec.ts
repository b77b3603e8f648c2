// A browser that will not open the wallet's storage (private mode, blocked site data): the wallet says so and
// what to do, instead of "Opening the wallet…" for ever.
import { expect, test } from '@playwright/test';

test('says why when its storage cannot be opened', async ({ browser }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    indexedDB.open = () => {
      throw new DOMException('site data is blocked', 'SecurityError');
    };
  });
  const page = await context.newPage();
  await page.goto('/wallet/');
  await expect(page.getByTestId('open-failed')).toContainText('cannot open its storage');
  await expect(page.getByTestId('open-failed')).toContainText('site data is blocked');
  await context.close();
});
