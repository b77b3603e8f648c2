// The issuer's endpoints as a Fastify plugin: section 7's tickets, Returns and deny list, and the admin JSON
// of its page. Each handler reads the request and hands it to the logic.
import type { FastifyPluginAsync } from 'fastify';
import { partyOf } from '../auth.ts';
import { jsonBody, rawBody } from '../http.ts';
import type { Service } from '../service.ts';
import { incidentsView, issue, settle, settlementView, ticketsView } from './logic.ts';

export const RETURN_LIMIT = 32 * 1024 * 1024;

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

export const issuerRoutes: FastifyPluginAsync<{ service: Service }> = async (app, { service: s }) => {
  app.post('/v1/tickets', { schema: ticketSchema, config: operator }, async (req) =>
    issue(s, jsonBody<{ holder: string; unit: string; face: number; expires: number }>(req)),
  );

  app.post(
    '/v1/returns',
    { bodyLimit: RETURN_LIMIT, config: { auth: ['collector'], peers: true } },
    async (req) => settle(s, partyOf(req).id, rawBody(req)),
  );

  app.get('/v1/admin/issuer/tickets', { config: operator }, async () => ticketsView(s));
  app.get('/v1/admin/issuer/settlement', { config: operator }, async () => settlementView(s));
  app.get('/v1/admin/issuer/incidents', { config: operator }, async () => incidentsView(s));
};
