// Journey 5 of issue 13: the dishonest shop. Its POS takes two real payments from a real wallet (cameras fed
// each other's QR pixels), offline; the shop then doctors the exported bag, acting over HTTP with its own
// token: a copy of a customer's use (E_DUPLICATE), and a second bag under the number already collected
// (E_BAG_REUSED). The collector's page says why, in words, with the code beside it.
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { type Bag, type BagNode, decode, encode, fromText } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { login, postBag } from '../../collector/e2e/helpers.ts';
import { demo, newShop, openPos, openWallet, sell, shot, uniq } from './support.ts';

/** The bag with the first use of its (first) node of uses given once more: a copy the shop hopes to be paid twice. */
function withCopiedUse(bag: Bag): Bag {
  const copy = (node: BagNode): BagNode =>
    node.uses.length > 0
      ? { ...node, uses: [...node.uses, node.uses[0]] }
      : { ...node, children: node.children.map((c, i) => (i === 0 ? { ...c, node: copy(c.node) } : c)) };
  return { ...bag, node: copy(bag.node) };
}

/** Another bag under the same number: only the copy of that use. */
function onlyTheCopy(bag: Bag): Bag {
  const only = (node: BagNode): BagNode =>
    node.uses.length > 0
      ? { ...node, uses: [node.uses[0]] }
      : { ...node, children: node.children.slice(0, 1).map((c) => ({ ...c, node: only(c.node) })) };
  return { ...bag, node: only(bag.node) };
}

test('journey: the dishonest shop: a copied use and a reused bag number are refused with their codes, and the collector page says why', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const shop = await newShop(request, `shady-${uniq()}`, 'Shady Snacks');
  const pos = await openPos(browser, baseURL!, shop);
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const wallet = await phone.newPage();
  await openWallet(wallet, request, [1000]);

  // Two honest sales, offline: the bag stays on the tablet.
  await pos.context().setOffline(true);
  await phone.setOffline(true);
  for (const price of ['2.00', '1.50']) await sell(pos, wallet, 'EUR', price);
  await expect(wallet.getByTestId('balance')).toContainText('€6.50');
  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  await expect(pos.getByTestId('outbox-state')).toHaveAttribute('data-state', 'offline');
  const [download] = await Promise.all([pos.waitForEvent('download'), pos.getByTestId('export').click()]);
  const honest = decode(fromText(readFileSync(await download.path(), 'utf8').trim()), 'Bag');

  // The shop, with its own token, sends the bag with the €2.00 use copied: the copy is refused, the rest paid.
  const party = { id: shop.id, token: shop.token };
  const copied = await postBag(request, party, encode({ type: 'Bag', ...withCopiedUse(honest) }));
  expect(copied.status).toBe(200);
  expect(copied.body.accepted).toBe(2);
  expect(copied.body.totals).toEqual({ EUR: 350 });
  expect(copied.body.rejected).toEqual([expect.objectContaining({ code: 'E_DUPLICATE', index: 2 })]);

  // Then another bag under the number it already handed in: refused whole.
  const reused = await postBag(request, party, encode({ type: 'Bag', ...onlyTheCopy(honest) }));
  expect([reused.status, reused.body.code]).toEqual([409, 'E_BAG_REUSED']);

  // Back online, the tablet sends its own bag under that number too: refused whole, and it says so.
  await pos.context().setOffline(false);
  await expect(pos.getByTestId('refusal')).toContainText('This bag number was already handed in.', {
    timeout: 30_000,
  });
  await expect(pos.getByTestId('refusal')).toContainText('E_BAG_REUSED');
  await shot(pos, 'dishonest-pos-refused');

  // The collector's page: the bag with its copy refused, and the bags refused whole, each with why.
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await login(desk, '/collector/', demo().collector.token);
  const bag = desk.getByTestId('bags').locator('details').filter({ hasText: shop.id });
  await expect(bag).toContainText('2 accepted');
  await expect(bag).toContainText('1 rejected');
  await expect(bag).toContainText('€3.50');
  const copy = bag.getByTestId('bag-report').getByRole('row').filter({ hasText: 'E_DUPLICATE' });
  await expect(copy).toContainText('A copy of a payment already handed in.');
  const refused = desk.getByTestId('refused-bags').getByRole('listitem').filter({ hasText: shop.id });
  await expect(refused).toHaveCount(2); // the shop's second bag, and its tablet's
  for (const r of await refused.all()) {
    await expect(r).toHaveAttribute('data-code', 'E_BAG_REUSED');
    await expect(r).toContainText('This bag number was already handed in.');
    await expect(r.locator('code')).toHaveText('E_BAG_REUSED');
  }
  await expect(refused.first()).toContainText('2 payments'); // newest first: the tablet's
  await expect(refused.last()).toContainText('1 payment');
  // The page with both on it passes axe (its own test sees the page before any bag is refused).
  const { violations } = await new AxeBuilder({ page: desk }).analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
  await desk.getByRole('heading', { name: 'Bags refused' }).scrollIntoViewIfNeeded();
  await shot(desk, 'dishonest-collector');
});
