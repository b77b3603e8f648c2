// One deal: the Challenge shown as a QR code and a link, the camera waiting for the wallet's Payment,
// then the verdict, full screen, readable at arm's length.
import { formatAmount, peekType, readContent, toUrl } from '@moneybag/protocol';
import { QrCode, Scanner } from '@moneybag/qr';
import { say } from '@moneybag/web';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Deal as DealT, Verdict as VerdictT } from './pos.ts';
import { t } from './text.ts';
import { Aside, ErrorNote, SaidText } from './ui.tsx';

/** The wallet's address beside this POS (the service serves both). */
export const walletBase = () => new URL('../wallet/', location.href.split('#')[0]).href;

export function Deal(props: {
  deal: DealT;
  now: number;
  /** Judge a payment; a note to show instead of a verdict (a payment judged before). */
  onPayment(message: Uint8Array): Promise<string | undefined>;
  onCancel(): void;
}) {
  const { challenge, message } = props.deal;
  const [progress, setProgress] = useState<{ have: number; count: number }>();
  const [note, setNote] = useState<unknown>();
  // A ref, not state: re-rendering (and pausing the camera) while the check runs would delay the verdict.
  const busy = useRef(false);
  const [pasted, setPasted] = useState('');
  const [cancelling, setCancelling] = useState(false);
  const left = challenge.expires - Math.floor(props.now / 1000);
  const link = toUrl(walletBase(), message);

  const receive = async (m: Uint8Array) => {
    if (busy.current) return;
    try {
      if (peekType(m) !== 'Payment') {
        setNote(new Error(t('notAPayment', { type: peekType(m) })));
        return;
      }
    } catch (e) {
      setNote(e);
      return;
    }
    busy.current = true;
    try {
      const seen = await props.onPayment(m);
      if (seen) setNote(new Error(seen));
    } finally {
      busy.current = false;
    }
  };

  return (
    <main className="deal" data-testid="deal">
      <section className="deal-challenge">
        <div className="deal-amount" data-testid="deal-amount">
          {formatAmount(challenge.amount, challenge.unit)}
        </div>
        <div className="muted">{challenge.label}</div>
        <QrCode message={message} size={360} />
        <a className="mono small" href={link} target="_blank" rel="noreferrer" data-testid="challenge-link">
          {t('openInWallet')}
        </a>
        <div className={left > 15 ? 'muted' : 'alert'} data-testid="expires">
          {left > 0
            ? t('expiresIn', { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}` })
            : t('expired')}
        </div>
      </section>
      <section className="deal-scan">
        <h2>{t('scanPayment')}</h2>
        <Scanner
          onMessage={receive}
          onProgress={setProgress}
          onError={(e) => setNote(e)}
          paused={left <= 0}
        />
        {progress && progress.count > 0 && progress.have < progress.count && (
          <div className="progress" data-testid="progress">
            {t('receivingParts', { have: progress.have, count: progress.count })}
          </div>
        )}
        {note != null && <ErrorNote error={note} />}
        <details>
          <summary>{t('pasteInstead')}</summary>
          <form
            className="field"
            onSubmit={(e) => {
              e.preventDefault();
              try {
                void receive(readContent(pasted.trim()));
              } catch (err) {
                setNote(err);
              }
            }}
          >
            <label htmlFor="payment-text">{t('pasteLabel')}</label>
            <textarea
              id="payment-text"
              data-testid="payment-text"
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              rows={3}
            />
            <button>{t('check')}</button>
          </form>
        </details>
        {cancelling ? (
          // The wallet signs before the cashier sees anything: a sale cancelled after that leaves the holder
          // with a signed payment the shop never took. So: scan first, then cancel.
          <div className="alert" role="alertdialog" aria-labelledby="cancel-q" data-testid="cancel-warning">
            <p id="cancel-q">
              <b>{t('cancelQuestion')}</b> {t('cancelExplain')}
            </p>
            <div className="row">
              <button className="big" onClick={() => setCancelling(false)} data-testid="cancel-keep">
                {t('keepSale')}
              </button>
              <button className="big danger" onClick={props.onCancel} data-testid="cancel-confirm">
                {t('cancelSale')}
              </button>
            </div>
          </div>
        ) : (
          <button className="big" onClick={() => setCancelling(true)} data-testid="cancel">
            {t('cancel')}
          </button>
        )}
      </section>
    </main>
  );
}

type Saving = 'saving' | 'saved' | { error: unknown };

/**
 * The verdict, full screen. `startedAt` (performance.now) is when the payment was decoded, for the bench.
 * ACCEPTED is painted from the check in memory; should its write then fail, the screen says loudly that the
 * payment is not taken. `onDone(kept)`: kept is whether the payment was accepted and kept.
 */
export function Verdict(props: {
  verdict: VerdictT;
  startedAt?: number;
  /** When the check ended (performance.now), for the bench's split of the figure. */
  checkedAt?: number;
  onDone(kept: boolean): void;
}) {
  const { verdict: v } = props;
  const ref = useRef<HTMLElement>(null);
  const [saving, setSaving] = useState<Saving>(v.ok ? 'saving' : 'saved');
  useEffect(() => {
    if (!v.ok) return;
    let live = true;
    v.saved.then(
      () => live && setSaving('saved'),
      (error: unknown) => live && setSaving({ error }),
    );
    return () => {
      live = false;
    };
  }, [v]);
  const failed = typeof saving === 'object';
  // The check's own sentence, beside the reason; on a German screen only on a details line.
  const said = v.ok || v.message === v.reason ? undefined : say({ code: v.code, message: v.message });
  const kept = v.ok && saving === 'saved';
  const done = () => {
    if (saving !== 'saving') props.onDone(kept);
  };
  useLayoutEffect(() => {
    // Layout is forced here, so the figure includes the DOM work of painting the verdict.
    if (props.startedAt !== undefined && ref.current) {
      void ref.current.offsetHeight;
      ref.current.dataset.ms = (performance.now() - props.startedAt).toFixed(2);
      if (props.checkedAt !== undefined)
        ref.current.dataset.checkMs = (props.checkedAt - props.startedAt).toFixed(2);
    }
  }, [props.startedAt, props.checkedAt]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Enter' && done();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });
  return (
    <main
      ref={ref}
      className={`verdict ${v.ok && !failed ? 'accepted' : 'refused'}`}
      data-testid="verdict"
      data-verdict={failed ? 'unsaved' : v.ok ? 'accepted' : 'refused'}
      data-saved={failed ? 'failed' : saving}
      data-code={v.ok ? undefined : v.code}
      data-sale={v.ok ? undefined : v.sale}
      role="alert"
    >
      {failed ? (
        <>
          <div className="verdict-word">{t('notSaved')}</div>
          <div className="verdict-reason" data-testid="verdict-reason">
            {t('notSavedReason')}
          </div>
          <div className="verdict-detail" data-testid="verdict-error">
            <SaidText said={say(saving.error)} />
          </div>
        </>
      ) : v.ok ? (
        <>
          <div className="verdict-word">{t('accepted')}</div>
          <div className="verdict-amount" data-testid="verdict-amount">
            {formatAmount(v.total, v.unit)}
          </div>
          <ul className="plain" data-testid="verdict-tickets">
            {v.payment.items.map((s) => (
              <li key={s.ticket.serial.join(',')}>
                {t('ofTicket', {
                  amount: formatAmount(s.amount, s.ticket.unit),
                  face: formatAmount(s.ticket.face, s.ticket.unit),
                  issuer: s.ticket.issuer,
                })}
              </li>
            ))}
          </ul>
        </>
      ) : (
        <>
          <div className="verdict-word">{v.sale === 'cancelled' ? t('saleCancelled') : t('refused')}</div>
          <div className="verdict-reason" data-testid="verdict-reason">
            {v.reason}
          </div>
          <div className="verdict-detail">{said?.detail && !said.aside ? said.detail : ''}</div>
          {said && <Aside said={said} />}
          <code className="verdict-code" data-testid="verdict-code">
            {v.code}
          </code>
        </>
      )}
      <button
        className="huge"
        onClick={done}
        disabled={saving === 'saving'}
        data-testid="verdict-done"
        autoFocus
      >
        {kept ? t('nextSale') : t('back')}
      </button>
    </main>
  );
}
