// What the wallet's browser tests share: the demo parties, a real issuer, QR pixels both ways.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Challenge,
  decode,
  encode,
  fromBase64url,
  fromText,
  type Keys,
  keysOf,
  makeChallenge,
  randomBytes,
  readContent,
  toHex,
  toUrl,
} from '@moneybag/protocol';
import { type APIRequestContext, expect, type Page } from '@playwright/test';

// jsQR stays out of the qr package's index (the app's bundle): tests take it from its own file.
export { qrPng, readQr } from '../../../packages/qr/e2e-support/pixels.ts';

export interface Party {
  id: string;
  token: string;
}
export const demo = (): { issuer: Party; collector: Party; shops: Party[] } =>
  JSON.parse(readFileSync(join(process.env.MONEYBAG_E2E_DATA!, 'demo.json'), 'utf8'));

export async function wellKnown(request: APIRequestContext): Promise<{ issuers: Keys; collectors: Keys }> {
  const res = await request.get('/.well-known/moneybag.json');
  expect(res.ok()).toBe(true);
  const j = (await res.json()) as {
    issuers: { id: string; publicKey: string }[];
    collectors: typeof j.issuers;
  };
  const keys = (list: typeof j.issuers) =>
    keysOf(list.map((k) => ({ id: k.id, publicKey: fromBase64url(k.publicKey) })));
  return { issuers: keys(j.issuers), collectors: keys(j.collectors) };
}

/** Open a fresh wallet and make its (device-bound) key. */
export async function newWallet(page: Page): Promise<void> {
  await page.goto('/wallet/');
  await page.getByTestId('create-wallet').click();
  await expect(page.getByTestId('pay')).toBeVisible();
}

/** The wallet's holder key, as its Receive screen gives it (the link for the issuer). */
export async function holderOf(page: Page): Promise<Uint8Array> {
  await page.getByRole('button', { name: 'Receive' }).click();
  const href = await page.getByTestId('holder-link').getAttribute('href');
  await page.getByRole('button', { name: 'Back' }).click();
  return decode(readContent(href!), 'HolderKey').holder;
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
  denied: new Set<string>(),
});

export const encodeChallenge = (c: Challenge) => encode({ type: 'Challenge', ...c });
