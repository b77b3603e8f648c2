// The `moneybag` command (`npm run moneybag -- <command>`, `npx moneybag <command>`): `inspect` prints a
// message (@moneybag/cli); the others register parties, shops and tokens at a service. While a server runs
// on the data folder (its database is one process's), they go through its admin API with the operator's token
// (keys/<own id>.token); otherwise straight to the database. Each prints one JSON line with --json.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  AddCollectorAnswerJson,
  AddIssuerAnswerJson,
  DenylistRefreshJson,
  NewShopJson,
  NewTokenJson,
  PairingCodeJson,
  PartiesJson,
  RemovedJson,
  ResentJson,
} from '@moneybag/api';
import { inspect } from '@moneybag/cli';
import { isId, pairingCodeLink, pairingLink } from '@moneybag/protocol';
import QRCode from 'qrcode';
import { buildApp } from './app.ts';
import { parseCommand } from './args.ts';
import { backup, restore } from './backup.ts';
import { openDb } from './db.ts';

import { type Own, openIdentity } from './identity.ts';
import { readOperatorToken } from './keys.ts';
import { fingerprintOf } from './registry.ts';

import { RELAY_COMMANDS, RELAY_USAGE, runRelayCli } from './relay/cli.ts';

import { runningServer } from './running.ts';
import { type ServedRole, Service } from './service.ts';

const USAGE = `usage: moneybag <command> [--data DIR] [--json]
  inspect <hex | text form | URL | file> | --lines         print a protocol message as JSON
  parties                                                  what this service knows, with key fingerprints
  add-collector <id> --url ORIGIN [--label L] [--force]    at an issuer: register a collector (its key from
                                                           ORIGIN's well-known); prints the token it presents
  add-issuer <id> --url ORIGIN --token T [--label L] [--force]
                                                           at a collector: register an issuer, where its
                                                           Returns go and the token they carry
  add-shop <id> --label "Name" [--url ORIGIN]              at a collector: a shop, its token and POS pairing link
  pair <shop> [--url ORIGIN]                               a new token for a shop, as a POS pairing link and QR
  pair <shop> --once [--url ORIGIN]                        a one-time pairing code instead (10 minutes, one
                                                           POS, which gets its own terminal id and token)
  token <party>                                            a new bearer token for a party
  remove-collector | remove-issuer | remove-shop <id>      forget a registered party and its tokens
  refresh-denylists                                        at a collector: fetch each issuer's deny list now
  resend <outbox id> | --all                               re-send a Return the issuer refused (after fixing the
                                                           cause); --all: every Return that needs attention
  backup <file>                                            keys and database in one file, consistent while the
                                                           server runs
  restore <file> --data DIR                                into an empty folder: the same keys, tokens, bags and
                                                           settlements${RELAY_USAGE}`;

const COMMANDS: Record<string, { role?: ServedRole; target: boolean }> = {
  parties: { target: false },
  'add-collector': { role: 'issuer', target: true },
  'add-issuer': { role: 'collector', target: true },
  'add-shop': { role: 'collector', target: true },
  pair: { role: 'collector', target: true },
  token: { target: true },
  'remove-collector': { role: 'issuer', target: true },
  'remove-issuer': { role: 'collector', target: true },
  'remove-shop': { role: 'collector', target: true },
  'refresh-denylists': { role: 'collector', target: false },
  resend: { role: 'collector', target: false },
};

interface Args {
  command: string;
  target: string;
  data: string;
  url?: string;
  label?: string;
  token?: string;
  force: boolean;
  all: boolean;
  once: boolean;
}

/** What one command does, given either the running server's admin API or the database. */
interface Backend {
  origin: string;
  call(method: string, path: string, body?: unknown): Promise<unknown>;
}

