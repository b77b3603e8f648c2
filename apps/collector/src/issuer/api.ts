// The issuer's operator endpoints (apps/server/API.md, "Issuer admin"), in one place.
import { call, type PeerRow } from '../common/api.ts';

export interface TicketRow {
  id: string;
  serial: string;
  holder: string;
  unit: string;
  face: number;
  expires: number;
  issuedAt: number;
  /** What settled uses took of it. */
  spent: number;
  left: number;
  /** The Ticket message, text form. */
  ticket: string;
}
export interface OwedRow {
  shop: string;
  unit: string;
  amount: number;
  uses: number;
}
export interface ReturnRow {
  collector: string;
  origin: string;
  settled: number;
  rejected: number | unknown[];
  at: number;
}
export interface ProofUse {
  shop: string;
  chal: string;
  amount: number;
  S: string;
  collector?: string;
  origin?: string;
}
export interface Incident {
  id: string | number;
  code: string;
  blame: string;
  collector: string;
  origin: string;
  index: number;
  /** The ticket's id: `<issuer>/<serial hex>`. */
  ticket: string;
  holder: string;
  at: number;
  /** `use`: the refused use; `earlier`: what makes it a fault (the settled uses, or the same S before). */
  proof: { use: ProofUse; earlier: ProofUse[]; ticket?: string; return?: string };
}
export interface DenyList {
  issuer: string;
  holders: string[];
  updated: number;
}

/** A collector whose Returns this issuer settles: its key's fingerprint and what it returned. */
export interface CollectorRow extends PeerRow {
  returns: number;
  settled: number;
  lastAt: number | null;
}

/** Checks a pasted token: only the issuer's opens the admin endpoints. */
export const PROBE = '/v1/admin/issuer/tickets';

export const listTickets = (token: string) =>
  call<{ issuer: string; tickets: TicketRow[] }>('/v1/admin/issuer/tickets', { token });
export const getSettlement = (token: string) =>
  call<{ owed: OwedRow[]; returns: ReturnRow[] }>('/v1/admin/issuer/settlement', { token });
export const listIncidents = (token: string) =>
  call<{ incidents: Incident[] }>('/v1/admin/issuer/incidents', { token });
export const listCollectors = (token: string) =>
  call<{ collectors: CollectorRow[] }>('/v1/admin/issuer/collectors', { token });
/** This issuer's own list (a service may answer several issuers' lists). */
export const getDenyList = async (token: string) => {
  const me = await call<{ party: string }>('/v1/me', { token });
  return call<DenyList>(`/v1/denylist?issuer=${encodeURIComponent(me.party)}`);
};
