// The issuer's endpoints as a Fastify plugin: section 7's tickets, Returns and deny list, and the admin JSON
// of its page. Each handler reads the request and hands it to the logic.
import type { FastifyPluginAsync } from 'fastify';
import { partyOf } from '../auth.ts';
import { jsonBody, rawBody } from '../http.ts';
import type { Service } from '../service.ts';
import { denylist, incidentsView, issue, settle, settlementView, ticketsView } from './logic.ts';

/**
 * The Returns an issuer accepts are up to twice its bag limit: every Return a collector makes from a bag it
 * accepted fits. A Return item is a bag's use without its deal (8 bytes) but with its challenge (32): 24 bytes
 * more on a use of at least ~200 (a ticket with its 64-byte C, the 64-byte S), so under 1.15x the bag.
 */
export const returnLimitFor = (bagLimit: number): number => 2 * bagLimit;

const ticketSchema = {
  body: {
    type: 'object',
    required: ['holder', 'unit', 'face', 'expires'],
    properties: {
      holder: { type: 'string', maxLength: 100 },
      unit: { type: 'string', maxLength: 20 },
      face: { type: 'integer' },
      expires: { type: 'integer' },
    },
  },
};

const operator = { auth: ['issuer'] } as const;

export const issuerRoutes: FastifyPluginAsync<{
  service: Service;
  bagLimit: number;
  limited?: object;
}> = async (app, { service: s, bagLimit, limited }) => {
  app.post('/v1/tickets', { schema: ticketSchema, config: operator }, async (req) =>
    issue(s, jsonBody<{ holder: string; unit: string; face: number; expires: number }>(req)),
  );

  app.post(
    '/v1/returns',
    { bodyLimit: returnLimitFor(bagLimit), config: { auth: ['collector'] } },
    async (req) => settle(s, partyOf(req).id, rawBody(req)),
  );

  app.get('/v1/denylist', { config: { ...limited } }, async () => denylist(s));

  app.get('/v1/admin/issuer/tickets', { config: operator }, async () => ticketsView(s));
  app.get('/v1/admin/issuer/settlement', { config: operator }, async () => settlementView(s));
  app.get('/v1/admin/issuer/incidents', { config: operator }, async () => incidentsView(s));
};
