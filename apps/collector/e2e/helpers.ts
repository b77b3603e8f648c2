import type {
  AllocationRequestJson,
  AllocationsJson,
  BagAnswerJson,
  NewShopJson,
  NewShopRequestJson,
  RefusalJson,
  TicketAnswerJson,
  TicketRequestJson,
} from '@moneybag/api';
import {
  type Allocation,
  bodyOfUse,
  challengeOf,
  closeBag,
  decode,
  encode,
  fromText,
  numberOfAllocation,
  randomBytes,
  type Signer,
  seedSigner,
  type Ticket,
  toBase64url,
  toText,
} from '@moneybag/protocol';
import { type APIRequestContext, expect, type Page } from '@playwright/test';
import type { Party } from '../../../e2e/service.ts';

export { type Demo, demo, type Party, wellKnown } from '../../../e2e/service.ts';

// Not exported by @moneybag/qr (it keeps jsQR out of the pages' bundle); tests read QR pixels with it.
export { readQr } from '../../../packages/qr/e2e-support/pixels.ts';

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A wallet: a fresh holder key and its HolderKey message in text form. */
export function newHolder(label = 'e2e wallet'): { signer: Signer; holderKey: string } {
  const signer = seedSigner(randomBytes(32));
  return { signer, holderKey: toText(encode({ type: 'HolderKey', holder: signer.publicKey, label })) };
}

export async function login(page: Page, path: string, token: string) {
  await page.goto(path);
  await page.getByLabel('Operator token').fill(token);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
}

/** Issue a ticket over HTTP with the issuer's token. */
export async function issueOverHttp(
  request: APIRequestContext,
  issuer: Party,
  holder: Uint8Array,
  unit: string,
  face: number,
): Promise<Ticket> {
  const res = await request.post('/v1/tickets', {
    headers: auth(issuer.token),
    data: {
      holder: toBase64url(holder),
      unit,
      face,
      expires: Math.floor(Date.now() / 1000) + 86_400,
    } satisfies TicketRequestJson,
  });
  expect(res.status(), await res.text()).toBe(200);
  return decode(fromText(((await res.json()) as TicketAnswerJson).ticket), 'Ticket');
}

/** One fresh Allocation for a shop, over HTTP with the shop's token. */
export async function allocateOverHttp(request: APIRequestContext, shop: Party): Promise<Allocation> {
  const res = await request.post('/v1/allocations', {
    headers: auth(shop.token),
    data: { count: 1 } satisfies AllocationRequestJson,
  });
  expect(res.status(), await res.text()).toBe(200);
  const { allocations } = (await res.json()) as AllocationsJson;
  return decode(fromText(allocations[0]), 'Allocation');
}

/**
 * A Bag filled as a POS would: each spend is one deal under the allocation's number, signed by the holder.
 * `chalFor` lets a test sign a use over a wrong challenge (a use the collector must reject).
 */
export async function makeBag(
  a: Allocation,
  shop: string,
  spends: { ticket: Ticket; amount: number; signer: Signer; wrongChal?: boolean }[],
): Promise<Uint8Array> {
  const bag = numberOfAllocation(a);
  const uses = await Promise.all(
    spends.map(async (s, i) => {
      const deal = i + 1;
      const chal = challengeOf(a.collector, bag, s.wrongChal ? deal + 1000 : deal);
      const S = await s.signer.sign(bodyOfUse(s.amount, s.ticket.C, shop, chal));
      return { deal, shop, ticket: s.ticket, amount: s.amount, S };
    }),
  );
  return encode({ type: 'Bag', ...closeBag(a, uses) });
}

export async function postBag(request: APIRequestContext, shop: Party, bag: Uint8Array) {
  const res = await request.post('/v1/bags', {
    headers: { ...auth(shop.token), 'content-type': 'application/vnd.moneybag' },
    data: Buffer.from(bag),
  });
  // A 200 is a BagAnswerJson; anything else a RefusalJson.
  return { status: res.status(), body: (await res.json()) as Partial<BagAnswerJson & RefusalJson> };
}

/** A fresh shop, added with the collector's token: its own totals are a test's alone. */
export async function addShopOverHttp(
  request: APIRequestContext,
  collector: Party,
  label = 'E2E shop',
): Promise<Party> {
  const id = `e2e-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e9).toString(36)}`;
  const res = await request.post('/v1/admin/collector/shops', {
    headers: auth(collector.token),
    data: { id, label } satisfies NewShopRequestJson,
  });
  expect(res.status(), await res.text()).toBe(200);
  return { id, token: ((await res.json()) as NewShopJson).token };
}
