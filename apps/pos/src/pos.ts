// The POS without its screens: a deal from price to verdict, bags and the outbox, the status line.
import {
  type Bytes,
  type Challenge,
  CODE_TEXT,
  type Code,
  checkPayment,
  decode,
  formatAmount,
  isProtocolError,
  type KeyChange,
  type Payment,
  ProtocolError,
  toHex,
  type Verifier,
} from '@moneybag/protocol';
import { say, keyChangeText as words } from '@moneybag/web';
import { Ledger } from './ledger.ts';
import type { BagRecord, ChallengeRecord, Pairing, Store, UseRecord } from './store.ts';
import {
  CHALLENGE_SECONDS,
  checkPairing,
  closeReason,
  confirmKeys,
  DENYLIST_STALE_MS,
  deliver,
  dueMargin,
  pair,
  refill,
  refreshDenyLists,
  refreshDirectory,
  STOCK_LOW,
  tokenRefused,
  Unreachable,
  usable,
} from './sync.ts';
import { t } from './text.ts';

export type Verdict =
  | {
      ok: true;
      unit: string;
      total: number;
      payment: Payment;
      deal: number;
      /**
       * The write of the uses with the challenge marked paid. The verdict comes from memory before it ends;
       * only when it resolves is the payment kept. It rejects only for a reason memory could not know (the
       * disk, or another tab that took the POS): then the payment is not taken, and memory forgets it too.
       */
      saved: Promise<UseRecord[]>;
    }
  | {
      ok: false;
      code: Code;
      message: string;
      reason: string;
      /** A payment for one of this POS's own sales that is no longer open: what became of that sale. */
      sale?: 'paid' | 'cancelled' | 'expired';
    };

/** A refusal in words a cashier reads, with its code. */
export function refusal(e: { code: Code; message?: string }): Verdict {
  return { ok: false, code: e.code, reason: say(e).text, message: e.message ?? CODE_TEXT[e.code] };
}

/** How often a sync reads the well-known document again (as often as the deny lists). */
const DIRECTORY_EVERY_MS = 10 * 60_000;
/** How often the token is shown to the service when nothing else needs it (its "last seen", a revoke). */
const PAIRING_CHECK_MS = 60_000;

/** A changed key in the cashier's words: which party, and the fingerprints of its served and pinned key. */
export const keyChangeText = (c: KeyChange): string => words(c, t);

/** Why no payment is taken while a key change waits for the operator, in words. */
export function keysRefusal(changes: KeyChange[]): { code: Code; message: string } {
  return {
    code: changes[0].party === 'issuer' ? 'E_ISSUER' : 'E_COLLECTOR',
    message: `${changes.map(keyChangeText).join(' ')} ${t('keysStopped')}`,
  };
}

export interface Deal {
  challenge: Challenge;
  record: ChallengeRecord;
  message: Bytes;
}

/** A failure of the last round with the service: its protocol code when it had one, and its sentence. */
export interface Problem {
  code?: string;
  message: string;
}

export interface Status {
  online: boolean;
  lastContact?: number;
  lastError?: Problem;
  /** The service refused this terminal's token: no sale until it is paired again (the outbox is kept). */
  refused?: Pairing['refused'];
  outbox: number;
  stock: number;
  /** The soonest due (seconds) among usable stock and the open bag. */
  nextDue?: number;
  denyAge?: number;
  warnings: string[];
  /** Keys the well-known document now serves in place of pinned ones: no payment until confirmed. */
  keyChanges: KeyChange[];
}

export class Pos {
  online = false;
  lastContact?: number;
  lastError?: Problem;
  private syncing: Promise<void> | undefined;
  /** When the token was last shown to the service (0: not yet in this session). */
  private pairingCheckedAt = 0;
  /** What the check reads at every deal, in memory: loaded at start, changed at every write. */
  private ledger?: Ledger;
  /** Checks run one at a time, so that each sees the payments accepted before it. */
  private checks: Promise<unknown> = Promise.resolve();
  /** Another tab took the POS: this one takes no payment and writes nothing more. */
  retired = false;
  /** The bag being sent to the collector right now (its id), for the screen's "sending…". */
  sending?: string;
  /** Told when a delivery starts or ends, so the screen shows each bag's state as it changes. */
  onChange?: () => void;
  /** A sync asked for while one runs (a bag just closed): run once more after it. */
  private again = false;
  /** Key changes waiting for the operator (from the store): while there are any, no payment is taken. */
  keyChanges: KeyChange[] = [];

