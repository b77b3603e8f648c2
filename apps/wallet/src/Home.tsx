// Balances per unit and issuer, each ticket with what is left and when it expires; Receive and Pay in reach.
import { DEFAULT_HORIZON, formatAmount } from '@moneybag/protocol';
import { formatTime } from '@moneybag/web';
import { memo, useEffect, useMemo, useState } from 'react';
import type { ScreenProps, WalletData } from './App.tsx';
import { postReclaim, reclaimFrom, reclaimRefusal, startReclaim } from './reclaim.ts';
import type { PaymentRecord, TicketRecord } from './store.ts';
import { t as tx } from './text.ts';
import { Alert, Amount, formatSpan, useNow, validUntil } from './ui.tsx';
import { balances, EXPIRY_WARNING } from './wallet.ts';

/** Tickets listed at first: the soonest expiring; the rest on request (a long history holds hundreds). */
export const FIRST_TICKETS = 20;

/** What the home screen shows of the tickets and payments at `now` (s), worked out once per change. */
function homeView(all: TicketRecord[], notAccepted: PaymentRecord[], now: number) {
  const sums = balances(all, now);
  const tickets = [...all].sort((a, b) => a.ticket.expires - b.ticket.expires);
  const live = tickets.filter((t) => t.left > 0 && now < t.ticket.expires);
  const soon = live.filter((t) => t.ticket.expires - now < EXPIRY_WARNING);
  // Per ticket: what the wallet signed at a shop that did not confirm it (set aside, not spendable) until
  // a Reclaim settles it.
  const reclaimed = new Set(all.filter((t) => t.reclaim?.status === 'done').map((t) => t.id));
  const unconfirmed = new Map<string, number>();
  for (const p of notAccepted)
    for (const t of p.tickets)
      if (!reclaimed.has(t.id)) unconfirmed.set(t.id, (unconfirmed.get(t.id) ?? 0) + t.amount);
  // Expired with value the wallet may get back (left, or signed and not confirmed), or reclaimed: shown.
  const expired = tickets.filter(
    (t) => now >= t.ticket.expires && (t.left > 0 || unconfirmed.has(t.id) || t.reclaim),
  );
  const shown = new Set([...live, ...expired]);
  const spentOrDead = tickets.filter((t) => !shown.has(t));
  const unitOf = new Map(all.map((t) => [t.id, t.ticket.unit]));
  const perUnit = new Map<string, number>();
  for (const [id, amount] of unconfirmed) {
    const unit = unitOf.get(id) ?? '';
    perUnit.set(unit, (perUnit.get(unit) ?? 0) + amount);
  }
  const setAside = [...perUnit].map(([unit, amount]) => ({ unit, amount }));
  return { sums, live, soon, unconfirmed, expired, spentOrDead, setAside };
}

