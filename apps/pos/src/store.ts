// The POS's durable state in IndexedDB: pairing, keys, deny list, money bag numbers (stock, open,
// closed = outbox), challenges and accepted uses. Every step that must survive a crash is one transaction.
import {
  type Allocation,
  type BagAnswerJson,
  type Bytes,
  type Challenge,
  closeBag,
  confirmPins,
  decode,
  digestOf,
  encode,
  fail,
  fromText,
  type KeyChange,
  makeChallenge,
  numberOfAllocation,
  type OpenChallenge,
  type PartyKey,
  type Payment,
  type Pins,
  ticketId,
  toHex,
  toText,
  type Use,
  usesOf,
} from '@moneybag/protocol';
import { type DBSchema, type IDBPDatabase, type IDBPTransaction, openDB } from 'idb';

/** What pairing gave: the service, the shop and its token; the terminal's own name and the shop's label. */
export interface Pairing {
  url: string;
  shop: string;
  token: string;
  terminal: string;
  label: string;
  pairedAt: number;
  /**
   * The service refused this terminal's token (401: revoked, or unknown there): its refusal as it came, and when
   * (ms). No sale is taken until the terminal is paired again; what it holds waits in the outbox.
   */
  refused?: { code: string; message: string; at: number };
}

export type { PartyKey };
/** The service's /.well-known/moneybag.json, with keys as bytes. */
export interface Directory {
  issuers: PartyKey[];
  collectors: PartyKey[];
  fetchedAt: number;
}
/** A well-known document that serves another key for a pinned party: held until the operator confirms it. */
export interface PendingKeys {
  /** The document as served, its keys unconfirmed. */
  served: Directory;
  changes: KeyChange[];
}

/** The issuer's deny list as last fetched: holder keys in hex. */
export interface DenyList {
  issuer: string;
  holders: string[];
  /** When the issuer last changed it (seconds). */
  updated: number;
  /** When this POS fetched it (ms). */
  fetchedAt: number;
}

/** The collector's answer on a delivered bag (section 7), as it came. */
export type BagAnswer = BagAnswerJson;

/**
 * A money bag number of this POS, through its life: `stock` (allocated, unused), `open` (being filled),
 * `closed` (in the outbox), `delivered` (the collector answered), `refused` (the collector refused it whole).
 */
export type BagState = 'stock' | 'open' | 'closed' | 'delivered' | 'refused';

export interface BagRecord {
  /** Hex of the number this POS fills (the Allocation's root with its path folded in). */
  id: string;
  /** The Allocation, text form. */
  allocation: string;
  collector: string;
  issued: number;
  due: number;
  state: BagState;
  /** The next deal number under this number: taken, never given back. */
  nextDeal: number;
  count: number;
  totals: Record<string, number>;
  openedAt?: number;
  closedAt?: number;
  closeReason?: string;
  /** The Bag message, text form, once closed. */
  bag?: string;
  /** bag_digest in hex, once closed. */
  digest?: string;
  attempts: number;
  nextAttemptAt?: number;
  lastError?: string;
  /** The protocol's code of the last failure, when it had one (`lastError` is then the service's sentence). */
  lastCode?: string;
  /** Filled under an earlier pairing (set when the terminal is paired again): that pairing's shop and terminal. */
  madeBy?: { shop: string; terminal: string };
  /** Delivered to a relay, which holds it until the collector answers (7.1): its last word on it. */
  relayed?: 'waiting' | 'forwarded';
  answer?: BagAnswer;
  /** The refusal of a bag refused whole. */
  refusal?: { code: string; message: string };
}

export interface ChallengeRecord {
  /** Hex of chal. */
  chal: string;
  bag: string;
  deal: number;
  unit: string;
  amount: number;
  expires: number;
  label: string;
  createdAt: number;
  paid: boolean;
  paidAt?: number;
  /** When the cashier cancelled the sale (ms): no payment of it is taken any more. */
  cancelledAt?: number;
  /** The Challenge message, as shown. */
  message: Bytes;
}

export interface UseRecord {
  id?: number;
  bag: string;
  deal: number;
  chal: string;
  ticket: string;
  unit: string;
  amount: number;
  at: number;
  use: Use;
}

/** What this POS accepted of a ticket over every bag, kept with each accepted use (not summed from them). */
export interface SpentRecord {
  /** ticketId */
  ticket: string;
  amount: number;
  /** The ticket's expires (s): an expired ticket is refused before what was spent of it matters. */
  expires: number;
}

