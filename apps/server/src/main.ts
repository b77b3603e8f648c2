// `node --import tsx apps/server/src/main.ts [--data DIR] [--port N] [--url ORIGIN] [--horizon SECONDS]
//    [--bag-limit BYTES] [--rate-limit PER_MINUTE]
//    [--role issuer --id ID | --role collector --id ID | --role both --issuer ID --collector ID]`,
// or `--role relay --data DIR --port N --upstream URL --token TOKEN [--due-margin SECONDS]` (7.1).
// The port is bound first, so that the service's origin (its port included) is fixed when it is made.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { poolVerifier, useNativeHashes } from '@moneybag/node';
import { DEFAULT_HORIZON, isId } from '@moneybag/protocol';
import { buildApp, RATE_LIMIT } from './app.ts';
import { parseCommand } from './args.ts';
import { BAG_LIMIT } from './collector/routes.ts';
import { openDb } from './db.ts';
import { startDenylistRefresh } from './denylists.ts';
import { type Identity, type IdentityRequest, openIdentity } from './identity.ts';
import { Metrics } from './metrics.ts';
import { startOutbox } from './outbox.ts';
import { serverInfoPath } from './running.ts';
import { type ServedRole, Service } from './service.ts';

/** The roles and ids asked for on the command line (none: what the data folder is, or the demo on a new one). */
export function identityRequest(v: {
  role?: string;
  id?: string;
  issuer?: string;
  collector?: string;
}): IdentityRequest {
  for (const id of [v.id, v.issuer, v.collector])
    if (id !== undefined && !isId(id))
      throw new Error(`${id} is not an id (lowercase letters, digits, . _ : -)`);
  if (v.role === undefined) {
    if (v.id) throw new Error('--id names the party of --role issuer or --role collector');
    return { issuer: v.issuer, collector: v.collector };
  }
  if (v.role === 'both') {
    if (v.id) throw new Error('--role both takes --issuer ID --collector ID, not --id');
    return { roles: ['issuer', 'collector'], issuer: v.issuer, collector: v.collector };
  }
  if (v.role !== 'issuer' && v.role !== 'collector') throw new Error('--role is issuer, collector or both');
  const role: ServedRole = v.role;
  const other = role === 'issuer' ? v.collector : v.issuer;
  if (other) throw new Error(`--role ${role} serves no ${role === 'issuer' ? 'collector' : 'issuer'}`);
  if (v.id && v[role] && v.id !== v[role]) throw new Error(`--id ${v.id} and --${role} ${v[role]} differ`);
  return { roles: [role], [role]: v.id ?? v[role] };
}

export async function start(argv: string[]) {
  const { values } = parseCommand(
    argv,
    {
      data: { type: 'string', default: './data' },
      port: { type: 'string', default: '8080' },
      role: { type: 'string' },
      id: { type: 'string' },
      issuer: { type: 'string' },
      collector: { type: 'string' },
      host: { type: 'string', default: '0.0.0.0' },
      url: { type: 'string' },
      upstream: { type: 'string' },
      token: { type: 'string' },
      'due-margin': { type: 'string' },
      horizon: { type: 'string', default: String(DEFAULT_HORIZON) },
      'bag-limit': { type: 'string', default: String(BAG_LIMIT) },
      'rate-limit': { type: 'string', default: String(RATE_LIMIT) },
    },
    false,
  );
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${values.port}`);
  if (values.role === 'relay') {
    if (!values.upstream || !values.token) throw new Error('a relay needs --upstream URL and --token TOKEN');
    const margin = values['due-margin'] === undefined ? undefined : Number(values['due-margin']);
    if (margin !== undefined && !(Number.isInteger(margin) && margin >= 0))
      throw new Error(`bad --due-margin ${values['due-margin']}`);
    const { startRelay } = await import('./relay/main.ts');
    return startRelay({
      data: resolve(values.data!),
      port,
      host: values.host!,
      url: values.url,
      upstream: values.upstream,
      token: values.token,
      dueMargin: margin,
    });
  }
  const ask = identityRequest(values);
  const horizon = Number(values.horizon);
  if (!/^\d+$/.test(values.horizon!) || !Number.isSafeInteger(horizon))
    throw new Error(`bad --horizon ${values.horizon}: a number of seconds`);
  const bagLimit = Number(values['bag-limit']);
  if (!Number.isInteger(bagLimit) || bagLimit < 4096)
    throw new Error(`bad --bag-limit ${values['bag-limit']} (bytes, at least 4096)`);
  const rateLimit = Number(values['rate-limit']);
  if (!Number.isInteger(rateLimit) || rateLimit < 0)
    throw new Error(`bad --rate-limit ${values['rate-limit']} (requests per minute, 0 for none)`);
  const dataDir = resolve(values.data!);

  // Fastify's own defaults for a server it makes (no request timeout: a big bag may take its time).
  const server = createServer({ requestTimeout: 0, keepAliveTimeout: 72_000 });
  // Until the app is ready: 503, so that a client polling for the service tries again.
  const notYet: RequestListener = (_req, res) => res.writeHead(503).end();
  server.on('request', notYet);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, values.host, () => ok());
  });
  const bound = (server.address() as AddressInfo).port;

  useNativeHashes();
  const verifier = poolVerifier();
  const metrics = new Metrics();
  const db = await openDb(dataDir);
  let identity: Identity;
  try {
    identity = await openIdentity(db, dataDir, ask);
  } catch (e) {
    await db.close();
    throw e;
  }
  const { roles } = identity;
  const s = await Service.open(
    db,
    {
      dataDir,
      roles,
      origin: values.url ?? `http://localhost:${bound}`,
      selfUrl: `http://127.0.0.1:${bound}`,
      horizon,
    },
    metrics.counting(verifier),
  );
  const outbox = s.serves('collector') ? startOutbox(s) : undefined;
  const denylists = s.serves('collector') ? startDenylistRefresh(s) : undefined;
  let handler: RequestListener | undefined;
  const app = await buildApp(s, {
    onBag: () => outbox?.poke(),
    holdOutbox: outbox?.hold,
    onIssuers: () => denylists?.poke(),
    bagLimit,
    rateLimit,
    metrics,
    serverFactory: (h) => {
      handler = h as RequestListener;
      return server;
    },
  });
  await app.ready();
  server.off('request', notYet);
  server.on('request', handler!);
  // The CLI finds a running server here and goes through its admin API instead of the database.
  const info = serverInfoPath(dataDir);
  writeFileSync(info, JSON.stringify({ pid: process.pid, url: s.origin, own: s.own }));
  const dbInfo = await s.db.info();
  console.log(`Moneybag ${s.roles.join(' + ')} (${dbInfo.engine}) on ${s.origin}`);
  for (const p of ['wallet', 'pos', 'collector', 'issuer'])
    console.log(`  ${p.padEnd(10)} ${s.origin}/${p}/`);
  console.log(`  well-known ${s.origin}/.well-known/moneybag.json`);
  if (identity.demo || existsSync(resolve(dataDir, 'demo.json')))
    console.log(`  demo ids and tokens: ${resolve(dataDir, 'demo.json')}`);
  for (const p of identity.created ?? [])
    console.log(`  new ${p.role} ${p.id}: operator token ${p.token} (also in keys/${p.id}.token)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    rmSync(info, { force: true });
    await outbox?.stop();
    await denylists?.stop();
    await app.close();
    await new Promise((done) => {
      server.close(done);
      server.closeAllConnections();
    });
    await s.close();
    await verifier.close?.();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return { app, service: s, stop };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  start(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
