// The POS without its screens: a deal from price to verdict, bags and the outbox, the status line.
import {
  type Bytes,
  type Challenge,
  CODE_TEXT,
  type Code,
  checkPayment,
  decode,
  isProtocolError,
  type Keys,
  keysOf,
  type Payment,
  ProtocolError,
  type Verifier,
} from '@moneybag/protocol';
import type { BagRecord, ChallengeRecord, DenyList, Store } from './store.ts';
import {
  CHALLENGE_SECONDS,
  closeReason,
  DENYLIST_STALE_MS,
  deliver,
  dueMargin,
  refill,
  refreshDenyLists,
  STOCK_LOW,
  Unreachable,
  usable,
} from './sync.ts';

export type Verdict =
  | { ok: true; unit: string; total: number; payment: Payment; deal: number }
  | { ok: false; code: Code; message: string; reason: string };

/** A refusal in words a cashier reads, with its code. */
export function refusal(e: { code: Code; message?: string }): Verdict {
  return { ok: false, code: e.code, reason: CODE_TEXT[e.code], message: e.message ?? CODE_TEXT[e.code] };
}

export interface Deal {
  challenge: Challenge;
  record: ChallengeRecord;
  message: Bytes;
}

export interface Status {
  online: boolean;
  lastContact?: number;
  lastError?: string;
  outbox: number;
  stock: number;
  /** The soonest due (seconds) among usable stock and the open bag. */
  nextDue?: number;
  denyAge?: number;
  warnings: string[];
}

export class Pos {
  online = false;
  lastContact?: number;
  lastError?: string;
  private syncing: Promise<void> | undefined;
  /** What the check reads at every deal, kept in memory: loaded at start and after each change. */
  private known?: { shop: string; issuers: Keys; denied: Set<string> };

  constructor(
    readonly store: Store,
    readonly verifier: Verifier,
    readonly now: () => number = () => Date.now(),
  ) {}

  /** Close the open bag if it is due to close; then take the next deal number and keep the challenge. */
  async charge(unit: string, amount: number): Promise<Deal> {
    await this.autoClose();
    const now = this.now();
    return this.store.takeDeal({
      unit,
      amount,
      expires: CHALLENGE_SECONDS,
      now,
      usable: (b) => usable(b, now),
    });
  }

  /** Read again what the check keeps in memory (after pairing, a sync, a change of deny list). */
  async reload(): Promise<void> {
    const [pairing, directory, lists] = await Promise.all([
      this.store.pairing(),
      this.store.directory(),
      this.store.denyLists(),
    ]);
    this.known = {
      shop: pairing?.shop ?? '',
      issuers: keysOf(directory?.issuers ?? []),
      denied: deniedOf(lists),
    };
  }

  /** 5.1 on a scanned message, then the uses stored with the challenge marked paid. */
  async check(message: Uint8Array): Promise<Verdict> {
    if (!this.known) await this.reload();
    const known = this.known!;
    let payment: Payment;
    try {
      payment = decode(message, 'Payment');
    } catch (e) {
      if (isProtocolError(e)) return refusal(e);
      throw e;
    }
    const looked = await this.store.lookupsFor(payment);
    const verdict = await checkPayment(payment, {
      shop: known.shop,
      now: Math.floor(this.now() / 1000),
      challenge: () => looked.challenge,
      issuers: known.issuers,
      acceptedOf: (t) => looked.accepted.get(t) ?? 0,
      denied: known.denied,
      verifier: this.verifier,
    });
    if (!verdict.ok) return refusal(verdict);
    try {
      const uses = await this.store.accept(verdict.payment, this.now());
      return {
        ok: true,
        unit: verdict.unit,
        total: verdict.total,
        payment: verdict.payment,
        deal: uses[0].deal,
      };
    } catch (e) {
      if (isProtocolError(e)) return refusal(e);
      throw e;
    }
  }

