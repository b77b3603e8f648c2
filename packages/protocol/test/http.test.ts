// Section 7's JSON as the apps read it off the network.
import { describe, expect, it } from 'vitest';
import { readWellKnown, toBase64url } from '../src/index.ts';
import { bytes, V } from './vectors.ts';

describe('readWellKnown', () => {
  const key = toBase64url(bytes(V.keys.issuer.publicKey));
  it('gives each party its key as bytes', () => {
    const d = readWellKnown({
      version: 1,
      issuers: [{ id: 'city-transit', publicKey: key, url: 'https://x.example' }],
      collectors: [],
    });
    expect(d.issuers).toEqual([
      { id: 'city-transit', publicKey: bytes(V.keys.issuer.publicKey), url: 'https://x.example' },
    ]);
    expect(d.collectors).toEqual([]);
  });
  it('refuses a malformed document with E_FIELD', () => {
    for (const bad of [
      null,
      'x',
      { issuers: 'x' },
      { issuers: [{ id: 'City', publicKey: key }] },
      { issuers: [{ id: 'a', publicKey: 'AAAA' }] },
      { collectors: [{ id: 'a', publicKey: `${key}=` }] },
    ])
      expect(() => readWellKnown(bad)).toThrow(expect.objectContaining({ code: 'E_FIELD' }));
  });
});
