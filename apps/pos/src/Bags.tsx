// Bags: the open one, the outbox, what the collector answered; and the day's history and totals.
import { formatAmount } from '@moneybag/protocol';
import { say } from '@moneybag/web';
import { useEffect, useState } from 'react';
import type { Pos } from './pos.ts';
import type { BagRecord, UseRecord } from './store.ts';
import { dueMargin } from './sync.ts';
import { t } from './text.ts';
import { ageText, dateText, ErrorNote, exportBag, SaidText, timeText, totalsText } from './ui.tsx';

/** Why a bag was closed, as stored (sync.ts, pos.ts), in the cashier's language. */
const REASONS: Record<
  string,
  'reasonHand' | 'reasonFull' | 'reasonDayOld' | 'reasonDue' | 'reasonPairedAgain' | 'reasonTokenRefused'
> = {
  'closed by hand': 'reasonHand',
  full: 'reasonFull',
  'a day old': 'reasonDayOld',
  'its due date is near': 'reasonDue',
  'paired again': 'reasonPairedAgain',
  'token refused': 'reasonTokenRefused',
};
const reasonText = (r: string | undefined) => (r && REASONS[r] ? t(REASONS[r]) : (r ?? ''));

function BagCard(props: { bag: BagRecord; pos: Pos; now: number; onChange(): void }) {
  const { bag, pos, now } = props;
  // A bag filled before this terminal was paired again, still to send or refused: whose it was.
  const before = bag.state === 'closed' || bag.state === 'refused' ? bag.madeBy : undefined;
  const sending = pos.sending === bag.id;
  const online = navigator.onLine;
  const [error, setError] = useState<unknown>();
  const act = (f: () => Promise<unknown>) => () =>
    f().then(props.onChange, (e) => {
      setError(e);
      props.onChange();
    });
  return (
    <li className="card bag" data-testid={`bag-${bag.state}`} data-digest={bag.digest}>
      <div className="row">
        <b>{bag.count === 1 ? t('bagItem') : t('bagItems', { n: bag.count })}</b>
        <span data-testid="bag-totals">{totalsText(bag.totals)}</span>
        <span className="muted mono">#{bag.id.slice(0, 8)}</span>
      </div>
      {bag.state === 'open' && (
        <>
          <div className="muted">
            {t('openedAt', {
              opened: bag.openedAt ? dateText(bag.openedAt) : '—',
              closes: dateText((bag.due - dueMargin(bag)) * 1000),
            })}
          </div>
          <button className="big" onClick={act(() => pos.closeOpen())} data-testid="close-bag">
            {t('closeBag')}
          </button>
        </>
      )}
      {bag.state !== 'open' && (
        <div className="muted">
          {t('closedAt', {
            closed: bag.closedAt ? dateText(bag.closedAt) : '',
            reason: reasonText(bag.closeReason),
            due: dateText(bag.due * 1000),
          })}
        </div>
      )}
      {bag.state === 'closed' && (
        <>
          <div
            data-testid="outbox-state"
            data-state={bag.relayed ? bag.relayed : sending ? 'sending' : online ? 'waiting' : 'offline'}
          >
            {bag.relayed
              ? t(bag.relayed === 'forwarded' ? 'relayedForwarded' : 'relayedAtRelay')
              : sending
                ? t('sending')
                : online
                  ? t('waiting')
                  : t('offlineWait')}
            {/* Offline says it all: the attempts that failed for want of a network, and why, are noise. */}
            {online &&
              bag.attempts > 0 &&
              ` · ${bag.attempts === 1 ? t('oneAttempt') : t('nAttempts', { n: bag.attempts })}`}
            {online &&
              !sending &&
              bag.nextAttemptAt &&
              bag.attempts > 0 &&
              bag.nextAttemptAt > now &&
              ` · ${t('nextIn', { age: ageText(bag.nextAttemptAt - now) })}`}
          </div>
          {online && bag.lastError && (
            <div className="alert small">
              <SaidText said={say({ code: bag.lastCode, message: bag.lastError })} />
            </div>
          )}
          <div className="row">
            {online && !sending && (
              <button onClick={act(() => pos.sync({ force: true }))} data-testid="deliver-now">
                {t('sendNow')}
              </button>
            )}
            <button onClick={() => exportBag(bag)} data-testid="export">
              {t('exportFile')}
            </button>
          </div>
        </>
      )}
      {bag.state === 'delivered' && bag.answer && (
        <div data-testid="report">
          <div className="ok">
            {t('deliveredReport', {
              accepted: bag.answer.accepted,
              rejected: bag.answer.rejected.length,
              totals: totalsText(bag.answer.totals),
            })}
          </div>
          {bag.answer.rejected.length > 0 && (
            <ul className="plain" data-testid="rejected">
              {bag.answer.rejected.map((r) => (
                <li key={`${r.deal}/${r.code}/${r.path.join('/')}`} className="alert small">
                  {t('saleN', { n: r.deal })} <SaidText said={say({ code: r.code })} />
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {bag.state === 'refused' && bag.refusal && (
        <div className="alert" data-testid="refusal">
          {t('refusedWhole')} <SaidText said={say(bag.refusal)} />
        </div>
      )}
      {before && (
        <div className="muted" data-testid="made-under">
          {t('madeUnder', { terminal: before.terminal, shop: before.shop })}
        </div>
      )}
      {(bag.state === 'delivered' || bag.state === 'refused') && (
        <button onClick={() => exportBag(bag)}>{t('exportFile')}</button>
      )}
      {error != null && <ErrorNote error={error} />}
    </li>
  );
}

export function Bags(props: { pos: Pos; now: number; version: number; onChange(): void }) {
  const [bags, setBags] = useState<BagRecord[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads after a change
  useEffect(() => {
    props.pos.store.bags().then(setBags);
  }, [props.pos, props.version]);
  const open = bags.filter((b) => b.state === 'open');
  const outbox = bags.filter((b) => b.state === 'closed');
  const done = bags
    .filter((b) => b.state === 'delivered' || b.state === 'refused')
    .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0));
  const stock = bags.filter((b) => b.state === 'stock').sort((a, b) => a.due - b.due);
  const card = (b: BagRecord) => (
    <BagCard key={b.id} bag={b} pos={props.pos} now={props.now} onChange={props.onChange} />
  );
  return (
    <main className="bags" data-testid="bags">
      <section>
        <h2>{t('currentBag')}</h2>
        {open.length ? (
          <ul className="plain">{open.map(card)}</ul>
        ) : (
          <p className="muted">{t('noBagOpen')}</p>
        )}
        <h2>{t('toSendTitle', { n: outbox.length })}</h2>
        {outbox.length ? (
          <ul className="plain" data-testid="outbox">
            {outbox.map(card)}
          </ul>
        ) : (
          <p className="muted">{t('empty')}</p>
        )}
        <h2>{t('stockTitle', { n: stock.length })}</h2>
        <details>
          <summary className="muted">{t('stockHint')}</summary>
          <ul className="plain small muted" data-testid="stock">
            {stock.map((b) => (
              <li key={b.id}>
                #{b.id.slice(0, 8)} · {t('usableUntil', { date: dateText((b.due - dueMargin(b)) * 1000) })}
              </li>
            ))}
          </ul>
        </details>
      </section>
      <section>
        <h2>{t('deliveredTitle')}</h2>
        {done.length ? (
          <ul className="plain" data-testid="delivered">
            {done.map(card)}
          </ul>
        ) : (
          <p className="muted">{t('noneYet')}</p>
        )}
      </section>
    </main>
  );
}

export function History(props: { pos: Pos; version: number }) {
  const [uses, setUses] = useState<UseRecord[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads after a change
  useEffect(() => {
    const start = new Date();
    start.setHours(0, 0, 0, 0);
    props.pos.store.usesSince(start.getTime()).then(setUses);
  }, [props.pos, props.version]);
  const deals = new Map<string, UseRecord[]>();
  for (const u of uses) deals.set(u.chal, [...(deals.get(u.chal) ?? []), u]);
  const totals: Record<string, number> = {};
  for (const u of uses) totals[u.unit] = (totals[u.unit] ?? 0) + u.amount;
  return (
    <main className="history" data-testid="history">
      <h2>
        {t('todayLabel')} <span data-testid="day-totals">{totalsText(totals)}</span>{' '}
        {deals.size === 1 ? t('inSale') : t('inSales', { n: deals.size })}
      </h2>
      <ul className="plain">
        {[...deals.values()].reverse().map((list) => (
          <li key={list[0].chal} className="card row" data-testid="sale">
            <span>{timeText(list[0].at)}</span>
            <b>
              {formatAmount(
                list.reduce((s, u) => s + u.amount, 0),
                list[0].unit,
              )}
            </b>
            <span className="muted">
              {t('saleLine', {
                tickets: list.length === 1 ? t('oneTicket') : t('nTickets', { n: list.length }),
                deal: list[0].deal,
                bag: list[0].bag.slice(0, 8),
              })}
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}
