// The collector's operator endpoints (apps/server/API.md, "Collector admin"), in one place.

import type {
  AllocationListJson,
  BagAnswerJson,
  BagsJson,
  DirectListJson,
  IssuerListJson,
  NewShopJson,
  NewShopRequestJson,
  OutboxJson,
  OutboxRowJson,
  PairingCodeJson,
  RefusedBagsJson,
  ResentJson,
  ShopsJson,
  TerminalRevokedJson,
  TerminalsJson,
  TotalsJson,
} from '@moneybag/api';
import { call } from '../common/api.ts';

export type {
  AllocationRowJson as AllocationRow,
  BagRowJson as BagRow,
  DirectRowJson as DirectRow,
  IssuerRowJson as IssuerRow,
  NewShopJson as NewShop,
  OutboxRowJson as OutboxRow,
  PairingCodeJson as PairingCode,
  ShopRowJson as ShopRow,
  TerminalRowJson as TerminalRow,
  TotalRowJson as TotalRow,
} from '@moneybag/api';

/** What the issuer settled of a Return (its answer when delivered; a refusal has no settlement). */
export const settlementOf = (r: OutboxRowJson) => (r.answer && 'settled' in r.answer ? r.answer : null);

/** Checks a pasted token: only the collector's opens the admin endpoints. */
export const PROBE = '/v1/admin/collector/shops';

export const listShops = (token: string) => call<ShopsJson>('/v1/admin/collector/shops', { token });
export const addShop = (token: string, id: string, label: string) =>
  call<NewShopJson>('/v1/admin/collector/shops', { token, body: { id, label } satisfies NewShopRequestJson });
/** A one-time pairing code for one more POS of a shop (10 minutes, once), with its link. */
export const pairingCode = (token: string, shop: string) =>
  call<PairingCodeJson>(`/v1/admin/collector/shops/${encodeURIComponent(shop)}/pairings`, {
    token,
    method: 'POST',
  });
export const listTerminals = (token: string, shop: string) =>
  call<TerminalsJson>(`/v1/admin/collector/shops/${encodeURIComponent(shop)}/terminals`, { token });
export const revokeTerminal = (token: string, shop: string, terminal: string) =>
  call<TerminalRevokedJson>(
    `/v1/admin/collector/shops/${encodeURIComponent(shop)}/terminals/${encodeURIComponent(terminal)}/revoke`,
    { token, method: 'POST' },
  );
export const listBags = (token: string) => call<BagsJson>('/v1/admin/collector/bags', { token });
/** Bags refused whole, with who sent each and why. */
export const listRefusedBags = (token: string) =>
  call<RefusedBagsJson>('/v1/admin/collector/bags/refused', { token });
export const listTotals = (token: string) => call<TotalsJson>('/v1/admin/collector/totals', { token });
export const listAllocations = (token: string, shop: string) =>
  call<AllocationListJson>(`/v1/admin/collector/allocations?shop=${encodeURIComponent(shop)}`, {
    token,
  });
export const listDirect = (token: string) => call<DirectListJson>('/v1/admin/collector/direct', { token });
export const listIssuers = (token: string) => call<IssuerListJson>('/v1/admin/collector/issuers', { token });
export const listOutbox = (token: string) => call<OutboxJson>('/v1/admin/collector/outbox', { token });
/** Sends a Return again now (after fixing what the issuer refused). */
export const resendReturn = (token: string, id: number) =>
  call<ResentJson>(`/v1/admin/collector/outbox/${id}/resend`, { token, method: 'POST' });

/**
 * A bag delivered by hand, collected on behalf of the shop it names (`to`): with that shop's token on
 * the protocol endpoint when the operator has it, else through the collector's admin endpoint.
 */
/** A bag file handed in by hand: collected as the shop it names would have delivered it. */
export const handInBag = (token: string, bag: Uint8Array) =>
  call<BagAnswerJson>('/v1/admin/collector/bags', { token, body: bag });
