// The encrypted backup as a person uses it: save the file from one phone, restore it on another.
import { expect, test } from '@playwright/test';
import { holderOf, issue, openLink } from './helpers.ts';

test('a portable wallet saved to a backup file is restored on another phone, key and tickets', async ({
  browser,
  request,
}) => {
  const phone = await browser.newPage();
  await phone.goto('/wallet/');
  await phone.getByRole('radio', { name: /With a backup/ }).check();
  await phone.getByTestId('create-wallet').click();
  const holder = await holderOf(phone);
  await openLink(phone, await issue(request, holder, 1000));
  await expect(phone.getByTestId('balance').first()).toContainText('€10.00');

  await phone.getByRole('button', { name: 'More' }).click();
  await phone.getByPlaceholder('Passphrase (8 characters or more)').fill('correct horse battery');
  await phone.getByPlaceholder('The passphrase again').fill('correct horse battery');
  const [download] = await Promise.all([
    phone.waitForEvent('download'),
    phone.getByRole('button', { name: 'Save a backup file' }).click(),
  ]);
  const file = await download.path();

  // Another phone: a fresh browser, the wallet restored from the file.
  const other = await (await browser.newContext()).newPage();
  await other.goto('/wallet/');
  await other.getByRole('button', { name: 'I have a backup file: restore it' }).click();
  await other.locator('input[type=file]').setInputFiles(file);
  await other.getByPlaceholder('Passphrase').fill('wrong passphrase');
  await other.getByRole('checkbox').check();
  await other.getByRole('button', { name: 'Restore' }).click();
  await expect(other.getByRole('alert')).toBeVisible(); // a wrong passphrase restores nothing
  await other.getByPlaceholder('Passphrase').fill('correct horse battery');
  await other.getByRole('button', { name: 'Restore' }).click();
  await expect(other.getByTestId('balance').first()).toContainText('€10.00');
  // The same key: the restored wallet receives a ticket bound to the first phone's key.
  expect(Buffer.from(await holderOf(other))).toEqual(Buffer.from(holder));
});
