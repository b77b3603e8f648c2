// An issuer's storage in memory for the vectors of 5.3 and 5.4: the lookups the roles' functions read, and
// their outcomes applied as the one transaction of a real issuer would.
import {
  checkReclaim,
  decode,
  fromHex,
  keysOf,
  nobleVerifier,
  ProtocolError,
  type ReclaimAnswer,
  type ReclaimStore,
  type ReturnAnswerJson,
  type SettlementStore,
  type Signer,
  sameTicket,
  settleReturn,
  type Ticket,
  ticketId,
  toHex,
} from '../src/index.ts';

/** A vector's issuer: its id, the tickets it issued (hex) and the collectors it settles with (keys in hex). */
export interface IssuerVector {
  issuer: string;
  tickets: string[];
  collectors: { id: string; publicKey: string }[];
}

export function memoryIssuer(v: IssuerVector) {
  const ctx = {
    issuer: v.issuer,
    collectors: keysOf(v.collectors.map((c) => ({ id: c.id, publicKey: fromHex(c.publicKey) }))),
    verifier: nobleVerifier,
  };
  /** The tickets issued, by ticketId. */
  const issued = new Map(
    v.tickets.map((hex) => decode(fromHex(hex), 'Ticket')).map((t): [string, Ticket] => [ticketId(t), t]),
  );
  const answers = new Map<string, ReturnAnswerJson>();
  const remembered = new Set<string>();
  /** Settled amounts by ticketId. */
  const spent = new Map<string, number>();
  const reclaims = new Map<string, ReclaimAnswer>();
  const payouts: Record<string, Record<string, number>> = {};
  const denied = new Set<string>();
  const store: SettlementStore & ReclaimStore = {
    answered: (from, origin) => answers.get(`${from}/${toHex(origin)}`),
    issued: (t) => {
      const known = issued.get(ticketId(t));
      return known !== undefined && sameTicket(known, t);
    },
    remembered: (S) => remembered.has(toHex(S)),
    spent: (id) => spent.get(id) ?? 0,
    reclaimed: (id) => reclaims.get(id)?.amount ?? 0,
    reclaim: (id) => reclaims.get(id),
    denied: (holder) => denied.has(toHex(holder)),
  };

  /** 5.3: the answer, or `{ refused: code }` for a Return refused whole. */
  async function settle(message: Uint8Array, from: string): Promise<unknown> {
    try {
      const out = await settleReturn(message, from, { ...ctx, store });
      if ('retry' in out) return { retry: true, ...out.answer };
      answers.set(`${out.from}/${toHex(out.origin)}`, out.answer);
      for (const u of out.remembered) {
        remembered.add(toHex(u.item.S));
        if (u.code) continue;
        const id = ticketId(u.item.ticket);
        spent.set(id, (spent.get(id) ?? 0) + u.item.amount);
        const shop = (payouts[u.item.shop] ??= {});
        shop[u.item.ticket.unit] = (shop[u.item.ticket.unit] ?? 0) + u.item.amount;
      }
      for (const h of out.deny) denied.add(toHex(h));
      return out.answer;
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      return { refused: e.code };
    }
  }

  /** 5.4: `{ ticket, amount }` (the new Ticket as its fields), with `retry` for a stored answer, or `{ refused }`. */
  async function reclaim(
    message: Uint8Array,
    p: { signer: Signer; horizon: number; now: number; expires: number; serial?: Uint8Array },
  ): Promise<{ retry?: true; answer: ReclaimAnswer } | { refused: string }> {
    try {
      const out = await checkReclaim(message, { ...ctx, ...p, store });
      if ('retry' in out) return out;
      reclaims.set(out.ticket, out.answer);
      issued.set(ticketId(out.answer.ticket), out.answer.ticket);
      return { answer: out.answer };
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      return { refused: e.code };
    }
  }

  return { store, settle, reclaim, answers, remembered, spent, reclaims, payouts, denied };
}
