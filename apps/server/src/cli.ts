// `npm run moneybag -- <command>`: shops, tokens and POS pairing. While a server runs on the data folder
// (its PGlite is one process's), the commands go through its admin API; otherwise straight to the database.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isId } from '@moneybag/protocol';
import QRCode from 'qrcode';
import { RELAY_COMMANDS, RELAY_USAGE, runRelayCli } from './relay/cli.ts';
import { pairingLink, Service } from './service.ts';

const USAGE = `usage:
  add-shop <id> --label "Name" [--data DIR] [--url ORIGIN]   add a shop; prints its token, pairing link and QR
  pair <shop> [--data DIR] [--url ORIGIN]                     a new token for a shop, as a POS pairing link and QR
  token <party> [--data DIR]                                  a new bearer token for a party (issuer, collector or shop)${RELAY_USAGE}`;

/** The server running on this data folder, if any (main.ts writes server.json while it runs). */
export function runningServer(data: string): { pid: number; url: string } | undefined {
  const p = join(data, 'server.json');
  if (!existsSync(p)) return undefined;
  try {
    const info = JSON.parse(readFileSync(p, 'utf8'));
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}

async function viaServer(url: string, data: string, path: string, body: unknown) {
  const token = readFileSync(
    join(data, 'keys', `${JSON.parse(readFileSync(join(data, 'demo.json'), 'utf8')).collector.id}.token`),
    'utf8',
  ).trim();
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${json.code}: ${json.message}`);
  return json as { id: string; label: string; token: string; pairing: string };
}

async function printPairing(out: { id: string; token: string; pairing: string }) {
  console.log(`shop   ${out.id}`);
  console.log(`token  ${out.token}`);
  console.log(`POS pairing link:\n${out.pairing}\n`);
  console.log(await QRCode.toString(out.pairing, { type: 'terminal', small: true }));
}

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
    const s = await Service.open(data);
    try {
      if (command === 'add-shop') {
        if (await s.party(target)) throw new Error(`${target} exists already`);
        const shop = await s.addShop(target, parsed.values.label ?? target);
        await printPairing({ ...shop, pairing: pairingLink(origin, shop.id, shop.token) });
      } else {
        const party = await s.party(target);
        if (!party) throw new Error(`no party ${target}`);
        if (command === 'pair' && party.role !== 'shop') throw new Error(`${target} is not a shop`);
        const token = await s.addToken(target);
        if (command === 'pair')
          await printPairing({ id: target, token, pairing: pairingLink(origin, target, token) });
        else console.log(token);
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

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href)
  runCli(process.argv.slice(2)).then((code) => process.exit(code));
