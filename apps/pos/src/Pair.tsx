// Pairing: the pairing link from the collector page, scanned, opened, pasted or typed; then a terminal name.
import { type PairingLinkJson, readPairingLink } from '@moneybag/protocol';
import { startScanner } from '@moneybag/qr';
import { useEffect, useRef, useState } from 'react';
import { t } from './text.ts';
import { ErrorNote } from './ui.tsx';

type Link = PairingLinkJson;

/** The camera, reading QR content as text and keeping only a pairing link (the protocol reader would refuse it). */
function PairScanner(props: { onLink(text: string): void }) {
  const video = useRef<HTMLVideoElement>(null);
  const onLink = useRef(props.onLink);
  onLink.current = props.onLink;
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    const abort = new AbortController();
    const text = new TextDecoder();
    let stop: (() => void) | undefined;
    startScanner(
      video.current!,
      (content) => {
        try {
          const link = text.decode(content);
          readPairingLink(link);
          onLink.current(link);
        } catch {
          // another code in view: keep looking
        }
      },
      abort.signal,
    ).then(
      (s) => (stop = s),
      (e: Error) => !abort.signal.aborted && setProblem(e.message),
    );
    return () => {
      abort.abort();
      stop?.();
    };
  }, []);
  return (
    <div className="pair-camera">
      <video ref={video} playsInline muted aria-label={t('camera')} data-testid="pair-camera" />
      {problem && <p className="alert">{problem}</p>}
    </div>
  );
}

export function Pair(props: { initial?: string; onPair(link: Link, terminal: string): Promise<void> }) {
  const [text, setText] = useState(props.initial ?? '');
  const [manual, setManual] = useState<Link>({ url: location.origin, shop: '', token: '' });
  const [terminal, setTerminal] = useState('pos-1');
  const [camera, setCamera] = useState(!props.initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  let link: Link | undefined;
  let linkError: unknown;
  if (text.trim()) {
    try {
      link = readPairingLink(text.trim());
    } catch (e) {
      linkError = e;
    }
  } else if (manual.shop && manual.token && manual.url) link = manual;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!link) return;
    setBusy(true);
    setError(undefined);
    try {
      await props.onPair(link, terminal.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="pair" data-testid="pair">
      <h1>{t('pairTitle')}</h1>
      <p className="muted">{t('pairHint')}</p>
      <div className="columns">
        <section>
          {camera ? (
            <PairScanner
              onLink={(link) => {
                setText(link);
                setCamera(false);
              }}
            />
          ) : (
            <button className="big" onClick={() => setCamera(true)}>
              {t('scanPairing')}
            </button>
          )}
        </section>
        <form onSubmit={submit} className="card field">
          <label>
            {t('pairingLink')}
            <textarea
              data-testid="pair-link"
              value={text}
              rows={3}
              onChange={(e) => setText(e.target.value)}
              placeholder="https://…/pos/#pair=…"
            />
          </label>
          {linkError != null && <ErrorNote error={linkError} />}
          {link && <p data-testid="pair-shop">{t('pairShop', { shop: link.shop, url: link.url })}</p>}
          {!text.trim() && (
            <details>
              <summary>{t('typeManually')}</summary>
              <label>
                {t('serviceUrl')}
                <input value={manual.url} onChange={(e) => setManual({ ...manual, url: e.target.value })} />
              </label>
              <label>
                {t('shopId')}
                <input
                  data-testid="pair-shop-id"
                  value={manual.shop}
                  onChange={(e) => setManual({ ...manual, shop: e.target.value })}
                />
              </label>
              <label>
                {t('token')}
                <input
                  data-testid="pair-token"
                  value={manual.token}
                  onChange={(e) => setManual({ ...manual, token: e.target.value })}
                />
              </label>
            </details>
          )}
          <label>
            {t('terminalName')}
            <input data-testid="terminal" value={terminal} onChange={(e) => setTerminal(e.target.value)} />
          </label>
          <button className="big primary" disabled={!link || busy} data-testid="pair-submit">
            {busy ? t('pairing') : t('pair')}
          </button>
          {error != null && <ErrorNote error={error} />}
        </form>
      </div>
    </main>
  );
}
