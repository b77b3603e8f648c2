import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  NewShopJson,
  NewShopRequestJson,
  PairingCodeJson,
  TicketAnswerJson,
  TicketRequestJson,
} from '@moneybag/api';
import {
  type Challenge,
  decode,
  encode,
  fromText,
  type Payment,
  pairingCodeLink,
  pairingLink,
  randomBytes,
  readContent,
  seedSigner,
  signPayment,
  type Ticket,
  toBase64url,
} from '@moneybag/protocol';
import {
  type APIRequestContext,
  type Browser,
  expect,
  type Locator,
  type Page,
  test,
} from '@playwright/test';
import { demo } from '../../../e2e/service.ts';
import { clearCamera, fakeCamera, showOnCamera } from '../../../packages/qr/e2e-support/camera.ts';
import { qrPng, readQrPng } from '../../../packages/qr/e2e-support/pixels.ts';

export { demo, qrPng, readQrPng };

/** The pairing link the collector page shows. */
export const pairLink = pairingLink;

/** A new shop of the collector, with its token (each test its own, so tests run side by side). */
export async function newShop(request: APIRequestContext, id: string, label: string) {
  const res = await request.post('/v1/admin/collector/shops', {
    headers: { Authorization: `Bearer ${demo().collector.token}` },
    data: { id, label } satisfies NewShopRequestJson,
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as NewShopJson;
}

const operator = () => ({ Authorization: `Bearer ${demo().collector.token}` });

/**
 * A one-time pairing code of the shop, as the collector page's "Pair a POS" makes it, with its `#pair=` link at
 * `origin` (the test's, where its other pages are opened: a browser's storage is per origin).
 */
export async function pairingCode(request: APIRequestContext, shop: string, origin: string) {
  const res = await request.post(`/v1/admin/collector/shops/${shop}/pairings`, { headers: operator() });
  expect(res.status(), await res.text()).toBe(200);
  const { code } = (await res.json()) as PairingCodeJson;
  return { code, link: pairingCodeLink(origin, shop, code) };
}

/** The operator revokes a paired terminal, as the collector page's "Revoke" does. */
export async function revokeTerminal(request: APIRequestContext, shop: string, terminal: string) {
  const res = await request.post(`/v1/admin/collector/shops/${shop}/terminals/${terminal}/revoke`, {
    headers: operator(),
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** A POS in its own browser context with a fake camera, paired by its link and named `terminal`. */
export async function openPos(
  browser: Browser,
  origin: string,
  shop: { id: string; token: string },
  terminal = 'pos-1',
  locale?: string,
  /** A script run in the page before its own (to stand in for a browser's behaviour). */
  init?: string,
  link = pairLink(origin, shop.id, shop.token),
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  await fakeCamera(page);
  await page.goto(link);
  await expect(page.getByTestId('pair-shop')).toContainText(shop.id);
  await page.getByTestId('terminal').fill(terminal);
  await page.getByTestId('pair-submit').click();
  await expect(page.getByTestId('charge')).toBeVisible();
  await expect(page.getByTestId('stock-count')).toHaveAttribute('data-stock', /^[1-9]/);
  await expect(page.getByTestId('online')).toHaveText('Online');
  return page;
}

/** Type a price on the keypad and charge it; the Challenge's QR code is then on screen. */
export async function charge(pos: Page, unit: string, typed: string): Promise<void> {
  await pos.getByTestId(`unit-${unit}`).click();
  for (const k of typed) await pos.getByTestId(`key-${k}`).click();
  await pos.getByTestId('charge-button').click();
  await expect(pos.getByTestId('deal')).toBeVisible();
}

/** The Challenge the POS shows, read from the pixels of its QR code. */
export async function challengeOnScreen(pos: Page): Promise<{ challenge: Challenge; png: Buffer }> {
  const png = await pos.getByTestId('qr').screenshot();
  return { challenge: decode(readContent(readQrPng(png)), 'Challenge'), png };
}

/** A ticket from the real issuer (POST /v1/tickets with the issuer's token), text form. */
export async function issue(
  request: APIRequestContext,
  holder: Uint8Array,
  p: { unit?: string; face: number; expires?: number },
): Promise<string> {
  const res = await request.post('/v1/tickets', {
    headers: { Authorization: `Bearer ${demo().issuer.token}` },
    data: {
      holder: toBase64url(holder),
      unit: p.unit ?? 'EUR',
      face: p.face,
      expires: p.expires ?? Math.floor(Date.now() / 1000) + 86_400,
    } satisfies TicketRequestJson,
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as TicketAnswerJson).ticket;
}

/** A wallet made of the protocol: a holder key and tickets from the real issuer (POST /v1/tickets). */
export class SimWallet {
  readonly holder = seedSigner(randomBytes(32));
  constructor(readonly request: APIRequestContext) {}

  async ticket(p: { unit?: string; face: number; expires?: number }): Promise<Ticket> {
    return decode(fromText(await issue(this.request, this.holder.publicKey, p)), 'Ticket');
  }

  /** Sign one use per ticket over the challenge and encode the Payment. */
  async pay(challenge: Challenge, spends: { ticket: Ticket; amount: number }[]): Promise<Uint8Array> {
    const p: Payment = await signPayment(this.holder, challenge, spends);
    return encode({ type: 'Payment', ...p });
  }
}

/**
 * Put a Payment's QR code in front of the POS's camera, wait for the verdict, and take the code away
 * again (the customer pockets the phone).
 */
export async function showPayment(pos: Page, payment: Uint8Array) {
  await showOnCamera(pos, qrPng(payment));
  const verdict = pos.getByTestId('verdict');
  await expect(verdict).toBeVisible({ timeout: 20_000 });
  await clearCamera(pos);
  return verdict;
}

export const uniq = () => Math.random().toString(36).slice(2, 8);

/** A phone with the wallet, a key made, and tickets from the real issuer opened by their links. */
export async function openWallet(page: Page, request: APIRequestContext, faces: number[], unit = 'EUR') {
  await fakeCamera(page);
  await page.goto('/wallet/');
  await page.getByTestId('create-wallet').click();
  await expect(page.getByTestId('pay')).toBeVisible();
  await page.getByRole('button', { name: 'Receive' }).click();
  const href = await page.getByTestId('holder-link').getAttribute('href');
  await page.getByRole('button', { name: 'Back' }).click();
  const holder = decode(readContent(href!), 'HolderKey').holder;
  for (const face of faces) {
    await page.goto(`/wallet/#m=${await issue(request, holder, { face, unit })}`);
    await expect(page.getByTestId('notice')).toContainText('Ticket received');
  }
}

/**
 * Show what `from` displays to `to`'s camera, screenshot after screenshot (a loop of Frames changes about
 * 4 times a second), until `until` is visible.
 */
export async function relay(from: Locator, to: Page, until: Locator) {
  await expect(async () => {
    await showOnCamera(to, await from.screenshot());
    await expect(until).toBeVisible({ timeout: 400 });
  }).toPass({ timeout: 30_000, intervals: [0] });
}

/** The wallet pays what the POS shows: POS QR -> wallet camera, confirm, wallet QR -> POS camera. */
export async function pay(pos: Page, wallet: Page) {
  await wallet.getByTestId('pay').click();
  await relay(pos.getByTestId('qr'), wallet, wallet.getByTestId('confirm'));
  await wallet.getByTestId('confirm-pay').click();
  const walletQr = wallet.getByTestId('payment-qr').getByTestId('qr');
  await expect(walletQr).toBeVisible();
  await relay(walletQr, pos, pos.getByTestId('verdict'));
  // Both pocket their screens: the next sale must not see this one's codes again.
  await clearCamera(pos);
  await clearCamera(wallet);
  return walletQr;
}

/** One sale paid in full: charged, paid by camera, ACCEPTED, and both screens back to their start. */
export async function sell(pos: Page, wallet: Page, unit: string, price: string) {
  await charge(pos, unit, price);
  await pay(pos, wallet);
  await expect(pos.getByTestId('verdict')).toHaveAttribute('data-verdict', 'accepted');
  await wallet.getByTestId('accepted').click();
  await pos.getByTestId('verdict-done').click();
}

/** Cancel the sale on screen, past the warning that a wallet may already have signed it. */
export async function cancelSale(pos: Page) {
  await pos.getByTestId('cancel').click();
  await expect(pos.getByTestId('cancel-warning')).toBeVisible();
  await pos.getByTestId('cancel-confirm').click();
  await expect(pos.getByTestId('charge')).toBeVisible();
}

/**
 * A journey's key screen, kept with the test's results; with MONEYBAG_SCREENSHOTS set (scripts/screenshots.sh)
 * also there, for the README.
 */
export async function shot(page: Page, name: string): Promise<void> {
  const png = await page.screenshot({ path: test.info().outputPath(`${name}.png`) });
  const dir = process.env.MONEYBAG_SCREENSHOTS;
  if (dir) writeFileSync(join(dir, `${name}.png`), png);
}
