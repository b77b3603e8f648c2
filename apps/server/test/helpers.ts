// A real server process on a temporary data folder, and the protocol's own functions to build what it receives.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AllocationRequestJson,
  AllocationsJson,
  DemoFileJson,
  TicketAnswerJson,
  TicketRequestJson,
} from '@moneybag/api';
import { nativeSigner } from '@moneybag/node';
import {
  type Allocation,
  bodyOfUse,
  challengeOf,
  closeBag,
  decode,
  directChallengeOf,
  encode,
  fromHex,
  fromText,
  issueTicket,
  numberOfAllocation,
  type Signer,
  type Ticket,
  type Use,
} from '@moneybag/protocol';
import { afterAll, beforeAll } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
export const RAW = 'application/vnd.moneybag';

export type Demo = DemoFileJson;

export interface Server extends Proc {
  demo: Demo;
}

/** With DATABASE_URL set, each data folder gets its own schema on that server. */
export async function databaseUrlFor(): Promise<string | undefined> {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const { default: pg } = await import('pg');
  const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

const dbUrls = new Map<string, string | undefined>();

/** The DATABASE_URL a data folder's server was given (its own schema), if any. */
export const databaseUrlOf = (data: string): string | undefined => dbUrls.get(data);

/**
 * A data folder for a second process of the service of `data` (which has started once): its keys and
 * demo.json copied, on the same database (DATABASE_URL's schema, or the embedded cluster of `data` through
 * its socket, while that server runs).
 */
export function secondProcessFolder(data: string): string {
  const other = tempFolder('server');
  cpSync(join(data, 'keys'), join(other, 'keys'), { recursive: true });
  cpSync(join(data, 'demo.json'), join(other, 'demo.json'));
  dbUrls.set(
    other,
    dbUrls.get(data) ??
      `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(join(data, 'postgres'))}`,
  );
  return other;
}

/** The environment of a process working on `data` (a server, a command): its own schema on DATABASE_URL. */
export async function envFor(data: string): Promise<NodeJS.ProcessEnv> {
  if (!dbUrls.has(data)) dbUrls.set(data, await databaseUrlFor());
  const env = { ...process.env };
  const dbUrl = dbUrls.get(data);
  if (dbUrl) env.DATABASE_URL = dbUrl;
  return env;
}

/**
 * One server for the tests of a file, with a client of its database: started before them, stopped after.
 * `use` receives both once started.
 */
export function serverForFile(
  use: (server: Server, db: import('pg').Client) => void,
  args: string[] = [],
): void {
  let server: Server | undefined;
  let db: import('pg').Client | undefined;
  beforeAll(async () => {
    server = await startServer(undefined, args);
    db = await dbClient(server);
    use(server, db);
  }, 60_000);
  afterAll(async () => {
    await db?.end();
    await server?.stop();
  });
}

/**
 * A node-postgres client of a server's own database, connected: the embedded one's socket in the data folder,
 * or its schema on DATABASE_URL's server. For tests that look under the service (or go around it).
 */
export async function dbClient(server: { data: string }) {
  const { default: pg } = await import('pg');
  const url = dbUrls.get(server.data);
  const c = new pg.Client(
    url
      ? { connectionString: url }
      : { host: join(server.data, 'postgres'), port: 5432, user: 'postgres', database: 'postgres' },
  );
  await c.connect();
  return c;
}

/** A `main.ts` process as the tests drive it. */
export interface Proc {
  url: string;
  data: string;
  proc: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to finish anything. */
  kill(): Promise<void>;
}

/** Spawns `main.ts --data <data> --port 0 ...args` and waits until it prints the URL it serves on. */
export async function spawnMain(data: string, args: string[], env = process.env): Promise<Proc> {
  const proc = spawn(
    process.execPath,
    [
      // e.g. MONEYBAG_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
      ...(process.env.MONEYBAG_SERVER_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? []),
      '--import',
      'tsx',
      'apps/server/src/main.ts',
      '--data',
      data,
      '--port',
      '0',
      ...args,
    ],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = /on (http:\/\/localhost:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace('localhost', '127.0.0.1'));
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', () => reject(new Error(`server exited:\n${out}`)));
  });
  return {
    url,
    data,
    proc,
    output: () => out,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** The operator token a named party's first start printed (`--role … --id ID`). */
export function operatorToken(s: Server, id: string): string {
  const m = new RegExp(`new (?:issuer|collector) ${id}: operator token (\\S+)`).exec(s.output());
  if (!m) throw new Error(`no operator token for ${id} in:\n${s.output()}`);
  return m[1];
}

const MONEYBAG = new URL('../bin/moneybag.js', import.meta.url).pathname;

/** The `moneybag` command as an operator runs it (a child process): its exit code and output. */
export function moneybag(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [MONEYBAG, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `moneybag <args> --data <data> --json`: the one JSON line it prints (throws with its error otherwise). */
export async function moneybagJson(data: string, args: string[]): Promise<any> {
  const r = await moneybag([...args, '--data', data, '--json']);
  if (r.code !== 0) throw new Error(`moneybag ${args.join(' ')}: ${r.code}\n${r.stderr}${r.stdout}`);
  const lines = r.stdout.trim().split('\n');
  expectOneLine(lines);
  return JSON.parse(lines[0]);
}
function expectOneLine(lines: string[]) {
  if (lines.length !== 1) throw new Error(`expected one JSON line, got:\n${lines.join('\n')}`);
}

/** Starts `main.ts` on `data` (a new temp folder by default), waits for its well-known URL. */
export async function startServer(data = tempFolder('server'), args: string[] = []): Promise<Server> {
  const p = await spawnMain(data, args, await envFor(data));
  // The URL is printed after listen(); the well-known answer proves it serves.
  const wk = await fetch(`${p.url}/.well-known/moneybag.json`);
  if (!wk.ok) throw new Error('no well-known');
  // A data folder of named parties has no demo.json (and its `demo` is empty).
  const demoPath = join(data, 'demo.json');
  const demo: Demo = existsSync(demoPath)
    ? JSON.parse(readFileSync(demoPath, 'utf8'))
    : { issuer: { id: '', token: '' }, collector: { id: '', token: '' }, shops: [] };
  return { ...p, demo };
}

export async function call(
  server: Pick<Server, 'url'>,
  method: string,
  path: string,
  opts: { token?: string; json?: unknown; raw?: Uint8Array; type?: string; body?: string | Uint8Array } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Uint8Array | undefined = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  if (opts.raw) {
    headers['content-type'] = RAW;
    body = opts.raw;
  }
  if (opts.type) headers['content-type'] = opts.type;
  const res = await fetch(`${server.url}${path}`, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

/** A holder with a key from a seed (Node's native signer: the same signatures as seedSigner, faster). */
export const holder = (n: number): Signer => nativeSigner(new Uint8Array(32).fill(n));

export async function issue(
  server: Server,
  h: Signer,
  face: number,
  unit = 'EUR',
  expires = 4_000_000_000,
  token = server.demo.issuer.token,
): Promise<Ticket> {
  const r = await call(server, 'POST', '/v1/tickets', {
    token,
    json: {
      holder: Buffer.from(h.publicKey).toString('base64url'),
      unit,
      face,
      expires,
    } satisfies TicketRequestJson,
  });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return decode(fromText((r.body as TicketAnswerJson).ticket), 'Ticket');
}

export async function allocations(
  server: Server,
  count = 1,
  extra: object = {},
  token = server.demo.shops[0].token,
) {
  const json: AllocationRequestJson = { count, ...extra };
  const r = await call(server, 'POST', '/v1/allocations', { token, json });
  if (r.status !== 200) throw new Error(JSON.stringify(r.body));
  return (r.body as AllocationsJson).allocations.map((t) => decode(fromText(t), 'Allocation') as Allocation);
}

/** Uses signed by their holders for deals 0.. under the allocation's number. */
export async function usesFor(
  a: Allocation,
  spends: { ticket: Ticket; amount: number; signer: Signer }[],
  shop = a.to,
  firstDeal = 0,
): Promise<Use[]> {
  const number = numberOfAllocation(a);
  return Promise.all(
    spends.map(async ({ ticket, amount, signer }, i) => {
      const deal = firstDeal + i;
      const chal = challengeOf(a.collector, number, deal);
      return { deal, shop, ticket, amount, S: await signer.sign(bodyOfUse(amount, ticket.C, shop, chal)) };
    }),
  );
}

/** A wallet's direct payment (3.5) of `amount` from `ticket`, made at `time_ms`, encoded. */
export async function directPayment(
  signer: Signer,
  ticket: Ticket,
  amount: number,
  time_ms = Date.now(),
  collector = 'first-bank',
  shop = 'acme-coffee',
): Promise<Uint8Array> {
  const S = await signer.sign(bodyOfUse(amount, ticket.C, shop, directChallengeOf(collector, time_ms)));
  return encode({ type: 'DirectPayment', collector, shop, time_ms, ticket, amount, S });
}

export const bagOf = (a: Allocation, uses: Use[]): Uint8Array =>
  encode({ type: 'Bag', ...closeBag(a, uses) });

export async function waitFor<T>(f: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A bag of `uses` uses over `tickets` tickets of one holder (each spent in amounts of 1). The tickets are
 * signed here with the issuer's key from the data folder: the same as POST /v1/tickets, faster.
 */
export async function bigBag(server: Server, a: Allocation, uses: number, tickets = 100, h = holder(40)) {
  const issuer = nativeSigner(
    fromHex(readFileSync(join(server.data, 'keys', 'city-transit.seed'), 'utf8').trim()),
  );
  const list: Ticket[] = [];
  const face = Math.ceil(uses / tickets) + 1;
  for (let i = 0; i < tickets; i++)
    list.push(
      await issueTicket(issuer, {
        issuer: 'city-transit',
        unit: 'EUR',
        face,
        holder: h.publicKey,
        expires: 4e9,
      }),
    );
  const spends = Array.from({ length: uses }, (_, i) => ({
    ticket: list[i % tickets],
    amount: 1,
    signer: h,
  }));
  return bagOf(a, await usesFor(a, spends));
}
