// The holder key. A device key is the patent's IC card: a non-extractable WebCrypto Ed25519 key that
// never leaves the browser's key store. A portable key is a seed that an encrypted backup can carry.
import {
  hasWebCryptoEd25519,
  randomBytes,
  type Signer,
  seedSigner,
  webCryptoSigner,
} from '@moneybag/protocol';
import { type DB, getKey, type KeyKind, type KeyRecord, putKey } from './store.ts';
import { t } from './text.ts';

/**
 * The kind of key a wallet really holds: `device` only where the browser keeps a non-extractable WebCrypto key;
 * `seed` where the device key was asked for but the browser has no WebCrypto Ed25519 (a plain seed in
 * IndexedDB, not in backups); `portable` a seed the backup carries.
 */
export type HeldKind = 'device' | 'seed' | 'portable';

export const heldKind = (key: Pick<KeyRecord, 'kind' | 'privateKey'>): HeldKind =>
  key.kind === 'portable' ? 'portable' : key.privateKey && !key.privateKey.extractable ? 'device' : 'seed';

export const KEY_KINDS: Record<HeldKind, { title: string; text: string }> = {
  device: { title: t('kindDevice'), text: t('kindDeviceText') },
  seed: { title: t('kindSeed'), text: t('kindSeedText') },
  portable: { title: t('kindPortable'), text: t('kindPortableText') },
};

/** Make the holder key once, at first start. */
export async function createKey(db: DB, kind: KeyKind, label = 'My wallet'): Promise<KeyRecord> {
  const created = Date.now();
  let record: KeyRecord;
  if (kind === 'device' && (await hasWebCryptoEd25519())) {
    const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
    record = { kind, publicKey, privateKey: pair.privateKey, label, created };
  } else {
    // No WebCrypto Ed25519 here (or a portable key): a seed in IndexedDB, signed with @noble/ed25519.
    const seed = randomBytes(32);
    record = { kind, publicKey: seedSigner(seed).publicKey, seed, label, created };
  }
  await putKey(db, record);
  return record;
}

/** The signer of a stored key. */
export function signerOf(key: KeyRecord): Signer {
  if (key.privateKey) return webCryptoSigner(key.privateKey, key.publicKey);
  if (key.seed) return seedSigner(key.seed);
  throw new Error('the stored key has no private part');
}

export async function loadKey(db: DB): Promise<{ key: KeyRecord; signer: Signer } | undefined> {
  const key = await getKey(db);
  return key && { key, signer: signerOf(key) };
}
