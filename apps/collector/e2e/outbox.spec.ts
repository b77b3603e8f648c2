// A Return the issuer refuses shows on the collector page as 'needs attention' with the issuer's answer, and
// its Re-send button delivers it once the operator fixed the cause (here: the issuer's url, set wrong and then
// right in the service's database, as an operator's typo would be). A German page says the refusal in German.
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import {
  addShopOverHttp,
  allocateOverHttp,
  demo,
  issueOverHttp,
  login,
  makeBag,
  newHolder,
  postBag,
} from './helpers.ts';

test('a refused Return needs attention, and the Re-send button delivers it after the fix', async ({
  page,
  browser,
  request,
  baseURL,
}) => {
  const db = new pg.Client({
    host: join(process.env.MONEYBAG_E2E_DATA!, 'postgres'),
    port: 5432,
    user: 'postgres',
    database: 'postgres',
  });
  await db.connect();
  const setUrl = (url: string | null) =>
    db.query('UPDATE parties SET url = $1 WHERE id = $2', [url, demo().issuer.id]);
  try {
    await setUrl(`${baseURL}/typo`);
    const { issuer, collector } = demo();
    const shop = await addShopOverHttp(request, collector);
    const wallet = newHolder();
    const ticket = await issueOverHttp(request, issuer, wallet.signer.publicKey, 'EUR', 500);
    const a = await allocateOverHttp(request, shop);
    const posted = await postBag(
      request,
      shop,
      await makeBag(a, shop.id, [{ ticket, amount: 250, signer: wallet.signer }]),
    );
    expect(posted.body.accepted).toBe(1);

    await login(page, '/collector/', collector.token);
    const row = page
      .getByTestId('outbox')
      .getByRole('row')
      .filter({ hasText: (posted.body.digest as string).slice(0, 16) });
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(row).toContainText('needs attention', { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(row).toContainText('E_NOT_FOUND');
    await expect(row).toContainText('404 Not Found');
    await expect(row.getByTestId('issuer-refusal')).toContainText('no POST /typo/v1/returns');

    // A German page says the refusal in German with its code; the issuer's English sentence and the status line
    // only on the details line, once opened.
    const german = await browser.newContext({ locale: 'de-DE' });
    const dePage = await german.newPage();
    await dePage.goto('/collector/');
    await dePage.getByLabel('Betreiber-Token').fill(collector.token);
    await dePage.getByRole('button', { name: 'Anmelden' }).click();
    const deRow = dePage
      .getByTestId('outbox')
      .getByRole('row')
      .filter({ hasText: (posted.body.digest as string).slice(0, 16) });
    const refusal = deRow.getByTestId('issuer-refusal');
    await expect(refusal).toContainText('Der Herausgeber hat abgelehnt: Nicht gefunden.');
    await expect(refusal).toContainText('E_NOT_FOUND');
    // biome-ignore lint/performance/useDomNodeTextContent: the text on screen is what is checked
    const shown = await deRow.innerText();
    expect(shown).not.toContain('404 Not Found');
    expect(shown).not.toContain('/typo/');
    await refusal.getByTestId('error-detail').locator('summary').click();
    await expect(refusal.getByTestId('error-detail')).toContainText(
      'no POST /typo/v1/returns (404 Not Found)',
    );
    await german.close();

    await setUrl(null); // the issuer is this service itself
    await row.getByRole('button', { name: 'Re-send' }).click();
    await expect(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect(row).toContainText('delivered', { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(row).toContainText('1 settled');
  } finally {
    await setUrl(null);
    await db.end();
  }
});
