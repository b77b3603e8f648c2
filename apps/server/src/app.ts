// The HTTP service: Fastify with its body limits, content-type parsing, one authentication hook and errors as
// protocol codes; the endpoints every service answers; then each role's routes, a plugin per role.
import cors from '@fastify/cors';
import { openapi, protocol, service } from '@moneybag/api';
import { ProtocolError, toBase64url } from '@moneybag/protocol';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerFactory } from 'fastify';
import { adminRoutes } from './admin.ts';
import { installAuth, partyOf } from './auth.ts';
import { collectorRoutes } from './collector/routes.ts';
import { denylistRoutes } from './denylists.ts';
import { RAW_TYPE, Refusal, route } from './http.ts';
import { issuerRoutes } from './issuer/routes.ts';
import type { Service } from './service.ts';
import { spaFallback, webRoutes } from './web.ts';

export const JSON_LIMIT = 64 * 1024;
export const RAW_LIMIT = 1024 * 1024;

export interface AppOptions {
  /** A bag or direct payment was stored (the outbox may send its Returns). */
  onBag?: () => void;
  /** A bag is being received until the returned function is called (the outbox waits). */
  holdOutbox?: () => () => void;
  /** The collector's registered issuers changed (their deny lists may be fetched now). */
  onIssuers?: () => void;
  /** Serve on an HTTP server made beforehand (main binds its port before it makes the service). */
  serverFactory?: FastifyServerFactory;
}

export async function buildApp(s: Service, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: JSON_LIMIT,
    forceCloseConnections: true,
    // No silent coercion: "1000" is not a face; unknown fields are ignored, not stripped.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
    ...(opts.serverFactory && { serverFactory: opts.serverFactory }),
  });
  await app.register(cors, { origin: '*', methods: ['GET', 'POST', 'DELETE', 'OPTIONS'] });
  app.addContentTypeParser(RAW_TYPE, { parseAs: 'buffer', bodyLimit: RAW_LIMIT }, (_req, body, done) =>
    done(null, body),
  );
  installAuth(app, s);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof Refusal) return reply.code(err.status).send({ code: err.code, message: err.message });
    if (err instanceof ProtocolError)
      return reply
        .code(err.code === 'E_BAG_REUSED' ? 409 : 422)
        .send({ code: err.code, message: err.message });
    if (err.statusCode === 413)
      return reply.code(413).send({ code: 'E_TOO_LARGE', message: 'the body is over the limit' });
    if (err.validation || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500))
      return reply.code(400).send({ code: 'E_REQUEST', message: err.message });
    req.log.error(err);
    console.error(err);
    return reply.code(500).send({ code: 'E_REQUEST', message: 'internal error' });
  });
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    if (req.method === 'GET' && !path.startsWith('/v1/')) {
      const r = spaFallback(req.url, reply);
      if (r) return r;
    }
    return reply.code(404).send({ code: 'E_NOT_FOUND', message: `no ${req.method} ${path}` });
  });

  route(app, protocol.wellKnown, async () => {
    const own = (id: string) => ({ id, publicKey: toBase64url(s.signer(id).publicKey), url: s.origin });
    // A collector speaks for every issuer it registered: their keys, urls and horizons as they publish them.
    const registered = s.serves('collector') ? await s.registeredIssuers() : [];
    return {
      version: 1 as const,
      issuers: [...(s.serves('issuer') ? [{ ...own(s.issuer), horizon: s.horizon }] : []), ...registered],
      collectors: s.serves('collector') ? [own(s.collector)] : [],
    };
  });
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
    return { party: p.id, role: p.role, label: p.label };
  });
  const doc = JSON.stringify(openapi());
  app.get(service.openapi.url, (_req, reply) => reply.type('application/json').send(doc));

  // One plugin per role (a relay role adds its own beside these).
  if (s.serves('collector'))
    await app.register(collectorRoutes, { service: s, onBag: opts.onBag, holdOutbox: opts.holdOutbox });
  if (s.serves('issuer')) await app.register(issuerRoutes, { service: s });
  await app.register(denylistRoutes, { service: s });
  await app.register(adminRoutes, { service: s, onIssuers: opts.onIssuers });
  await webRoutes(app);
  return app;
}
