// Bags: the open one, the outbox, what the collector answered; and the day's history and totals.
import { formatAmount } from '@moneybag/protocol';
import { say } from '@moneybag/web';
import { useEffect, useState } from 'react';
import type { Pos } from './pos.ts';
import type { BagRecord, UseRecord } from './store.ts';
import { dueMargin } from './sync.ts';
import { ageText, dateText, download, ErrorNote, timeText, totalsText } from './ui.tsx';

function BagCard(props: { bag: BagRecord; pos: Pos; now: number; onChange(): void }) {
  const { bag, pos, now } = props;
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
        <b>
          {bag.count} payment item{bag.count === 1 ? '' : 's'}
        </b>
        <span data-testid="bag-totals">{totalsText(bag.totals)}</span>
        <span className="muted mono">#{bag.id.slice(0, 8)}</span>
      </div>
      {bag.state === 'open' && (
        <>
          <div className="muted">
            Opened {bag.openedAt ? dateText(bag.openedAt) : '—'} · closes by itself before{' '}
            {dateText((bag.due - dueMargin(bag)) * 1000)}
          </div>
          <button className="big" onClick={act(() => pos.closeOpen())} data-testid="close-bag">
            Close this bag
          </button>
        </>
      )}
      {bag.state !== 'open' && (
        <div className="muted">
          Closed {bag.closedAt ? dateText(bag.closedAt) : ''} ({bag.closeReason}) · due{' '}
          {dateText(bag.due * 1000)}
        </div>
      )}
      {bag.state === 'closed' && (
        <>
          <div
            data-testid="outbox-state"
            data-state={bag.relayed ? bag.relayed : sending ? 'sending' : online ? 'waiting' : 'offline'}
          >
            {bag.relayed
              ? `Delivered, waiting for the collector (${bag.relayed === 'forwarded' ? 'forwarded' : 'at the relay'})`
              : sending
                ? 'Sending to the collector…'
                : online
                  ? 'Waiting to be sent'
                  : 'Offline: it is sent by itself when the network is back'}
            {/* Offline says it all: the attempts that failed for want of a network, and why, are noise. */}
            {online && bag.attempts > 0 && ` · ${bag.attempts} attempt${bag.attempts === 1 ? '' : 's'}`}
            {online &&
              !sending &&
              bag.nextAttemptAt &&
              bag.attempts > 0 &&
              bag.nextAttemptAt > now &&
              ` · next in ${ageText(bag.nextAttemptAt - now)}`}
          </div>
          {online && bag.lastError && <div className="alert small">{bag.lastError}</div>}
          <div className="row">
            {online && !sending && (
              <button onClick={act(() => pos.sync({ force: true }))} data-testid="deliver-now">
                Send now
              </button>
            )}
            <button onClick={() => download(`bag-${bag.digest}.moneybag.txt`, bag.bag!)} data-testid="export">
              Export as a file
            </button>
          </div>
        </>
      )}
      {bag.state === 'delivered' && bag.answer && (
        <div data-testid="report">
          <div className="ok">
            Delivered: {bag.answer.accepted} accepted, {bag.answer.rejected.length} rejected · collected{' '}
            {totalsText(bag.answer.totals)} · signed report kept
          </div>
          {bag.answer.rejected.length > 0 && (
            <ul className="plain" data-testid="rejected">
              {bag.answer.rejected.map((r) => (
                <li key={`${r.deal}/${r.code}/${r.path.join('/')}`} className="alert small">
                  Sale {r.deal}: {say({ code: r.code }).text} <code>{r.code}</code>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {bag.state === 'refused' && bag.refusal && (
        <div className="alert" data-testid="refusal">
          Refused whole by the collector: {say(bag.refusal).text} <code>{bag.refusal.code}</code>
        </div>
      )}
      {(bag.state === 'delivered' || bag.state === 'refused') && (
        <button onClick={() => download(`bag-${bag.digest}.moneybag.txt`, bag.bag!)}>Export as a file</button>
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
        <h2>Current bag</h2>
        {open.length ? (
          <ul className="plain">{open.map(card)}</ul>
        ) : (
          <p className="muted">No bag open: the next sale opens one.</p>
        )}
        <h2>To send ({outbox.length})</h2>
        {outbox.length ? (
          <ul className="plain" data-testid="outbox">
            {outbox.map(card)}
          </ul>
        ) : (
          <p className="muted">Empty.</p>
        )}
        <h2>Bags ready for offline sales ({stock.length})</h2>
        <details>
          <summary className="muted">Each new bag takes one; the terminal fetches more when online.</summary>
          <ul className="plain small muted" data-testid="stock">
            {stock.map((b) => (
              <li key={b.id}>
                #{b.id.slice(0, 8)} · usable until {dateText((b.due - dueMargin(b)) * 1000)}
              </li>
            ))}
          </ul>
        </details>
      </section>
      <section>
        <h2>Delivered</h2>
        {done.length ? (
          <ul className="plain" data-testid="delivered">
            {done.map(card)}
          </ul>
        ) : (
          <p className="muted">None yet.</p>
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
        Today: <span data-testid="day-totals">{totalsText(totals)}</span> in {deals.size} sale
        {deals.size === 1 ? '' : 's'}
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
              {list.length} ticket{list.length === 1 ? '' : 's'} · sale {list[0].deal} of bag #
              {list[0].bag.slice(0, 8)}
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}
