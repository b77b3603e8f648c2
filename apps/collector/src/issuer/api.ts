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
  /** What its holder reclaimed of it (5.4). */
  reclaimed: number;
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
/** A ticket reclaimed by its holder (5.4): the ticket and the new one, text forms. */
export interface ReclaimRow {
  ticket: string;
  amount: number;
  newTicket: string;
  /** Milliseconds. */
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
  proof: {
    use: ProofUse;
    earlier: ProofUse[];
    ticket?: string;
    return?: string;
    /** For E_RECLAIMED: the reclaim the use came after (`ticket`: the new Ticket, text form). */
    reclaim?: { amount: number; ticket: string; at: number };
  };
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
  call<{ owed: OwedRow[]; returns: ReturnRow[]; reclaims: ReclaimRow[] }>('/v1/admin/issuer/settlement', {
    token,
  });
export const listIncidents = (token: string) =>
  call<{ incidents: Incident[] }>('/v1/admin/issuer/incidents', { token });
export const getDenyList = () => call<DenyList>('/v1/denylist');
