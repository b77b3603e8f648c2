import {
  type Challenge,
  decode,
  encode,
  fromText,
  type Keys,
  makeChallenge,
  randomBytes,
  readContent,
  toHex,
  toUrl,
} from '@moneybag/protocol';
import { type APIRequestContext, expect, type Page } from '@playwright/test';
import { demo } from '../../../e2e/service.ts';

export { demo, wellKnown } from '../../../e2e/service.ts';

// jsQR stays out of the qr package's index (the app's bundle): tests take it from its own file.
export { qrPng, readQr } from '../../../packages/qr/e2e-support/pixels.ts';

/** Open a fresh wallet and make its (device-bound) key. */
export async function newWallet(page: Page): Promise<void> {
  await page.goto('/wallet/');
  await page.getByTestId('create-wallet').click();
  await expect(page.getByTestId('pay')).toBeVisible();
}

/** The wallet's holder key, as its Receive screen gives it (the link for the issuer). */
export async function holderOf(page: Page): Promise<Uint8Array> {
  await page.getByTestId('receive').click();
  const href = await page.getByTestId('holder-link').getAttribute('href');
  // The screen's one header button, whatever the language ("Back", "Zurück").
  await page.getByRole('banner').getByRole('button').click();
  return decode(readContent(href!), 'HolderKey').holder;
}

/** Save a backup file from the More screen (left open), encrypted under `passphrase`: the file's path. */
export async function saveBackup(page: Page, passphrase: string): Promise<string> {
  await page.getByRole('button', { name: 'More' }).click();
  await page.getByPlaceholder('Passphrase (8 characters or more)').fill(passphrase);
  await page.getByPlaceholder('The passphrase again').fill(passphrase);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Save a backup file' }).click(),
  ]);
  return download.path();
}

/** On a fresh wallet: restore the backup `file` with `passphrase` (the outcome is the caller's to check). */
export async function restoreBackup(page: Page, file: string, passphrase: string): Promise<void> {
  await page.goto('/wallet/');
  await page.getByRole('button', { name: 'I have a backup file: restore it' }).click();
  await page.locator('input[type=file]').setInputFiles(file);
  await page.getByPlaceholder('Passphrase').fill(passphrase);
  await page.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Restore' }).click();
}

/** A ticket from the real issuer service (POST /v1/tickets with the issuer's token). */
export async function issue(
  request: APIRequestContext,
  holder: Uint8Array,
  face: number,
  opts: { unit?: string; expires?: number } = {},
): Promise<string> {
  const res = await request.post('/v1/tickets', {
    headers: { authorization: `Bearer ${demo().issuer.token}` },
    data: {
      holder: Buffer.from(holder).toString('base64url'),
      unit: opts.unit ?? 'EUR',
      face,
      expires: opts.expires ?? Math.floor(Date.now() / 1000) + 30 * 86_400,
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { ticket: string }).ticket;
}

/** Open a message by its `#m=` link, as a phone's camera app would. */
export async function openLink(page: Page, message: Uint8Array | string): Promise<void> {
  const bytes = typeof message === 'string' ? fromText(message) : message;
  await page.goto(toUrl('/wallet/', bytes)); // against the baseURL
}

/** A POS's challenge, made with the protocol as a POS makes it. */
export function challengeFor(amount: number, opts: { unit?: string; expires?: number } = {}): Challenge {
  return makeChallenge({
    collector: demo().collector.id,
    bag: randomBytes(16),
    deal: 1,
    shop: demo().shops[0].id,
    unit: opts.unit ?? 'EUR',
    amount,
    expires: opts.expires ?? Math.floor(Date.now() / 1000) + 300,
    label: 'Acme Coffee',
  });
}

/** The POS side of 5.1 for one open challenge: what checkPayment needs. */
export const posContext = (c: Challenge, issuers: Keys) => ({
  shop: c.shop,
  now: Math.floor(Date.now() / 1000),
  challenge: (chal: Uint8Array) =>
    toHex(chal) === toHex(c.chal)
      ? { unit: c.unit, amount: c.amount, expires: c.expires, paid: false }
      : undefined,
  issuers,
  acceptedOf: () => 0,
  denied: new Map(),
});

export const encodeChallenge = (c: Challenge) => encode({ type: 'Challenge', ...c });
