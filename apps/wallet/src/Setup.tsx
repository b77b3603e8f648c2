// First start: the holder key, device-bound by default, with what each choice means said plainly.
import { hasWebCryptoEd25519 } from '@moneybag/protocol';
import { useEffect, useState } from 'react';
import { createKey, type HeldKind, KEY_KINDS } from './keys.ts';
import { RestoreForm } from './More.tsx';
import type { DB, KeyKind } from './store.ts';
import { Alert } from './ui.tsx';

export function Setup({ db, onDone }: { db: DB; onDone(): void }) {
  const [kind, setKind] = useState<KeyKind>('device');
  const [label, setLabel] = useState('My wallet');
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
      await createKey(db, kind, label.trim() || 'My wallet');
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
        <h1>Welcome to your wallet</h1>
      </header>
      <main data-testid="setup">
        {restoring ? (
          <>
            <RestoreForm db={db} onDone={onDone} />
            <button className="link" onClick={() => setRestoring(false)}>
              Back: make a new wallet instead
            </button>
          </>
        ) : (
          <>
            <p>Your wallet needs a key: the issuer binds your tickets to it, and only it can spend them.</p>
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
                Where should the key live?
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
                A name the issuer sees for this wallet
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
              I have a backup file: restore it
            </button>
          </>
        )}
      </main>
      {!restoring && (
        <footer className="actions">
          <button className="primary" onClick={create} disabled={busy} data-testid="create-wallet">
            Create my wallet
          </button>
        </footer>
      )}
    </>
  );
}
