// The HTTP service: Fastify with its body limits, content-type parsing, one authentication hook and errors as
// protocol codes; the endpoints every service answers; then each role's routes, a plugin per role.
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { openapi, protocol, service } from '@moneybag/api';
import { ProtocolError, toBase64url } from '@moneybag/protocol';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { adminRoutes } from './admin.ts';
import { installAuth, partyOf } from './auth.ts';
import { BAG_LIMIT, collectorRoutes } from './collector/routes.ts';
import { demoOperators } from './demo.ts';
import { denylistRoutes } from './denylists.ts';
import { RAW_TYPE, Refusal, refuse, route } from './http.ts';
import { issuerRoutes } from './issuer/routes.ts';
import { errorText, log } from './log.ts';
import { Metrics } from './metrics.ts';
import type { Service } from './service.ts';
import { spaFallback, webRoutes } from './web.ts';

export const JSON_LIMIT = 64 * 1024;
export const RAW_LIMIT = 1024 * 1024;
/** Requests per minute from one address on each public endpoint (`--rate-limit`). */
export const RATE_LIMIT = 600;

declare module 'fastify' {
  interface FastifyRequest {
    /** The code of a refusal or failure, for the log line and the metrics. */
    code: string | null;
  }
}

export interface AppOptions extends BaseOptions {
  /** A bag or direct payment was stored (the outbox may send its Returns). */
  onBag?: () => void;
  /** A bag is being received until the returned function is called (the outbox waits). */
  holdOutbox?: () => () => void;
  /** The collector's registered issuers changed (their deny lists may be fetched now). */
  onIssuers?: () => void;
  /** The largest bag in bytes (default BAG_LIMIT); an issuer accepts Returns up to twice that. */
  bagLimit?: number;
}

/** What every service's app is made with (issuer, collector, relay). */
export interface BaseOptions {
  /** One log line per request (default); the CLI, answering in its own process, prints only its answer. */
  requestLog?: boolean;
  /** The counters of GET /metrics (main makes them first, to count the verifier too). */
  metrics?: Metrics;
  /** Requests per minute from one address on each public endpoint (/v1/direct, the well-known, the deny list); 0: no limit. */
  rateLimit?: number;
  /** Serve on an HTTP server made beforehand (main binds its port before it makes the service). */
  serverFactory?: FastifyServerFactory;
}

/**
 * What every service's app shares (issuer, collector, relay): body limits, raw messages, security headers,
 * rate limits, one log line and the metrics of each request, errors as protocol codes, 404 as E_NOT_FOUND
 * (or a web app's page), GET /metrics. `limited` is the route config of a rate-limited public endpoint.
 */
/** A request from this machine (IPv4, IPv6, or IPv4 mapped into IPv6). */
const isLoopback = (address: string | undefined) =>
  !!address && (/^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address));

export async function baseApp(
  opts: BaseOptions = {},
): Promise<{ app: FastifyInstance; metrics: Metrics; limited: object }> {
  const app = Fastify({
    bodyLimit: JSON_LIMIT,
    forceCloseConnections: true,
    // No silent coercion: "1000" is not a face; unknown fields are ignored, not stripped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
    ...(opts.serverFactory && { serverFactory: opts.serverFactory }),
  });
  const metrics = opts.metrics ?? new Metrics();
  await app.register(cors, { origin: '*', methods: ['GET', 'POST', 'DELETE', 'OPTIONS'] });
  // Security headers on every answer, and a Content-Security-Policy the web apps run under: their own
  // scripts only, no framing; any origin for fetch (a POS or a wallet talks to other parties' services).
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ['*'],
        workerSrc: ["'self'", 'blob:'],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // The API is public (CORS *): other origins' pages may read it.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  // Per address, on the routes that name `config.rateLimit` (the endpoints anyone can call): 429 E_RATE_LIMIT
  // with Retry-After.
  const perMinute = opts.rateLimit ?? RATE_LIMIT;
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new Error(`too many requests: try again in ${Math.ceil(ctx.ttl / 1000)} s`), {
        statusCode: 429,
      }),
  });
  const limited: object = perMinute > 0 ? { rateLimit: { max: perMinute, timeWindow: 60_000 } } : {};
  // One log line and the metrics of every request: party, route, status, code, duration (never a token).
  app.decorateRequest('code', null);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const code = req.code ?? '';
    const seconds = reply.elapsedTime / 1000;
    metrics.requests.inc({ method: req.method, route, status: reply.statusCode, code });
    metrics.latency.observe({ route }, seconds);
    if (req.method === 'POST' && route === '/v1/direct')
      metrics.uses.inc({ kind: 'direct', result: reply.statusCode === 200 ? 'accepted' : 'refused', code });
    if (req.method === 'POST' && route.endsWith('/bags') && reply.statusCode !== 200)
      metrics.bags.inc({ result: 'refused', code });
    if (opts.requestLog !== false)
      log(reply.statusCode >= 500 ? 'error' : 'info', 'request', {
        method: req.method,
        route,
        status: reply.statusCode,
        code: req.code,
        party: req.party?.id ?? null,
        ms: Math.round(reply.elapsedTime),
      });
  });
  app.addContentTypeParser(RAW_TYPE, { parseAs: 'buffer', bodyLimit: RAW_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const answer = (status: number, code: string, message: string) => {
      req.code = code;
      return reply.code(status).send({ code, message });
    };
    if (err instanceof Refusal) return answer(err.status, err.code, err.message);
    if (err instanceof ProtocolError)
      return answer(err.code === 'E_BAG_REUSED' ? 409 : 422, err.code, err.message);
    if (err.statusCode === 413) return answer(413, 'E_TOO_LARGE', 'the body is over the limit');
    if (err.statusCode === 429) return answer(429, 'E_RATE_LIMIT', err.message);
    if (err.validation || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500))
      return answer(400, 'E_REQUEST', err.message);
    // Ours, not the client's: logged with its stack; the client may try again (nothing was stored).
    log('error', 'internal error', {
      method: req.method,
      route: req.routeOptions.url,
      error: errorText(err),
    });
    return answer(500, 'E_INTERNAL', 'internal error: the service logged it; nothing was stored, try again');
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && !path.startsWith('/v1/')) {
      const r = spaFallback(req.url, reply);
      if (r) return r;
    }
    req.code = 'E_NOT_FOUND';
    return reply.code(404).send({ code: 'E_NOT_FOUND', message: `no ${req.method} ${path}` });
  });

  // Prometheus' text format (not JSON: mounted as it is).
  app.get(service.metrics.url, async (_req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(await metrics.text()),
  );
  return { app, metrics, limited };
}