  constructor(
    readonly store: Store,
    readonly verifier: Verifier,
    readonly now: () => number = () => Date.now(),
  ) {}

  /** Close the open bag if it is due to close; then take the next deal number and keep the challenge. */
  async charge(unit: string, amount: number): Promise<Deal> {
    this.active();
    if (this.keyChanges.length) {
      const r = keysRefusal(this.keyChanges);
      throw new ProtocolError(r.code, r.message);
    }
    await this.autoClose();
    const now = this.now();
    const ledger = await this.memory();
    const deal = await this.store.takeDeal({
      unit,
      amount,
      expires: CHALLENGE_SECONDS,
      now,
      usable: (b) => usable(b, now),
    });
    ledger.opened(deal.record);
    return deal;
  }

  private memory(): Promise<Ledger> {
    return this.ledger
      ? Promise.resolve(this.ledger)
      : Ledger.load(this.store, Math.floor(this.now() / 1000)).then((l) => (this.ledger ??= l));
  }

  private active(): void {
    if (this.retired) throw new ProtocolError('E_REQUEST', 'The POS is open in another tab.');
  }

  /**
   * Load what the check keeps in memory, or read again the parts that change outside a deal (pairing, keys,
   * deny lists) once it is loaded: the rest changes only by this Pos's own writes.
   */
  async reload(): Promise<void> {
    if (this.ledger) await this.ledger.reloadKnown(this.store);
    else await this.memory();
    this.keyChanges = (await this.store.pendingKeys())?.changes ?? [];
  }

  /** The operator confirmed the keys the service now serves: trust them, and take payments again. */
  async confirmKeys(): Promise<void> {
    this.active();
    await confirmKeys(this.store);
    await this.reload();
    this.onChange?.();
    this.syncInBackground({ force: true });
  }

  /**
   * 5.1 on a scanned message, from memory. An accepted payment is counted in memory in the same tick as its
   * verdict, before its write starts (so a replay checked next is refused), and the verdict carries the write.
   */
  check(message: Uint8Array): Promise<Verdict> {
    const run = this.checks.then(() => this.checkNow(message));
    this.checks = run.catch(() => {});
    return run;
  }

  private async checkNow(message: Uint8Array): Promise<Verdict> {
    if (this.retired) return refusal({ code: 'E_CHALLENGE', message: 'The POS is open in another tab.' });
    if (this.keyChanges.length) {
      const r = keysRefusal(this.keyChanges);
      return { ok: false, ...r, reason: r.message };
    }
    const ledger = this.ledger ?? (await this.memory());
    let payment: Payment;
    try {
      payment = decode(message, 'Payment');
    } catch (e) {
      if (isProtocolError(e)) return refusal(e);
      throw e;
    }
    const chal = toHex(payment.chal);
    const verdict = await checkPayment(payment, {
      shop: ledger.shop,
      now: Math.floor(this.now() / 1000),
      challenge: () => ledger.challenge(chal),
      issuers: ledger.issuers,
      acceptedOf: (t) => ledger.acceptedOf(t),
      denied: ledger.denied,
      verifier: this.verifier,
    });
    if (!verdict.ok)
      return verdict.code === 'E_CHALLENGE' ? this.saleOf(ledger, chal, verdict) : refusal(verdict);
    if (this.retired) return refusal({ code: 'E_CHALLENGE', message: 'The POS is open in another tab.' });
    // No await from here to the write's start: memory and the write begin in the same tick.
    const { deal } = ledger.take(verdict.payment, chal);
    const saved = this.store.accept(verdict.payment, this.now()).catch((e: unknown) => {
      ledger.untake(verdict.payment, chal);
      throw e;
    });
    saved.catch(() => {}); // the caller reads the failure; it is not unhandled here
    return { ok: true, unit: verdict.unit, total: verdict.total, payment: verdict.payment, deal, saved };
  }