function apiBackend(url: string, token: string): Backend {
  return {
    origin: url,
    async call(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body !== undefined && { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = await res.json();
      if (!res.ok) throw new Error(`${json.code}: ${json.message}`);
      return json;
    },
  };
}

/** The same admin API, answered in this process (no port) over the database: one set of routes for both. */
async function injectBackend(s: Service, token: string): Promise<Backend & { close(): Promise<void> }> {
  const app = await buildApp(s, { requestLog: false });
  return {
    origin: s.origin,
    async call(method, path, body) {
      const res = await app.inject({
        method: method as 'GET',
        url: path,
        headers: { authorization: `Bearer ${token}` },
        ...(body !== undefined && { payload: body as object }),
      });
      const json = res.json();
      if (res.statusCode >= 400) throw new Error(`${json.code}: ${json.message}`);
      return json;
    },
    close: () => app.close(),
  };
}

/** A new token as its pairing link and QR code; `what` names the party (a shop, a relay's terminal). */
export async function printPairing(out: { id: string; token: string; pairing: string }, what = 'shop') {
  console.log(`${what.padEnd(6)} ${out.id}`);
  console.log(`token  ${out.token}`);
  console.log(`POS pairing link:\n${out.pairing}\n`);
  console.log(await QRCode.toString(out.pairing, { type: 'terminal', small: true }));
}

/** Runs one command and prints its answer: the JSON line with --json, else for a person. */
async function run(a: Args, b: Backend, json: boolean): Promise<void> {
  const print = (line: unknown, text: string) => console.log(json ? JSON.stringify(line) : text);
  const t = encodeURIComponent(a.target);
  switch (a.command) {
    case 'parties': {
      const { parties } = (await b.call('GET', '/v1/admin/parties')) as PartiesJson;
      const rows = parties.map(
        (p) =>
          `${p.role.padEnd(9)} ${p.id.padEnd(24)} ${(p.own ? 'own' : p.role === 'shop' ? '' : 'registered').padEnd(10)} ${p.fingerprint ?? ''}${p.url ? `  ${p.url}` : ''}`,
      );
      return print({ parties }, rows.join('\n') || 'no parties');
    }
    case 'add-collector': {
      const out = (await b.call('POST', '/v1/admin/issuer/collectors', {
        id: a.target,
        url: a.url,
        ...(a.label && { label: a.label }),
        ...(a.force && { force: true }),
      })) as AddCollectorAnswerJson;
      return print(
        { collector: out.collector, publicKey: out.publicKey, token: out.token },
        `collector ${out.collector} registered; its key's fingerprint: ${fingerprintOf(out.publicKey)}\n(compare it with its operator's \`moneybag parties\`)\nthe token it presents (give it to its operator, for add-issuer --token): ${out.token}`,
      );
    }
    case 'add-issuer': {
      const out = (await b.call('POST', '/v1/admin/collector/issuers', {
        id: a.target,
        url: a.url,
        token: a.token,
        ...(a.label && { label: a.label }),
        ...(a.force && { force: true }),
      })) as AddIssuerAnswerJson;
      return print(
        { issuer: out.issuer, publicKey: out.publicKey },
        `issuer ${out.issuer} registered; its key's fingerprint: ${fingerprintOf(out.publicKey)}\n(compare it with its operator's \`moneybag parties\`)`,
      );
    }
    case 'add-shop':
    case 'pair': {
      if (a.command === 'pair' && a.once) {
        const out = (await b.call('POST', `/v1/admin/collector/shops/${t}/pairings`)) as PairingCodeJson;
        const pairing = pairingCodeLink(a.url?.replace(/\/+$/, '') ?? b.origin, out.shop, out.code);
        if (json) return print({ shop: out.shop, code: out.code, pairing, expires: out.expires }, '');
        const until = new Date(out.expires * 1000).toISOString();
        console.log(`shop   ${out.shop}\ncode   ${out.code} (pairs one POS, once, until ${until})`);
        console.log(`POS pairing link:\n${pairing}\n`);
        console.log(await QRCode.toString(pairing, { type: 'terminal', small: true }));
        return;
      }
      const out = (await (a.command === 'add-shop'
        ? b.call('POST', '/v1/admin/collector/shops', { id: a.target, label: a.label ?? a.target })
        : b.call('POST', `/v1/admin/collector/shops/${t}/token`))) as NewShopJson;
      const pairing = pairingLink(a.url?.replace(/\/+$/, '') ?? b.origin, out.id, out.token);
      if (json) return print({ id: out.id, token: out.token, pairing }, '');
      return printPairing({ ...out, pairing });
    }
    case 'token': {
      const out = (await b.call('POST', `/v1/admin/parties/${t}/token`)) as NewTokenJson;
      return print(out, out.token);
    }
    case 'refresh-denylists': {
      const out = (await b.call('POST', '/v1/admin/collector/denylists/refresh')) as DenylistRefreshJson;
      return print(
        out,
        [
          ...out.refreshed.map((i) => `${i}: fetched`),
          ...out.failed.map((f) => `${f.issuer}: ${f.error}`),
        ].join('\n'),
      );
    }
    case 'resend': {
      const path = a.all ? '/v1/admin/collector/outbox/resend' : `/v1/admin/collector/outbox/${t}/resend`;
      const out = (await b.call('POST', path)) as ResentJson;
      return print(
        out,
        out.resent.length
          ? `re-sending ${out.resent.map((i) => `#${i}`).join(' ')}`
          : 'no Return needs attention',
      );
    }
    default: {
      const kind = a.command.slice('remove-'.length);
      const path =
        kind === 'collector' ? `/v1/admin/issuer/collectors/${t}` : `/v1/admin/collector/${kind}s/${t}`;
      const out = (await b.call('DELETE', path)) as RemovedJson;
      return print(out, `${out.removed} removed`);
    }
  }
}

/** `moneybag <command> …`: the exit code. */
export async function main(args: string[]): Promise<number> {
  if (args[0] === 'inspect') return inspect(args.slice(1));
  return runCli(args);
}

/** The service's commands (see USAGE). */
export async function runCli(args: string[]): Promise<number> {
  if (RELAY_COMMANDS.includes(args[0])) return runRelayCli(args);
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseCommand(args, {
      data: { type: 'string', default: './data' },
      label: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      once: { type: 'boolean', default: false },
    });
  try {
    parsed = parse();
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, target = ''] = parsed.positionals;
  const v = parsed.values;
  if (command === 'backup' || command === 'restore')
    return backupOrRestore(command, target, resolve(v.data!));
  if (command === 'resend' && !v.all && !/^\d+$/.test(target)) {
    console.error(USAGE);
    return 2;
  }
  const spec = COMMANDS[command ?? ''];
  if (!spec || (spec.target && !target)) {
    console.error(USAGE);
    return 2;
  }
  if (spec.target && !isId(target)) {
    console.error(`${target} is not an id (lowercase letters, digits, . _ : -)`);
    return 2;
  }
  if ((command === 'add-collector' || command === 'add-issuer') && !v.url) {
    console.error(`${command} needs --url ORIGIN (where its well-known document is served)`);
    return 2;
  }
  if (command === 'add-issuer' && !v.token) {
    console.error(
      'add-issuer needs --token T (the token its issuer gave this collector: add-collector there)',
    );
    return 2;
  }
  const a: Args = {
    command,
    target,
    data: resolve(v.data!),
    url: v.url,
    label: v.label,
    token: v.token,
    force: v.force!,
    all: v.all!,
    once: v.once!,
  };
  try {
    const running = runningServer(a.data);
    if (running) {
      // The operator token of the party the command acts as (the issuer for add-collector, …).
      const own = running.own ?? {};
      const as = spec.role ? own[spec.role] : (own.collector ?? own.issuer);
      if (!as) throw new Error(`the service on ${a.data} has no ${spec.role}`);
      const token = readOperatorToken(a.data, as);
      if (!token) throw new Error(`no operator token for ${as} in ${a.data}/keys: it was removed?`);
      await run(a, apiBackend(running.url, token), v.json!);
      return 0;
    }
    // What the folder is, as a start with no identity flags would find it: the demo on an empty one.
    const db = await openDb(a.data);
    let own: Own;
    try {
      ({ own } = await openIdentity(db, a.data, {}));
      if (spec.role && !own[spec.role]) throw new Error(`${a.data} has no ${spec.role}`);
    } catch (e) {
      await db.close();
      throw e;
    }
    const roles = (['issuer', 'collector'] as const).filter((r) => own[r]);
    const origin = (
      v.url && !['add-collector', 'add-issuer'].includes(command) ? v.url : 'http://localhost:8080'
    ).replace(/\/+$/, '');
    const s = await Service.open(db, { dataDir: a.data, roles, origin, selfUrl: origin });
    try {
      const as = spec.role ? own[spec.role]! : (own.collector ?? own.issuer)!;
      const token = readOperatorToken(a.data, as);
      if (!token) throw new Error(`no operator token for ${as} in ${a.data}/keys`);
      const b = await injectBackend(s, token);
      try {
        await run(a, b, v.json!);
      } finally {
        await b.close();
      }
    } finally {
      await s.close();
    }
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

/** `backup <file>` (consistent while the server runs) and `restore <file>` into an empty folder. */
async function backupOrRestore(command: 'backup' | 'restore', target: string, data: string): Promise<number> {
  if (!target) {
    console.error(USAGE);
    return 2;
  }
  try {
    const out =
      command === 'backup'
        ? await backup(data, resolve(target), !!runningServer(data))
        : await restore(resolve(target), data);
    console.log(
      `${command === 'backup' ? 'backed up' : 'restored'} ${out.files} files and ${out.rows} rows ${command === 'backup' ? `to ${resolve(target)}` : `into ${data}`}`,
    );
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  main(process.argv.slice(2)).then((code) => process.exit(code));
