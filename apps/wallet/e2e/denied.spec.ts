// The wallet tells its holder when its issuer blocks it (journey 4's end, issue 13): a ticket of this wallet
// spent twice (signed here with the wallet's own portable key, as a restored older backup would), settled by
// the real issuer, which puts the key on its deny list; the wallet reads the list and says what happened.
import { decode, readContent, seedSigner, toBase64url } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import {
  addShopOverHttp,
  allocateOverHttp,
  demo,
  issueOverHttp,
  makeBag,
  postBag,
} from '../../collector/e2e/helpers.ts';

test('a wallet whose ticket was spent twice is told it is blocked, and why', async ({ page, request }) => {
  const { issuer, collector } = demo();
  await page.goto('/wallet/');
  await page.getByRole('radio', { name: /With a backup/ }).check();
  await page.getByTestId('create-wallet').click();
  await expect(page.getByTestId('pay')).toBeVisible();
  await expect(page.getByTestId('denied')).toHaveCount(0);
  // The portable key's seed, as a backup carries it.
  const seed = await page.evaluate(
    () =>
      new Promise<number[]>((ok, ko) => {
        const r = indexedDB.open('moneybag-wallet');
        r.onerror = () => ko(r.error);
        r.onsuccess = () => {
          const get = r.result.transaction('meta').objectStore('meta').get('key');
          get.onsuccess = () => ok([...(get.result.seed as Uint8Array)]);
        };
      }),
  );
  const signer = seedSigner(new Uint8Array(seed));
  await page.getByRole('button', { name: 'Receive' }).click();
  const href = (await page.getByTestId('holder-link').getAttribute('href'))!;
  expect(toBase64url(decode(readContent(href), 'HolderKey').holder)).toBe(toBase64url(signer.publicKey));

  // 4 and then 3 of a face of 5, in two bags: the issuer settles the first and denies the holder.
  const shop = await addShopOverHttp(request, collector);
  const ticket = await issueOverHttp(request, issuer, signer.publicKey, 'ADMIT', 5);
  for (const amount of [4, 3]) {
    const bag = await makeBag(await allocateOverHttp(request, shop), shop.id, [{ ticket, amount, signer }]);
    expect((await postBag(request, shop, bag)).status).toBe(200);
  }
  await expect(async () => {
    const list = (await (await request.get(`/v1/denylist?issuer=${issuer.id}`)).json()) as {
      holders: string[];
    };
    expect(list.holders).toContain(toBase64url(signer.publicKey));
  }).toPass({ timeout: 30_000 });

  // Opened again online: the wallet says it is blocked, by whom and why.
  await page.goto('/wallet/');
  await expect(page.getByTestId('denied')).toContainText(`This wallet is blocked by ${issuer.id}`);
  await expect(page.getByTestId('denied')).toContainText('spent twice');
});