interface PosDB extends DBSchema {
  config: { key: string; value: unknown };
  bags: { key: string; value: BagRecord; indexes: { state: BagState } };
  challenges: { key: string; value: ChallengeRecord; indexes: { bag: string } };
  uses: { key: number; value: UseRecord; indexes: { bag: string; ticket: string; at: number } };
  spent: { key: string; value: SpentRecord };
}

export type Db = IDBPDatabase<PosDB>;
type AcceptTx = IDBPTransaction<PosDB, ('challenges' | 'uses' | 'bags' | 'spent')[], 'readwrite'>;
type PairingTx = IDBPTransaction<PosDB, ('config' | 'bags' | 'uses')[], 'readwrite'>;

/** Abort a transaction that may already be finished; its `done` rejection is the caller's error, not another. */
function abort(tx: { abort(): void; done: Promise<void> }) {
  tx.done.catch(() => {});
  try {
    tx.abort();
  } catch {
    // already committed or aborted
  }
}

export const DB_NAME = 'moneybag-pos';

/** The stores of version 1 (exported so that the upgrade's test builds a version-1 database the same way). */
export function createV1Stores(db: Db): void {
  db.createObjectStore('config');
  db.createObjectStore('bags', { keyPath: 'id' }).createIndex('state', 'state');
  db.createObjectStore('challenges', { keyPath: 'chal' }).createIndex('bag', 'bag');
  const uses = db.createObjectStore('uses', { keyPath: 'id', autoIncrement: true });
  uses.createIndex('bag', 'bag');
  uses.createIndex('ticket', 'ticket');
  uses.createIndex('at', 'at');
}

export function openStore(name = DB_NAME): Promise<Store> {
  return openDB<PosDB>(name, 2, {
    async upgrade(db, from, _to, tx) {
      if (from < 1) createV1Stores(db);
      if (from < 2) {
        // Each ticket's sum, so that taking the POS reads one record a ticket, not every use it ever took.
        const spent = db.createObjectStore('spent', { keyPath: 'ticket' });
        const sums = new Map<string, SpentRecord>();
        for (const u of await tx.objectStore('uses').getAll()) {
          const r = sums.get(u.ticket) ?? { ticket: u.ticket, amount: 0, expires: u.use.ticket.expires };
          r.amount += u.amount;
          sums.set(u.ticket, r);
        }
        for (const r of sums.values()) await spent.put(r);
      }
    },
  }).then((db) => new Store(db));
}

/** The directory the checks use, the pins and the change waiting (or none), in a transaction's config store. */
async function putTrust(
  config: { put(v: unknown, k: string): Promise<unknown>; delete(k: string): Promise<unknown> },
  directory: Directory,
  pins: Pins,
  pending: PendingKeys | undefined,
) {
  await config.put(directory, 'directory');
  await config.put(pins, 'pins');
  if (pending) await config.put(pending, 'pendingKeys');
  else await config.delete('pendingKeys');
}

const addTotals = (totals: Record<string, number>, unit: string, amount: number) => ({
  ...totals,
  [unit]: (totals[unit] ?? 0) + amount,
});

/** A thin typed store: each method is one transaction. */
export class Store {
  constructor(readonly db: Db) {}

  close(): void {
    this.db.close();
  }

  // --- settings ---------------------------------------------------------------------------------

  pairing = () => this.db.get('config', 'pairing') as Promise<Pairing | undefined>;
  setPairing = (p: Pairing) => this.db.put('config', p, 'pairing');
  directory = () => this.db.get('config', 'directory') as Promise<Directory | undefined>;
  setDirectory = (d: Directory) => this.db.put('config', d, 'directory');
  /** The keys pinned on first use; a terminal paired before pins has its directory's keys pinned. */
  pins = async () =>
    ((await this.db.get('config', 'pins')) as Pins | undefined) ??
    confirmPins(undefined, (await this.directory()) ?? { issuers: [], collectors: [] });
  /** A change of keys waiting for the operator, if any. */
  pendingKeys = () => this.db.get('config', 'pendingKeys') as Promise<PendingKeys | undefined>;

  /** The directory the checks use, the pins and the change waiting (or none), in one transaction. */
  async setTrust(directory: Directory, pins: Pins, pending: PendingKeys | undefined): Promise<void> {
    const tx = this.db.transaction('config', 'readwrite');
    await putTrust(tx.store, directory, pins, pending);
    await tx.done;
  }

