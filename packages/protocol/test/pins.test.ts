// Trust on first use: the pins of issuer and collector keys against a served well-known document.
import { describe, expect, it } from 'vitest';
import { checkPins, confirmPins, type IssuerKey, type PartyKey, toHex } from '../src/index.ts';

const key = (n: number) => new Uint8Array(32).fill(n);
const issuer = (id: string, n: number): IssuerKey => ({ id, publicKey: key(n), url: '', horizon: 60 });
const collector = (id: string, n: number): PartyKey => ({ id, publicKey: key(n), url: '' });

describe('checkPins', () => {
  it('pins every party on first use, and reports no change', () => {
    const doc = { issuers: [issuer('city', 1), issuer('cafe', 2)], collectors: [collector('bank', 3)] };
    const r = checkPins(undefined, doc);
    expect(r.changes).toEqual([]);
    expect(r.trusted).toEqual(doc);
    expect(r.pins).toEqual({
      issuer: { city: toHex(key(1)), cafe: toHex(key(2)) },
      collector: { bank: toHex(key(3)) },
    });
  });

  it('names a changed collector key, keeps the pinned key trusted, and pins a new party at once', () => {
    const first = checkPins(undefined, { issuers: [issuer('city', 1)], collectors: [collector('bank', 3)] });
    const served = { issuers: [issuer('city', 1), issuer('zoo', 5)], collectors: [collector('bank', 4)] };
    const r = checkPins(first.pins, served);
    expect(r.changes).toEqual([{ party: 'collector', id: 'bank', pinned: key(3), served: key(4) }]);
    expect(r.trusted.collectors[0].publicKey).toEqual(key(3));
    expect(r.trusted.issuers.map((i) => i.id)).toEqual(['city', 'zoo']);
    expect(r.trusted.issuers[1].horizon).toBe(60);
    expect(r.pins.collector.bank).toBe(toHex(key(3)));
    expect(r.pins.issuer.zoo).toBe(toHex(key(5)));
  });

  it('pins per party id and role: an issuer and a collector of one id are pinned apart', () => {
    const first = checkPins(undefined, { issuers: [issuer('x', 1)], collectors: [collector('x', 2)] });
    const r = checkPins(first.pins, { issuers: [issuer('x', 2)], collectors: [collector('x', 2)] });
    expect(r.changes).toEqual([{ party: 'issuer', id: 'x', pinned: key(1), served: key(2) }]);
  });

  it('keeps the pin of a party the document stops listing: it cannot come back with another key unseen', () => {
    const first = checkPins(undefined, { issuers: [issuer('city', 1)], collectors: [] });
    const gone = checkPins(first.pins, { issuers: [], collectors: [] });
    expect(gone.changes).toEqual([]);
    expect(gone.trusted.issuers).toEqual([]);
    const back = checkPins(gone.pins, { issuers: [issuer('city', 9)], collectors: [] });
    expect(back.changes.map((c) => [c.party, c.id])).toEqual([['issuer', 'city']]);
  });
});

describe('confirmPins', () => {
  it('pins the served keys, after which the same document is no change', () => {
    const first = checkPins(undefined, { issuers: [issuer('city', 1)], collectors: [collector('bank', 3)] });
    const served = { issuers: [issuer('city', 1)], collectors: [collector('bank', 4)] };
    const pins = confirmPins(first.pins, served);
    expect(pins.collector.bank).toBe(toHex(key(4)));
    const r = checkPins(pins, served);
    expect(r.changes).toEqual([]);
    expect(r.trusted.collectors[0].publicKey).toEqual(key(4));
  });
});
