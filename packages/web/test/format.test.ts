import { ProtocolError } from '@moneybag/protocol';
import { describe, expect, it, vi } from 'vitest';
import { formatSpan, formatTime, SaidError, say, validUntil } from '../src/index.ts';

describe('protocol times', () => {
  it('"valid until" is the last second before `expires`, the same day the issuer chose', () => {
    // A ticket valid through Mar 1, 2027 (local time) expires at the first second of Mar 2.
    const expires = new Date(2027, 2, 2, 0, 0, 0).getTime() / 1000;
    expect(validUntil(expires, 'en-US')).toBe(formatTime(expires - 1, 'en-US'));
    expect(validUntil(expires, 'en-US')).toMatch(/^Mar 1, 2027/);
  });
  it('spans in the browser language', () => {
    expect(formatSpan(40, 'en')).toBe('40 sec');
    expect(formatSpan(5 * 60, 'en')).toBe('5 min');
    expect(formatSpan(3 * 86_400, 'en')).toBe('3 days');
    expect(formatSpan(3 * 86_400, 'de')).toBe('3 Tage');
  });
});

describe('say', () => {
  it('a coded refusal in words, its code and jargon kept apart', () => {
    const s = say(new ProtocolError('E_FIELD', 'base64url of impossible length'));
    expect(s.text).not.toMatch(/E_|base64/);
    expect(s.code).toBe('E_FIELD');
    expect(s.detail).toBe('base64url of impossible length');
  });
  it('a refusal the app worded itself keeps its words', () => {
    expect(say(new SaidError('E_TOTAL', 'This asks for €3.01; your wallet has €3.00.'))).toEqual({
      text: 'This asks for €3.01; your wallet has €3.00.',
      code: 'E_TOTAL',
    });
  });
  it('an error without code by its message', () => {
    expect(say(new Error('No network'))).toEqual({ text: 'No network' });
  });
  it('on a German screen, a known code in German; the service’s English sentence only aside', () => {
    vi.stubGlobal('navigator', { languages: ['de-DE'] });
    try {
      const refused = { code: 'E_AUTH', message: 'the collector revoked this terminal (pos-1 of deli)' };
      expect(say(refused)).toEqual({
        text: 'Nicht angemeldet, oder das Token gilt nicht mehr.',
        code: 'E_AUTH',
        detail: refused.message,
        aside: true,
      });
      // A code the catalog does not know: the service's sentence is all there is to say.
      expect(say({ code: 'E_NEW_THING', message: 'something new' })).toEqual({
        text: 'something new',
        code: 'E_NEW_THING',
      });
      // The app's own words with the service's sentence kept as a detail.
      expect(say(new SaidError('E_AUTH', 'Dieser Code gilt nicht.', 'code used'))).toMatchObject({
        text: 'Dieser Code gilt nicht.',
        detail: 'code used',
        aside: true,
      });
    } finally {
      vi.unstubAllGlobals();
    }
    // In English the sentence stays beside the words.
    expect(say({ code: 'E_AUTH', message: 'the collector revoked this terminal' }).aside).toBeUndefined();
  });
});
