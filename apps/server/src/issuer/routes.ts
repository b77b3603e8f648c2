// The issuer's endpoints as a Fastify plugin: section 7's tickets, Returns, reclaims and deny list, and the admin JSON
// of its page. Each handler reads the request and hands it to the logic; the endpoints, with their bodies
// and answers, are @moneybag/api's.
import { issuerAdmin as admin, protocol, type TicketRequestJson } from '@moneybag/api';
import type { FastifyPluginAsync } from 'fastify';
import { partyOf } from '../auth.ts';
import { jsonBody, rawBody, route } from '../http.ts';
import type { Service } from '../service.ts';
import { incidentsView, issue, reclaim, settle, settlementView, ticketsView } from './logic.ts';

/** A Reclaim is 240 bytes and a little more (its issuer id). */
export const RECLAIM_LIMIT = 4096;
/**
 * The Returns an issuer accepts are up to twice its bag limit: every Return a collector makes from a bag it
 * accepted fits. A Return item is a bag's use without its deal (8 bytes) but with its challenge (32): 24 bytes
 * more on a use of at least ~200 (a ticket with its 64-byte C, the 64-byte S), so under 1.15x the bag.
 */
export const returnLimitFor = (bagLimit: number): number => 2 * bagLimit;

export const issuerRoutes: FastifyPluginAsync<{
  service: Service;
  bagLimit: number;
  limited?: object;
}> = async (app, { service: s, bagLimit, limited }) => {
  route(app, protocol.tickets, async (req) => issue(s, jsonBody<TicketRequestJson>(req)));
  route(app, protocol.returns, async (req) => settle(s, partyOf(req).id, rawBody(req)), {
    bodyLimit: returnLimitFor(bagLimit),
  });
  // 5.4: anyone may post a Reclaim (the holder's P is its authority).
  route(app, protocol.reclaims, async (req) => reclaim(s, rawBody(req)), {
    bodyLimit: RECLAIM_LIMIT,
    config: limited,
  });

  route(app, admin.tickets, async () => ticketsView(s));
  route(app, admin.settlement, async () => settlementView(s));
  route(app, admin.incidents, async () => incidentsView(s));
};
