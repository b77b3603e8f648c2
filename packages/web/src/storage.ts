// The browser's promise, or not, to keep an app's storage.

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
