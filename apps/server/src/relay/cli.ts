// `npm run moneybag -- add-terminal ID [--shop SHOP] [--label L] --data DIR [--json]`, `terminals`,
// `revoke-terminal ID`: a relay's children, through the running relay's admin API or straight to its database.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type {
  NewTerminalJson,
  NewTerminalRequestJson,
  RelayChildRowJson,
  RelayStateJson,
  RevokedTerminalJson,
} from '@moneybag/api';
import { parseCommand } from '../args.ts';
import { printPairing } from '../cli.ts';
import { Refusal } from '../http.ts';
import { runningServer } from '../running.ts';
import { RelayStore } from '../storage/relay.ts';
import { operatorTokenPath } from './main.ts';
import { addTerminal, revokeTerminal } from './routes.ts';

export const RELAY_COMMANDS = ['add-terminal', 'terminals', 'revoke-terminal'];
export const RELAY_USAGE = `
  add-terminal <id> [--shop SHOP] [--label L] --data DIR [--json]   a relay's child: its token and POS pairing link
  terminals --data DIR [--json]                                     a relay's children, what each holds and delivered
  revoke-terminal <id> --data DIR                                   the child's token stops working`;

async function viaRelay(url: string, data: string, method: string, path: string, body?: unknown) {
  const token = readFileSync(operatorTokenPath(data), 'utf8').trim();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${json.code}: ${json.message}`);
  return json;
}

export async function runRelayCli(args: string[]): Promise<number> {
  let values: { data?: string; shop?: string; label?: string; json?: boolean; url?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseCommand(args, {
      data: { type: 'string', default: './data' },
      shop: { type: 'string' },
      label: { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}${RELAY_USAGE}`);
    return 2;
  }
  const [command, id] = positionals;
  if (command !== 'terminals' && !id) {
    console.error(`usage:${RELAY_USAGE}`);
    return 2;
  }
  const data = resolve(values.data!);
  const running = runningServer(data);
  const terminal: NewTerminalRequestJson = { id, shop: values.shop ?? null, label: values.label ?? id };
  try {
    let out: unknown;
    if (running) {
      if (command === 'add-terminal')
        out = await viaRelay(running.url, data, 'POST', '/v1/admin/relay/terminals', terminal);
      else if (command === 'revoke-terminal')
        out = await viaRelay(running.url, data, 'POST', `/v1/admin/relay/terminals/${id}/revoke`, {});
      else out = ((await viaRelay(running.url, data, 'GET', '/v1/admin/relay')) as RelayStateJson).children;
    } else {
      const store = await RelayStore.open(data);
      try {
        const origin = (values.url ?? (await store.get('origin')) ?? 'http://localhost:8080').replace(
          /\/+$/,
          '',
        );
        if (command === 'add-terminal') out = await addTerminal(store, origin, terminal);
        else if (command === 'revoke-terminal') out = await revokeTerminal(store, id);
        else out = await store.children();
      } finally {
        await store.close();
      }
    }
    await print(command, out, values.json!);
    return 0;
  } catch (e) {
    console.error(e instanceof Refusal ? `${e.code}: ${e.message}` : (e as Error).message);
    return 1;
  }
}

async function print(command: string, out: unknown, json: boolean) {
  if (json) {
    console.log(JSON.stringify(out));
    return;
  }
  if (command === 'add-terminal') {
    const t = out as NewTerminalJson;
    await printPairing({ id: t.terminal, token: t.token, pairing: t.pairing }, 'terminal');
  } else if (command === 'revoke-terminal') console.log(`${(out as RevokedTerminalJson).terminal} revoked`);
  else
    for (const c of out as RelayChildRowJson[])
      console.log(
        `${c.terminal.padEnd(16)} ${(c.shop ?? '(own shop)').padEnd(16)} holds ${c.holds}, delivered ${c.delivered}${c.revoked_at ? ', revoked' : ''}  ${c.label}`,
      );
}
