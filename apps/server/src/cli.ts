// The `moneybag` command (`npm run moneybag -- <command>`, `npx moneybag <command>`): `inspect` prints a
// message (@moneybag/cli); add-shop, pair and token manage the service's shops and tokens. While a server
// runs on the data folder (its database is one process's), those go through its admin API; otherwise straight
// to the database.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { inspect } from '@moneybag/cli';
import { isId, pairingLink } from '@moneybag/protocol';
import QRCode from 'qrcode';
import { backup, restore } from './backup.ts';
import { addShop, pairShop } from './collector/logic.ts';
import { openDb } from './db.ts';
import { type DemoJson, seedDemo } from './demo.ts';
import { RELAY_COMMANDS, RELAY_USAGE, runRelayCli } from './relay/cli.ts';
import { runningServer } from './running.ts';
import { Service } from './service.ts';
import { resendOutbox } from './storage/collector.ts';

const USAGE = `usage:
  inspect <hex | text form | URL | file> | --lines            print a protocol message as JSON
  add-shop <id> --label "Name" [--data DIR] [--url ORIGIN]   add a shop; prints its token, pairing link and QR
  pair <shop> [--data DIR] [--url ORIGIN]                     a new token for a shop, as a POS pairing link and QR
  token <party> [--data DIR]                                  a new bearer token for a party (issuer, collector or shop)
  resend <outbox id> | --all [--data DIR]                     re-send a Return the issuer refused (after fixing the cause);
                                                              --all: every Return that needs attention
  backup <file> [--data DIR]                                  keys and database in one file, consistent while the server runs
  restore <file> --data DIR                                   into an empty folder: the same keys, tokens, bags and settlements${RELAY_USAGE}`;

async function viaServer<T = { id: string; label: string; token: string; pairing: string }>(
  url: string,
  data: string,
  path: string,
  body: unknown,
): Promise<T> {
  const demo: DemoJson = JSON.parse(readFileSync(join(data, 'demo.json'), 'utf8'));
  const token = readFileSync(join(data, 'keys', `${demo.collector.id}.token`), 'utf8').trim();
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${json.code}: ${json.message}`);
  return json as T;
}

/** A new token as its pairing link and QR code; `what` names the party (a shop, a relay's terminal). */
export async function printPairing(out: { id: string; token: string; pairing: string }, what = 'shop') {
  console.log(`${what.padEnd(6)} ${out.id}`);
  console.log(`token  ${out.token}`);
  console.log(`POS pairing link:\n${out.pairing}\n`);
  console.log(await QRCode.toString(out.pairing, { type: 'terminal', small: true }));
}

/** `moneybag <command> …`: the exit code. */
export async function main(args: string[]): Promise<number> {
  if (args[0] === 'inspect') return inspect(args.slice(1));
  return runCli(args);
}

/** The service's commands: add-shop, pair, token. */
export async function runCli(args: string[]): Promise<number> {
  if (RELAY_COMMANDS.includes(args[0])) return runRelayCli(args);
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        data: { type: 'string', default: './data' },
        label: { type: 'string' },
        url: { type: 'string' },
        all: { type: 'boolean', default: false },
      },
    });
  try {
    parsed = parse();
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, target] = parsed.positionals;
  const data = resolve(parsed.values.data!);
  const running = runningServer(data);
  const origin = (parsed.values.url ?? running?.url ?? 'http://localhost:8080').replace(/\/+$/, '');
  if (command === 'resend') return resend(data, running?.url, parsed.values.all ? 'attention' : target);
  if (command === 'backup' || command === 'restore') {
    if (!target) {
      console.error(USAGE);
      return 2;
    }
    try {
      const out =
        command === 'backup'
          ? await backup(data, resolve(target), !!running)
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
  if (!command || !target || !['add-shop', 'pair', 'token'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  if (!isId(target)) {
    console.error(`${target} is not an id (lowercase letters, digits, . _ : -)`);
    return 2;
  }
  try {
    if (running && command !== 'token') {
      const path =
        command === 'add-shop' ? '/v1/admin/collector/shops' : `/v1/admin/collector/shops/${target}/token`;
      const out = await viaServer(
        running.url,
        data,
        path,
        command === 'add-shop' ? { id: target, label: parsed.values.label ?? target } : {},
      );
      await printPairing({ ...out, pairing: pairingLink(origin, out.id, out.token) });
      return 0;
    }
    if (running)
      throw new Error('the server is running on this data folder: stop it first, or use the collector page');
    const db = await openDb(data);
    await seedDemo(db, data);
    const s = await Service.open(db, { dataDir: data, roles: ['collector'], origin, selfUrl: origin });
    try {
      if (command === 'add-shop') await printPairing(await addShop(s, target, parsed.values.label ?? target));
      else {
        const party = await s.party(target);
        if (!party) throw new Error(`no party ${target}`);
        if (command === 'pair' && party.role !== 'shop') throw new Error(`${target} is not a shop`);
        if (command === 'pair') await printPairing(await pairShop(s, target));
        else console.log(await s.addToken(target));
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

/** `resend <id>` / `resend --all`: the Returns made pending again, through the running server if any. */
async function resend(data: string, url: string | undefined, which: string | undefined): Promise<number> {
  const id = which === 'attention' ? which : /^\d+$/.test(which ?? '') ? Number(which) : undefined;
  if (id === undefined) {
    console.error(USAGE);
    return 2;
  }
  try {
    let ids: number[];
    if (url) {
      const path =
        id === 'attention' ? '/v1/admin/collector/outbox/resend' : `/v1/admin/collector/outbox/${id}/resend`;
      ids = (await viaServer<{ resent: number[] }>(url, data, path, {})).resent;
    } else {
      // No server: the rows are due at once, sent when the service starts.
      const db = await openDb(data);
      try {
        ids = await resendOutbox(db, id);
      } finally {
        await db.close();
      }
      if (id !== 'attention' && !ids.length)
        throw new Error(`no Return ${id} waiting in the outbox (unknown, or delivered)`);
    }
    console.log(ids.length ? `re-sending ${ids.map((i) => `#${i}`).join(' ')}` : 'no Return needs attention');
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  main(process.argv.slice(2)).then((code) => process.exit(code));
