// The issuer's endpoints as a Fastify plugin: section 7's tickets, Returns, reclaims and deny list, and the admin JSON
// of its page. Each handler reads the request and hands it to the logic; the endpoints, with their bodies
// and answers, are @moneybag/api's.
import { issuerAdmin as admin, protocol, type TicketRequestJson } from '@moneybag/api';
import type { FastifyPluginAsync } from 'fastify';
import { partyOf } from '../auth.ts';
import { jsonBody, rawBody, route } from '../http.ts';
import type { Service } from '../service.ts';
import { incidentsView, issue, reclaim, settle, settlementView, ticketsView } from './logic.ts';

export const RETURN_LIMIT = 32 * 1024 * 1024;
/** A Reclaim is 240 bytes and a little more (its issuer id). */
export const RECLAIM_LIMIT = 4096;

export const issuerRoutes: FastifyPluginAsync<{ service: Service }> = async (app, { service: s }) => {
  route(app, protocol.tickets, async (req) => issue(s, jsonBody<TicketRequestJson>(req)));
  route(app, protocol.returns, async (req) => settle(s, partyOf(req).id, rawBody(req)), {
    bodyLimit: RETURN_LIMIT,
  });
  // 5.4: anyone may post a Reclaim (the holder's P is its authority).
  route(app, protocol.reclaims, async (req) => reclaim(s, rawBody(req)), { bodyLimit: RECLAIM_LIMIT });

  route(app, admin.tickets, async () => ticketsView(s));
  route(app, admin.settlement, async () => settlementView(s));
  route(app, admin.incidents, async () => incidentsView(s));
};
