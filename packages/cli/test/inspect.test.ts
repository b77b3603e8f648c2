// The inspector in-process; the `moneybag` command that runs it is tested in apps/server/test/cli.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectOne } from '../src/index.ts';

const vectors = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../../spec/vectors/${name}`, import.meta.url), 'utf8'));
const V = vectors('v1.json');

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
  it('reads every Reclaim of v1-reclaim.json (3.8), and gives the code of its invalid ones', () => {
    const VR = vectors('v1-reclaim.json');
    for (const m of VR.messages)
      expect(inspectOne(m.hex)).toEqual({
        ok: true,
        json: { type: 'Reclaim', hex: m.hex, fields: m.fields },
      });
    // The inspector expects no type: a Ticket where a Reclaim is expected is a Ticket to it.
    const bad = VR.invalid.filter(
      (c: { code: string; expected: string | null }) => !(c.code === 'E_TYPE' && c.expected),
    );
    expect(bad.length).toBe(VR.invalid.length - 1);
    for (const c of bad) expect(inspectOne(c.hex)).toMatchObject({ ok: false, json: { error: c.code } });
  });
});
