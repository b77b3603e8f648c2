// First start: the holder key, device-bound by default, with what each choice means said plainly.
import { hasWebCryptoEd25519 } from '@moneybag/protocol';
import { useEffect, useState } from 'react';
import { createKey, type HeldKind, KEY_KINDS } from './keys.ts';
import { RestoreForm } from './More.tsx';
import type { DB, KeyKind } from './store.ts';
import { t } from './text.ts';
import { Alert } from './ui.tsx';

export function Setup({ db, onDone }: { db: DB; onDone(): void }) {
  const [kind, setKind] = useState<KeyKind>('device');
  const [label, setLabel] = useState(t('defaultLabel'));
  const [error, setError] = useState<unknown>();
  const [restoring, setRestoring] = useState(false);
  const [busy, setBusy] = useState(false);
  // Where the browser has no WebCrypto Ed25519, "bound to this phone" would be a plain seed: said as it is.
  const [bindable, setBindable] = useState(true);
  useEffect(() => {
    void hasWebCryptoEd25519().then(setBindable);
  }, []);
  const shown = (k: KeyKind): HeldKind => (k === 'device' && !bindable ? 'seed' : k);
  const create = async () => {
    setBusy(true);
    try {
      await createKey(db, kind, label.trim() || t('defaultLabel'));
      navigator.storage?.persist?.().catch(() => {});
      onDone();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <>
      <header className="bar">
        <h1>{t('welcome')}</h1>
      </header>
      <main data-testid="setup">
        {restoring ? (
          <>
            <RestoreForm db={db} onDone={onDone} />
            <button className="link" onClick={() => setRestoring(false)}>
              {t('backNew')}
            </button>
          </>
        ) : (
          <>
            <p>{t('needsKey')}</p>
            <fieldset
              style={{
                border: 0,
                padding: 0,
                margin: 0,
                display: 'flex',
                flexDirection: 'column',
                gap: '0.6rem',
              }}
            >
              <legend className="muted" style={{ marginBottom: '0.5rem' }}>
                {t('whereKey')}
              </legend>
              {(['device', 'portable'] as const).map((k) => (
                <label key={k} className="choice" data-testid={`key-choice-${k}`} data-kind={shown(k)}>
                  <input
                    type="radio"
                    name="kind"
                    value={k}
                    checked={kind === k}
                    onChange={() => setKind(k)}
                  />
                  <span>
                    <strong>{KEY_KINDS[shown(k)].title}</strong>
                    <br />
                    <span className="muted">{KEY_KINDS[shown(k)].text}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            <div className="field">
              <label htmlFor="label" className="muted">
                {t('labelHint')}
              </label>
              <input
                id="label"
                type="text"
                value={label}
                maxLength={60}
                onChange={(e) => setLabel(e.target.value)}
              />
            </div>
            {error !== undefined && <Alert error={error} />}
            <button className="link" onClick={() => setRestoring(true)}>
              {t('haveBackup')}
            </button>
          </>
        )}
      </main>
      {!restoring && (
        <footer className="actions">
          <button className="primary" onClick={create} disabled={busy} data-testid="create-wallet">
            {t('createWallet')}
          </button>
        </footer>
      )}
    </>
  );
}
