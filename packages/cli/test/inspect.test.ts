// The inspector in-process; the `moneybag` command that runs it is tested in apps/server/test/cli.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectOne } from '../src/index.ts';

const V = JSON.parse(readFileSync(new URL('../../../spec/vectors/v1.json', import.meta.url), 'utf8'));

describe('inspectOne', () => {
  it('reads every vector message, as hex, text form, URL or raw bytes', () => {
    for (const m of V.messages)
      for (const input of [
        m.hex,
        m.text,
        `https://x.example/wallet/#m=${m.text}`,
        new Uint8Array(Buffer.from(m.hex, 'hex')),
      ])
        expect(inspectOne(input)).toEqual({
          ok: true,
          json: { type: m.type, hex: m.hex, fields: m.fields },
        });
  });
  it('gives the code of every invalid vector of version 1', () => {
    const v1 = V.invalid.filter((c: { hex: string }) => c.hex.startsWith('4d01'));
    expect(v1.length).toBeGreaterThan(10);
    for (const bad of v1) expect(inspectOne(bad.hex)).toMatchObject({ ok: false, json: { error: bad.code } });
  });
});
