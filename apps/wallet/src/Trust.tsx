// A key the service now serves in place of one this wallet kept: said with both fingerprints, and trusted only
// once the holder confirms it.
import { keyFingerprint } from '@moneybag/protocol';
import type { PendingKeys } from './store.ts';
import { t } from './text.ts';
import { keyChangeText } from './wallet.ts';

/** `onConfirm` says its own failure (the wallet's notice). */
export function KeyChanges({ pending, onConfirm }: { pending: PendingKeys; onConfirm(): void }) {
  return (
    <section className="card alert" role="alert" data-testid="key-change">
      <h3>{t('keysHeading')}</h3>
      {pending.changes.map((c) => (
        <p key={`${c.party}/${c.id}`} data-testid="key-change-item" data-party={c.party} data-id={c.id}>
          {keyChangeText(c)}{' '}
          <span className="muted mono">{t('keysKept', { pinned: keyFingerprint(c.pinned) })}</span>
        </p>
      ))}
      <p className="muted">{t('keysUntil')}</p>
      <button data-testid="confirm-keys" onClick={onConfirm}>
        {t('keysConfirm')}
      </button>
    </section>
  );
}
