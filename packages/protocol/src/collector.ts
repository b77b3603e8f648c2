// The collector: allocations, the check of a bag (5.2), direct collection (3.5), Returns (3.7).
import { ByteBuckets, equal } from './bytes.ts';
import { checkOfTicket, checksOfUses, type Keys, sameTicketFields, totalsOf } from './checks.ts';
import type { SignatureCheck, Signer, Verifier } from './crypto.ts';
import { type Code, fail } from './errors.ts';
import {
  type Allocation,
  type BagNode,
  type Bytes,
  decode,
  decodeViews,
  encode,
  type ReturnItem,
  type Spend,
  type Ticket,
  type Use,
} from './messages.ts';
import {
  allocationBody,
  challengesOf,
  digestOf,
  directChallengeOf,
  receiptBody,
  reportBody,
  returnBody,
  sub,
} from './signed.ts';

/** 3.2: sign a root number for a party. */
export async function allocate(
  signer: Signer,
  a: { collector: string; to: string; root: Bytes; issued: number; due: number },
): Promise<Allocation> {
  return { ...a, A: await signer.sign(allocationBody(a)), path: [] };
}

/** Where a use sits in a bag: the (terminal, n) steps from the root to its node. */
export type BagPath = [terminal: string, n: number][];

export interface AcceptedUse {
  path: BagPath;
  deal: number;
  shop: string;
  amount: number;
  chal: Bytes;
  use: Use;
}
export interface RejectedUse {
  path: BagPath;
  deal: number;
  /** The use's place among its Node's Uses, from 0: with `path` it names one use even when uses share a deal. */
  index: number;
  code: Code;
}
/** The collector's answer on a bag (section 7's body, with byte fields still bytes). */
export interface BagAnswer {
  digest: Bytes;
  root: Bytes;
  accepted: AcceptedUse[];
  rejected: RejectedUse[];
  totals: Record<string, number>;
  /** The signed Report message. */
  report: Bytes;
  /** One signed Return message per issuer, in bag order. */
  returns: { issuer: string; message: Bytes }[];
}

/** What the collector recorded when it allocated a root. */
export interface AllocationRecord {
  to: string;
  issued: number;
  due: number;
  /** The digest of the bag collected on this root, once collected. */
  collected?: Bytes | null;
}

export interface BagContext {
  collector: string;
  /** The authenticated party sending the bag. */
  sender: string;
  /** Now, in seconds. */
  now: number;
  allocation(root: Bytes): AllocationRecord | undefined | Promise<AllocationRecord | undefined>;
  issuers: Keys;
  verifier: Verifier;
  signer: Signer;
}

interface Placed {
  path: BagPath;
  /** The use's place among its Node's Uses. */
  index: number;
  use: Use;
  /** The chal the collector recomputes from its own id, the node's number and the deal. */
  chal: Bytes;
}
function flatten(collector: string, node: BagNode, number: Bytes, path: BagPath, out: Placed[]): Placed[] {
  const chalOf = challengesOf(collector, number);
  for (const [index, use] of node.uses.entries()) out.push({ path, index, use, chal: chalOf(use.deal) });
  for (const c of node.children)
    flatten(collector, c.node, sub(number, c.terminal, c.n), [...path, [c.terminal, c.n]], out);
  return out;
}

interface UseVerdict {
  chal: Bytes;
  /** First failing code of rules 2-5 (rule 1, duplicates, depends on what was accepted before). */
  code?: Code;
}

/**
 * Rules 2-5 of 5.2 (also the ticket and use checks of 3.5) for many spends at once: every C is
 * verified once per distinct ticket, every S once, in one batch.
 */
async function judgeSpends(
  spends: (Spend & { shop: string; chal: Bytes })[],
  issuers: Keys,
  verifier: Verifier,
  deadBefore: number,
): Promise<UseVerdict[]> {
  const checks: SignatureCheck[] = [];
  // Every S's body in one buffer (a bag's thousands of them are one allocation, not one each).
  const useChecks = checksOfUses(spends);
  // C is verified once per distinct ticket: same C and same fields (a copy with other fields is checked apart).
  const byC = new ByteBuckets<{ ticket: Ticket; check: number }>();
  const slots = spends.map((spend, i) => {
    const key = issuers.get(spend.ticket.issuer);
    if (!key) return undefined;
    let c = byC.find(spend.ticket.C, (x) => sameTicketFields(x.ticket, spend.ticket))?.check;
    if (c === undefined) {
      c = checks.push(checkOfTicket(spend.ticket, key)) - 1;
      // One set of fields kept per C (a C verifies over one set only; any other is forged): a bag of one C
      // under thousands of field sets costs a check each, never a comparison with every set before it.
      if (!byC.has(spend.ticket.C)) byC.add(spend.ticket.C, { ticket: spend.ticket, check: c });
    }
    return { C: c, S: checks.push(useChecks[i]) - 1 };
  });
  const ok = await verifier.verify(checks);
  return spends.map((spend, i): UseVerdict => {
    const { chal } = spend;
    const slot = slots[i];
    const t = spend.ticket;
    const code: Code | undefined = !slot
      ? 'E_ISSUER'
      : !ok[slot.C]
        ? 'E_TICKET_SIGNATURE'
        : !ok[slot.S]
          ? 'E_USE_SIGNATURE'
          : t.expires <= deadBefore
            ? 'E_EXPIRED'
            : spend.amount < 1 || spend.amount > t.face
              ? 'E_AMOUNT'
              : undefined;
    return { chal, code };
  });
}

