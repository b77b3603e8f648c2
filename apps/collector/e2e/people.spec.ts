// What a newcomer hits on the issuer's page (issue 13): the wallet's link, why "Issue" waits, one "valid until".
import { expect, test } from '@playwright/test';
import { demo, login } from './helpers.ts';

test('the wallet’s link fills in the holder, before the login and in a tab already logged in; the wallet reads the same "valid until"', async ({
  browser,
}) => {
  const { issuer } = demo();
  const phone = await browser.newPage();
  await phone.goto('/wallet/');
  await phone.getByTestId('create-wallet').click();
  await phone.getByRole('button', { name: 'Receive' }).click();
  const link = (await phone.getByTestId('holder-link').getAttribute('href'))!;
  const hash = new URL(link).hash;

  // Opened before logging in: the login first, then step 1 filled in.
  const desk = await browser.newPage();
  await desk.goto(`/issuer/${hash}`);
  await desk.getByLabel('Operator token').fill(issuer.token);
  await desk.getByRole('button', { name: 'Log in' }).click();
  await expect(desk.getByTestId('holder')).toBeVisible();
  await expect(desk).toHaveURL(/\/issuer\/$/); // taken off the address: a reload does not read it again

  // "Issue" says why it waits: a day already over.
  await desk.getByLabel('Valid through').fill('2020-01-01');
  await expect(desk.getByRole('button', { name: 'Issue' })).toBeDisabled();
  await expect(desk.getByTestId('issue-why')).toContainText('already over');
  await desk.getByLabel('Valid through').fill('2027-03-01');
  await expect(desk.getByTestId('issue-why')).toBeEmpty();

  // A tab already logged in, given the link again (a new hash): read too.
  const again = await browser.newPage();
  await login(again, '/issuer/', issuer.token);
  await expect(again.getByTestId('holder')).toHaveCount(0);
  await again.evaluate((h) => {
    location.hash = h;
  }, hash);
  await expect(again.getByTestId('holder')).toBeVisible();

  await desk.getByRole('button', { name: 'Issue' }).click();
  // The list of tickets names the wallet as it named itself, not by a key prefix.
  await expect(desk.getByTestId('tickets').getByRole('row').nth(1)).toContainText('My wallet');
  const until = await desk.getByTestId('issued-until').textContent();
  expect(until).toMatch(/2027/);
  await phone.goto((await desk.getByTestId('ticket-link').getAttribute('href'))!);
  await expect(phone.getByTestId('notice')).toContainText('Ticket received');
  await expect(phone.getByTestId('valid-until')).toHaveText(until!);
});
