// The issuer's operator endpoints (apps/server/API.md, "Issuer admin"), in one place.
import { call } from '../common/api.ts';

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

/** Checks a pasted token: only the issuer's opens the admin endpoints. */
export const PROBE = '/v1/admin/issuer/tickets';

export const listTickets = (token: string) =>
  call<{ issuer: string; tickets: TicketRow[] }>('/v1/admin/issuer/tickets', { token });
export const getSettlement = (token: string) =>
  call<{ owed: OwedRow[]; returns: ReturnRow[] }>('/v1/admin/issuer/settlement', { token });
export const listIncidents = (token: string) =>
  call<{ incidents: Incident[] }>('/v1/admin/issuer/incidents', { token });
export const getDenyList = () => call<DenyList>('/v1/denylist');
