// One tab at a time: the tab that holds this Web Lock is the POS, and only it keeps the verdict's memory
// (ledger.ts); another tab only shows that the POS is open elsewhere (and may take it over). The store's
// transaction is the second guard: it re-checks what memory decided.
const NAME = 'moneybag-pos';

export type TabState = 'mine' | 'elsewhere' | 'lost';

/** Try to hold the POS for this tab; `steal` takes it from the tab that has it, which is told 'lost'. */
export function holdPos(onChange: (s: TabState) => void, steal = false): void {
  const locks = globalThis.navigator?.locks;
  // No Web Locks: the store's transaction still refuses a second acceptance.
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
