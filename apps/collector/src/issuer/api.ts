// The issuer's operator endpoints (apps/server/API.md, "Issuer admin"), in one place.
import type {
  CollectorListJson,
  DenyListJson,
  EarlierUseJson,
  IncidentsJson,
  MeJson,
  ProofUseJson,
  SettlementJson,
  TicketAnswerJson,
  TicketRequestJson,
  TicketsJson,
} from '@moneybag/api';
import { call } from '../common/api.ts';

export type {
  CollectorRowJson as CollectorRow,
  DenyListJson as DenyList,
  IncidentJson as Incident,
  OwedRowJson as OwedRow,
  ReclaimRowJson as ReclaimRow,
  ReturnRowJson as ReturnRow,
  TicketRowJson as TicketRow,
} from '@moneybag/api';

/** A use of an incident's proof: the refused one, or an earlier one (which names its Return). */
export type ProofUse = ProofUseJson & Partial<Pick<EarlierUseJson, 'collector' | 'origin'>>;

/** Checks a pasted token: only the issuer's opens the admin endpoints. */
export const PROBE = '/v1/admin/issuer/tickets';

export const listTickets = (token: string) => call<TicketsJson>('/v1/admin/issuer/tickets', { token });
export const getSettlement = (token: string) =>
  call<SettlementJson>('/v1/admin/issuer/settlement', { token });
export const listIncidents = (token: string) => call<IncidentsJson>('/v1/admin/issuer/incidents', { token });
export const listCollectors = (token: string) =>
  call<CollectorListJson>('/v1/admin/issuer/collectors', { token });
/** This issuer's own list (a service may answer several issuers' lists). */
export const getDenyList = async (token: string) => {
  const me = await call<MeJson>('/v1/me', { token });
  return call<DenyListJson>(`/v1/denylist?issuer=${encodeURIComponent(me.party)}`);
};
/** A new ticket to a holder (POST /v1/tickets). */
export const issueTicket = (token: string, body: TicketRequestJson) =>
  call<TicketAnswerJson>('/v1/tickets', { token, body });
