// Section 7's JSON as the apps read it off the network.
import { describe, expect, it } from 'vitest';
import { DEFAULT_HORIZON, readWellKnown, toBase64url } from '../src/index.ts';
import { bytes, V } from './vectors.ts';

describe('readWellKnown', () => {
  const key = toBase64url(bytes(V.keys.issuer.publicKey));
  it('gives each party its key as bytes', () => {
    const d = readWellKnown({
      version: 1,
      issuers: [{ id: 'city-transit', publicKey: key, url: 'https://x.example', horizon: 600 }],
      collectors: [],
    });
    expect(d.issuers).toEqual([
      {
        id: 'city-transit',
        publicKey: bytes(V.keys.issuer.publicKey),
        url: 'https://x.example',
        horizon: 600,
      },
    ]);
    expect(d.collectors).toEqual([]);
  });
  it("takes 3.8's default horizon for an issuer that publishes none", () => {
    const d = readWellKnown({ version: 1, issuers: [{ id: 'city-transit', publicKey: key, url: '' }] });
    expect(d.issuers[0].horizon).toBe(DEFAULT_HORIZON);
    expect(DEFAULT_HORIZON).toBe(45 * 86_400);
  });
  it('refuses a malformed document with E_FIELD', () => {
    for (const bad of [
      null,
      'x',
      { issuers: 'x' },
      { issuers: [{ id: 'City', publicKey: key }] },
      { issuers: [{ id: 'a', publicKey: 'AAAA' }] },
      { collectors: [{ id: 'a', publicKey: `${key}=` }] },
      { issuers: [{ id: 'a', publicKey: key, horizon: '600' }] },
      { issuers: [{ id: 'a', publicKey: key, horizon: -1 }] },
    ])
      expect(() => readWellKnown(bad)).toThrow(expect.objectContaining({ code: 'E_FIELD' }));
  });
});
