// Properties: decode(encode(x)) = x for every message; any mutation or truncation of a valid message either
// fails to decode with a spec code or fails verification: never an uncaught exception.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkPayment,
  decode,
  encode,
  issueTicket,
  keysOf,
  type Message,
  makeChallenge,
  nobleVerifier,
  ProtocolError,
  readContent,
  seedSigner,
  signPayment,
  toText,
} from '../src/index.ts';
import { message } from './arbitraries.ts';

/** Decoding returns views into the input; compare as plain data. */
const plain = (m: Message) =>
  JSON.parse(JSON.stringify(m, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v)));

const decodesOrCode = (bytes: Uint8Array) => {
  try {
    return decode(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ProtocolError);
    return undefined;
  }
};

describe('encode/decode', () => {
  it('round-trips every message and re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = encode(m);
        const back = decode(bytes);
        expect(plain(back)).toEqual(plain(m));
        expect(encode(back)).toEqual(bytes);
        expect(readContent(toText(bytes))).toEqual(bytes);
      }),
      { numRuns: 400 },
    );
  });
  it('a mutated or truncated message decodes or fails with a spec code', () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.integer({ min: 1, max: 255 }), fc.nat(), (m, at, xor, cut) => {
        const bytes = encode(m);
        const mutated = bytes.slice();
        mutated[at % bytes.length] ^= xor;
        decodesOrCode(mutated);
        decodesOrCode(bytes.subarray(0, cut % bytes.length));
        decodesOrCode(new Uint8Array([...bytes, xor]));
      }),
      { numRuns: 1000 },
    );
  });
  it('random bytes never throw anything but a ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 11 }), (tail, type) => {
        decodesOrCode(tail);
        decodesOrCode(new Uint8Array([0x4d, 1, type, ...tail]));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('a signed payment, mutated', () => {
  it('fails to decode with a code, or the POS refuses it: never accepted, never a crash', async () => {
    const issuer = seedSigner(new Uint8Array(32).fill(1));
    const holder = seedSigner(new Uint8Array(32).fill(2));
    const ticket = await issueTicket(issuer, {
      issuer: 'city-transit',
      unit: 'EUR',
      face: 1000,
      holder: holder.publicKey,
      expires: 2_000_000_000,
    });
    const challenge = makeChallenge({
      collector: 'first-bank',
      bag: new Uint8Array(16).fill(7),
      deal: 1,
      shop: 'acme-coffee',
      unit: 'EUR',
      amount: 450,
      expires: 1_900_000_000,
      label: 'Acme',
    });
    const payment = encode({
      type: 'Payment',
      ...(await signPayment(holder, challenge, [{ ticket, amount: 450 }])),
    });
    const ctx = {
      shop: 'acme-coffee',
      now: 1_800_000_000,
      challenge: () => ({ unit: 'EUR', amount: 450, expires: 1_900_000_000, paid: false }),
      issuers: keysOf([{ id: 'city-transit', publicKey: issuer.publicKey }]),
      acceptedOf: () => 0,
      denied: new Map(),
      verifier: nobleVerifier,
    };
    expect((await checkPayment(payment, ctx)).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const mutated = payment.slice();
        mutated[at % payment.length] ^= xor;
        const verdict = await checkPayment(mutated, ctx);
        // The only harmless change is none: every byte of a Payment is signed or checked.
        expect(verdict.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
