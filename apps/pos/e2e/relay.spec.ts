// The POS app paired with a branch relay (PROTOCOL.md 7.1): collector <- main office <- branch <- POS. The
// wallet pays it (each camera fed the other's real QR pixels); the bag, delivered to the branch, waits for the
// collector, and the POS then shows its final answer once the tree was collected.
import { spawnSync } from 'node:child_process';
import { closeBag, decode, encode, fromText } from '@moneybag/protocol';
import { expect, test } from '@playwright/test';
import { tempFolder } from '../../../test/tmp.ts';
import { type Proc, spawnMain } from '../../server/test/helpers.ts';
import { charge, newShop, openPos, openWallet, pay, uniq } from './support.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

const addTerminal = (dir: string, id: string): { token: string; pairing: string } =>
  JSON.parse(
    spawnSync(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/cli.ts', 'add-terminal', id, '--data', dir, '--json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    ).stdout,
  );

const relays: Proc[] = [];
test.afterAll(async () => {
  for (const r of relays.reverse()) await r.stop();
});

test('a POS under a branch relay takes a payment and shows the final answer after the tree was collected', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const shop = await newShop(request, `chain-${uniq()}`, 'Chain');
  const mainDir = tempFolder('e2e-main');
  const branchDir = tempFolder('e2e-branch');
  const branchToken = addTerminal(mainDir, 'branch-1').token;
  const main = await spawnMain(mainDir, ['--role', 'relay', '--upstream', baseURL!, `--token=${shop.token}`]);
  relays.push(main);
  const branch = await spawnMain(branchDir, [
    '--role',
    'relay',
    '--upstream',
    main.url,
    `--token=${branchToken}`,
  ]);
  relays.push(branch);
  const { pairing } = addTerminal(branchDir, 'till-1');
  const sibling = addTerminal(branchDir, 'till-2');

  // Paired by the branch's link; the terminal id is the branch's name for it, whatever is typed.
  const pos = await openPos(
    browser,
    '',
    { id: shop.id, token: '' },
    'typed-name',
    undefined,
    undefined,
    pairing,
  );
  const phone = await browser.newContext({ viewport: { width: 420, height: 860 } });
  const wallet = await phone.newPage();
  await openWallet(wallet, request, [1000]);
  // A sibling terminal (driven by the protocol library) takes numbers under the same roots: the branch now
  // waits for its bags too before it sends anything up.
  const asked = await request.post(`${branch.url}/v1/allocations`, {
    headers: { Authorization: `Bearer ${sibling.token}` },
    data: { count: 4 },
  });
  expect(asked.status(), await asked.text()).toBe(200);
  const siblingNumbers = ((await asked.json()).allocations as string[]).map((t) =>
    decode(fromText(t), 'Allocation'),
  );

  await charge(pos, 'EUR', '3.20');
  await pay(pos, wallet);
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
  await pos.getByTestId('verdict-done').click();

  await pos.getByTestId('tab-bags').click();
  await pos.getByTestId('close-bag').click();
  // Delivered to the branch, which holds it until the collector has answered.
  await expect(pos.getByTestId('outbox-state')).toContainText('waiting for the collector', {
    timeout: 30_000,
  });
  // The sibling brings its (empty) bags back: each root is complete, merged, and goes up the tree.
  for (const a of siblingNumbers) {
    const r = await request.post(`${branch.url}/v1/bags`, {
      headers: { Authorization: `Bearer ${sibling.token}`, 'Content-Type': 'application/vnd.moneybag' },
      data: Buffer.from(encode({ type: 'Bag', ...closeBag(a, []) })),
    });
    expect(r.status(), await r.text()).toBe(202);
  }
  // Asked again (as its own sync would, after a backoff) until the answer is there.
  await expect(async () => {
    if (await pos.getByTestId('report').isVisible()) return;
    await pos
      .getByTestId('deliver-now')
      .click({ timeout: 1000 })
      .catch(() => {});
    await expect(pos.getByTestId('report')).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 90_000, intervals: [1000] });
  await expect(pos.getByTestId('report')).toContainText('1 accepted, 0 rejected');
  await expect(pos.getByTestId('report')).toContainText('€3.20');
});