/** 3.7: one signed Return per issuer, in the order the uses came. */
export async function makeReturns(
  signer: Signer,
  collector: string,
  origin: Bytes,
  items: ReturnItem[],
): Promise<{ issuer: string; message: Bytes }[]> {
  const byIssuer = new Map<string, ReturnItem[]>();
  for (const it of items) {
    const list = byIssuer.get(it.ticket.issuer) ?? [];
    list.push(it);
    byIssuer.set(it.ticket.issuer, list);
  }
  return Promise.all(
    [...byIssuer].map(async ([issuer, list]) => {
      const body = { collector, origin, items: list };
      return { issuer, message: encode({ type: 'Return', ...body, Q: await signer.sign(returnBody(body)) }) };
    }),
  );
}

/**
 * 5.2: check a bag. Throws a ProtocolError for a bag that does not decode or has a bag-level fault
 * (nothing is to be stored then). A bag already collected with the same digest gives `{ retry }`:
 * the caller answers with what it stored. Otherwise the answer to store, in one transaction with
 * marking the root collected.
 */
export async function checkBag(
  message: Uint8Array,
  ctx: BagContext,
): Promise<BagAnswer | { retry: true; digest: Bytes }> {
  const bag = decodeViews(message, 'Bag');
  if (bag.collector !== ctx.collector) fail('E_COLLECTOR', `this bag is for ${bag.collector}`);
  const alloc = await ctx.allocation(bag.root);
  if (!alloc || alloc.to !== bag.to || bag.to !== ctx.sender)
    fail('E_UNKNOWN_BAG', 'this number was not allocated to the party sending it');
  const digest = digestOf(message);
  if (alloc.collected) {
    if (equal(alloc.collected, digest)) return { retry: true, digest };
    fail('E_BAG_REUSED');
  }
  if (ctx.now >= alloc.due) fail('E_BAG_LATE');

  const placed = flatten(ctx.collector, bag.node, bag.root, [], []);
  const verdicts = await judgeSpends(
    placed.map((p) => ({ ...p.use, chal: p.chal })),
    ctx.issuers,
    ctx.verifier,
    alloc.issued,
  );
  const acceptedS = new ByteBuckets<true>();
  const accepted: AcceptedUse[] = [];
  const rejected: RejectedUse[] = [];
  for (const [i, { path, index, use }] of placed.entries()) {
    const code = acceptedS.has(use.S) ? 'E_DUPLICATE' : verdicts[i].code;
    if (code) rejected.push({ path, deal: use.deal, index, code });
    else {
      acceptedS.add(use.S, true);
      accepted.push({
        path,
        deal: use.deal,
        shop: use.shop,
        amount: use.amount,
        chal: verdicts[i].chal,
        use,
      });
    }
  }
  const reportFields = {
    collector: ctx.collector,
    root: bag.root,
    bag_digest: digest,
    accepted_count: accepted.length,
    rejected_count: rejected.length,
  };
  const report = encode({
    type: 'Report',
    ...reportFields,
    K: await ctx.signer.sign(reportBody(reportFields)),
  });
  const returns = await makeReturns(
    ctx.signer,
    ctx.collector,
    digest,
    accepted.map((a) => ({ shop: a.shop, chal: a.chal, ticket: a.use.ticket, amount: a.amount, S: a.use.S })),
  );
  const totals = totalsOf(accepted.map((a) => ({ unit: a.use.ticket.unit, amount: a.amount })));
  return { digest, root: bag.root, accepted, rejected, totals, report, returns };
}

export interface DirectContext {
  collector: string;
  /** Now, in milliseconds. */
  now_ms: number;
  /** The window; one hour by default. */
  window_ms?: number;
  /** Whether this S was received before (kept at least twice the window). */
  seen(S: Bytes): boolean | Promise<boolean>;
  issuers: Keys;
  verifier: Verifier;
  signer: Signer;
}
export interface DirectAnswer {
  /** The signed Receipt message. */
  receipt: Bytes;
  /** SHA-256 of the whole DirectPayment: the origin of its Return. */
  origin: Bytes;
  returns: { issuer: string; message: Bytes }[];
  S: Bytes;
  shop: string;
  unit: string;
  amount: number;
}

export const DIRECT_WINDOW_MS = 3_600_000;

/** 3.5: check a DirectPayment and sign its receipt; a refusal throws a ProtocolError. */
export async function checkDirect(message: Uint8Array, ctx: DirectContext): Promise<DirectAnswer> {
  const d = decode(message, 'DirectPayment');
  if (d.collector !== ctx.collector) fail('E_COLLECTOR', `this payment is for ${d.collector}`);
  const window = ctx.window_ms ?? DIRECT_WINDOW_MS;
  if (Math.abs(ctx.now_ms - d.time_ms) > window) fail('E_WINDOW', 'the payment is outside the time window');
  if (await ctx.seen(d.S)) fail('E_WINDOW', 'this payment was already received');
  const chal = directChallengeOf(d.collector, d.time_ms);
  const [verdict] = await judgeSpends(
    [{ ticket: d.ticket, amount: d.amount, S: d.S, shop: d.shop, chal }],
    ctx.issuers,
    ctx.verifier,
    Math.floor(ctx.now_ms / 1000),
  );
  if (verdict.code) fail(verdict.code);
  const origin = digestOf(message);
  const receiptFields = { collector: ctx.collector, S: d.S, received_ms: ctx.now_ms };
  const receipt = encode({
    type: 'Receipt',
    ...receiptFields,
    R: await ctx.signer.sign(receiptBody(receiptFields)),
  });
  const returns = await makeReturns(ctx.signer, ctx.collector, origin, [
    { shop: d.shop, chal, ticket: d.ticket, amount: d.amount, S: d.S },
  ]);
  return { receipt, origin, returns, S: d.S, shop: d.shop, unit: d.ticket.unit, amount: d.amount };
}
