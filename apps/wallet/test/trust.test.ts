// What the wallet trusts: the kind of key it really holds, and the issuer and collector keys pinned on first use.
import 'fake-indexeddb/auto';
import {
  encode,
  issueTicket,
  keyFingerprint,
  randomBytes,
  seedSigner,
  toBase64url,
} from '@moneybag/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createKey, heldKind, signerOf } from '../src/keys.ts';
import { addTicket, type DB, getPendingKeys, listParties, openStore } from '../src/store.ts';
import { confirmKeys, payDirect, receiveTicket, refreshTrust } from '../src/wallet.ts';

let db: DB;
let n = 0;
beforeEach(async () => {
  db = await openStore(`trust-${n++}`);
});
afterEach(() => {
  db.close();
  vi.restoreAllMocks();
});

describe('the kind of key the wallet holds', () => {
  it('is a device key only where WebCrypto Ed25519 made a non-extractable one', async () => {
    const key = await createKey(db, 'device');
    expect(key.privateKey?.extractable).toBe(false);
    expect(heldKind(key)).toBe('device');
  });

  it('is said to be a plain seed where the browser lacks WebCrypto Ed25519, and still signs', async () => {
    vi.spyOn(crypto.subtle, 'importKey').mockRejectedValue(
      new DOMException('no Ed25519', 'NotSupportedError'),
    );
    const key = await createKey(db, 'device');
    expect(key.seed).toBeDefined();
    expect(heldKind(key)).toBe('seed');
    expect((await signerOf(key).sign(new Uint8Array(1))).length).toBe(64);
  });

  it('is portable where the holder chose a backup', async () => {
    expect(heldKind(await createKey(db, 'portable'))).toBe('portable');
  });
});

describe('keys pinned on first use', () => {
  const issuer = seedSigner(randomBytes(32)).publicKey;
  const doc = (collectorKey: Uint8Array) => ({
    version: 1,
    issuers: [{ id: 'city', publicKey: toBase64url(issuer), url: 'http://x/', horizon: 60 }],
    collectors: [{ id: 'bank', publicKey: toBase64url(collectorKey), url: 'http://x/' }],
  });
  const serving = (d: unknown) => (async () => new Response(JSON.stringify(d))) as unknown as typeof fetch;

  it('keeps the first key, refuses a payment through a collector whose key changed, until confirmed', async () => {
    const first = seedSigner(randomBytes(32)).publicKey;
    const next = seedSigner(randomBytes(32)).publicKey;
    expect(await refreshTrust(db, 'http://x/', serving(doc(first)))).toBe(true);
    expect(await getPendingKeys(db)).toBeUndefined();

    await refreshTrust(db, 'http://x/', serving(doc(next)));
    const pending = await getPendingKeys(db);
    expect(pending?.changes.map((c) => [c.party, c.id])).toEqual([['collector', 'bank']]);
    expect((await listParties(db, 'collectors'))[0].publicKey).toEqual(first);

    const key = await createKey(db, 'portable');
    const signer = signerOf(key);
    await addTicket(db, {
      issuer: 'city',
      serial: randomBytes(16),
      holder: key.publicKey,
      unit: 'EUR',
      face: 500,
      expires: Math.floor(Date.now() / 1000) + 3600,
      C: new Uint8Array(64),
    });
    const paying = payDirect(db, signer, {
      collector: 'bank',
      shop: 'cafe',
      unit: 'EUR',
      amount: 100,
    });
    await expect(paying).rejects.toMatchObject({ code: 'E_COLLECTOR' });
    await expect(paying).rejects.toThrow(`${keyFingerprint(next)} instead of ${keyFingerprint(first)}`);

    await confirmKeys(db);
    expect(await getPendingKeys(db)).toBeUndefined();
    expect((await listParties(db, 'collectors'))[0].publicKey).toEqual(next);
    const paid = await payDirect(db, signer, {
      collector: 'bank',
      shop: 'cafe',
      unit: 'EUR',
      amount: 100,
    });
    expect(paid.status).toBe('pending');
    // The same document again is no change.
    await refreshTrust(db, 'http://x/', serving(doc(next)));
    expect(await getPendingKeys(db)).toBeUndefined();
  });

  it('takes no ticket of an issuer whose key changed until confirmed, then takes it', async () => {
    const collector = seedSigner(randomBytes(32)).publicKey;
    const old = seedSigner(randomBytes(32));
    const renewed = seedSigner(randomBytes(32));
    const served = (k: Uint8Array) => ({
      ...doc(collector),
      issuers: [{ id: 'city', publicKey: toBase64url(k), url: 'http://x/', horizon: 60 }],
    });
    await refreshTrust(db, 'http://x/', serving(served(old.publicKey)));
    await refreshTrust(db, 'http://x/', serving(served(renewed.publicKey)));
    const key = await createKey(db, 'portable');
    const ticket = await issueTicket(renewed, {
      issuer: 'city',
      unit: 'EUR',
      face: 300,
      holder: key.publicKey,
      expires: Math.floor(Date.now() / 1000) + 3600,
    });
    const message = encode({ type: 'Ticket', ...ticket });
    const refused = receiveTicket(db, key.publicKey, message);
    await expect(refused).rejects.toMatchObject({ code: 'E_ISSUER' });
    await expect(refused).rejects.toThrow(
      `The issuer city now presents another key: ${keyFingerprint(renewed.publicKey)}`,
    );
    await confirmKeys(db);
    expect((await receiveTicket(db, key.publicKey, message)).fresh).toBe(true);
  });
});
