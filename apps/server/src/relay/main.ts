// `main.ts --role relay --data DIR --port N --upstream URL --token TOKEN [--due-margin SECONDS] [--url ORIGIN]`:
// a relay process with its own embedded database in DIR.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeVerifier } from '@moneybag/node';
import { baseApp } from '../app.ts';
import { newToken, writeSecret } from '../keys.ts';
import { serverInfoPath } from '../running.ts';
import { hashToken } from '../storage/parties.ts';
import { RelayStore } from '../storage/relay.ts';
import { webRoutes } from '../web.ts';
import { Relay } from './logic.ts';
import { relayRoutes } from './routes.ts';

export const operatorTokenPath = (dir: string) => join(dir, 'keys', 'operator.token');

/** The operator's token, made on the first start: kept hashed in the database, in clear in keys/ (0600). */
export async function ensureOperatorToken(store: RelayStore, dir: string): Promise<void> {
  if (await store.get('operator')) return;
  const token = newToken();
  mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  writeSecret(operatorTokenPath(dir), token);
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
  const { app } = await baseApp();
  await app.register(relayRoutes, { relay, origin: () => origin });
  await webRoutes(app);
  await app.listen({ port: o.port, host: o.host });
  const addr = app.server.address();
  if (addr && typeof addr === 'object' && !o.url) origin = `http://localhost:${addr.port}`;
  await store.set('origin', origin);
  relay.start();

  // The CLI finds a running relay here and goes through its admin API (the database is one process's).
  const info = serverInfoPath(o.data);
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
