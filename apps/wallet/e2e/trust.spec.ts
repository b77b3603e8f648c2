// What the wallet trusts: the issuer and collector keys it pinned on first use (a changed one stops payments
// through that party until the holder confirms it), and the kind of key it really holds.
import { keyFingerprint, randomBytes, seedSigner, toBase64url } from '@moneybag/protocol';
import { expect, type Page, test } from '@playwright/test';
import { demo, holderOf, issue, newWallet, openLink, wellKnown } from './helpers.ts';

const balance = (page: Page) => page.getByTestId('balance').first().locator('.balance');

test('a changed collector key stops online payments through it, in words, until the holder confirms it', async ({
  page,
  request,
}) => {
  // First use: this phone meets the collector under a key it then pins; the service then serves its real one.
  const collector = demo().collector.id;
  const first = seedSigner(randomBytes(32)).publicKey;
  await page.route('**/.well-known/moneybag.json', async (route) => {
    const res = await route.fetch();
    const doc = (await res.json()) as { collectors: { id: string; publicKey: string }[] };
    for (const c of doc.collectors) if (c.id === collector) c.publicKey = toBase64url(first);
    await route.fulfill({ response: res, json: doc });
  });
  await newWallet(page);
  await openLink(page, await issue(request, await holderOf(page), 1000));
  await expect(balance(page)).toHaveText('€10.00');
  await expect(page.getByTestId('key-change')).toHaveCount(0);
  await page.unroute('**/.well-known/moneybag.json');
  await page.reload();

  const served = (await wellKnown(request)).collectors.get(collector)!;
  const change = page.getByTestId('key-change');
  await expect(change).toContainText(`The collector ${collector} now presents another key`);
  await expect(change).toContainText(`${keyFingerprint(served)} instead of ${keyFingerprint(first)}`);

  const payOnline = async () => {
    await page.getByRole('button', { name: 'More' }).click();
    const form = page.getByTestId('pay-online');
    await form.getByLabel('Shop id').fill(demo().shops[0].id);
    await form.getByLabel('Amount').fill('2.50');
    await form.getByRole('button', { name: /Pay .* online/ }).click();
    return form;
  };
  const form = await payOnline();
  await expect(form.getByRole('alert')).toContainText('now presents another key');
  await expect(form.getByRole('alert')).toContainText('until you confirm the new key');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(balance(page)).toHaveText('€10.00');

  await page.getByTestId('confirm-keys').click();
  await expect(page.getByTestId('key-change')).toHaveCount(0);
  await payOnline();
  await expect(page.getByTestId('notice')).toContainText('receipt is in your history');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(balance(page)).toHaveText('€7.50');
  // Confirmed for good: a restart finds nothing changed.
  await page.reload();
  await expect(balance(page)).toHaveText('€7.50');
  await expect(page.getByTestId('key-change')).toHaveCount(0);
});

test('where the browser lacks WebCrypto Ed25519, the wallet says its key is a plain seed, not bound to the phone', async ({
  browser,
}) => {
  const open = async (noEd25519: boolean) => {
    const context = await browser.newContext();
    if (noEd25519)
      await context.addInitScript(() => {
        // A browser without Ed25519 in WebCrypto: importing or making such a key is not supported.
        const isEd = (a: unknown) =>
          (typeof a === 'string' ? a : (a as { name?: string })?.name) === 'Ed25519';
        const subtle = SubtleCrypto.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
        for (const [method, at] of [
          ['importKey', 2],
          ['generateKey', 0],
        ] as const) {
          const original = subtle[method];
          subtle[method] = function (this: SubtleCrypto, ...args: unknown[]) {
            if (isEd(args[at]))
              return Promise.reject(new DOMException('Unrecognized name', 'NotSupportedError'));
            return original.apply(this, args);
          };
        }
      });
    const page = await context.newPage();
    await page.goto('/wallet/');
    return page;
  };

  const plain = await open(true);
  await expect(plain.getByTestId('key-choice-device')).toHaveAttribute('data-kind', 'seed');
  await expect(plain.getByTestId('key-choice-device')).toContainText(
    'cannot make a key that cannot be copied',
  );
  await expect(plain.getByTestId('key-choice-device')).not.toContainText(
    'the key cannot be copied, not even by you',
  );
  await plain.getByTestId('create-wallet').click();
  await plain.getByRole('button', { name: 'More' }).click();
  await expect(plain.getByTestId('key-kind')).toHaveAttribute('data-kind', 'seed');
  await expect(plain.getByTestId('key-kind')).toContainText('plain secret');
  await plain.context().close();

  const bound = await open(false);
  await expect(bound.getByTestId('key-choice-device')).toHaveAttribute('data-kind', 'device');
  await bound.getByTestId('create-wallet').click();
  await bound.getByRole('button', { name: 'More' }).click();
  await expect(bound.getByTestId('key-kind')).toHaveAttribute('data-kind', 'device');
  await expect(bound.getByTestId('key-kind')).toContainText('Bound to this phone');
  await bound.context().close();
});
