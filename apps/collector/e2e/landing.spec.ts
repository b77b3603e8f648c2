// The landing page of the demo (issue 13): one click into the issuer's and the collector's pages, logged in as
// the demo's operators (the service started by the tests is the demo), and a favicon.
import { expect, test } from '@playwright/test';

test('the landing page opens the issuer and collector pages of the demo in one click, logged in', async ({
  page,
  request,
}) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Moneybag');
  const icon = await page.locator('link[rel=icon]').getAttribute('href');
  expect((await request.get(icon!)).headers()['content-type']).toMatch(/^image\//);

  await page.getByTestId('demo-issuer').click();
  await expect(page).toHaveURL(/\/issuer\/$/);
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
  await expect(page.getByLabel('Operator token')).toHaveCount(0);

  await page.goto('/');
  await page.getByTestId('demo-collector').click();
  await expect(page).toHaveURL(/\/collector\/$/);
  await expect(page.getByRole('heading', { name: 'Shops' })).toBeVisible();
  await expect(page.getByTestId('shops')).toContainText('acme-coffee');
});
