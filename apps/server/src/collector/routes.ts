// The collector's endpoints as a Fastify plugin: section 7's allocations, bags and direct payments, and the
// admin JSON of its page. Each handler reads the request and hands it to the logic.
import { decodeViews, isId } from '@moneybag/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { partyOf } from '../auth.ts';
import { jsonBody, rawBody, refuse } from '../http.ts';
import type { Service } from '../service.ts';
import {
  addShop,
  allocateFor,
  allocationsView,
  bagsView,
  DEFAULT_ALLOCATION_SECONDS,
  directView,
  outboxView,
  pairShop,
  receiveBag,
  receiveDirect,
  shopsView,
  storedBag,
  totalsView,
} from './logic.ts';

export const BAG_LIMIT = 32 * 1024 * 1024;

export interface CollectorOptions {
  service: Service;
  /** A bag or direct payment was stored (the outbox may send its Returns). */
  onBag?: () => void;
  /** A bag is being received until the returned function is called (the outbox waits). */
  holdOutbox?: () => () => void;
}

export const allocationSchema = {
  body: {
    type: 'object',
    required: ['count'],
    properties: {
      count: { type: 'integer', minimum: 1, maximum: 64 },
      terminal: { type: 'string', maxLength: 64 },
      seconds: { type: 'integer', minimum: 1, maximum: DEFAULT_ALLOCATION_SECONDS },
    },
  },
};
const shopSchema = {
  body: {
    type: 'object',
    required: ['id', 'label'],
    properties: { id: { type: 'string', maxLength: 64 }, label: { type: 'string', maxLength: 200 } },
  },
};

const shop = { auth: ['shop'] } as const;
const operator = { auth: ['collector'] } as const;

export const collectorRoutes: FastifyPluginAsync<CollectorOptions> = async (app, { service: s, ...opts }) => {
  if (opts.holdOutbox) {
    const hold = opts.holdOutbox;
    // The raw response's close comes once, whether answered, refused or cut off.
    app.addHook('onRequest', async (req, reply) => {
      if (req.method === 'POST' && req.routeOptions.url === '/v1/bags') reply.raw.once('close', hold());
    });
  }
  if (opts.onBag) {
    const onBag = opts.onBag;
    app.addHook('onResponse', async (req, reply) => {
      if (
        req.method === 'POST' &&
        reply.statusCode === 200 &&
        (req.url === '/v1/bags' || req.url === '/v1/direct')
      )
        onBag();
    });
  }

  app.post('/v1/allocations', { schema: allocationSchema, config: shop }, async (req) => {
    const body = jsonBody<{ count: number; terminal?: string; seconds?: number }>(req);
    if (body.terminal !== undefined && !isId(body.terminal))
      refuse(400, 'E_REQUEST', 'terminal must be an id (lowercase letters, digits, . _ : -)');
    return { allocations: await allocateFor(s, partyOf(req).id, body) };
  });

  app.post('/v1/bags', { bodyLimit: BAG_LIMIT, config: shop }, async (req) =>
    receiveBag(s, partyOf(req).id, rawBody(req)),
  );

  app.get<{ Params: { digest: string } }>('/v1/bags/:digest', { config: shop }, async (req) => {
    const found = /^[0-9a-f]{64}$/.test(req.params.digest)
      ? await storedBag(s, req.params.digest)
      : undefined;
    if (!found) return refuse(404, 'E_NOT_FOUND', 'no bag with this digest');
    if (found.party !== partyOf(req).id) return refuse(403, 'E_FORBIDDEN', "another party's bag");
    return found.answer;
  });

  app.post('/v1/direct', async (req) => receiveDirect(s, rawBody(req)));

  // --- admin JSON for the collector's page ---------------------------------------------------

  // A bag handed in by hand (a file a shop exported): the operator collects it as the party it names, so
  // every check of 5.2 applies as if that party had sent it (E_UNKNOWN_BAG if the root is not its own).
  app.post('/v1/admin/collector/bags', { bodyLimit: BAG_LIMIT, config: operator }, async (req) => {
    const message = rawBody(req);
    let to = '';
    try {
      to = decodeViews(message, 'Bag').to;
    } catch {
      // receiveBag answers with the decoder's code
    }
    return receiveBag(s, to, message);
  });

  app.get('/v1/admin/collector/shops', { config: operator }, async () => shopsView(s));

  app.post('/v1/admin/collector/shops', { schema: shopSchema, config: operator }, async (req) => {
    const { id, label } = jsonBody<{ id: string; label: string }>(req);
    if (!isId(id)) refuse(400, 'E_REQUEST', 'a shop id is lowercase letters, digits, . _ : - (1..64)');
    return addShop(s, id, label);
  });

  app.post<{ Params: { id: string } }>(
    '/v1/admin/collector/shops/:id/token',
    { config: operator },
    async (req) => pairShop(s, req.params.id),
  );

  app.get<{ Querystring: { shop?: string } }>(
    '/v1/admin/collector/allocations',
    { config: operator },
    async (req) => allocationsView(s, typeof req.query.shop === 'string' ? req.query.shop : null),
  );

  app.get('/v1/admin/collector/bags', { config: operator }, async () => bagsView(s));
  app.get('/v1/admin/collector/totals', { config: operator }, async () => totalsView(s));
  app.get('/v1/admin/collector/direct', { config: operator }, async () => directView(s));
  app.get('/v1/admin/collector/outbox', { config: operator }, async () => outboxView(s));
};
