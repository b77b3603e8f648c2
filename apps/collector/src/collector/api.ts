// The collector's operator endpoints (apps/server/API.md, "Collector admin"), in one place.

import type { BagAnswerJson, RejectedUseJson } from '@moneybag/protocol';
import { call, type PeerRow } from '../common/api.ts';

export interface ShopRow {
  id: string;
  label: string;
  createdAt: number;
  allocations: { open: number; collected: number; late: number };
}
export interface BagRow {
  digest: string;
  root: string;
  to: string;
  receivedAt: number;
  accepted: number;
  rejected: (RejectedUseJson & { text?: string })[];
  totals: Record<string, number>;
  report: string;
}
export interface TotalRow {
  shop: string;
  unit: string;
  amount: number;
  uses: number;
}
export interface OutboxRow {
  id: string | number;
  issuer: string;
  origin: string;
  uses: number;
  state: 'pending' | 'delivered' | 'refused';
  attempts: number;
  nextAttemptAt: number | null;
  lastError: string | null;
  answer: { settled: number; rejected: { index: number; code: string; blame: string }[] } | null;
  createdAt: number;
}
export interface AllocationRow {
  root: string;
  to: string;
  terminal: string | null;
  issued: number;
  due: number;
  state: 'open' | 'collected' | 'late';
  digest: string | null;
}
export interface DirectRow {
  origin: string;
  shop: string;
  unit: string;
  amount: number;
  receivedAt: number;
}
/** An issuer this collector serves: its key's fingerprint, its Returns by state, its deny list's copy. */
export interface IssuerRow extends PeerRow {
  outbox: { pending: number; delivered: number; other: number; lastError: string | null };
  denylist: { holders: number; updated: number; fetchedAt: number } | null;
}
export interface NewShop {
  id: string;
  label: string;
  token: string;
  pairing: string;
}

/** Checks a pasted token: only the collector's opens the admin endpoints. */
export const PROBE = '/v1/admin/collector/shops';

export const listShops = (token: string) =>
  call<{ collector: string; shops: ShopRow[] }>('/v1/admin/collector/shops', { token });
export const addShop = (token: string, id: string, label: string) =>
  call<NewShop>('/v1/admin/collector/shops', { token, body: { id, label } });
/** A new token for a shop's POS, with its pairing link (older tokens keep working). */
export const pairShop = (token: string, id: string) =>
  call<NewShop>(`/v1/admin/collector/shops/${encodeURIComponent(id)}/token`, { token, body: {} });
export const listBags = (token: string) => call<{ bags: BagRow[] }>('/v1/admin/collector/bags', { token });
export const listTotals = (token: string) =>
  call<{ totals: TotalRow[] }>('/v1/admin/collector/totals', { token });
export const listAllocations = (token: string, shop: string) =>
  call<{ allocations: AllocationRow[] }>(`/v1/admin/collector/allocations?shop=${encodeURIComponent(shop)}`, {
    token,
  });
export const listDirect = (token: string) =>
  call<{ direct: DirectRow[] }>('/v1/admin/collector/direct', { token });
export const listIssuers = (token: string) =>
  call<{ issuers: IssuerRow[] }>('/v1/admin/collector/issuers', { token });
export const listOutbox = (token: string) =>
  call<{ outbox: OutboxRow[] }>('/v1/admin/collector/outbox', { token });

/**
 * A bag delivered by hand, collected on behalf of the shop it names (`to`): with that shop's token on
 * the protocol endpoint when the operator has it, else through the collector's admin endpoint.
 */
/** A bag file handed in by hand: collected as the shop it names would have delivered it. */
export const handInBag = (token: string, bag: Uint8Array) =>
  call<BagAnswerJson>('/v1/admin/collector/bags', { token, body: bag });