  /**
   * A pairing and the keys it pinned (pairing is the operator's act of trust), in one transaction. Paired again
   * under another token (a revoked tablet given a new code): the old pairing's open bag is closed into the
   * outbox, which is due at once (its payments are delivered with the new token, or exported: never lost), and
   * its stock of numbers is dropped (numbers given to the old terminal id; the new one takes its own).
   */
  async setPaired(pairing: Pairing, directory: Directory, pins: Pins, now: number): Promise<void> {
    const tx = this.db.transaction(['config', 'bags', 'uses'], 'readwrite');
    const config = tx.objectStore('config');
    const old = (await config.get('pairing')) as Pairing | undefined;
    if (old && (old.token !== pairing.token || old.url !== pairing.url)) {
      const bags = tx.objectStore('bags');
      const open = await bags.index('state').get('open');
      if (open) await this.closeIn(tx, open, 'paired again', now);
      for (const b of await bags.index('state').getAll('stock'))
        if (b.nextDeal === 0) await bags.delete(b.id);
      const madeBy = { shop: old.shop, terminal: old.terminal };
      for (const b of await bags.index('state').getAll('closed'))
        await bags.put({
          ...b,
          madeBy: b.madeBy ?? madeBy,
          nextAttemptAt: now,
          lastError: undefined,
          lastCode: undefined,
        });
    }
    await putTrust(config, directory, pins, undefined);
    await config.put(pairing, 'pairing');
    await tx.done;
  }

  /**
   * The service refused this terminal's token: noted on the pairing (no deal is taken from now on). The open
   * bag stays open for the sale on screen, if any; the pair-again screen closes it (`Pos.closeOpen`), and so
   * does pairing again (`setPaired`) should a crash come first.
   */
  async refuseToken(refused: NonNullable<Pairing['refused']>): Promise<void> {
    const tx = this.db.transaction('config', 'readwrite');
    const pairing = (await tx.store.get('pairing')) as Pairing | undefined;
    if (pairing) await tx.store.put({ ...pairing, refused }, 'pairing');
    await tx.done;
  }
  /** The deny lists last fetched, one per issuer. */
  denyLists = async () => ((await this.db.get('config', 'denylists')) as DenyList[] | undefined) ?? [];
  setDenyLists = (d: DenyList[]) => this.db.put('config', d, 'denylists');

  // --- money bag numbers ------------------------------------------------------------------------

  /** Keep verified Allocations as stock; a number already known is left as it is. */
  async addAllocations(list: Allocation[]): Promise<number> {
    const tx = this.db.transaction('bags', 'readwrite');
    let added = 0;
    for (const a of list) {
      const id = toHex(numberOfAllocation(a));
      if (await tx.store.get(id)) continue;
      await tx.store.add({
        id,
        allocation: toText(encode({ type: 'Allocation', ...a })),
        collector: a.collector,
        issued: a.issued,
        due: a.due,
        state: 'stock',
        nextDeal: 0,
        count: 0,
        totals: {},
        attempts: 0,
      });
      added++;
    }
    await tx.done;
    return added;
  }

  bags = () => this.db.getAll('bags');
  bagsIn = (state: BagState) => this.db.getAllFromIndex('bags', 'state', state);
  bag = (id: string) => this.db.get('bags', id);
  async openBag(): Promise<BagRecord | undefined> {
    return (await this.bagsIn('open'))[0];
  }

  /**
   * 3.3: take the next deal number of the open bag and keep the challenge, in one transaction that is
   * committed before this returns: a challenge is shown only once its deal number is stored as taken.
   * Without an open bag, opens the stock number with the soonest due that is still `usable`.
   */
  async takeDeal(p: {
    unit: string;
    amount: number;
    expires: number;
    now: number;
    usable: (b: BagRecord) => boolean;
  }): Promise<{ challenge: Challenge; record: ChallengeRecord; message: Bytes }> {
    const pairing = await this.pairing();
    if (!pairing) return fail('E_REQUEST', 'this terminal is not paired');
    if (pairing.refused) return fail('E_AUTH', 'the service refused this terminal: pair it again');
    const tx = this.db.transaction(['bags', 'challenges'], 'readwrite');
    const bags = tx.objectStore('bags');
    let bag = (await bags.index('state').getAll('open'))[0];
    if (!bag) {
      const stock = (await bags.index('state').getAll('stock'))
        .filter(p.usable)
        .sort((a, b) => a.due - b.due);
      if (!stock.length) {
        abort(tx);
        return fail('E_UNKNOWN_BAG', 'no money bag number left: connect to the collector to fetch more');
      }
      bag = { ...stock[0], state: 'open', openedAt: p.now };
    }
    const deal = bag.nextDeal;
    bag = { ...bag, nextDeal: deal + 1 };
    await bags.put(bag);
    const challenge = makeChallenge({
      collector: bag.collector,
      bag: numberOfAllocation(decode(fromText(bag.allocation), 'Allocation')),
      deal,
      shop: pairing.shop,
      unit: p.unit,
      amount: p.amount,
      expires: Math.floor(p.now / 1000) + p.expires,
      label: pairing.label,
    });
    const message = encode({ type: 'Challenge', ...challenge });
    const record: ChallengeRecord = {
      chal: toHex(challenge.chal),
      bag: bag.id,
      deal,
      unit: challenge.unit,
      amount: challenge.amount,
      expires: challenge.expires,
      label: challenge.label,
      createdAt: p.now,
      paid: false,
      message,
    };
    await tx.objectStore('challenges').add(record);
    await tx.done;
    return { challenge, record, message };
  }

