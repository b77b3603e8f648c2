// Section 1: every signatures vector judged as stated by every provider (noble, WebCrypto, Node native).
import { readFileSync } from 'node:fs';
import { fromHex, nobleVerifier, webCryptoVerifier } from '@moneybag/protocol';
import { describe, expect, it } from 'vitest';
import { nativeVerifier } from '../src/index.ts';

const V = JSON.parse(readFileSync(new URL('../../../spec/vectors/v1.json', import.meta.url), 'utf8'));
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON cases
const cases: [string, any][] = V.signatures.cases.map((c: { description: string }) => [c.description, c]);

describe.each([nobleVerifier, webCryptoVerifier(), nativeVerifier])('$name', (verifier) => {
  it.each(cases)('%s', async (_d, c) => {
    const [ok] = await verifier.verify([
      { publicKey: fromHex(c.publicKey), message: fromHex(c.message), signature: fromHex(c.signature) },
    ]);
    expect(ok).toBe(c.valid);
  });
  it('judges a batch of all cases at once, in order', async () => {
    const got = await verifier.verify(
      V.signatures.cases.map((c: { publicKey: string; message: string; signature: string }) => ({
        publicKey: fromHex(c.publicKey),
        message: fromHex(c.message),
        signature: fromHex(c.signature),
      })),
    );
    expect(got).toEqual(V.signatures.cases.map((c: { valid: boolean }) => c.valid));
  });
  it('refuses malformed inputs without throwing', async () => {
    const junk = [
      { publicKey: new Uint8Array(31), message: new Uint8Array(0), signature: new Uint8Array(64) },
      { publicKey: new Uint8Array(32), message: new Uint8Array(0), signature: new Uint8Array(63) },
    ];
    expect(await verifier.verify(junk)).toEqual([false, false]);
  });
});

describe('nativeSigner', () => {
  it('makes the same signatures as the portable signer (the ticket vector C)', async () => {
    const { nativeSigner } = await import('../src/index.ts');
    const { seedSigner } = await import('@moneybag/protocol');
    const seed = fromHex(V.keys.issuer.seed);
    const body = fromHex(V.ticket.ticket_body);
    const a = nativeSigner(seed);
    expect(Buffer.from(a.publicKey).toString('hex')).toBe(V.keys.issuer.publicKey);
    expect(Buffer.from(await a.sign(body)).toString('hex')).toBe(V.ticket.C);
    expect(await a.sign(body)).toEqual(await seedSigner(seed).sign(body));
  });
});

describe('useNativeHashes', () => {
  it('gives the same SHA-256 as the portable one, as bytes of their own', async () => {
    const { hashes, sha256 } = await import('@moneybag/protocol');
    const portable = hashes.sha256;
    const { useNativeHashes } = await import('../src/index.ts');
    const inputs = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(1000).fill(7)];
    // a view into a larger buffer: only its bytes are hashed
    inputs.push(new Uint8Array(inputs[2].buffer, 10, 55));
    const expected = inputs.map((b) => portable(b));
    try {
      useNativeHashes();
      expect(hashes.sha256).not.toBe(portable);
      for (const [i, b] of inputs.entries()) {
        const d = sha256(b);
        expect(d).toBeInstanceOf(Uint8Array);
        expect(d).toEqual(expected[i]);
        expect(d.byteLength).toBe(32);
      }
    } finally {
      hashes.sha256 = portable;
    }
  });
});
