// What the apps say about the keys they trust and the storage they keep them in.
import { type KeyChange, keyFingerprint } from '@moneybag/protocol';

/** A changed key in words: which party, and the fingerprints of its pinned and its served key. */
export const keyChangeText = (c: KeyChange): string =>
  `The ${c.party} ${c.id} now presents another key: ${keyFingerprint(c.served)} instead of ${keyFingerprint(c.pinned)}.`;

/**
 * Ask the browser to keep this origin's storage (IndexedDB) when space runs low. `false` when it refused or
 * cannot be asked: then what is kept here may be cleared by the browser.
 */
export async function askPersistentStorage(): Promise<boolean> {
  try {
    return (await navigator.storage?.persist?.()) === true;
  } catch {
    return false;
  }
}
