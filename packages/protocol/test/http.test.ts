// Section 7's JSON as the apps read it off the network.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HORIZON,
  pairingCodeLink,
  pairingLink,
  readPairingLink,
  readWellKnown,
  toBase64url,
  utf8,
} from '../src/index.ts';
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

describe('pairing links', () => {
  const link = (o: object) => `https://x.example/pos/#pair=${toBase64url(utf8(JSON.stringify(o)))}`;
  it('reads what pairingLink writes', () => {
    const l = pairingLink('https://bank.example', 'acme-coffee', 'tok');
    expect(l).toMatch(/^https:\/\/bank\.example\/pos\/#pair=[A-Za-z0-9_-]+$/);
    expect(readPairingLink(l)).toEqual({ url: 'https://bank.example', shop: 'acme-coffee', token: 'tok' });
    expect(readPairingLink(l.slice(l.indexOf('#')))).toEqual(readPairingLink(l));
    expect(readPairingLink(link({ url: 'http://b.example//', shop: 's', token: 't' })).url).toBe(
      'http://b.example',
    );
  });
  it('reads what pairingCodeLink writes: a one-time code instead of a token', () => {
    const l = pairingCodeLink('https://bank.example', 'acme-coffee', 'K7QF-2MXD');
    expect(l).toMatch(/^https:\/\/bank\.example\/pos\/#pair=[A-Za-z0-9_-]+$/);
    expect(readPairingLink(l)).toEqual({
      url: 'https://bank.example',
      shop: 'acme-coffee',
      code: 'K7QF-2MXD',
    });
  });
  it('refuses anything else with E_FIELD, saying what is wrong', () => {
    for (const [text, why] of [
      ['https://x.example/pos/', 'no #pair='],
      ['https://x.example/pos/#pair=!!!', 'damaged'],
      [`https://x.example/pos/#pair=${toBase64url(new Uint8Array([0xff, 0xfe]))}`, 'damaged'],
      [link({ url: 'ftp://b.example', shop: 's', token: 't' }), 'service URL'],
      [link({ url: 'https://b.example', shop: 'Not An Id', token: 't' }), 'shop id'],
      [link({ url: 'https://b.example', shop: 's', token: '' }), 'no code or token'],
      [link({ url: 'https://b.example', shop: 's', code: '' }), 'no code or token'],
      [link([]), 'service URL'],
    ])
      expect(() => readPairingLink(text), text).toThrow(
        expect.objectContaining({ code: 'E_FIELD', message: expect.stringContaining(why) }),
      );
  });
});
