// A key the service now serves in place of one this wallet kept: said with both fingerprints, and trusted only
// once the holder confirms it.
import { keyFingerprint } from '@moneybag/protocol';
import { keyChangeText } from '@moneybag/web';
import type { PendingKeys } from './store.ts';

/** `onConfirm` says its own failure (the wallet's notice). */
export function KeyChanges({ pending, onConfirm }: { pending: PendingKeys; onConfirm(): void }) {
  return (
    <section className="card alert" role="alert" data-testid="key-change">
      <h3>A key changed</h3>
      {pending.changes.map((c) => (
        <p key={`${c.party}/${c.id}`} data-testid="key-change-item" data-party={c.party} data-id={c.id}>
          {keyChangeText(c)}{' '}
          <span className="muted">
            Kept until now: <span className="mono">{keyFingerprint(c.pinned)}</span>.
          </span>
        </p>
      ))}
      <p className="muted">
        Until you confirm it, this wallet takes no ticket from a changed issuer and pays nothing through a
        changed collector. Confirm only if its operator told you of the new key (compare the fingerprint).
      </p>
      <button data-testid="confirm-keys" onClick={onConfirm}>
        I checked it: trust the new key
      </button>
    </section>
  );
}