  /**
   * Cancel an unpaid sale (a paid one stays paid): memory first, so a payment checked from here on is refused
   * and said to be of a cancelled sale. Returns whether it was paid after all.
   */
  async cancel(deal: Deal): Promise<{ paid: boolean }> {
    this.active();
    this.ledger?.cancelled(deal.record.chal);
    const c = await this.store.cancel(deal.record.chal, this.now());
    return { paid: !!c?.paid };
  }

  /** An E_CHALLENGE refusal of a payment for one of this POS's own sales, said as what became of that sale. */
  private async saleOf(ledger: Ledger, chal: string, e: { code: Code; message?: string }): Promise<Verdict> {
    const v = refusal(e);
    if (v.ok) return v;
    // From memory for the open bag (a replay is refused without waiting for the write); else from the store.
    const known = ledger.sale(chal);
    const c = known
      ? { ...known, cancelledAt: known.cancelled ? 1 : undefined }
      : await this.store.challengeRecord(chal).catch(() => undefined);
    if (!c) return v;
    const price = formatAmount(c.amount, c.unit);
    const reason = c.paid
      ? t('salePaid', { price })
      : c.cancelledAt
        ? t('saleCancelledReason', { price })
        : t('saleExpired', { price });
    return { ...v, reason, sale: c.paid ? 'paid' : c.cancelledAt ? 'cancelled' : 'expired' };
  }

  /** Close the open bag by hand. */
  async closeOpen(reason = 'closed by hand'): Promise<BagRecord | undefined> {
    this.active();
    const open = await this.store.openBag();
    if (!open) return undefined;
    const closed = await this.closeBag(open.id, reason);
    this.syncInBackground();
    return closed;
  }

  /** Close the open bag if it is full, old, or near its due date. */
  async autoClose(): Promise<BagRecord | undefined> {
    const open = await this.store.openBag();
    const reason = open && closeReason(open, this.now());
    return reason ? this.closeBag(open.id, reason) : undefined;
  }

  /**
   * Memory closes the bag before the write starts, as for a payment: a payment whose write would come after
   * the close (and fail on the closed bag) is refused instead. Should the close fail, memory only refuses more.
   */
  private closeBag(id: string, reason: string): Promise<BagRecord> {
    this.ledger?.closed(id);
    return this.store.closeBag(id, reason, this.now());
  }

