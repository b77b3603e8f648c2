// A direct payment's refusal kept as "E_X: sentence" is read back as its code and sentence, so that a German
// screen says it in German words with the code, the collector's English sentence only on a details line.
import { say } from '@moneybag/web';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { refusalOf } from '../src/wallet.ts';

describe('refusalOf', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads the code and the collector’s sentence back', () => {
    expect(refusalOf('E_UNKNOWN_BAG: shop deli has no terminal x: the sentence')).toEqual({
      code: 'E_UNKNOWN_BAG',
      message: 'shop deli has no terminal x: the sentence',
    });
  });

  it('a refusal without a code is its text', () => {
    expect(refusalOf('HTTP 502: refused')).toEqual({ message: 'HTTP 502: refused' });
    expect(refusalOf('')).toEqual({ message: '' });
  });

  it('on a German screen: German words and the code, the English sentence aside', () => {
    vi.stubGlobal('navigator', { languages: ['de-DE'] });
    expect(say(refusalOf('E_CHALLENGE: this challenge has expired'))).toEqual({
      text: 'Diese Zahlungsanforderung ist nicht mehr offen (schon bezahlt, abgelaufen oder storniert).',
      code: 'E_CHALLENGE',
      detail: 'this challenge has expired',
      aside: true,
    });
  });
});
