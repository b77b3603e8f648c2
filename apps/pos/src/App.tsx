// The POS app: status always on top; screens are plain state. The network is used only by `pos.sync`.
import { bestVerifier, keyFingerprint, type PartyKey, readContent, toText } from '@moneybag/protocol';
import { holdTab, say, type TabState } from '@moneybag/web';
import { useCallback, useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Bags, History } from './Bags.tsx';
import { Charge, ConfirmLimits } from './Charge.tsx';
import { Deal, Verdict } from './Deal.tsx';

import { Pair, PairAgainNote } from './Pair.tsx';
import { type Deal as DealT, Pos, type Status, type Verdict as VerdictT } from './pos.ts';
import { openStore, type Pairing } from './store.ts';
import { KeyChanges, StorageRefused, usePersistentStorage } from './Trust.tsx';
import { t } from './text.ts';
import { ageText, dateText, ErrorNote, SaidText } from './ui.tsx';

/** The Web Lock held by the tab that is the POS (only it keeps the verdict's memory, ledger.ts). */
const LOCK = 'moneybag-pos';

type Screen =
  | { name: 'charge' }
  | { name: 'deal'; deal: DealT }
  | { name: 'verdict'; verdict: VerdictT; deal?: DealT; startedAt: number; checkedAt: number }
  | { name: 'bags' }
  | { name: 'history' }
  | { name: 'settings' };

const SYNC_EVERY_MS = 10_000;

/** A payment link opened on this terminal (`#m=`, the wallet's "share"), taken off the address bar. */
function takePaymentLink(url = location.href): Uint8Array | undefined {
  if (!new URL(url).hash.startsWith('#m=')) return undefined;
  history.replaceState(null, '', location.pathname + location.search);
  try {
    return readContent(url);
  } catch {
    return undefined;
  }
}

/** A pairing link in the address (`#pair=`), taken once and removed from the address bar. */
function takePairLink(): string | undefined {
  if (!location.hash.startsWith('#pair=')) return undefined;
  const link = location.href;
  history.replaceState(null, '', location.pathname + location.search);
  return link;
}

