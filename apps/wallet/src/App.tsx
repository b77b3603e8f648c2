// The wallet: one tab holds it; messages arrive by camera or by `#m=` link; screens are plain state.
import {
  type Bytes,
  decode,
  formatAmount,
  isProtocolError,
  peekType,
  readContent,
  type Signer,
  toHex,
  toText,
} from '@moneybag/protocol';
import { holdTab, type TabState } from '@moneybag/web';
import { useCallback, useEffect, useRef, useState } from 'react';
import { History } from './History.tsx';
import { Home } from './Home.tsx';
import { loadKey } from './keys.ts';

import { More } from './More.tsx';
import { Confirm, Paid } from './Pay.tsx';
import { Receive, Scan } from './Receive.tsx';
import { postPending } from './reclaim.ts';
import { Setup } from './Setup.tsx';
import {
  type DB,
  getPayment,
  getPendingKeys,
  type KeyRecord,
  listParties,
  listTickets,
  notAccepted,
  openStore,
  type PartyRecord,
  type PaymentRecord,
  type PendingKeys,
  type TicketRecord,
} from './store.ts';
import { KeyChanges } from './Trust.tsx';
import { t } from './text.ts';
import { Alert } from './ui.tsx';
import {
  confirmKeys,
  deniedBy,
  type Quote,
  quote,
  receiveTicket,
  refreshDenied,
  refreshTrust,
} from './wallet.ts';

/** The Web Lock held by the tab that is the wallet. */
const LOCK = 'moneybag-wallet';

export type Screen =
  | { name: 'home' }
  | { name: 'receive' }
  | { name: 'scan' }
  | { name: 'confirm'; quote: Quote }
  | { name: 'paid'; payment: PaymentRecord }
  | { name: 'history' }
  | { name: 'more' };

export interface WalletData {
  db: DB;
  key: KeyRecord;
  signer: Signer;
  tickets: TicketRecord[];
  /**
   * The payments at a POS the holder said the shop did not take (their amounts set aside). Not every
   * payment: a long history holds thousands, read a page at a time by History.
   */
  notAccepted: PaymentRecord[];
  /** The issuers as their well-known entries last said (keys, addresses, horizons). */
  issuers: PartyRecord[];
  /** Keys the service now serves in place of kept ones, waiting for the holder. */
  pendingKeys?: PendingKeys;
  /** The issuers whose deny list names this wallet's key. */
  denied: string[];
}

export interface Notice {
  ok?: string;
  error?: unknown;
}

/** The page's URL without its fragment: the wallet's base, for links. */
const base = () => location.href.split('#')[0];
/** The current message stays in the fragment, so that a reload comes back to the same step. */
const keepInUrl = (message?: Bytes) =>
  history.replaceState(null, '', message ? `${base()}#m=${toText(message)}` : base());

