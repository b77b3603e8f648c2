// What the terminal relies on: the keys pinned at pairing (a changed key stops payments until the operator
// confirms it) and the browser's promise to keep its storage (asked for, and said when refused).
import { keyFingerprint, randomBytes, seedSigner, toBase64url, toUrl } from '@moneybag/protocol';
import { expect, type Page, test } from '@playwright/test';
import { wellKnown } from '../../../e2e/service.ts';
import { challengeOnScreen, charge, demo, newShop, openPos, SimWallet, uniq } from './support.ts';

/** The service's well-known document, as this page sees it, serving `key` as the collector's. */
async function serveCollectorKey(pos: Page, key: Uint8Array) {
  await pos.context().route('**/.well-known/moneybag.json', async (route) => {
    const res = await route.fetch();
    const doc = (await res.json()) as { collectors: { id: string; publicKey: string }[] };
    for (const c of doc.collectors) if (c.id === demo().collector.id) c.publicKey = toBase64url(key);
    await route.fulfill({ response: res, json: doc });
  });
}

test('a changed collector key stops payments, in words, until the operator confirms it', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const shop = await newShop(request, `grocer-${uniq()}`, 'Grocer');
  const pos = await openPos(browser, baseURL!, shop);
  const sim = new SimWallet(request);
  const ticket = await sim.ticket({ face: 1000 });
  const collector = demo().collector.id;
  const pinned = (await wellKnown(request)).collectors.get(collector)!;

  // A sale open when the service starts serving another collector key.
  await charge(pos, 'EUR', '2.00');
  const { challenge } = await challengeOnScreen(pos);
  const served = seedSigner(randomBytes(32)).publicKey;
  await serveCollectorKey(pos, served);
  await pos.getByTestId('tab-settings').click();
  await pos.getByTestId('sync-now').click();

  const change = pos.getByTestId('key-change');
  await expect(change).toBeVisible();
  await expect(change).toContainText(`The collector ${collector} now presents another key`);
  await expect(change).toContainText(keyFingerprint(served));
  await expect(change).toContainText(keyFingerprint(pinned));

  // The payment of the open sale is refused, and said why; no new sale can be started.
  const payment = await sim.pay(challenge, [{ ticket, amount: 200 }]);
  await pos.goto(toUrl(`${baseURL}/pos/`, payment));
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-verdict', 'refused');
  await expect(pos.getByTestId('verdict-code')).toHaveText('E_COLLECTOR');
  await expect(pos.getByTestId('verdict-reason')).toContainText(keyFingerprint(served));
  await pos.getByTestId('verdict-done').click();
  await pos.getByTestId('tab-charge').click();
  await pos.getByTestId('key-1').click();
  await expect(pos.getByTestId('charge-button')).toBeDisabled();

  // Still stopped after a restart of the terminal: the change is kept until confirmed.
  await pos.reload();
  await expect(pos.getByTestId('key-change')).toContainText(keyFingerprint(served));

  // The operator confirms: the warning goes, and a sale is paid again.
  await pos.getByTestId('confirm-keys').click();
  await expect(pos.getByTestId('key-change')).toHaveCount(0);
  await pos.getByTestId('tab-settings').click();
  await pos.getByTestId('sync-now').click();
  await expect(pos.getByTestId('online')).toHaveText('Online');
  await expect(pos.getByTestId('key-change')).toHaveCount(0);
  await pos.getByTestId('tab-charge').click();
  await charge(pos, 'EUR', '3.00');
  const next = await challengeOnScreen(pos);
  await pos.goto(toUrl(`${baseURL}/pos/`, await sim.pay(next.challenge, [{ ticket, amount: 300 }])));
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
  await pos.context().close();
});

test('the POS asks the browser to keep its storage, and says so on screen when refused', async ({
  browser,
  request,
  baseURL,
}) => {
  // navigator.storage.persist() answering `answer`, counting its calls (an init script, before the app).
  const page = (answer: boolean) => {
    const w = window as unknown as { persistAsked: number };
    w.persistAsked = 0;
    navigator.storage.persist = async () => {
      w.persistAsked++;
      return answer;
    };
  };
  /** A POS paired in a browser whose persist() answers `answer`; how many times the app asked. */
  const openAsked = async (answer: boolean) => {
    const shop = await newShop(request, `bar-${uniq()}`, 'Bar');
    const pos = await openPos(browser, baseURL!, shop, 'pos-1', undefined, `(${page})(${answer})`);
    await expect(pos.getByTestId('shop-label')).toHaveText('Bar');
    const asked = await pos.evaluate(() => (window as unknown as { persistAsked: number }).persistAsked);
    return { pos, asked };
  };

  const refused = await openAsked(false);
  expect(refused.asked).toBeGreaterThan(0);
  await expect(refused.pos.getByTestId('storage-refused')).toContainText('did not agree to keep');
  await refused.pos.context().close();

  const kept = await openAsked(true);
  expect(kept.asked).toBeGreaterThan(0);
  await expect(kept.pos.getByTestId('storage-refused')).toHaveCount(0);
  await kept.pos.context().close();
});