  /** The open challenge with this chal, for the check of 5.1; one whose bag is no longer open is no longer open. */
  async challenge(chal: Bytes): Promise<OpenChallenge | undefined> {
    const tx = this.db.transaction(['challenges', 'bags']);
    const c = await tx.objectStore('challenges').get(toHex(chal));
    if (!c) return undefined;
    const bag = await tx.objectStore('bags').get(c.bag);
    return bag?.state === 'open' && !c.cancelledAt
      ? { unit: c.unit, amount: c.amount, expires: c.expires, paid: c.paid }
      : undefined;
  }

  /**
   * What the verdict reads, for the memory of the tab that acts as the POS, in one transaction: the keys and
   * deny lists, the open bag's challenges, and what was accepted of each ticket still unexpired at `now` (s)
   * (an expired ticket is refused before what was spent of it matters).
   */
  async ledger(now: number): Promise<{
    pairing?: Pairing;
    directory?: Directory;
    denyLists: DenyList[];
    bag?: string;
    challenges: ChallengeRecord[];
    accepted: Map<string, number>;
  }> {
    const tx = this.db.transaction(['config', 'bags', 'challenges', 'spent']);
    const config = tx.objectStore('config');
    const [pairing, directory, denyLists, open] = await Promise.all([
      config.get('pairing') as Promise<Pairing | undefined>,
      config.get('directory') as Promise<Directory | undefined>,
      config.get('denylists') as Promise<DenyList[] | undefined>,
      tx.objectStore('bags').index('state').get('open'),
    ]);
    const challenges = open ? await tx.objectStore('challenges').index('bag').getAll(open.id) : [];
    const accepted = new Map<string, number>();
    for (const r of await tx.objectStore('spent').getAll())
      if (r.expires > now) accepted.set(r.ticket, r.amount);
    return { pairing, directory, denyLists: denyLists ?? [], bag: open?.id, challenges, accepted };
  }

  /** A challenge as kept, open or not (to say what became of a sale a payment names). */
  challengeRecord = (chal: string) => this.db.get('challenges', chal);

  /** The cashier cancels an unpaid sale: from now on no payment of it is taken. A paid one stays paid. */
  async cancel(chal: string, now: number): Promise<ChallengeRecord | undefined> {
    const tx = this.db.transaction('challenges', 'readwrite');
    const c = await tx.store.get(chal);
    if (c && !c.paid && !c.cancelledAt) await tx.store.put({ ...c, cancelledAt: now });
    await tx.done;
    return this.challengeRecord(chal);
  }

  /** What this POS has accepted of a ticket, over every bag. */
  async acceptedOf(ticket: string): Promise<number> {
    return (await this.db.get('spent', ticket))?.amount ?? 0;
  }

  /**
   * Store the uses of an accepted Payment and mark its challenge paid, in one transaction that checks
   * again that the challenge is unpaid, its bag open and no ticket spent here beyond its face: of two
   * acceptances racing, one wins.
   */
  async accept(payment: Payment, now: number): Promise<UseRecord[]> {
    const tx = this.db.transaction(['challenges', 'uses', 'bags', 'spent'], 'readwrite');
    try {
      return await this.acceptIn(tx, payment, now);
    } catch (e) {
      // A failed request does not abort by itself (a value that cannot be stored throws before it is
      // queued): abort, so that nothing of a half-written payment is committed.
      abort(tx);
      throw e;
    }
  }