export function Home({ wallet, go, notices, reload }: ScreenProps) {
  const now = useNow(30_000);
  // Memoised: the screen re-renders on every notice and busy flag, the lists only when tickets or time change.
  const { sums, live, soon, unconfirmed, expired, spentOrDead, setAside } = useMemo(
    () => homeView(wallet.tickets, wallet.notAccepted, now),
    [wallet.tickets, wallet.notAccepted, now],
  );
  const [openSpent, setOpenSpent] = useState(false);
  useEffect(() => {
    // For the bench: the frame after the home screen first showed the balances since the page loaded.
    requestAnimationFrame(() => {
      if (!performance.getEntriesByName('wallet:home-painted', 'mark').length)
        performance.mark('wallet:home-painted');
    });
  }, []);
  return (
    <>
      <header className="bar">
        <h1>{tx('wallet')}</h1>
        <div style={{ display: 'flex', gap: '0.4rem' }}>
          <button onClick={() => go({ name: 'history' })} data-testid="open-history">
            {tx('history')}
          </button>
          <button onClick={() => go({ name: 'more' })}>{tx('more')}</button>
        </div>
      </header>
      <main>
        {notices}
        <section aria-label={tx('balanceLabel')} data-testid="balances">
          {sums.length === 0 && (
            <div className="card">
              <p>{tx('noTickets')}</p>
              <p className="muted">{tx('noTicketsHint')}</p>
            </div>
          )}
          <ul className="plain">
            {sums.map((b) => (
              <li key={`${b.unit}/${b.issuer}`} className="card" data-testid="balance">
                <div className="balance">
                  <Amount amount={b.left} unit={b.unit} />
                </div>
                <div className="muted">
                  {tx(b.count === 1 ? 'ticketCountOne' : 'ticketCount', { issuer: b.issuer, n: b.count })}
                </div>
              </li>
            ))}
          </ul>
        </section>
        {wallet.denied.length > 0 && (
          <div className="alert" role="alert" data-testid="denied">
            {tx('blocked', { issuers: wallet.denied.join(', ') })}
          </div>
        )}
        {setAside.length > 0 && (
          <button className="note link-card" onClick={() => go({ name: 'history' })} data-testid="set-aside">
            {tx('setAside', { amounts: setAside.map((a) => formatAmount(a.amount, a.unit)).join(' + ') })}
          </button>
        )}
        {soon.length > 0 && (
          <div className="note" data-testid="expiry-warning">
            {soon.length === 1
              ? tx('expiresSoon', { span: formatSpan(soon[0].ticket.expires - now) })
              : tx('expireSoon', { n: soon.length, span: formatSpan(soon[0].ticket.expires - now) })}
          </div>
        )}
        {live.length > 0 && <LiveTickets live={live} unconfirmed={unconfirmed} now={now} />}
        {expired.length > 0 && (
          <section>
            <h3>{tx('expiredTitle')}</h3>
            <ul className="plain" data-testid="expired">
              {expired.map((t) => (
                <ReclaimCard
                  key={t.id}
                  record={t}
                  wallet={wallet}
                  now={now}
                  unconfirmed={unconfirmed.get(t.id) ?? 0}
                  reload={reload}
                />
              ))}
            </ul>
          </section>
        )}
        {spentOrDead.length > 0 && (
          <details onToggle={(e) => setOpenSpent(e.currentTarget.open)}>
            <summary className="muted">{tx('spentOrExpired', { n: spentOrDead.length })}</summary>
            <ul className="plain" style={{ marginTop: '0.5rem' }}>
              {/* Rendered once opened: a long history holds hundreds of spent tickets. */}
              {(openSpent ? spentOrDead : []).map((t) => (
                <li key={t.id} className="card muted">
                  {tx('leftOfFace', {
                    left: formatAmount(t.left, t.ticket.unit),
                    face: formatAmount(t.ticket.face, t.ticket.unit),
                  })}{' '}
                  · {t.ticket.issuer} ·{' '}
                  {now >= t.ticket.expires
                    ? tx('expiredAfter', { date: validUntil(t.ticket.expires) })
                    : `${tx('validUntilLabel')} ${validUntil(t.ticket.expires)}`}
                </li>
              ))}
            </ul>
          </details>
        )}
      </main>
      <footer className="actions">
        <button className="secondary" onClick={() => go({ name: 'receive' })} data-testid="receive">
          {tx('receive')}
        </button>
        <button className="primary" onClick={() => go({ name: 'scan' })} data-testid="pay">
          {tx('pay')}
        </button>
      </footer>
    </>
  );
}

