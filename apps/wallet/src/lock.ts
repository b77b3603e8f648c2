// One tab at a time: the tab that holds this Web Lock is the wallet; another tab only shows that the
// wallet is open elsewhere (and may take it over). The store's transaction is the second guard.
const NAME = 'moneybag-wallet';

export type TabState = 'mine' | 'elsewhere' | 'lost';

/** Try to hold the wallet for this tab; `steal` takes it from the tab that has it, which is told 'lost'. */
export function holdWallet(onChange: (s: TabState) => void, steal = false): void {
  const locks = globalThis.navigator?.locks;
  // No Web Locks: the store's transaction still refuses an overspend.
  if (!locks) {
    onChange('mine');
    return;
  }
  const held = new Promise<void>(() => {}); // never settles: the lock lasts as long as the tab
  locks
    .request(NAME, steal ? { steal: true } : { ifAvailable: true }, (lock) => {
      if (!lock) {
        onChange('elsewhere');
        return;
      }
      onChange('mine');
      return held;
    })
    .catch(() => onChange('lost')); // another tab stole it
}
