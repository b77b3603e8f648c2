// The inspector as an operator runs it: the real `moneybag` command in a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const V = JSON.parse(readFileSync(new URL('../../../spec/vectors/v1.json', import.meta.url), 'utf8'));
const bin = new URL('../bin/moneybag.js', import.meta.url).pathname;
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8' });

describe('moneybag inspect', () => {
  const ticket = V.messages[0];
  it('prints a message given as hex, text form, URL or file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inspect-'));
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