/** The live tickets, soonest expiring first: the first FIRST_TICKETS, all of them on request. */
const LiveTickets = memo(function LiveTickets(p: {
  live: TicketRecord[];
  unconfirmed: ReadonlyMap<string, number>;
  now: number;
}) {
  const { live, unconfirmed, now } = p;
  const [all, setAll] = useState(false);
  const list = all ? live : live.slice(0, FIRST_TICKETS);
  return (
    <section>
      <h3>{tx('tickets')}</h3>
      <ul className="plain" data-testid="tickets">
        {list.map((t) => (
          <li key={t.id} className="card" data-testid="ticket">
            <div className="row">
              <strong>{tx('left', { amount: formatAmount(t.left, t.ticket.unit) })}</strong>
              <span className="muted">
                {tx('ofFace', { face: formatAmount(t.ticket.face, t.ticket.unit) })}
              </span>
            </div>
            {t.ticket.face > t.left && (
              <div className="muted" data-testid="ticket-signed">
                {tx('signedHere', { amount: formatAmount(t.ticket.face - t.left, t.ticket.unit) })}
              </div>
            )}
            {unconfirmed.has(t.id) && (
              <div className="muted" data-testid="ticket-unconfirmed">
                {tx('unconfirmed', { amount: formatAmount(unconfirmed.get(t.id)!, t.ticket.unit) })}
              </div>
            )}
            <div className="muted">
              {t.ticket.issuer} · {tx('validUntilLabel')}{' '}
              <span data-testid="valid-until">{validUntil(t.ticket.expires)}</span>
              {t.ticket.expires - now < EXPIRY_WARNING &&
                ` ${tx('inSpan', { span: formatSpan(t.ticket.expires - now) })}`}
            </div>
          </li>
        ))}
      </ul>
      {list.length < live.length && (
        <button className="link" onClick={() => setAll(true)} data-testid="all-tickets">
          {tx('allTickets', { n: live.length })}
        </button>
      )}
    </section>
  );
});

/** An expired ticket: what may come back, from when, and its Reclaim as it goes (signed, sent, answered). */
function ReclaimCard(p: {
  record: TicketRecord;
  wallet: WalletData;
  now: number;
  unconfirmed: number;
  reload(): Promise<void>;
}) {
  const { record: t, wallet, now } = p;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const horizon = wallet.issuers.find((i) => i.id === t.ticket.issuer)?.horizon ?? DEFAULT_HORIZON;
  const from = reclaimFrom(t.ticket, horizon);
  const r = t.reclaim;
  const unit = t.ticket.unit;
  const reclaim = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const state = await startReclaim(wallet.db, wallet.signer, t);
      await postReclaim(wallet.db, { ...t, reclaim: state });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      await p.reload();
    }
  };
  return (
    <li className="card" data-testid="expired-ticket" data-reclaim={r?.status}>
      <div className="row">
        <strong>{tx('ticketFace', { face: formatAmount(t.ticket.face, unit) })}</strong>
        <span className="muted">{tx('expiredAfter', { date: validUntil(t.ticket.expires) })}</span>
      </div>
      {r?.status === 'done' ? (
        <div className="ok" data-testid="reclaimed">
          {tx('reclaimed', { amount: formatAmount(r.amount ?? 0, unit), issuer: t.ticket.issuer })}
        </div>
      ) : (
        <>
          <div className="muted">
            {tx('leftUnspent', { amount: formatAmount(t.left, unit) })}
            {p.unconfirmed > 0 && ` · ${tx('unconfirmed', { amount: formatAmount(p.unconfirmed, unit) })}`}
          </div>
          {r?.status === 'pending' && (
            <div className="note" data-testid="reclaim-pending">
              {tx('reclaimPending', { issuer: t.ticket.issuer })}
            </div>
          )}
          {r?.status === 'refused' && (
            <div className="alert" data-testid="reclaim-refused">
              {reclaimRefusal(r.code ?? '', r.error ?? '', t.ticket, horizon)} <code>{r.code}</code>
            </div>
          )}
          {now < from ? (
            <div className="muted" data-testid="reclaim-from">
              {tx('reclaimFrom', { date: formatTime(from) })}
            </div>
          ) : (
            r?.status !== 'pending' && (
              <button className="primary" onClick={reclaim} disabled={busy} data-testid="reclaim">
                {tx('reclaim')}
              </button>
            )
          )}
          {error !== undefined && <Alert error={error} />}
        </>
      )}
    </li>
  );
}