  /** Close the open bag by hand. */
  async closeOpen(reason = 'closed by hand'): Promise<BagRecord | undefined> {
    const open = await this.store.openBag();
    if (!open) return undefined;
    const closed = await this.store.closeBag(open.id, reason, this.now());
    void this.sync();
    return closed;
  }

  /** Close the open bag if it is full, old, or near its due date. */
  async autoClose(): Promise<BagRecord | undefined> {
    const open = await this.store.openBag();
    const reason = open && closeReason(open, this.now());
    return reason ? this.store.closeBag(open.id, reason, this.now()) : undefined;
  }

  /** One round with the service: deliver what is due in the outbox, refill numbers, refresh the deny list. */
  sync(options: { force?: boolean } = {}): Promise<void> {
    this.syncing ??= this.syncOnce(options.force ?? false).finally(() => {
      this.syncing = undefined;
    });
    return this.syncing;
  }

  private async syncOnce(force: boolean) {
    if (!(await this.store.pairing())) return;
    await this.autoClose();
    try {
      for (const bag of await this.store.bagsIn('closed')) {
        if (!force && (bag.nextAttemptAt ?? 0) > this.now()) continue;
        const after = await deliver(this.store, bag, this.verifier, this.now);
        if (after.state === 'closed' && after.lastError) throw new Unreachable(after.lastError);
      }
      await refill(this.store, this.verifier, this.now());
      const lists = await this.store.denyLists();
      if (force || !lists.length || lists.some((l) => this.now() - l.fetchedAt > 10 * 60_000))
        await refreshDenyLists(this.store, this.now());
      this.online = true;
      await this.reload();
      this.lastContact = this.now();
      this.lastError = undefined;
    } catch (e) {
      this.online = false;
      this.lastError = e instanceof Error ? e.message : String(e);
      if (!(e instanceof Unreachable) && !(e instanceof ProtocolError)) throw e;
    }
  }

  async status(): Promise<Status> {
    const now = this.now();
    const [bags, lists] = await Promise.all([this.store.bags(), this.store.denyLists()]);
    const stock = bags.filter((b) => b.state === 'stock' && usable(b, now));
    const open = bags.find((b) => b.state === 'open');
    const outbox = bags.filter((b) => b.state === 'closed').length;
    const dues = [...stock, ...(open ? [open] : [])].map((b) => b.due - dueMargin(b));
    const nextDue = dues.length ? Math.min(...dues) : undefined;
    const fetched = lists.length ? Math.min(...lists.map((l) => l.fetchedAt)) : undefined;
    const warnings: string[] = [];
    if (stock.length === 0 && !open)
      warnings.push('No money bag number left: connect to fetch more before taking payments.');
    else if (stock.length < STOCK_LOW)
      warnings.push(`Only ${stock.length} spare money bag number(s) left: connect soon.`);
    if (nextDue !== undefined && nextDue * 1000 - now < 86_400_000)
      warnings.push('A money bag number is near its due date: connect to deliver and refill.');
    if (fetched === undefined || now - fetched > DENYLIST_STALE_MS)
      warnings.push('The deny list is more than a day old: connect to refresh it.');
    if (outbox > 0 && bags.some((b) => b.state === 'closed' && (b.attempts ?? 0) >= 3))
      warnings.push('Bags are waiting to be delivered: check the connection to the collector.');
    return {
      online: this.online,
      lastContact: this.lastContact,
      lastError: this.lastError,
      outbox,
      stock: stock.length,
      nextDue,
      denyAge: fetched === undefined ? undefined : now - fetched,
      warnings,
    };
  }
}

/** Holder keys (hex) on every deny list last fetched. */
export const deniedOf = (lists: DenyList[]): Set<string> => new Set(lists.flatMap((l) => l.holders));

/** The Challenge a deal shows, decoded (for display). */
export const challengeOf = (message: Bytes) => decode(message, 'Challenge');
