// The encrypted backup file: PBKDF2-SHA-256 (a slow KDF, native in every browser) and AES-256-GCM.
// It holds the tickets, the spend journal, the history, and the key only where it is portable.
import { equal, fail, fromBase64url, toBase64url } from '@moneybag/protocol';
import { type DB, getKey, type KeyRecord, restoreSnapshot, type Snapshot, snapshot } from './store.ts';

/** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about a second on a phone. */
export const ITERATIONS = 600_000;

interface BackupFile {
  moneybag_backup: 1;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: string };
  cipher: { name: 'AES-GCM'; iv: string };
  data: string;
  made: number;
}

// Bytes travel as {$b: base64url} inside the encrypted JSON.
const replacer = (_: string, v: unknown) => (v instanceof Uint8Array ? { $b: toBase64url(v) } : v);
const reviver = (_: string, v: unknown) =>
  v && typeof v === 'object' && '$b' in v ? fromBase64url((v as { $b: string }).$b) : v;

async function aesKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey('raw', new TextEncoder().encode(passphrase), 'PBKDF2', false, [
    'deriveKey',
  ]);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(salt), iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

export async function makeBackup(db: DB, passphrase: string, iterations = ITERATIONS): Promise<string> {
  if (passphrase.length < 8) fail('E_FIELD', 'a passphrase of at least 8 characters, please');
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(await snapshot(db), replacer));
  const data = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await aesKey(passphrase, salt, iterations), plain),
  );
  const file: BackupFile = {
    moneybag_backup: 1,
    kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations, salt: toBase64url(salt) },
    cipher: { name: 'AES-GCM', iv: toBase64url(iv) },
    data: toBase64url(data),
    made: Date.now(),
  };
  return JSON.stringify(file);
}

/** Decrypt a backup file; a wrong passphrase or a damaged file is E_FIELD. */
export async function openBackup(text: string, passphrase: string): Promise<Snapshot & { made: number }> {
  let file: BackupFile;
  try {
    file = JSON.parse(text);
  } catch {
    return fail('E_FIELD', 'this is not a Moneybag backup file');
  }
  if (file?.moneybag_backup !== 1 || file.kdf?.name !== 'PBKDF2' || file.cipher?.name !== 'AES-GCM')
    fail('E_FIELD', 'this is not a Moneybag backup file');
  let plain: ArrayBuffer;
  try {
    const key = await aesKey(passphrase, fromBase64url(file.kdf.salt), file.kdf.iterations);
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: new Uint8Array(fromBase64url(file.cipher.iv)) },
      key,
      new Uint8Array(fromBase64url(file.data)),
    );
  } catch {
    return fail('E_FIELD', 'wrong passphrase, or the file is damaged');
  }
  return { ...(JSON.parse(new TextDecoder().decode(plain), reviver) as Snapshot), made: file.made };
}

/** What restoring means, said before it is done. */
/**
 * Restore into this wallet. A wallet without a key takes the backup's portable key; a wallet with a
 * key takes only a backup of that same key. Tickets merge: the smaller `left` wins.
 */
export async function restoreBackup(db: DB, s: Snapshot): Promise<void> {
  const mine = await getKey(db);
  let key: KeyRecord | undefined;
  if (mine) {
    const theirs = s.key?.publicKey ?? s.tickets[0]?.ticket.holder;
    if (theirs && !equal(theirs, mine.publicKey)) fail('E_FIELD', 'this backup is of another wallet');
  } else {
    if (!s.key) fail('E_FIELD', 'this backup holds no key (its key was bound to the phone that made it)');
    key = s.key;
  }
  await restoreSnapshot(db, s, key);
}