  private async acceptIn(tx: AcceptTx, payment: Payment, now: number): Promise<UseRecord[]> {
    const chal = toHex(payment.chal);
    const c = await tx.objectStore('challenges').get(chal);
    const bag = c && (await tx.objectStore('bags').get(c.bag));
    if (!c || c.paid || c.cancelledAt || bag?.state !== 'open')
      return fail('E_CHALLENGE', c?.paid ? 'this challenge is already paid' : 'not an open challenge');
    // The verdict came from memory: the database, which all tabs share, is the last word on what was spent
    // here (a tab that lost the POS to another may have accepted meanwhile).
    const spent = new Map<string, SpentRecord>();
    for (const { ticket, amount } of payment.items) {
      const id = ticketId(ticket);
      const r = spent.get(id) ??
        (await tx.objectStore('spent').get(id)) ?? { ticket: id, amount: 0, expires: ticket.expires };
      if (r.amount + amount > ticket.face)
        return fail('E_OVERSPENT', 'a ticket of this payment is already spent here');
      spent.set(id, { ...r, amount: r.amount + amount });
    }
    for (const r of spent.values()) await tx.objectStore('spent').put(r);
    await tx.objectStore('challenges').put({ ...c, paid: true, paidAt: now });
    const records: UseRecord[] = [];
    let totals = bag.totals;
    for (const use of usesOf(payment, c.deal)) {
      const r: UseRecord = {
        bag: c.bag,
        deal: c.deal,
        chal,
        ticket: ticketId(use.ticket),
        unit: use.ticket.unit,
        amount: use.amount,
        at: now,
        use,
      };
      r.id = await tx.objectStore('uses').add(r);
      records.push(r);
      totals = addTotals(totals, r.unit, r.amount);
    }
    await tx.objectStore('bags').put({ ...bag, count: bag.count + records.length, totals });
    await tx.done;
    return records;
  }

  usesOf = (bag: string) => this.db.getAllFromIndex('uses', 'bag', bag);
  usesSince = (at: number) => this.db.getAllFromIndex('uses', 'at', IDBKeyRange.lowerBound(at));
  challengesOf = (bag: string) => this.db.getAllFromIndex('challenges', 'bag', bag);

  /**
   * Close the open bag `id`: its uses become one Bag message in the outbox. Its number is never used again
   * (its challenges, paid or not, stop being open with it).
   */
  async closeBag(id: string, reason: string, now: number): Promise<BagRecord> {
    const tx = this.db.transaction(['config', 'bags', 'uses'], 'readwrite');
    const bag = await tx.objectStore('bags').get(id);
    if (bag?.state !== 'open') {
      abort(tx);
      return fail('E_UNKNOWN_BAG', 'this bag is not open');
    }
    const closed = await this.closeIn(tx, bag, reason, now);
    await tx.done;
    return closed;
  }

  /** Close the open bag in `tx`. */
  private async closeIn(tx: PairingTx, bag: BagRecord, reason: string, now: number): Promise<BagRecord> {
    const id = bag.id;
    // The uses in the order they were accepted (keys increase).
    const uses = (await tx.objectStore('uses').index('bag').getAll(id)).sort((a, b) => a.id! - b.id!);
    const allocation = decode(fromText(bag.allocation), 'Allocation');
    const message = encode({
      type: 'Bag',
      ...closeBag(
        allocation,
        uses.map((u) => u.use),
      ),
    });
    const closed: BagRecord = {
      ...bag,
      state: 'closed',
      closedAt: now,
      closeReason: reason,
      bag: toText(message),
      digest: toHex(digestOf(message)),
      attempts: 0,
      nextAttemptAt: now,
    };
    await tx.objectStore('bags').put(closed);
    return closed;
  }

  /** Change a bag record, in one transaction, if it is in the state the caller saw. */
  async updateBag(id: string, from: BagState, change: Partial<BagRecord>): Promise<BagRecord | undefined> {
    const tx = this.db.transaction('bags', 'readwrite');
    const bag = await tx.store.get(id);
    if (bag?.state !== from) {
      await tx.done;
      return undefined;
    }
    const next = { ...bag, ...change };
    await tx.store.put(next);
    await tx.done;
    return next;
  }

  /** Forget a stock number that can no longer be filled in time (it was never used). */
  async dropStock(id: string): Promise<void> {
    const tx = this.db.transaction('bags', 'readwrite');
    const bag = await tx.store.get(id);
    if (bag?.state === 'stock' && bag.nextDeal === 0) await tx.store.delete(id);
    await tx.done;
  }
}
