// Payments (shop, amount, time, tickets used) and the receipts of online payments.
import { formatAmount } from '@moneybag/protocol';
import { SaidText, say } from '@moneybag/web';
import { useEffect, useState } from 'react';
import type { ScreenProps } from './App.tsx';
import { NOT_CONFIRMED } from './Pay.tsx';
import { countPayments, type PaymentRecord, pagePayments, type ReceiptRecord, receiptsOf } from './store.ts';
import { t } from './text.ts';
import { Alert, Amount, formatMoment } from './ui.tsx';
import { refusalOf, sendDirect } from './wallet.ts';

/** Payments listed at first, newest first; more on request (a long history holds thousands). */
export const PAGE = 50;

interface Page {
  payments: PaymentRecord[];
  receipts: Map<string, ReceiptRecord>;
  total: number;
}

export function History({ wallet, go, notices, reload }: ScreenProps) {
  const [shown, setShown] = useState(PAGE);
  const [page, setPage] = useState<Page>();
  const [error, setError] = useState<unknown>();
  // Read from the store a page at a time, again whenever the wallet reloads (a payment sent, answered).
  useEffect(() => {
    let live = true;
    (async () => {
      const [payments, total] = await Promise.all([
        pagePayments(wallet.db, 0, shown),
        countPayments(wallet.db),
      ]);
      const receipts = await receiptsOf(
        wallet.db,
        payments.filter((p) => p.kind === 'direct').map((p) => p.id),
      );
      if (live) setPage({ payments, receipts: new Map(receipts.map((r) => [r.payment, r])), total });
    })().catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [wallet, shown]);
  const payments = page?.payments ?? [];
  const receipts = page?.receipts ?? new Map<string, ReceiptRecord>();
  const reclaimed = new Set(wallet.tickets.filter((t) => t.reclaim?.status === 'done').map((t) => t.id));
  const settledByReclaim = (p: PaymentRecord) => p.tickets.every((t) => reclaimed.has(t.id));
  const [sending, setSending] = useState<string>();
  const retry = async (id: string) => {
    const p = payments.find((x) => x.id === id);
    if (!p) return;
    setSending(id);
    setError(undefined);
    try {
      await sendDirect(wallet.db, p);
    } catch (e) {
      setError(e);
    }
    setSending(undefined);
    await reload();
  };
  return (
    <>
      <header className="bar">
        <h1>{t('history')}</h1>
        <button onClick={() => go({ name: 'home' })}>{t('back')}</button>
      </header>
      <main>
        {notices}
        {error !== undefined && <Alert error={error} />}
        {page?.total === 0 && <p className="muted">{t('noPayments')}</p>}
        <ul className="plain" data-testid="history">
          {payments.map((p) => {
            const r = receipts.get(p.id);
            return (
              <li key={p.id} className="card" data-testid="payment">
                <div className="row">
                  <strong>{p.label || p.shop}</strong>
                  <strong>
                    <Amount amount={p.amount} unit={p.unit} />
                  </strong>
                </div>
                <div className="muted">
                  {formatMoment(p.at)} · {p.shop} ·{' '}
                  {p.tickets.length === 1 ? t('oneTicket') : t('nTickets', { n: p.tickets.length })}
                  {p.kind === 'direct' && ` · ${t('onlineVia', { collector: p.collector ?? '' })}`}
                </div>
                <ul className="muted" style={{ margin: '0.3rem 0 0', paddingLeft: '1.1rem' }}>
                  {p.tickets.map((u) => (
                    <li key={u.id}>
                      {t('ticketLine', {
                        amount: formatAmount(u.amount, p.unit),
                        issuer: u.id.split('/')[0],
                        serial: u.id.slice(-6),
                      })}
                    </li>
                  ))}
                </ul>
                {p.kind === 'pos' && p.outcome === 'not-accepted' && !settledByReclaim(p) && (
                  <div className="note" data-testid="not-confirmed">
                    <strong>{t('signedNotConfirmed')}</strong> {NOT_CONFIRMED}
                  </div>
                )}
                {p.kind === 'pos' && p.outcome === 'not-accepted' && settledByReclaim(p) && (
                  <div className="ok" data-testid="settled-by-reclaim">
                    {t('settledByReclaim')}
                  </div>
                )}
                {p.kind === 'pos' && p.outcome === undefined && (
                  <div className="muted" data-testid="unanswered">
                    {t('unanswered')}
                  </div>
                )}
                {p.kind === 'pos' && p.outcome === 'accepted' && (
                  <div className="muted">{t('takenByShop')}</div>
                )}
                {p.kind === 'pos' && (
                  <button className="link" onClick={() => go({ name: 'paid', payment: p })}>
                    {t('showAgain')}
                  </button>
                )}
                {p.kind === 'direct' && r && (
                  <div className="ok" data-testid="receipt">
                    {t('receiptFrom', { collector: r.collector, when: formatMoment(r.received_ms) })}
                  </div>
                )}
                {p.kind === 'direct' && !r && p.status === 'refused' && (
                  <div className="alert" data-testid="direct-refused">
                    {t('refusedWhy')} <SaidText said={say(refusalOf(p.error ?? ''))} />
                  </div>
                )}
                {p.kind === 'direct' && !r && p.status !== 'refused' && (
                  <div className="note">
                    {t('notConfirmedYet')}{' '}
                    <button className="link" disabled={sending === p.id} onClick={() => retry(p.id)}>
                      {t('sendAgain')}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
        {page && payments.length < page.total && (
          <button className="link" onClick={() => setShown(shown + PAGE)} data-testid="more-payments">
            {t('morePayments', {
              n: Math.min(PAGE, page.total - payments.length),
              older: page.total - payments.length,
            })}
          </button>
        )}
      </main>
      <footer className="actions">
        <button className="primary" onClick={() => go({ name: 'home' })}>
          {t('done')}
        </button>
      </footer>
    </>
  );
}
