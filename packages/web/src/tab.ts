// One tab at a time: the tab that holds the app's Web Lock is the app (the wallet that spends, the POS that
// accepts); another tab only shows that it is open elsewhere, and may take it over. Each app's IndexedDB
// transaction stays the second guard.

export type TabState = 'mine' | 'elsewhere' | 'lost';

/** Try to hold `name` for this tab; `steal` takes it from the tab that has it, which is told 'lost'. */
export function holdTab(name: string, onChange: (s: TabState) => void, steal = false): void {
  const locks = globalThis.navigator?.locks;
  // No Web Locks in this browser: the store's transaction alone guards.
  if (!locks) {
    onChange('mine');
    return;
  }
  const held = new Promise<void>(() => {}); // never settles: the lock lasts as long as the tab
  locks
    .request(name, steal ? { steal: true } : { ifAvailable: true }, (lock) => {
      if (!lock) {
        onChange('elsewhere');
        return;
      }
      onChange('mine');
      return held;
    })
    .catch(() => onChange('lost')); // another tab stole it
}
