import type { NewShopJson, NewShopRequestJson, TicketAnswerJson, TicketRequestJson } from '@moneybag/api';
import {
  type Challenge,
  decode,
  encode,
  fromText,
  type Payment,
  pairingLink,
  randomBytes,
  readContent,
  seedSigner,
  signPayment,
  type Ticket,
  toBase64url,
} from '@moneybag/protocol';
import { type APIRequestContext, type Browser, expect, type Page } from '@playwright/test';
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

/** A POS in its own browser context with a fake camera, paired by its link and named `terminal`. */
export async function openPos(
  browser: Browser,
  origin: string,
  shop: { id: string; token: string },
  terminal = 'pos-1',
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await fakeCamera(page);
  await page.goto(pairLink(origin, shop.id, shop.token));
  await expect(page.getByTestId('pair-shop')).toContainText(shop.id);
  await page.getByTestId('terminal').fill(terminal);
  await page.getByTestId('pair-submit').click();
  await expect(page.getByTestId('charge')).toBeVisible();
  await expect(page.getByTestId('stock-count')).toContainText(/Numbers: [1-9]/);
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
