// The `moneybag` command as an operator runs it, in a child process: the inspector, and the service's
// commands on a data folder (straight to its database, or through the server running on it).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPairingLink } from '@moneybag/protocol';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import { call, startServer } from './helpers.ts';

const V = JSON.parse(readFileSync(new URL('../../../spec/vectors/v1.json', import.meta.url), 'utf8'));
const bin = new URL('../bin/moneybag.js', import.meta.url).pathname;
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8' });

describe('moneybag inspect', () => {
  const ticket = V.messages[0];
  it('prints a message given as hex, text form, URL or file', () => {
    const dir = tempFolder('inspect');
    writeFileSync(join(dir, 'raw.bin'), Buffer.from(ticket.hex, 'hex'));
    writeFileSync(join(dir, 'text.txt'), `${ticket.text}\n`);
    for (const arg of [
      ticket.hex,
      ticket.text,
      `https://x.example/wallet/#m=${ticket.text}`,
      join(dir, 'raw.bin'),
      join(dir, 'text.txt'),
    ]) {
      const out = run(['inspect', arg]);
      expect(out.status).toBe(0);
      const json = JSON.parse(out.stdout);
      expect(json).toEqual({ type: 'Ticket', hex: ticket.hex, fields: ticket.fields });
    }
  });
  it('prints the code of an invalid message and exits non-zero', () => {
    const bad = V.invalid.find((c: { code: string }) => c.code === 'E_MALFORMED');
    const out = run(['inspect', bad.hex]);
    expect(out.status).not.toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ error: 'E_MALFORMED' });
  });
  it('--lines reads one message per line and writes one JSON line each', () => {
    const input = [V.messages[1].hex, V.messages[2].text, 'not a message', V.invalid[0].hex].join('\n');
    const out = execFileSync(process.execPath, [bin, 'inspect', '--lines'], { input, encoding: 'utf8' });
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type ?? l.error)).toEqual([
      'Challenge',
      'Payment',
      'E_FIELD',
      V.invalid[0].code,
    ]);
  });
});

describe('moneybag add-shop, pair, token', () => {
  const tokenOf = (out: string) => /^token {2}(\S+)$/m.exec(out)?.[1];
  const linkOf = (out: string) => /^(\S+#pair=\S+)$/m.exec(out)?.[1];
  it('adds a shop and makes tokens, with or without the server running', { timeout: 180_000 }, async () => {
    const data = tempFolder('cli');
    const added = run([
      'add-shop',
      'tea-house',
      '--label',
      'Tea House',
      '--data',
      data,
      '--url',
      'https://b.example',
    ]);
    expect(added.status, added.stderr).toBe(0);
    expect(readPairingLink(linkOf(added.stdout)!)).toEqual({
      url: 'https://b.example',
      shop: 'tea-house',
      token: tokenOf(added.stdout),
    });
    expect(run(['add-shop', 'tea-house', '--data', data]).stderr).toContain('tea-house exists already');
    expect(run(['pair', 'city-transit', '--data', data]).stderr).toContain('city-transit is not a shop');
    const issuerToken = run(['token', 'city-transit', '--data', data]).stdout.trim();
    expect(run(['frobnicate', 'acme-coffee', '--data', data]).status).toBe(2);

    const server = await startServer(data);
    try {
      const me = async (token?: string) => (await call(server, 'GET', '/v1/me', { token })).body;
      expect(await me(tokenOf(added.stdout))).toEqual({
        party: 'tea-house',
        role: 'shop',
        label: 'Tea House',
      });
      expect(await me(issuerToken)).toMatchObject({ party: 'city-transit', role: 'issuer' });
      // With the server running, pair goes through its admin API.
      const paired = run(['pair', 'tea-house', '--data', data]);
      expect(paired.status, paired.stderr).toBe(0);
      const link = readPairingLink(linkOf(paired.stdout)!);
      expect(link.url).toBe(server.url.replace('127.0.0.1', 'localhost'));
      expect('token' in link && (await me(link.token))).toMatchObject({ party: 'tea-house' });
      // --once: a one-time code instead of a token, which pairs one POS with its own terminal id and token.
      const once = run(['pair', 'tea-house', '--once', '--json', '--data', data]);
      expect(once.status, once.stderr).toBe(0);
      const code = JSON.parse(once.stdout) as {
        shop: string;
        code: string;
        pairing: string;
        expires: number;
      };
      expect(readPairingLink(code.pairing)).toMatchObject({ shop: 'tea-house', code: code.code });
      const redeem = () => call(server, 'POST', '/v1/pairings', { json: { code: code.code } });
      const terminal = (await redeem()).body;
      expect(terminal).toMatchObject({ shop: 'tea-house', terminal: 'pos-1' });
      expect(await me(terminal.token)).toEqual({
        party: 'tea-house',
        role: 'shop',
        label: 'Tea House',
        terminal: 'pos-1',
      });
      expect((await redeem()).status).toBe(401);
    } finally {
      await server.stop();
    }
  });
});
