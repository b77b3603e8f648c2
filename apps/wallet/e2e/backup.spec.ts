// The encrypted backup as a person uses it: save the file from one phone, restore it on another.
import { expect, test } from '@playwright/test';
import { holderOf, issue, openLink, restoreBackup, saveBackup } from './helpers.ts';

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

  const file = await saveBackup(phone, 'correct horse battery');

  // Another phone: a fresh browser, the wallet restored from the file.
  const other = await (await browser.newContext()).newPage();
  await restoreBackup(other, file, 'wrong passphrase');
  await expect(other.getByRole('alert')).toBeVisible(); // a wrong passphrase restores nothing
  await other.getByPlaceholder('Passphrase').fill('correct horse battery');
  await other.getByRole('button', { name: 'Restore' }).click();
  await expect(other.getByTestId('balance').first()).toContainText('€10.00');
  // The same key: the restored wallet receives a ticket bound to the first phone's key.
  expect(Buffer.from(await holderOf(other))).toEqual(Buffer.from(holder));
});
