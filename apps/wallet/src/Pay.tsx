// Confirm a challenge (shop, amount, time left, tickets), then the Payment QR: full width, black on white.
import { formatAmount, ticketId, toUrl } from '@moneybag/protocol';
import { QrCode } from '@moneybag/qr';
import { useEffect, useState } from 'react';
import type { ScreenProps } from './App.tsx';
import { type PaymentRecord, setOutcome } from './store.ts';
import { t } from './text.ts';
import { Alert, Amount, formatSpan, qrSize, useNow } from './ui.tsx';
import { pay, type Quote } from './wallet.ts';

export function Confirm(p: ScreenProps & { quote: Quote; onPaid(p: PaymentRecord): void }) {
  const { wallet, go, quote, onPaid, reload, notices } = p;
  const { challenge: c, choices } = quote;
  const now = useNow(1000);
  const left = c.expires - now;
  const [error, setError] = useState<unknown>();
  const [paying, setPaying] = useState(false);

  useEffect(() => {
    performance.mark('wallet:challenge-shown');
    performance.measure('wallet:show-challenge', 'wallet:challenge-decoded', 'wallet:challenge-shown');
  }, []);

  const confirm = async () => {
    performance.mark('wallet:confirm');
    setPaying(true);
    setError(undefined);
    try {
      const record = await pay(wallet.db, wallet.signer, quote);
      onPaid(record);
      reload();
    } catch (e) {
      setError(e);
      setPaying(false);
    }
  };

  return (
    <>
      <header className="bar">
        <h1>{t('payTitle')}</h1>
      </header>
      <main data-testid="confirm">
        {notices}
        <div className="card">
          <div className="muted">{t('payTo')}</div>
          <h2 data-testid="shop">{c.label || c.shop}</h2>
          <div className="muted mono">{c.shop}</div>
          <div className="amount" data-testid="amount">
            <Amount amount={c.amount} unit={c.unit} />
          </div>
          <div className={left > 0 ? 'muted' : 'alert'} data-testid="time-left">
            {left > 0 ? t('timeLeft', { span: formatSpan(left) }) : t('requestExpired')}
          </div>
        </div>
        <div className="card">
          <div className="muted">{t('from')}</div>
          <ul className="plain">
            {choices.map((ch) => (
              <li key={ticketId(ch.ticket)} className="row">
                <span>
                  {t('ticketOf', {
                    issuer: ch.ticket.issuer,
                    face: formatAmount(ch.ticket.face, ch.ticket.unit),
                  })}
                </span>
                <strong>
                  <Amount amount={ch.amount} unit={ch.ticket.unit} />
                </strong>
              </li>
            ))}
          </ul>
        </div>
        {error !== undefined && <Alert error={error} />}
      </main>
      <footer className="actions">
        <button className="secondary" onClick={() => go({ name: 'home' })}>
          {t('cancel')}
        </button>
        <button
          className="primary"
          onClick={confirm}
          disabled={paying || left <= 0}
          data-testid="confirm-pay"
        >
          {t('payAmount', { amount: formatAmount(c.amount, c.unit) })}
        </button>
      </footer>
    </>
  );
}

/** The POS beside this wallet (the service serves both): a payment's link opens there. */
const posBase = () => new URL('../pos/', location.href.split('#')[0]).href;

/** What "not confirmed by the shop" means for the holder's money, said once for every screen. */
export const NOT_CONFIRMED = t('notConfirmed');

export function Paid({ payment, go, wallet, reload }: ScreenProps & { payment: PaymentRecord }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    // Painted: the frame after the QR is committed to the DOM.
    requestAnimationFrame(() => {
      performance.mark('wallet:qr-painted');
      if (performance.getEntriesByName('wallet:confirm', 'mark').length)
        performance.measure('wallet:pay', 'wallet:confirm', 'wallet:qr-painted');
    });
  }, []);
  const link = toUrl(posBase(), payment.message);
  const canShare = typeof navigator.share === 'function';
  const share = async () => {
    try {
      if (canShare) await navigator.share({ title: t('shareTitle'), url: link });
      else {
        await navigator.clipboard.writeText(link);
        setCopied(true);
      }
    } catch {
      // Dismissed by the person, or no clipboard: the link stays on screen to copy by hand.
    }
  };
  const answer = async (outcome: PaymentRecord['outcome']) => {
    await setOutcome(wallet.db, payment.id, outcome);
    await reload();
    go({ name: outcome === 'accepted' ? 'home' : 'history' });
  };
  return (
    <>
      <header className="bar">
        <h1>{t('showCashier')}</h1>
      </header>
      <main style={{ padding: '0.5rem 0.25rem' }} data-testid="paid">
        <div className="qr-full" data-testid="payment-qr">
          <QrCode message={payment.message} size={qrSize()} label={undefined} />
        </div>
        <div style={{ textAlign: 'center', padding: '0 1rem' }}>
          <div className="amount">
            <Amount amount={payment.amount} unit={payment.unit} />
          </div>
          <div>
            {t('to')} <strong>{payment.label || payment.shop}</strong>
          </div>
          <div className="muted" data-testid="paid-state">
            {t('signedOnly')}
          </div>
          <p className="small">
            {t('noCamera')}{' '}
            <button className="link" onClick={share} data-testid="share-payment">
              {canShare ? t('share') : copied ? t('copied') : t('copy')}
            </button>{' '}
            {t('orOpen')}{' '}
            <a href={link} data-testid="payment-link" className="mono">
              {t('thisLink')}
            </a>{' '}
            {t('onTerminal')}
          </p>
        </div>
      </main>
      <footer className="actions">
        <button className="secondary" onClick={() => answer('not-accepted')} data-testid="not-accepted">
          {t('notAccepted')}
        </button>
        <button className="primary" onClick={() => answer('accepted')} data-testid="accepted">
          {t('acceptedByShop')}
        </button>
      </footer>
    </>
  );
}
