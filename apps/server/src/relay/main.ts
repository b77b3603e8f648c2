// `main.ts --role relay --data DIR --port N --upstream URL --token TOKEN [--due-margin SECONDS] [--url ORIGIN]`:
// a relay process with its own embedded database in DIR.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cors from '@fastify/cors';
import { nativeVerifier } from '@moneybag/node';
import { ProtocolError, toBase64url } from '@moneybag/protocol';
import Fastify, { type FastifyError } from 'fastify';
import { RAW_TYPE, Refusal } from '../http.ts';
import { hashToken } from '../service.ts';
import { spaFallback, webRoutes } from '../web.ts';
import { Relay } from './role.ts';
import { relayRoutes } from './routes.ts';
import { RelayStore } from './store.ts';

export const operatorTokenPath = (dir: string) => join(dir, 'keys', 'operator.token');

/** The operator's token, made on the first start: kept hashed in the database, in clear in keys/ (0600). */
export async function ensureOperatorToken(store: RelayStore, dir: string): Promise<void> {
  if (await store.get('operator')) return;
  const token = toBase64url(randomBytes(32));
  mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  writeFileSync(operatorTokenPath(dir), token, { mode: 0o600 });
  chmodSync(operatorTokenPath(dir), 0o600);
  await store.set('operator', hashToken(token));
}

export interface RelayOptions {
  data: string;
  port: number;
  host: string;
  url?: string;
  upstream: string;
  token: string;
  dueMargin?: number;
}

export async function startRelay(o: RelayOptions) {
  const store = await RelayStore.open(o.data);
  await ensureOperatorToken(store, o.data);
  const relay = new Relay(
    store,
    { upstream: o.upstream.replace(/\/+$/, ''), token: o.token, dueMargin: o.dueMargin },
    nativeVerifier,
  );
  // The parent may be down: the relay serves what it last stored and tries again on its own.
  await relay.sync().catch((e) => console.error(`relay: ${(e as Error).message}`));

  let origin = (o.url ?? `http://localhost:${o.port}`).replace(/\/+$/, '');
  const app = Fastify({
    bodyLimit: 64 * 1024,
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
  });
  await app.register(cors, { origin: '*', methods: ['GET', 'POST', 'OPTIONS'] });
  app.addContentTypeParser(RAW_TYPE, { parseAs: 'buffer', bodyLimit: 32 * 1024 * 1024 }, (_r, body, done) =>
    done(null, body),
  );
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof Refusal) return reply.code(err.status).send({ code: err.code, message: err.message });
    if (err instanceof ProtocolError)
      return reply
        .code(err.code === 'E_BAG_REUSED' ? 409 : 422)
        .send({ code: err.code, message: err.message });
    if (err.statusCode === 413)
      return reply.code(413).send({ code: 'E_TOO_LARGE', message: 'the body is over the limit' });
    if (err.validation || (err.statusCode && err.statusCode >= 400 && err.statusCode < 500))
      return reply.code(400).send({ code: 'E_REQUEST', message: err.message });
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
  await app.register(relayRoutes, { relay, origin: () => origin });
  await webRoutes(app);
  await app.listen({ port: o.port, host: o.host });
  const addr = app.server.address();
  if (addr && typeof addr === 'object' && !o.url) origin = `http://localhost:${addr.port}`;
  await store.set('origin', origin);
  relay.start();

  // The CLI finds a running relay here and goes through its admin API (PGlite is one process's).
  const info = join(o.data, 'server.json');
  writeFileSync(info, JSON.stringify({ pid: process.pid, url: origin, role: 'relay' }));
  console.log(`Moneybag relay on ${origin}, parent ${o.upstream}`);
  console.log(`  operator token: ${operatorTokenPath(o.data)}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    rmSync(info, { force: true });
    await relay.stop();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return { app, relay, stop };
}
