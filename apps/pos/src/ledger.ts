// What 5.1 reads at every deal, kept in memory by the one tab that acts as the POS (`holdTab` of
// `@moneybag/web`): the keys, the deny list, the open bag's challenges and what was accepted of each ticket.
// Loaded from IndexedDB when the tab takes the POS and changed by the Pos at every write, so that a verdict
// reads no database: the first IndexedDB read after idle costs more than the whole check.
import { type Keys, keysOf, type OpenChallenge, type Payment, ticketId } from '@moneybag/protocol';
import type { ChallengeRecord, Store } from './store.ts';

/** An open challenge as memory keeps it: 5.1's view of it, and its place in the bag. */
export interface OpenDeal extends OpenChallenge {
  bag: string;
  deal: number;
  /** Cancelled by the cashier: kept only to say so to a payment that comes for it. */
  cancelled?: boolean;
}

const dealOf = (c: ChallengeRecord): OpenDeal => ({
  bag: c.bag,
  deal: c.deal,
  unit: c.unit,
  amount: c.amount,
  expires: c.expires,
  paid: c.paid,
  cancelled: !!c.cancelledAt,
});

/** Per issuer, the holder keys (hex) on its deny list as last fetched. */
export const deniedOf = (lists: { issuer: string; holders: string[] }[]): Map<string, Set<string>> =>
  new Map(lists.map((l) => [l.issuer, new Set(l.holders)]));

export class Ledger {
  private constructor(
    public shop: string,
    public issuers: Keys,
    public denied: ReadonlyMap<string, ReadonlySet<string>>,
    /** The open bag (hex), whose challenges are the only open ones. */
    private bag: string | undefined,
    private readonly challenges: Map<string, OpenDeal>,
    private readonly accepted: Map<string, number>,
  ) {}

  /** Read it all from the store, in one transaction; `now` in seconds. */
  static async load(store: Store, now: number): Promise<Ledger> {
    const d = await store.ledger(now);
    return new Ledger(
      d.pairing?.shop ?? '',
      keysOf(d.directory?.issuers ?? []),
      deniedOf(d.denyLists),
      d.bag,
      new Map(d.challenges.map((c) => [c.chal, dealOf(c)])),
      d.accepted,
    );
  }

  /** The pairing, keys and deny lists again (after pairing or a sync): they change only there. */
  async reloadKnown(store: Store): Promise<void> {
    const [pairing, directory, lists] = await Promise.all([
      store.pairing(),
      store.directory(),
      store.denyLists(),
    ]);
    this.shop = pairing?.shop ?? '';
    this.issuers = keysOf(directory?.issuers ?? []);
    this.denied = deniedOf(lists);
  }

  /** The open challenge with this chal (hex), if any. */
  challenge(chal: string): OpenDeal | undefined {
    const c = this.challenges.get(chal);
    return c?.cancelled ? undefined : c;
  }

  /** A sale of the open bag, open or not (paid, cancelled, expired): what became of it. */
  sale(chal: string): OpenDeal | undefined {
    return this.challenges.get(chal);
  }

  /** What was accepted here of a ticket (by ticketId). */
  acceptedOf(ticket: string): number {
    return this.accepted.get(ticket) ?? 0;
  }

  /** A challenge the store has just kept (takeDeal): in a bag other than the one known open, that bag opened. */
  opened(c: ChallengeRecord): void {
    if (c.bag !== this.bag) {
      this.bag = c.bag;
      this.challenges.clear();
    }
    this.challenges.set(c.chal, dealOf(c));
  }

  /** A sale cancelled: its challenge is open no more. */
  cancelled(chal: string): void {
    const c = this.challenges.get(chal);
    if (c && !c.paid) c.cancelled = true;
  }

  /** A bag the store has just closed: its challenges stop being open with it. */
  closed(bag: string): void {
    if (bag !== this.bag) return;
    this.bag = undefined;
    this.challenges.clear();
  }

  /**
   * A payment 5.1 accepted, counted before its write starts and in the same tick as the verdict: a payment
   * checked after this sees the challenge paid and the amounts spent. Returns the deal it pays.
   */
  take(payment: Payment, chal: string): OpenDeal {
    const c = this.challenges.get(chal);
    if (!c || c.paid) throw new Error('the ledger was asked to take a payment 5.1 did not accept');
    c.paid = true;
    for (const { ticket, amount } of payment.items) {
      const id = ticketId(ticket);
      this.accepted.set(id, this.acceptedOf(id) + amount);
    }
    return c;
  }

  /** The write of a taken payment failed: the database has none of it, and neither does memory now. */
  untake(payment: Payment, chal: string): void {
    const c = this.challenges.get(chal);
    if (c) c.paid = false;
    for (const { ticket, amount } of payment.items) {
      const id = ticketId(ticket);
      const left = this.acceptedOf(id) - amount;
      if (left > 0) this.accepted.set(id, left);
      else this.accepted.delete(id);
    }
  }
}
