// The collector's page against the real service: shops and pairing, bags and their reports, a hand-delivered bag.

import type { PairedJson, PairRequestJson } from '@moneybag/api';
import { decode, encode, fromBase64url, toBase64url, toText } from '@moneybag/protocol';
import { say } from '@moneybag/web';
import { expect, test } from '@playwright/test';
import {
  addShopOverHttp,
  allocateOverHttp,
  demo,
  issueOverHttp,
  login,
  makeBag,
  newHolder,
  postBag,
  readQr,
  wellKnown,
} from './helpers.ts';

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;

test('adds a shop: its pairing QR and link carry a one-time code that pairs one terminal of that shop', async ({
  page,
  request,
}) => {
  const { collector } = demo();
  await login(page, '/collector/', collector.token);
  const id = unique('shop');
  // Not an id of section 2: nothing to send.
  await page.getByLabel('Shop id').fill('Corner Bakery');
  await expect(page.getByRole('button', { name: 'Add' })).toBeDisabled();
  await page.getByLabel('Shop id').fill(id);
  await page.getByLabel('Name').fill('Corner Bakery');
  await page.getByRole('button', { name: 'Add' }).click();

  const pairing = page.getByTestId('pairing');
  await expect(pairing).toContainText(id);
  const link = (await page.getByTestId('pairing-link').getAttribute('href'))!;
  expect(link).toMatch(/^https?:\/\/[^/]+\/pos\/#pair=[A-Za-z0-9_-]+$/);
  const qrText = new TextDecoder().decode(await readQr(pairing.getByTestId('qr')));
  expect(qrText).toBe(link);

  const paired = JSON.parse(new TextDecoder().decode(fromBase64url(link.split('#pair=')[1]))) as {
    shop: string;
    code: string;
    token?: string;
  };
  expect(paired.shop).toBe(id);
  expect(paired.token).toBeUndefined(); // the page shows no long-lived token
  // Redeemed once (as the POS does) for a terminal's own token, which works for that shop; not twice.
  const redeem = () =>
    request.post('/v1/pairings', { data: { code: paired.code } satisfies PairRequestJson });
  const first = await redeem();
  expect(first.status(), await first.text()).toBe(200);
  const terminal = (await first.json()) as PairedJson;
  expect(terminal).toMatchObject({ shop: id, terminal: 'pos-1' });
  expect((await redeem()).status()).toBe(401);
  const a = await allocateOverHttp(request, { id, token: terminal.token });
  expect(a.to).toBe(id);
  await expect(page.getByTestId('pairing-done')).toContainText('Paired: pos-1');

  // Listed, with the allocation just made open.
  await page.getByRole('button', { name: 'Refresh' }).click();
  const row = page.getByTestId('shops').getByRole('row').filter({ hasText: id });
  await expect(row).toContainText('Corner Bakery');
  await expect(row.locator('td').nth(1)).toHaveText('1');
  // Its allocations: the root just allocated, open until its due time.
  await row.getByRole('button', { name: id }).click();
  const allocations = page.getByTestId('allocations');
  await expect(allocations.locator('tbody tr')).toHaveCount(1);
  await expect(allocations).toContainText(toBase64url(a.root).slice(0, 10));
  await expect(allocations).toContainText('open');
  // Its terminal, listed; one more POS for this shop: a new code in a new pairing link, and the first works on.
  await expect(page.getByTestId('terminal-pos-1')).toBeVisible();
  await page.getByRole('button', { name: `Pair a POS for ${id}` }).click();
  const second = (await page.getByTestId('shops').getByTestId('pairing-link').getAttribute('href'))!;
  expect(second).not.toBe(link);
  const { code: secondCode } = JSON.parse(new TextDecoder().decode(fromBase64url(second.split('#pair=')[1])));
  const again = await request.post('/v1/pairings', { data: { code: secondCode } satisfies PairRequestJson });
  const secondTerminal = (await again.json()) as PairedJson;
  expect(secondTerminal.terminal).toBe('pos-2');
  expect((await allocateOverHttp(request, { id, token: secondTerminal.token })).to).toBe(id);
  expect((await allocateOverHttp(request, { id, token: terminal.token })).to).toBe(id);

  // The same id again is refused, and the page says so.
  await page.getByLabel('Shop id').fill(id);
  await page.getByRole('button', { name: 'Add' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
});

test('a bag posted by a shop shows with its report: accepted, rejected with path, deal and code', async ({
  page,
  request,
}) => {
  const { issuer, collector, shops } = demo();
  const shop = shops[0];
  const wallet = newHolder();
  const ticket = await issueOverHttp(request, issuer, wallet.signer.publicKey, 'EUR', 2000);
  const a = await allocateOverHttp(request, shop);
  const bag = await makeBag(a, shop.id, [
    { ticket, amount: 450, signer: wallet.signer },
    { ticket, amount: 100, signer: wallet.signer, wrongChal: true },
  ]);
  const posted = await postBag(request, shop, bag);
  expect(posted.status).toBe(200);
  expect(posted.body.accepted).toBe(1);

  await login(page, '/collector/', collector.token);
  const card = page
    .getByTestId('bags')
    .locator('details')
    .filter({ hasText: posted.body.digest as string });
  await expect(card).toHaveCount(1);
  await card.locator('summary').click();
  await expect(card).toContainText('1 accepted');
  await expect(card).toContainText('1 rejected');
  await expect(card).toContainText('€4.50');
  const rejected = card.locator('table.rejected tbody tr');
  await expect(rejected).toHaveCount(1);
  await expect(rejected).toContainText('root');
  await expect(rejected.locator('td').nth(1)).toHaveText('2');
  await expect(rejected).toContainText('E_USE_SIGNATURE');
  await expect(rejected).toContainText(say({ code: 'E_USE_SIGNATURE' }).text); // in words, not the code's text

  // The shop's collected total counts the accepted use.
  await expect(page.getByTestId('shops').getByRole('row').filter({ hasText: shop.id })).toContainText('€');
  // Its allocation is now collected, with the bag's digest.
  await page.getByTestId('shops').getByRole('button', { name: shop.id, exact: true }).click();
  const collected = page
    .getByTestId('allocations')
    .getByRole('row')
    .filter({ hasText: toBase64url(a.root).slice(0, 10) });
  await expect(collected).toContainText('collected');
  await expect(collected).toContainText((posted.body.digest as string).slice(0, 10));
  // Its Return to the issuer is in the outbox.
  await expect(page.getByTestId('outbox')).toContainText(issuer.id);
});

test('imports a bag file: shows what it is, collects it for its shop, shows the report', async ({
  page,
  request,
}) => {
  const { issuer, collector, shops } = demo();
  const { collectors } = await wellKnown(request);
  expect(collectors.has(collector.id)).toBe(true);
  const shop = shops[0];
  const wallet = newHolder();
  const ticket = await issueOverHttp(request, issuer, wallet.signer.publicKey, 'RIDE', 10);
  const a = await allocateOverHttp(request, shop);
  const bag = await makeBag(a, shop.id, [
    { ticket, amount: 2, signer: wallet.signer },
    { ticket, amount: 3, signer: wallet.signer },
  ]);

  await login(page, '/collector/', collector.token);
  // Not a bag: refused with its code, nothing to collect.
  await page.getByLabel('or paste its text').fill('this is not a bag');
  await expect(page.getByRole('alert')).toContainText('E_FIELD');
  await expect(page.getByRole('button', { name: /Collect this bag/ })).toHaveCount(0);

  // The file a POS exported: one line of text form.
  await page.getByLabel('Bag file').setInputFiles({
    name: 'bag.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from(`${toText(bag)}\n`),
  });
  const summary = page.getByTestId('bag-summary');
  await expect(summary).toContainText(shop.id);
  await expect(summary).toContainText('5 RIDE');
  await page.getByRole('button', { name: /Collect this bag/ }).click();
  const report = page.getByTestId('import-result');
  await expect(report).toContainText('2 accepted');
  await expect(report).toContainText('0 rejected');
  await expect(report).toContainText('5 RIDE');
  // The claim before the check does not stay above the checked result.
  await expect(page.getByText('not yet checked')).toHaveCount(0);

  // The same bag again gets the same answer (a retry is not an error).
  const again = await postBag(request, shop, bag);
  expect(again.status).toBe(200);
  expect(again.body.accepted).toBe(2);

  // Another bag on the same root is E_BAG_REUSED, shown with its code.
  const other = await makeBag(a, shop.id, [{ ticket, amount: 1, signer: wallet.signer }]);
  await page.getByLabel('or paste its text').fill(toText(other));
  await page.getByRole('button', { name: /Collect this bag/ }).click();
  await expect(page.getByRole('alert')).toContainText('E_BAG_REUSED');
});

test('a bag file handed in by the operator alone is collected for the shop it names', async ({
  page,
  request,
}) => {
  const { issuer, collector, shops } = demo();
  const shop = shops[0];
  const wallet = newHolder();
  const ticket = await issueOverHttp(request, issuer, wallet.signer.publicKey, 'EUR', 500);
  const a = await allocateOverHttp(request, shop);
  const bag = await makeBag(a, shop.id, [{ ticket, amount: 120, signer: wallet.signer }]);
  // A bag that names a shop its root was not allocated to: E_UNKNOWN_BAG, even from the operator.
  const other = await addShopOverHttp(request, collector);
  const stray = encode({ ...decode(await makeBag(a, other.id, []), 'Bag'), to: other.id });

  await login(page, '/collector/', collector.token);
  await page.getByLabel('or paste its text').fill(toText(stray));
  await page.getByRole('button', { name: /Collect this bag/ }).click();
  await expect(page.getByRole('alert')).toContainText('E_UNKNOWN_BAG');

  await page.getByLabel('or paste its text').fill(toText(bag));
  await page.getByRole('button', { name: /Collect this bag/ }).click();
  const report = page.getByTestId('import-result');
  await expect(report).toContainText('1 accepted');
  await expect(report).toContainText('€1.20');
  // It is the shop's bag: the shop reads the same answer with its own token.
  const digest = (await report.locator('dd.mono').first().textContent())!;
  const res = await request.get(`/v1/bags/${digest}`, { headers: { authorization: `Bearer ${shop.token}` } });
  expect(res.status()).toBe(200);
  expect(((await res.json()) as { accepted: number }).accepted).toBe(1);
});
