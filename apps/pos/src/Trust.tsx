// What this terminal can rely on: the keys it pinned (a change stops payments until the operator confirms it)
// and the browser's promise, or not, to keep its storage.
import { type KeyChange, keyFingerprint } from '@moneybag/protocol';
import { askPersistentStorage, keyChangeText } from '@moneybag/web';
import { useEffect, useState } from 'react';
import { ErrorNote } from './ui.tsx';

/** Ask once for persistent storage: `false` when the browser refused (or cannot be asked). */
export function usePersistentStorage(): boolean | undefined {
  const [kept, setKept] = useState<boolean>();
  useEffect(() => {
    void askPersistentStorage().then(setKept);
  }, []);
  return kept;
}

export function StorageRefused() {
  return (
    <div data-testid="storage-refused">
      ⚠ This browser did not agree to keep this terminal's storage: it may clear it when space runs low, and
      with it payments taken and not yet sent. Install the POS as an app (or allow this site to store data),
      and connect often so that the takings are sent.
    </div>
  );
}

/** A pinned key the service no longer serves: said with both fingerprints, and confirmed by the operator only. */
export function KeyChanges({ changes, onConfirm }: { changes: KeyChange[]; onConfirm(): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <section className="alert" role="alert" data-testid="key-change">
      <h2>Payments are stopped: a key changed</h2>
      <ul>
        {changes.map((c) => (
          <li key={`${c.party}/${c.id}`} data-testid="key-change-item" data-party={c.party} data-id={c.id}>
            {keyChangeText(c)}
            <br />
            <span className="muted">
              Trusted until now: <span className="mono">{keyFingerprint(c.pinned)}</span> · served now:{' '}
              <span className="mono">{keyFingerprint(c.served)}</span>
            </span>
          </li>
        ))}
      </ul>
      <p>
        Before you confirm, check the new fingerprint with the {changes[0]?.party ?? 'party'} (by phone, or on
        their letter): a key you did not expect may mean someone else answers in their name.
      </p>
      {error !== undefined && <ErrorNote error={error} />}
      <button
        className="big"
        disabled={busy}
        data-testid="confirm-keys"
        onClick={() => {
          setBusy(true);
          onConfirm().then(
            () => setBusy(false),
            (e) => {
              setError(e);
              setBusy(false);
            },
          );
        }}
      >
        I checked it: trust the new key
      </button>
    </section>
  );
}
