import { keyFingerprint } from '@moneybag/protocol';
import { describe, expect, it } from 'vitest';
import { keyChangeText, translator } from '../src/index.ts';

describe('keyChangeText', () => {
  const catalogs = {
    en: {
      keyChanged: 'The {party} {id}: {served} instead of {pinned}.',
      partyIssuer: 'issuer',
      partyCollector: 'collector',
    },
    de: {
      keyChanged: '{party} {id}: {served} statt {pinned}.',
      partyIssuer: 'Herausgeber',
      partyCollector: 'Sammelstelle',
    },
  };
  const pinned = new Uint8Array(32).fill(1);
  const served = new Uint8Array(32).fill(2);
  it('names the party in the catalog’s words and both keys by their fingerprints, the served one first', () => {
    const c = { party: 'collector' as const, id: 'demo-bank', pinned, served };
    expect(keyChangeText(c, translator(catalogs, 'en'))).toBe(
      `The collector demo-bank: ${keyFingerprint(served)} instead of ${keyFingerprint(pinned)}.`,
    );
    expect(keyChangeText(c, translator(catalogs, 'de'))).toBe(
      `Sammelstelle demo-bank: ${keyFingerprint(served)} statt ${keyFingerprint(pinned)}.`,
    );
    expect(keyChangeText({ ...c, party: 'issuer' }, translator(catalogs, 'en'))).toContain(
      'The issuer demo-bank',
    );
  });
});
