// Pairing: the pairing link from the collector page, scanned, opened, pasted or typed; then a terminal name.
import { type PairingLinkJson, readPairingLink } from '@moneybag/protocol';
import { startScanner } from '@moneybag/qr';
import { SaidError } from '@moneybag/web';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import type { Pos } from './pos.ts';
import type { BagRecord, Pairing } from './store.ts';
import { Refused, redeem } from './sync.ts';
import { t } from './text.ts';
import { ErrorNote, exportBag, totalsText } from './ui.tsx';

type Link = PairingLinkJson;
/** A link with a shop's token (the CLI's, a relay's): what `pair` completes. */
export type TokenLink = Extract<Link, { token: string }>;

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

/** Redeem the link's code; a refused code is said in the POS's words, the service's why (used, expired, …) beside. */
async function redeemOnce(link: { url: string; code: string }, name: string) {
  try {
    const r = await redeem(link, name);
    return { link: r, terminal: r.terminal };
  } catch (e) {
    if (e instanceof Refused && e.code === 'E_AUTH')
      throw new SaidError(
        e.code,
        t('pairCodeRefused'),
        e.message.charAt(0).toUpperCase() + e.message.slice(1),
      );
    throw e;
  }
}

/**
 * Above the pairing form of a terminal whose token the service refused: why (the POS's words, the service's
 * sentence beside), and the bags it keeps until paired again, each exportable as a file meanwhile.
 */
export function PairAgainNote(props: {
  pos: Pos;
  pairing: Pairing;
  refused: NonNullable<Pairing['refused']>;
  version: number;
}) {
  const [kept, setKept] = useState<BagRecord[]>([]);
  // No sale is on screen here: the open bag, if any, joins the outbox, where it can be exported until the
  // terminal is paired again (its payments are never lost: closing is one transaction, and pairing again closes
  // it too).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads after a change
  useEffect(() => {
    const { pos } = props;
    pos
      .closeOpen('token refused')
      .catch(() => {})
      .then(() => pos.store.bagsIn('closed'))
      .then(setKept, () => {});
  }, [props.pos, props.version]);
  const totals: Record<string, number> = {};
  for (const b of kept)
    for (const [unit, n] of Object.entries(b.totals)) totals[unit] = (totals[unit] ?? 0) + n;
  const why = new SaidError(
    props.refused.code,
    t('tokenRefused', { terminal: props.pairing.terminal }),
    props.refused.message,
  );
  return (
    <section data-testid="pair-again">
      <ErrorNote error={why} />
      <p data-testid="kept" data-count={kept.length}>
        {kept.length
          ? t('keptBags', {
              bags: kept.length === 1 ? t('oneBag') : t('nBags', { n: kept.length }),
              totals: totalsText(totals),
            })
          : t('keptNone')}
      </p>
      {kept.length > 0 && (
        <ul className="plain row">
          {kept.map((b) => (
            <li key={b.id}>
              <button onClick={() => exportBag(b)} data-testid="kept-export">
                {t('exportFile')} · {totalsText(b.totals)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function Pair(props: {
  initial?: string;
  /** The service to fill in for a typed code (a terminal paired again: the one it was paired with). */
  url?: string;
  /** Paired before, its token refused: why, and what it keeps (PairAgainNote). */
  again?: ReactNode;
  onPair(link: TokenLink, terminal: string): Promise<void>;
}) {
  const [text, setText] = useState(props.initial ?? '');
  const [manual, setManual] = useState<TokenLink>({ url: props.url ?? location.origin, shop: '', token: '' });
  // The code the collector's page shows under its QR, typed (the service names the shop).
  const [typedCode, setTypedCode] = useState('');
  // A link with a one-time code: the service names the terminal, and the field is only what staff call it.
  const [terminal, setTerminal] = useState<string>();
  // The code, once redeemed, is spent: a retry (the network failed after) goes on with what it gave.
  const [redeemed, setRedeemed] = useState<{ code: string; link: TokenLink; terminal: string }>();
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
  } else if (manual.url && typedCode.trim())
    link = { url: manual.url.trim().replace(/\/+$/, ''), shop: '', code: typedCode.trim() };
  else if (manual.shop && manual.token && manual.url) link = manual;
  const once = link && 'code' in link ? link : undefined;
  // Only a shop's token link (the CLI's, a relay's) lets staff choose the terminal id; with a code (and before
  // any link) the service names the terminal, and the field is only what staff call it.
  const byToken = link !== undefined && !once;
  const name = terminal ?? (byToken ? 'pos-1' : '');

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    if (!link) return;
    setBusy(true);
    setError(undefined);
    try {
      if (once) {
        const r =
          redeemed?.code === once.code
            ? redeemed
            : { code: once.code, ...(await redeemOnce(once, name.trim())) };
        setRedeemed(r);
        await props.onPair(r.link, r.terminal);
      } else if (link && 'token' in link) await props.onPair(link, name.trim());
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="pair" data-testid="pair">
      <h1>{props.again ? t('pairAgainTitle') : t('pairTitle')}</h1>
      {props.again}
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
          {link && (
            <p data-testid="pair-shop">
              {link.shop
                ? t('pairShop', { shop: link.shop, url: link.url })
                : t('pairCodeShop', { url: link.url })}
            </p>
          )}
          {!text.trim() && (
            <details>
              <summary>{t('typeManually')}</summary>
              <label>
                {t('serviceUrl')}
                <input value={manual.url} onChange={(e) => setManual({ ...manual, url: e.target.value })} />
              </label>
              <label>
                {t('pairCode')}
                <input
                  data-testid="pair-code"
                  value={typedCode}
                  placeholder="ABCD-EFGH-JKLM"
                  autoCapitalize="characters"
                  onChange={(e) => setTypedCode(e.target.value)}
                />
              </label>
              <p className="muted">{t('pairOrToken')}</p>
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
            {byToken ? t('terminalId') : t('terminalName')}
            <input
              data-testid="terminal"
              value={name}
              placeholder={byToken ? 'pos-1' : t('pairNamePlaceholder')}
              onChange={(e) => setTerminal(e.target.value)}
            />
          </label>
          {once && (
            <p className="muted" data-testid="pair-once">
              {t('pairOnce')}
            </p>
          )}
          <button className="big primary" disabled={!link || busy} data-testid="pair-submit">
            {busy ? t('pairing') : t('pair')}
          </button>
          {error != null && <ErrorNote error={error} />}
        </form>
      </div>
    </main>
  );
}
