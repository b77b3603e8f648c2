// Bags posted over HTTP reach the issuer through the collector's outbox: the issuer's page shows what it
// owes each shop, and an overspent ticket as an incident blaming the holder, with the proof and the deny list.
import { formatAmount, toBase64url } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import {
  addShopOverHttp,
  allocateOverHttp,
  auth,
  demo,
  issueOverHttp,
  login,
  makeBag,
  newHolder,
  postBag,
} from './helpers.ts';

test('settlement: owed per shop and unit, an overspending with its proof, the holder denied', async ({
  page,
  request,
}) => {
  const { issuer, collector } = demo();
  const shop = await addShopOverHttp(request, collector);
  const wallet = newHolder('Mallory');
  const holder = toBase64url(wallet.signer.publicKey);
  const ticket = await issueOverHttp(request, issuer, wallet.signer.publicKey, 'ADMIT', 5);

  // Two bags on two roots spend 4 and then 3 of a face of 5: each passes the collector (it cannot see
  // across bags); the issuer settles the first and refuses the second, blaming the holder. (The second bag
  // is posted once the first one's Return was settled: Returns sent at once settle in either order.)
  const digests: string[] = [];
  for (const amount of [4, 3]) {
    const a = await allocateOverHttp(request, shop);
    const bag = await makeBag(a, shop.id, [{ ticket, amount, signer: wallet.signer }]);
    const posted = await postBag(request, shop, bag);
    expect(posted.status).toBe(200);
    expect(posted.body.accepted).toBe(1);
    digests.push(posted.body.digest as string);
    await expect(async () => {
      const res = await request.get('/v1/admin/collector/outbox', {
        headers: auth(collector.token),
      });
      const rows = (await res.json()).outbox as { origin: string; state: string }[];
      expect(rows.find((r) => r.origin === posted.body.digest)?.state).toBe('delivered');
    }).toPass({ timeout: 30_000 });
  }

  // The collector's outbox delivers both Returns.
  await login(page, '/collector/', collector.token);
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    for (const digest of digests) {
      const row = page
        .getByTestId('outbox')
        .getByRole('row')
        .filter({ hasText: digest.slice(0, 16) });
      await expect(row).toContainText('delivered', { timeout: 1000 });
    }
  }).toPass({ timeout: 30_000 });
  const refused = page
    .getByTestId('outbox')
    .getByRole('row')
    .filter({ hasText: digests[1].slice(0, 16) });
  await expect(refused).toContainText('E_OVERSPENT');
  await expect(refused).toContainText('blame holder');

  await login(page, '/issuer/', issuer.token);
  const owed = page.getByTestId('owed').getByRole('row').filter({ hasText: shop.id });
  await expect(owed).toContainText(formatAmount(4, 'ADMIT'));

  const incident = page
    .getByTestId('incidents')
    .locator('.incident')
    .filter({ hasText: holder.slice(0, 12) });
  await expect(incident).toHaveCount(1);
  await expect(incident).toContainText('E_OVERSPENT');
  await expect(incident).toContainText('blame: holder');
  // The proof: the refused use of 3 and the settled use of 4, each with the holder's signature.
  const proof = incident.locator('tbody tr');
  await expect(proof).toHaveCount(2);
  await expect(proof.nth(0)).toContainText('refused');
  await expect(proof.nth(0)).toContainText(formatAmount(3, 'ADMIT'));
  await expect(proof.nth(1)).toContainText('settled');
  await expect(proof.nth(1)).toContainText(formatAmount(4, 'ADMIT'));

  await expect(page.getByTestId('denylist')).toContainText(holder);
  // What is left of the ticket: 1 of 5 (the refused use took nothing).
  await expect(
    page
      .getByTestId('tickets')
      .locator(`tr[data-serial]`)
      .filter({ hasText: holder.slice(0, 12) }),
  ).toContainText(formatAmount(1, 'ADMIT'));
});