/** The issuers whose tickets this POS takes (its collector's well-known), each with its key's fingerprint. */
function TrustedIssuers({ pos, version }: { pos: Pos; version: number }) {
  const [issuers, setIssuers] = useState<PartyKey[]>([]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` reloads after a sync
  useEffect(() => {
    pos.store.directory().then(
      (d) => setIssuers(d?.issuers ?? []),
      () => {},
    );
  }, [pos, version]);
  return (
    <ul>
      {issuers.map((i) => (
        <li key={i.id}>
          {i.id} <span className="mono">{keyFingerprint(i.publicKey)}</span>
        </li>
      ))}
    </ul>
  );
}

export function App() {
  const [pos, setPos] = useState<Pos>();
  const [pairing, setPairing] = useState<Pairing>();
  const [pairLink, setPairLink] = useState(takePairLink);
  const [screen, setScreen] = useState<Screen>({ name: 'charge' });
  const [status, setStatus] = useState<Status>();
  const [version, setVersion] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [linked, setLinked] = useState(() => takePaymentLink());
  const [fatal, setFatal] = useState<unknown>();
  const [tabState, setTabState] = useState<TabState>();
  // Payments already judged during the current deal: a code still in view after "Back" is not judged again.
  const judged = useRef(new Map<string, VerdictT>());
  const posRef = useRef<Pos>(undefined);
  // The POS holds accepted, unsent payments: it asks the browser to keep its storage, and says if refused.
  const persisted = usePersistentStorage();

  // This tab acts as the POS only while it holds the lock; told it lost it, it stops at once.
  const onTab = useCallback((s: TabState) => {
    if (s !== 'mine' && posRef.current) posRef.current.retired = true;
    setTabState(s);
  }, []);
  useEffect(() => holdTab(LOCK, onTab), [onTab]);

  // Each time the tab takes the POS, memory is loaded afresh (another tab may have taken payments).
  useEffect(() => {
    if (tabState !== 'mine') return;
    let gone = false;
    Promise.all([openStore(), bestVerifier()]).then(async ([store, verifier]) => {
      if (gone) return store.close();
      const p = new Pos(store, verifier);
      await p.reload();
      if (gone) return store.close();
      posRef.current = p;
      setPairing(await store.pairing());
      setPos(p);
    }, setFatal);
    return () => {
      gone = true;
      const p = posRef.current;
      posRef.current = undefined;
      if (p) {
        p.retired = true;
        p.store.close(); // after its pending transactions
      }
      setPos(undefined);
      setScreen({ name: 'charge' });
    };
  }, [tabState]);

  const refresh = useCallback(async () => {
    if (!pos) return;
    setStatus(await pos.status());
    setVersion((v) => v + 1);
  }, [pos]);
  useEffect(() => {
    if (!pos) return;
    pos.onChange = () => void refresh();
    return () => {
      pos.onChange = undefined;
    };
  }, [pos, refresh]);

  // The sync loop: on start, every few seconds, and as soon as the browser says it is online again.
  useEffect(() => {
    if (!pos || !pairing) return;
    let stopped = false;
    const round = (force = false) =>
      pos
        .sync({ force })
        .catch(setFatal)
        .then(() => {
          if (!stopped) void refresh();
        });
    void round();
    const timer = setInterval(() => void round(), SYNC_EVERY_MS);
    const online = () => void round(true);
    window.addEventListener('online', online);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener('online', online);
    };
  }, [pos, pairing, refresh]);

  /** Judge a payment (camera, paste or link); a note instead of a verdict for one judged during this deal. */
  const judge = useCallback(
    async (message: Uint8Array, deal?: DealT): Promise<string | undefined> => {
      if (!pos) return t('posStarting');
      const key = toText(message);
      const before = judged.current.get(key);
      if (before)
        return t('checkedAlready', {
          verdict: before.ok ? t('checkedAccepted') : t('checkedRefused', { code: before.code }),
        });
      const startedAt = performance.now();
      const verdict = await pos.check(message);
      const checkedAt = performance.now();
      judged.current.set(key, verdict);
      // At once, in this task: a scheduled render would wait behind the camera's frames and the write.
      flushSync(() => setScreen({ name: 'verdict', verdict, deal, startedAt, checkedAt }));
      // Not kept: the same payment may be shown again.
      if (verdict.ok) verdict.saved.catch(() => judged.current.delete(key));
      void refresh();
    },
    [pos, refresh],
  );

  // A payment link opened on this terminal: on load, and in a tab already open (hashchange); a pairing link too
  // (a tablet to pair again opens the new code's link in the tab it runs in).
  useEffect(() => {
    const onHash = (e: HashChangeEvent) => {
      const m = takePaymentLink(e.newURL);
      if (m) setLinked(m);
      const p = takePairLink();
      if (p) setPairLink(p);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    if (!linked || !pos || !pairing || tabState !== 'mine') return;
    setLinked(undefined);
    void judge(linked, screen.name === 'deal' ? screen.deal : undefined);
  }, [linked, pos, pairing, tabState, judge, screen]);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);

  if (fatal)
    return (
      <main>
        <h1>{t('posStopped')}</h1>
        <ErrorNote error={fatal} />
      </main>
    );
  if (tabState === 'elsewhere' || tabState === 'lost')
    return (
      <main className="other-tab" data-testid="other-tab">
        <h1>{t(tabState === 'lost' ? 'tabLost' : 'tabElsewhere')}</h1>
        <p className="muted">{t('oneTab')}</p>
        <button className="big" onClick={() => holdTab(LOCK, onTab, true)} data-testid="take-over">
          {t('useHere')}
        </button>
      </main>
    );
  if (!pos)
    return (
      <main>
        <h1>{t('posTitle')}</h1>
        <p className="muted">{t('starting')}</p>
      </main>
    );
  // A terminal whose token the service refused pairs again by the same screen as an empty one, once the sale
  // on screen is over; what it holds stays in its outbox and is sent under the new pairing.
  const refused = status ? status.refused : pairing?.refused;
  if (!pairing || (refused && screen.name !== 'deal' && screen.name !== 'verdict'))
    return (
      <Pair
        key={pairLink}
        initial={pairLink}
        url={pairing?.url}
        again={
          pairing &&
          refused && <PairAgainNote pos={pos} pairing={pairing} refused={refused} version={version} />
        }
        onPair={async (link, terminal) => {
          const paired = await pos.pair(link, terminal);
          setPairLink(undefined);
          setPairing(paired);
          setScreen({ name: 'charge' });
          await refresh();
        }}
      />
    );

  const online = !!status?.online && navigator.onLine;
  const tab = (name: 'charge' | 'bags' | 'history' | 'settings', label: string) => (
    <button
      className={screen.name === name || (name === 'charge' && screen.name === 'deal') ? 'selected' : ''}
      onClick={() => {
        void refresh();
        setScreen({ name } as Screen);
      }}
      data-testid={`tab-${name}`}
    >
      {label}
      {name === 'bags' && status && status.outbox > 0 && <span className="badge">{status.outbox}</span>}
    </button>
  );

  return (
    <div className="app">
      <header className="status" data-testid="status">
        <h1 className="shop">
          <span data-testid="shop-label">{pairing.label}</span>
          <span className="muted"> · {pairing.terminal}</span>
        </h1>
        <span className={online ? 'dot on' : 'dot off'} data-testid="online">
          {online ? t('online') : t('offline')}
        </span>
        <span data-testid="outbox-count" data-count={status?.outbox ?? 0}>
          {status?.outbox ? t('toSend', { n: status.outbox }) : t('allSent')}
        </span>
        <span
          data-testid="stock-count"
          data-stock={status?.stock ?? 0}
          title={t('spareNumbers', { n: status?.stock ?? 0 })}
        >
          {status?.nextDue !== undefined
            ? t('readyOffline', { date: dateText(status.nextDue * 1000) })
            : t('notOffline')}
        </span>
        <span data-testid="deny-age">
          {t('blockedWallets', {
            age:
              status?.denyAge === undefined
                ? t('neverUpdated')
                : t('updatedAgo', { age: ageText(status.denyAge) }),
          })}
        </span>
        <nav>
          {tab('charge', t('tabCharge'))}
          {tab('bags', t('tabBags'))}
          {tab('history', t('tabToday'))}
          {tab('settings', t('tabTerminal'))}
        </nav>
      </header>
      {((status && status.warnings.length > 0) || persisted === false) && (
        <div className="warnings" data-testid="warnings">
          {status?.warnings.map((w) => (
            <div key={w}>⚠ {w}</div>
          ))}
          {persisted === false && <StorageRefused />}
        </div>
      )}
      {status && status.keyChanges.length > 0 && (
        <KeyChanges
          changes={status.keyChanges}
          onConfirm={async () => {
            await pos.confirmKeys();
            await refresh();
          }}
        />
      )}
      {screen.name === 'charge' && (
        <Charge
          disabled={status?.keyChanges.length ? t('keysStopped') : undefined}
          onCharge={async (unit, amount) => {
            const deal = await pos.charge(unit, amount);
            judged.current.clear();
            setScreen({ name: 'deal', deal });
            void refresh();
          }}
        />
      )}
      {screen.name === 'deal' && (
        <Deal
          deal={screen.deal}
          now={now}
          onCancel={async () => {
            const deal = screen.deal;
            await pos.cancel(deal);
            setScreen({ name: 'charge' });
            void refresh();
          }}
          onPayment={(message) => judge(message, screen.deal)}
        />
      )}
      {screen.name === 'verdict' && (
        <Verdict
          verdict={screen.verdict}
          startedAt={screen.startedAt}
          checkedAt={screen.checkedAt}
          onDone={(kept) =>
            setScreen(kept || !screen.deal ? { name: 'charge' } : { name: 'deal', deal: screen.deal })
          }
        />
      )}
      {screen.name === 'bags' && <Bags pos={pos} now={now} version={version} onChange={refresh} />}
      {screen.name === 'history' && <History pos={pos} version={version} />}
      {screen.name === 'settings' && (
        <main className="settings" data-testid="settings">
          <h2>{t('thisTerminal')}</h2>
          <dl>
            <dt>{t('shop')}</dt>
            <dd>
              {pairing.label} ({pairing.shop})
            </dd>
            <dt>{t('terminalId')}</dt>
            <dd data-testid="terminal-id">{pairing.terminal}</dd>
            <dt>{t('service')}</dt>
            <dd>{pairing.url}</dd>
            <dt>{t('paired')}</dt>
            <dd>{dateText(pairing.pairedAt)}</dd>
            <dt>{t('issuersTrusted')}</dt>
            <dd data-testid="trusted-issuers">
              <TrustedIssuers pos={pos} version={version} />
            </dd>
            <dt>{t('signatureChecks')}</dt>
            <dd data-testid="provider">{pos.verifier.name}</dd>
            <dt>{t('lastContact')}</dt>
            <dd>{status?.lastContact ? dateText(status.lastContact) : t('never')}</dd>
            {status?.lastError && (
              <>
                <dt>{t('lastProblem')}</dt>
                <dd className="alert" data-testid="last-problem">
                  <SaidText said={say(status.lastError)} />
                </dd>
              </>
            )}
          </dl>
          <ConfirmLimits />
          <button
            className="big"
            onClick={() => pos.sync({ force: true }).then(refresh)}
            data-testid="sync-now"
          >
            {t('connectNow')}
          </button>
        </main>
      )}
    </div>
  );
}
