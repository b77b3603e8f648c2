// The pages' own logic, outside the browser: reading a HolderKey, describing a bag before it is collected.
import {
  closeBag,
  encode,
  fromText,
  isProtocolError,
  passDown,
  randomBytes,
  seedSigner,
  toBase64url,
  toText,
  type Use,
} from '@moneybag/protocol';
import { describe, expect, it } from 'vitest';
import { pathText, summarizeBag } from '../src/common/bag.ts';
import { readHolderKey } from '../src/common/holder.ts';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (isProtocolError(e)) return e.code;
    throw e;
  }
  return undefined;
};

describe('readHolderKey', () => {
  const holder = seedSigner(randomBytes(32)).publicKey;
  const message = encode({ type: 'HolderKey', holder, label: 'Zoë' });

  it('reads raw QR bytes, a text form, and a link, the same', () => {
    for (const content of [message, toText(message), ` https://x.example/wallet/#m=${toText(message)}\n`]) {
      const k = readHolderKey(content);
      expect(k.holder).toEqual(holder);
      expect(k.label).toBe('Zoë');
    }
  });

  it('refuses another message with E_TYPE and junk with E_FIELD', () => {
    const ticketish = encode({
      type: 'Receipt',
      collector: 'c',
      S: new Uint8Array(64),
      received_ms: 1,
      R: new Uint8Array(64),
    });
    expect(codeOf(() => readHolderKey(toText(ticketish)))).toBe('E_TYPE');
    expect(codeOf(() => readHolderKey('not a key'))).toBe('E_FIELD');
    expect(codeOf(() => readHolderKey(toText(message).slice(0, -2)))).toBe('E_TRUNCATED');
  });
});

describe('summarizeBag', () => {
  const ticket = {
    issuer: 'city-transit',
    unit: 'EUR',
    face: 1000,
    holder: new Uint8Array(32),
    serial: new Uint8Array(16),
    expires: 2_000_000_000,
    C: new Uint8Array(64),
  };
  const use = (deal: number, shop: string, amount: number, unit = 'EUR'): Use => ({
    deal,
    shop,
    amount,
    ticket: { ...ticket, unit },
    S: new Uint8Array(64).fill(deal),
  });
  const root = randomBytes(16);
  const a = { collector: 'first-bank', to: 'acme', root, issued: 1, due: 2, A: new Uint8Array(64), path: [] };

  it('counts the uses of every node and sums what they claim per unit', () => {
    const bag = closeBag(passDown(passDown(a, 'main', 0), 'pos-2', 3), [
      use(1, 'acme', 450),
      use(2, 'acme', 100),
      use(3, 'acme', 2, 'RIDE'),
    ]);
    const s = summarizeBag(bag);
    expect(s).toMatchObject({ collector: 'first-bank', to: 'acme', uses: 3, depth: 3, shops: ['acme'] });
    expect(s.claimed).toEqual({ EUR: 550, RIDE: 2 });
    expect(s.root).toBe(toBase64url(root));
  });

  it('an empty bag claims nothing', () => {
    const s = summarizeBag(closeBag(a, []));
    expect([s.uses, s.depth, s.claimed]).toEqual([0, 1, {}]);
    expect(fromText(s.root)).toEqual(root);
  });
});

describe('pathText', () => {
  it('names the root and each step', () => {
    expect(pathText([])).toBe('root');
    expect(
      pathText([
        ['main', 0],
        ['pos-2', 3],
      ]),
    ).toBe('main 0 › pos-2 3');
  });
});
