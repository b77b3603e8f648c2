// What this terminal can rely on: the keys it pinned (a change stops payments until the operator confirms it)
// and the browser's promise, or not, to keep its storage.
import { type KeyChange, keyFingerprint } from '@moneybag/protocol';
import { askPersistentStorage } from '@moneybag/web';
import { useEffect, useState } from 'react';
import { keyChangeText } from './pos.ts';
import { t } from './text.ts';
import { ErrorNote } from './ui.tsx';

/** Ask once for persistent storage: `false` when the browser refused (or cannot be asked). */
export function usePersistentStorage(): boolean | undefined {
  const [kept, setKept] = useState<boolean>();
  useEffect(() => {
    void askPersistentStorage().then(setKept);
  }, []);
  return kept;
}

export const StorageRefused = () => <div data-testid="storage-refused">⚠ {t('storageRefused')}</div>;

/** A pinned key the service no longer serves: said with both fingerprints, and confirmed by the operator only. */
export function KeyChanges({ changes, onConfirm }: { changes: KeyChange[]; onConfirm(): Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <section className="alert" role="alert" data-testid="key-change">
      <h2>{t('keysHeading')}</h2>
      <ul>
        {changes.map((c) => (
          <li key={`${c.party}/${c.id}`} data-testid="key-change-item" data-party={c.party} data-id={c.id}>
            {keyChangeText(c)}
            <br />
            <span className="muted mono">
              {t('keysFingerprints', { pinned: keyFingerprint(c.pinned), served: keyFingerprint(c.served) })}
            </span>
          </li>
        ))}
      </ul>
      <p>
        {t('keysStopped')}{' '}
        {t('keysCheck', { party: t(changes[0]?.party === 'issuer' ? 'partyIssuer' : 'partyCollector') })}
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
        {t('keysConfirm')}
      </button>
    </section>
  );
}