  /** One round with the service: deliver what is due in the outbox, refill numbers, refresh the deny list. */
  sync(options: { force?: boolean } = {}): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.syncOnce(options.force ?? false).finally(() => {
      this.syncing = undefined;
      if (this.again) {
        this.again = false;
        this.syncInBackground();
      }
    });
    return this.syncing;
  }

  /** A round nobody awaits: its failure is already in `lastError`, which the status bar shows. */
  private syncInBackground(options: { force?: boolean } = {}): void {
    this.sync(options).catch(() => this.onChange?.());
  }

  private async syncOnce(force: boolean) {
    const pairing = await this.store.pairing();
    // A refused token is not shown again: nothing but pairing again helps.
    if (this.retired || !pairing || pairing.refused) return;
    await this.autoClose();
    try {
      // The keys first (a changed one must be seen even when deliveries fail under it); a failure to read
      // them leaves the pinned keys in use, does not hold the takings back, and is the round's problem after.
      let keysError: unknown;
      const directory = await this.store.directory();
      if (force || !directory || this.now() - directory.fetchedAt > DIRECTORY_EVERY_MS)
        await refreshDirectory(this.store, this.now())
          .then(() => this.reload())
          .catch((e: unknown) => {
            keysError = e;
          });
      for (const bag of await this.store.bagsIn('closed')) {
        if (!force && (bag.nextAttemptAt ?? 0) > this.now()) continue;
        this.sending = bag.id;
        this.onChange?.();
        const after = await deliver(this.store, bag, this.verifier, this.now).finally(() => {
          this.sending = undefined;
          this.onChange?.();
        });
        if (after.state === 'closed' && after.lastError)
          throw after.lastCode
            ? new ProtocolError(after.lastCode as Code, after.lastError)
            : new Unreachable(after.lastError);
      }
      await refill(this.store, this.verifier, this.now());
      if (force || this.now() - this.pairingCheckedAt >= PAIRING_CHECK_MS) {
        await checkPairing(this.store);
        this.pairingCheckedAt = this.now();
      }
      const lists = await this.store.denyLists();
      if (force || !lists.length || lists.some((l) => this.now() - l.fetchedAt > 10 * 60_000))
        await refreshDenyLists(this.store, this.now());
      if (keysError) throw keysError;
      this.online = true;
      await this.reload();
      this.lastContact = this.now();
      this.lastError = undefined;
    } catch (e) {
      this.online = false;
      this.lastError = {
        code: e instanceof ProtocolError ? e.code : undefined,
        message: e instanceof Error ? e.message : String(e),
      };
      if (tokenRefused(e)) await this.tokenRefused(e);
      else if (!(e instanceof Unreachable) && !(e instanceof ProtocolError)) throw e;
    }
  }

  /**
   * The service refused the token: noted, so that no sale starts. A sale on screen may still be paid; the
   * pair-again screen, shown once it is over, closes the open bag into the outbox (`closeOpen`).
   */
  private async tokenRefused(e: { code: Code; message: string }): Promise<void> {
    await this.store.refuseToken({ code: e.code, message: e.message, at: this.now() });
    this.onChange?.();
  }

  /**
   * Pair this terminal (the first time, or again after its token was refused) through the one pairing path
   * (`pair` of sync.ts); memory is then read afresh (a bag the old pairing left open was closed).
   */
  async pair(link: { url: string; shop: string; token: string }, terminal: string): Promise<Pairing> {
    this.active();
    const open = await this.store.openBag();
    if (open) this.ledger?.closed(open.id);
    const paired = await pair(this.store, link, terminal, this.verifier, this.now());
    this.ledger = undefined;
    await this.reload();
    this.online = true;
    this.lastContact = this.pairingCheckedAt = this.now();
    this.lastError = undefined;
    return paired;
  }

  async status(): Promise<Status> {
    const now = this.now();
    // The bags still to fill or send, by their state: never the delivered ones, which a long history piles up.
    const [stocked, [open], closed, lists, pairing] = await Promise.all([
      this.store.bagsIn('stock'),
      this.store.bagsIn('open'),
      this.store.bagsIn('closed'),
      this.store.denyLists(),
      this.store.pairing(),
    ]);
    const stock = stocked.filter((b) => usable(b, now));
    const outbox = closed.length;
    const dues = [...stock, ...(open ? [open] : [])].map((b) => b.due - dueMargin(b));
    const nextDue = dues.length ? Math.min(...dues) : undefined;
    const fetched = lists.length ? Math.min(...lists.map((l) => l.fetchedAt)) : undefined;
    const warnings: string[] = [];
    // Seen only during a sale on screen: after it, the pair-again screen says the rest.
    if (pairing?.refused) warnings.push(t('warnRefused'));
    if (stock.length === 0 && !open) warnings.push(t('warnNoStock'));
    else if (stock.length < STOCK_LOW) warnings.push(t('warnLowStock'));
    if (nextDue !== undefined && nextDue * 1000 - now < 86_400_000) warnings.push(t('warnDue'));
    if (fetched === undefined || now - fetched > DENYLIST_STALE_MS) warnings.push(t('warnDenyList'));
    if (closed.some((b) => !b.relayed && (b.attempts ?? 0) >= 3)) warnings.push(t('warnOutbox'));
    return {
      online: this.online,
      lastContact: this.lastContact,
      lastError: this.lastError,
      refused: pairing?.refused,
      outbox,
      stock: stock.length,
      nextDue,
      denyAge: fetched === undefined ? undefined : now - fetched,
      warnings,
      keyChanges: this.keyChanges,
    };
  }
}