export function App() {
  const [db, setDb] = useState<DB>();
  const [wallet, setWallet] = useState<WalletData>();
  const [needsSetup, setNeedsSetup] = useState(false);
  const [openFailed, setOpenFailed] = useState<unknown>();
  const [tab, setTab] = useState<TabState>();
  const [screen, setScreen] = useState<Screen>({ name: 'home' });
  const [notice, setNotice] = useState<Notice>({});
  const [busy, setBusy] = useState(false);
  const walletRef = useRef<WalletData>(undefined);
  walletRef.current = wallet;

  const reload = useCallback(async (d: DB) => {
    const k = await loadKey(d);
    if (!k) return setNeedsSetup(true);
    const [tickets, setAside, issuers, denied, pendingKeys] = await Promise.all([
      listTickets(d),
      notAccepted(d),
      listParties(d, 'issuers'),
      deniedBy(d),
      getPendingKeys(d),
    ]);
    const next = {
      db: d,
      key: k.key,
      signer: k.signer,
      tickets,
      notAccepted: setAside,
      issuers,
      denied,
      pendingKeys,
    };
    walletRef.current = next;
    setWallet(next);
    setNeedsSetup(false);
  }, []);

  useEffect(() => {
    holdTab(LOCK, setTab);
    // A browser may refuse IndexedDB at once (a thrown error) or later (a failed request): both end here.
    Promise.resolve()
      .then(() => openStore())
      .then(async (d) => {
        setDb(d);
        await reload(d);
        navigator.storage?.persist?.().catch(() => {});
        // Trusted keys: fetched when online, kept for offline use.
        if (await refreshTrust(d, location.origin)) await reload(d);
        // Whether an issuer blocks this wallet: told on the home screen.
        const k = await loadKey(d);
        if (k) {
          await refreshDenied(d, k.key.publicKey);
          await reload(d);
        }
      })
      .catch(setOpenFailed);
  }, [reload]);

  /** A message from the camera or a link: a Ticket to keep, or a Challenge to pay. */
  const onMessage = useCallback(
    async (message: Bytes) => {
      const w = walletRef.current;
      if (!w) return;
      setBusy(true);
      setNotice({});
      try {
        const type = peekType(message);
        if (type === 'Ticket') {
          const receive = () => receiveTicket(w.db, w.key.publicKey, message);
          // An issuer we do not know yet may have been added since the keys were last fetched.
          const { record, fresh } = await receive().catch(async (e) => {
            if (isProtocolError(e) && e.code === 'E_ISSUER' && (await refreshTrust(w.db, location.origin)))
              return receive();
            throw e;
          });
          keepInUrl(); // only once kept: a reload before then receives it again
          const { face, unit, issuer } = record.ticket;
          setNotice({
            ok: t(fresh ? 'ticketReceived' : 'ticketAlready', { amount: formatAmount(face, unit), issuer }),
          });
          setScreen({ name: 'home' });
          await reload(w.db);
        } else if (type === 'Challenge') {
          performance.mark('wallet:challenge-decoded');
          keepInUrl(message);
          const c = decode(message, 'Challenge');
          const paid = await getPayment(w.db, toHex(c.chal));
          if (paid) setScreen({ name: 'paid', payment: paid });
          else setScreen({ name: 'confirm', quote: await quote(w.db, message) });
        } else {
          setNotice({ error: new Error(t('wrongCode', { type })) });
        }
      } catch (e) {
        keepInUrl();
        setNotice({ error: e });
        setScreen({ name: 'home' });
      } finally {
        setBusy(false);
      }
    },
    [reload],
  );

  const ready = !!wallet;
  // Signed Reclaims go to their issuer until answered: on start, when back online, and every half minute.
  useEffect(() => {
    if (!ready || tab !== 'mine') return;
    const db = walletRef.current!.db;
    const post = () =>
      postPending(db).then((changed) => {
        if (changed) void reload(db);
      });
    void post();
    const timer = setInterval(post, 30_000);
    addEventListener('online', post);
    return () => {
      clearInterval(timer);
      removeEventListener('online', post);
    };
  }, [ready, tab, reload]);

  // `#m=` links: on load (once the wallet is ready) and on every hashchange.
  useEffect(() => {
    if (!ready || tab !== 'mine') return;
    // Each link by the URL it came with: links opened in quick succession fire their hashchange events
    // after location.hash has already moved on to the last one.
    const read = (url: string) => {
      if (!new URL(url).hash.startsWith('#m=')) return;
      try {
        onMessage(readContent(url));
      } catch (e) {
        keepInUrl();
        setNotice({ error: e });
      }
    };
    const onHash = (e: HashChangeEvent) => read(e.newURL);
    read(location.href);
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, [ready, tab, onMessage]);

  const go = (s: Screen) => {
    if (s.name === 'home') keepInUrl();
    setNotice({});
    setScreen(s);
  };

  if (tab === 'elsewhere' || tab === 'lost')
    return (
      <>
        <header className="bar">
          <h1>{t('walletTitle')}</h1>
        </header>
        <main>
          <div className="note" data-testid="other-tab">
            {t(tab === 'lost' ? 'tabLost' : 'tabElsewhere')}
          </div>
        </main>
        <footer className="actions">
          <button className="primary" onClick={() => holdTab(LOCK, setTab, true)}>
            {t('useHere')}
          </button>
        </footer>
      </>
    );

  if (needsSetup && db) return <Setup db={db} onDone={() => reload(db)} />;
  if (openFailed && !wallet)
    return (
      <main>
        <div className="note bad" role="alert" data-testid="open-failed">
          {t('openFailed', { error: (openFailed as Error)?.message ?? String(openFailed) })}
        </div>
      </main>
    );
  if (!wallet || !tab)
    return (
      <main>
        <p className="muted">{t('opening')}</p>
      </main>
    );

  const props = { wallet, go, setNotice, reload: () => reload(wallet.db) };
  const notices = (
    <>
      {wallet.pendingKeys && (
        <KeyChanges
          pending={wallet.pendingKeys}
          onConfirm={() =>
            confirmKeys(wallet.db).then(
              () => reload(wallet.db),
              (error) => setNotice({ error }),
            )
          }
        />
      )}
      {notice.ok && (
        <div className="ok" role="status" data-testid="notice">
          {notice.ok}
        </div>
      )}
      {notice.error !== undefined && <Alert error={notice.error} />}
    </>
  );
  switch (screen.name) {
    case 'receive':
      return <Receive {...props} notices={notices} onMessage={onMessage} />;
    case 'scan':
      return <Scan {...props} notices={notices} onMessage={onMessage} busy={busy} />;
    case 'confirm':
      return (
        <Confirm
          {...props}
          notices={notices}
          quote={screen.quote}
          onPaid={(p) => setScreen({ name: 'paid', payment: p })}
        />
      );
    case 'paid':
      return <Paid {...props} payment={screen.payment} />;
    case 'history':
      return <History {...props} notices={notices} />;
    case 'more':
      return <More {...props} notices={notices} />;
    default:
      return <Home {...props} notices={notices} />;
  }
}

export type ScreenProps = {
  wallet: WalletData;
  go(s: Screen): void;
  setNotice(n: Notice): void;
  reload(): Promise<void>;
  notices?: React.ReactNode;
};