export async function buildApp(s: Service, opts: AppOptions = {}): Promise<FastifyInstance> {
  const { app, metrics, limited } = await baseApp(opts);
  metrics.watch(s);
  installAuth(app, s);

  route(
    app,
    protocol.wellKnown,
    async () => {
      const own = (id: string) => ({ id, publicKey: toBase64url(s.signer(id).publicKey), url: s.origin });
      // A collector speaks for every issuer it registered: their keys, urls and horizons as they publish them.
      const registered = s.serves('collector') ? await s.registeredIssuers() : [];
      return {
        version: 1 as const,
        issuers: [...(s.serves('issuer') ? [{ ...own(s.issuer), horizon: s.horizon }] : []), ...registered],
        collectors: s.serves('collector') ? [own(s.collector)] : [],
      };
    },
    { config: limited },
  );
  // The operator's probe: the database answers, and how durable it is (fsync, synchronous_commit).
  route(app, service.health, async (_req, reply) => {
    try {
      return { ok: true as const, roles: [...s.roles], db: await s.db.info() };
    } catch (e) {
      return reply.code(503).send({ ok: false, roles: s.roles, error: `database: ${(e as Error).message}` });
    }
  });
  route(app, service.me, async (req) => {
    const p = partyOf(req);
    return { party: p.id, role: p.role, label: p.label, ...(p.terminal && { terminal: p.terminal }) };
  });
  // The landing page's one click into the operator pages of the demo: the tokens go only to a page of this
  // service (a browser says where a request comes from; another site's script gets nothing), on this machine
  // (a phone on the network gets nothing either).
  route(app, service.demoOperators, async (req) => {
    const site = req.headers['sec-fetch-site'];
    if (!isLoopback(req.socket.remoteAddress) || (site !== undefined && site !== 'same-origin'))
      refuse(403, 'E_FORBIDDEN', "the demo's operator tokens are given to this machine's own pages only");
    return (await demoOperators(s)) ?? refuse(404, 'E_NOT_FOUND', 'this service is not the demo');
  });
  const doc = JSON.stringify(openapi());
  app.get(service.openapi.url, (_req, reply) => reply.type('application/json').send(doc));

  // One plugin per role (a relay role adds its own beside these).
  if (s.serves('collector'))
    await app.register(collectorRoutes, {
      service: s,
      metrics,
      limited,
      bagLimit: opts.bagLimit ?? BAG_LIMIT,
      onBag: opts.onBag,
      holdOutbox: opts.holdOutbox,
    });
  if (s.serves('issuer'))
    await app.register(issuerRoutes, { service: s, bagLimit: opts.bagLimit ?? BAG_LIMIT, limited });
  await app.register(denylistRoutes, { service: s, limited });
  await app.register(adminRoutes, { service: s, onIssuers: opts.onIssuers });
  await webRoutes(app);
  return app;
}
