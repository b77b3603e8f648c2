// The relay's own page (/relay/) like the apps: its words in the browser's language (German, English), its
// dates in the apps' one format (DATE_FORMATS). A relay under a shop of the demo service, and a terminal of
// it that took numbers: a root due.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RelayStateJson } from '@moneybag/api';
import { DATE_FORMATS } from '@moneybag/web';
import { type Browser, expect, test } from '@playwright/test';
import { tempFolder } from '../../../test/tmp.ts';
import { type Proc, spawnMain } from '../../server/test/helpers.ts';
import { newShop, uniq } from './support.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

let relay: Proc | undefined;
test.afterAll(async () => {
  await relay?.stop();
});

/** The page as the operator opens it, in a browser of `locale`: the first root's due date as Intl writes it there. */
async function open(browser: Browser, locale: string, token: string, dueMs: number) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  await page.goto(`${relay!.url}/relay/`);
  await page.locator('#token').fill(token);
  await page.locator('#login button').click();
  const due = await page.evaluate(([ms, options]) => new Intl.DateTimeFormat(undefined, options).format(ms), [
    dueMs,
    DATE_FORMATS.moment,
  ] as const);
  return { page, due };
}

test('the relay page speaks the browser language and writes dates as the apps do', async ({
  browser,
  request,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const shop = await newShop(request, `relay-${uniq()}`, 'Relay page');
  const dir = tempFolder('relay-page');
  const terminal = JSON.parse(
    spawnSync(
      process.execPath,
      ['--import', 'tsx', 'apps/server/src/cli.ts', 'add-terminal', 'till-1', '--data', dir, '--json'],
      { cwd: ROOT, encoding: 'utf8' },
    ).stdout,
  ) as { token: string };
  relay = await spawnMain(dir, ['--role', 'relay', '--upstream', baseURL!, `--token=${shop.token}`]);
  const numbers = await request.post(`${relay.url}/v1/allocations`, {
    headers: { Authorization: `Bearer ${terminal.token}` },
    data: { count: 1 },
  });
  expect(numbers.status(), await numbers.text()).toBe(200);
  const operator = readFileSync(join(dir, 'keys', 'operator.token'), 'utf8').trim();
  const state = (await (
    await request.get(`${relay.url}/v1/admin/relay`, { headers: { Authorization: `Bearer ${operator}` } })
  ).json()) as RelayStateJson;
  const dueMs = state.roots[0].due * 1000;

  const de = await open(browser, 'de-DE', operator, dueMs);
  await expect(de.page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(de.page.getByRole('heading', { name: 'Wurzeln' })).toBeVisible();
  await expect(de.page.getByRole('button', { name: 'Öffnen' })).toBeVisible();
  const row = de.page.locator('#roots tr').first();
  await expect(row).toContainText(de.due);
  await expect(row).toContainText('offen');
  // Not the browser's default toLocaleString() (seconds and all), which the page used to write.
  expect(de.due).not.toBe(await de.page.evaluate((ms) => new Date(ms).toLocaleString(), dueMs));

  const en = await open(browser, 'en-US', operator, dueMs);
  await expect(en.page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(en.page.getByRole('heading', { name: 'Roots' })).toBeVisible();
  await expect(en.page.locator('#roots tr').first()).toContainText(en.due);
  await expect(en.page.locator('#roots tr').first()).toContainText('open');
  expect(en.due).not.toBe(de.due);
});
