// Receiving: the holder key as a QR and a link for the issuer; reading a ticket or a challenge by camera or paste.
import { encode, readContent, toUrl } from '@moneybag/protocol';
import { QrCode, Scanner } from '@moneybag/qr';
import { useMemo, useState } from 'react';
import type { ScreenProps } from './App.tsx';
import { t } from './text.ts';
import { Alert, qrSize } from './ui.tsx';

type Props = ScreenProps & { onMessage(m: Uint8Array): void };

export function Receive({ wallet, go, notices, onMessage }: Props) {
  const holderKey = useMemo(
    () => encode({ type: 'HolderKey', holder: wallet.key.publicKey, label: wallet.key.label }),
    [wallet.key],
  );
  const link = toUrl(new URL('/issuer/', location.origin).href, holderKey);
  const [copied, setCopied] = useState(false);
  const share = async () => {
    try {
      if (navigator.share) await navigator.share({ title: t('myKeyTitle'), url: link });
      else {
        await navigator.clipboard.writeText(link);
        setCopied(true);
      }
    } catch {}
  };
  return (
    <>
      <header className="bar">
        <h1>{t('receiveTitle')}</h1>
        <button onClick={() => go({ name: 'home' })}>{t('back')}</button>
      </header>
      <main>
        {notices}
        <p>{t('showIssuer')}</p>
        <div className="qr-full" data-testid="holder-qr">
          <QrCode message={holderKey} size={qrSize()} />
        </div>
        <div className="field">
          <span className="muted">{t('orSendLink')}</span>
          <a className="mono" href={link} data-testid="holder-link">
            {link}
          </a>
          <button className="secondary big" onClick={share}>
            {copied ? t('copiedShort') : t('shareLink')}
          </button>
        </div>
        <Paste onMessage={onMessage} />
      </main>
      <footer className="actions">
        <button className="primary" onClick={() => go({ name: 'scan' })}>
          {t('scanTicket')}
        </button>
      </footer>
    </>
  );
}

/** A ticket or challenge link pasted as text: for a desktop, or a phone without a camera. */
function Paste({ onMessage }: { onMessage(m: Uint8Array): void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      onMessage(readContent(text.trim()));
      setText('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} className="field">
      <label className="muted" htmlFor="paste">
        {t('pasteHere')}
      </label>
      <input
        id="paste"
        type="text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        autoComplete="off"
      />
      <button className="secondary big" type="submit" disabled={!text.trim()}>
        {t('open')}
      </button>
      {error !== undefined && <Alert error={error} />}
    </form>
  );
}

export function Scan({ go, notices, onMessage, busy }: Props & { busy: boolean }) {
  const [error, setError] = useState<Error>();
  const [progress, setProgress] = useState<{ have: number; count: number }>();
  return (
    <>
      <header className="bar">
        <h1>{t('scanTitle')}</h1>
        <button onClick={() => go({ name: 'home' })}>{t('back')}</button>
      </header>
      <main>
        {notices}
        <p>{t('scanHint')}</p>
        <Scanner onMessage={onMessage} onError={setError} onProgress={setProgress} paused={busy} />
        {progress && progress.count > 0 && (
          <p className="muted">{t('reading', { have: progress.have, count: progress.count })}</p>
        )}
        {error && <Alert error={error} />}
        <Paste onMessage={onMessage} />
      </main>
      <footer className="actions">
        <button className="secondary" onClick={() => go({ name: 'home' })}>
          {t('cancel')}
        </button>
      </footer>
    </>
  );
}
