// The collector's logic: allocations for shops, bags (5.2), direct payments (3.5), shops and their pairing,
// and the views its page reads. The checks are the protocol package's; this stores what they decide.

import type { AllocationListJson } from '@moneybag/api';
import {
  type Allocation,
  allocate,
  type BagAnswerJson,
  type BagNode,
  type BagTreeNodeJson,
  bagAnswerJson,
  bagTree,
  checkBag,
  checkDirect,
  codeText,
  DIRECT_WINDOW_MS,
  decode,
  encode,
  fromHex,
  ProtocolError,
  pairingCodeLink,
  pairingLink,
  passDown,
  randomBytes,
  toBase64url,
  toHex,
  toText,
} from '@moneybag/protocol';
import { Refusal, refuse } from '../http.ts';
import { newToken } from '../keys.ts';
import { errorText, log } from '../log.ts';
import { nowSeconds, type Service } from '../service.ts';
import * as store from '../storage/collector.ts';
import { isUniqueViolation } from '../storage/sql.ts';
import * as terminals from '../storage/terminals.ts';

export const DEFAULT_ALLOCATION_SECONDS = 30 * 24 * 3600;

/** `count` fresh allocations to a shop (each passed down to `terminal` when given), stored, as text forms. */
export async function allocateFor(
  s: Service,
  shop: string,
  req: { count: number; terminal?: string; seconds?: number },
): Promise<string[]> {
  const issued = nowSeconds();
  const due = issued + (req.seconds ?? DEFAULT_ALLOCATION_SECONDS);
  const signer = s.signer(s.collector);
  const made: Allocation[] = [];
  for (let i = 0; i < req.count; i++) {
    const a = await allocate(signer, {
      collector: s.collector,
      to: shop,
      root: randomBytes(16),
      issued,
      due,
    });
    // A fresh root for each, so the child's n is 0: it is fresh under that root.
    made.push(req.terminal ? passDown(a, req.terminal, 0) : a);
  }
  const texts = made.map((a) => toText(encode({ type: 'Allocation', ...a })));
  await s.db.tx((sql) =>
    store.insertAllocations(
      sql,
      made.map((a, i) => ({
        root: toBase64url(a.root),
        collector: s.collector,
        party: shop,
        terminal: req.terminal ?? null,
        issued,
        due,
        message: texts[i],
      })),
    ),
  );
  return texts;
}

/** A collected bag and its answer, as the shop gets it (the tree kept beside it is the page's). */
export async function storedBag(s: Service, digest: string) {
  const b = await store.bagByDigest(s.db, digest);
  if (!b) return b;
  const { tree: _, ...answer } = b.answer as BagAnswerJson & { tree?: unknown };
  return { ...b, answer };
}

/**
 * A bag from `sender` (5.2). One refused whole is refused as before (nothing of it stored) and noted for the
 * operator's page: who sent it, when and why.
 */
export async function receiveBag(s: Service, sender: string, message: Uint8Array): Promise<BagAnswerJson> {
  try {
    return await collectBag(s, sender, message);
  } catch (e) {
    const refused = e instanceof ProtocolError || e instanceof Refusal ? e : undefined;
    // The note is the operator's: failing to write it never changes the sender's answer.
    if (refused)
      await store
        .insertRefusedBag(s.db, {
          party: sender,
          code: refused.code,
          message: refused.message,
          ...seenOf(message),
        })
        .catch((err) => log('warn', 'a refused bag was not noted', { error: errorText(err) }));
    throw e;
  }
}

/** What a refused bag said of itself, when it decodes: its number and how many uses it carried. */
function seenOf(message: Uint8Array): { root: string | null; uses: number | null } {
  try {
    const bag = decode(message, 'Bag');
    const count = (n: BagNode): number => n.uses.length + n.children.reduce((k, c) => k + count(c.node), 0);
    return { root: toBase64url(bag.root), uses: count(bag.node) };
  } catch {
    return { root: null, uses: null };
  }
}

/** 5.2 then one transaction: the root marked collected (a conditional UPDATE decides races), uses, report, outbox. */
async function collectBag(s: Service, sender: string, message: Uint8Array): Promise<BagAnswerJson> {
  const r = await checkBag(message, {
    collector: s.collector,
    sender,
    now: nowSeconds(),
    allocation: async (root) => {
      const a = await store.allocationByRoot(s.db, toBase64url(root));
      return (
        a && {
          to: a.party,
          issued: a.issued,
          due: a.due,
          collected: a.collected ? fromHex(a.collected) : null,
        }
      );
    },
    issuers: await s.keysOf('issuer'),
    verifier: s.verifier,
    signer: s.signer(s.collector),
  });
  const digest = toHex(r.digest);
  if ('retry' in r) return (await storedBag(s, digest))!.answer;
  const answer = bagAnswerJson(r);
  const root = toBase64url(r.root);
  // Kept beside the answer for the collector's page: the bag's tree with its counts (never sent to the shop).
  const tree = bagTree([...r.accepted, ...r.rejected], r.rejected);
  try {
    await s.db.tx(async (sql) => {
      if (!(await store.collectRoot(sql, root, digest)))
        throw Object.assign(new Error('root taken'), { code: '23505' });
      await store.insertBag(sql, {
        digest,
        root,
        party: sender,
        accepted: r.accepted.length,
        answer: { ...answer, tree } as BagAnswerJson,
      });
      const perIssuer = new Map<string, number>();
      for (const a of r.accepted) {
        const issuer = a.use.ticket.issuer;
        perIssuer.set(issuer, (perIssuer.get(issuer) ?? 0) + 1);
      }
      if (r.accepted.length) await store.insertBagSums(sql, digest, r.accepted);
      await store.insertOutbox(
        sql,
        digest,
        r.returns.map((x) => ({ ...x, uses: perIssuer.get(x.issuer) ?? 0 })),
      );
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Another request collected this root first: the same bag gets its answer, another bag is refused.
    if ((await store.allocationByRoot(s.db, root))?.collected === digest)
      return (await storedBag(s, digest))!.answer;
    refuse(409, 'E_BAG_REUSED');
  }
  return answer;
}

export async function receiveDirect(
  s: Service,
  message: Uint8Array,
  window_ms = DIRECT_WINDOW_MS,
): Promise<{ receipt: string }> {
  const now_ms = Date.now();
  // A refused request changes nothing: the window is a query over every payment kept.
  const d = await checkDirect(message, {
    collector: s.collector,
    now_ms,
    window_ms,
    seen: (S) => store.directSeen(s.db, toBase64url(S), now_ms - 2 * window_ms),
    issuers: await s.keysOf('issuer'),
    verifier: s.verifier,
    signer: s.signer(s.collector),
  });
  const origin = toHex(d.origin);
  const issuer = d.returns[0].issuer;
  try {
    await s.db.tx(async (sql) => {
      await store.insertDirect(sql, {
        S: toBase64url(d.S),
        origin,
        shop: d.shop,
        issuer,
        unit: d.unit,
        amount: d.amount,
        receivedAt: now_ms,
        receipt: toText(d.receipt),
      });
      await store.insertOutbox(
        sql,
        origin,
        d.returns.map((x) => ({ ...x, uses: 1 })),
      );
    });
  } catch (e) {
    // Two requests with one S at once: the primary key lets one through.
    if (isUniqueViolation(e)) refuse(422, 'E_WINDOW', 'this payment was already received');
    throw e;
  }
  return { receipt: toText(d.receipt) };
}

/** A new shop with its first token and its POS pairing link; 409 if the id is taken. */
export async function addShop(s: Service, id: string, label: string) {
  if (await s.party(id)) refuse(409, 'E_REQUEST', `${id} exists already`);
  let shop: { id: string; label: string; token: string };
  try {
    shop = await s.addParty(id, 'shop', label);
  } catch (e) {
    if (isUniqueViolation(e)) refuse(409, 'E_REQUEST', `${id} exists already`);
    throw e;
  }
  return { ...shop, pairing: pairingLink(s.origin, shop.id, shop.token) };
}

/** A new token for a shop, as a pairing link; 404 if there is no such shop. */
export async function pairShop(s: Service, id: string) {
  const shop = await shopOf(s, id);
  const token = await s.addToken(shop.id);
  return { id: shop.id, label: shop.label, token, pairing: pairingLink(s.origin, shop.id, token) };
}

/** How long a pairing code can be redeemed: the time to carry the tablet to the counter and scan it. */
export const PAIRING_CODE_MS = 10 * 60_000;

/** A code a person can also read out or type: 12 letters and digits without 0/O, 1/I/L, in groups of four. */
function newPairingCode(): string {
  const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

async function shopOf(s: Service, id: string) {
  const shop = await s.party(id);
  if (shop?.role !== 'shop' || shop.removed)
    return refuse(404, 'E_NOT_FOUND', shop && !shop.removed ? `${id} is not a shop` : `no shop ${id}`);
  return shop;
}

/** A one-time pairing code for one more POS of a shop, and its link. */
export async function pairingCode(s: Service, id: string) {
  const shop = await shopOf(s, id);
  const code = newPairingCode();
  const expiresAt = Date.now() + PAIRING_CODE_MS;
  await terminals.insertPairingCode(s.db, shop.id, code, expiresAt);
  return {
    shop: shop.id,
    label: shop.label,
    code,
    pairing: pairingCodeLink(s.origin, shop.id, code),
    expires: Math.floor(expiresAt / 1000),
  };
}

/**
 * A POS redeems a pairing code: a new terminal of the code's shop with its own token, in one transaction
 * with the code's use (the code's row is locked: of two redemptions at once, the second finds it used).
 */
export async function redeemPairingCode(s: Service, code: string, label = '') {
  const token = newToken();
  // Typed codes may come in lower case or without dashes.
  const typed = code
    .trim()
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
  const canonical = typed.length === 12 ? typed.match(/..../g)!.join('-') : code;
  return s.db.tx(async (sql) => {
    const c = await terminals.lockPairingCode(sql, canonical);
    const now = Date.now();
    if (!c) return refuse(401, 'E_AUTH', 'unknown pairing code: check it, or make a new one');
    if (c.usedAt !== null)
      return refuse(
        401,
        'E_AUTH',
        `this pairing code was used already (it paired ${c.terminal} of ${c.shop}): a code pairs one terminal; make a new one on the collector's page`,
      );
    if (now >= c.expiresAt)
      return refuse(
        401,
        'E_AUTH',
        `this pairing code expired (a code is valid ${PAIRING_CODE_MS / 60_000} minutes): make a new one on the collector's page`,
      );
    const shop = await s.party(c.shop, sql);
    if (!shop || shop.removed) return refuse(404, 'E_NOT_FOUND', `no shop ${c.shop}`);
    const terminal = await terminals.insertTerminal(sql, {
      shop: shop.id,
      code: canonical,
      label: label.trim(),
      token,
      now,
    });
    return { shop: shop.id, label: shop.label, terminal, token };
  });
}

export async function terminalsView(s: Service, id: string) {
  const shop = await shopOf(s, id);
  return { shop: shop.id, terminals: await terminals.listTerminals(s.db, shop.id) };
}

export async function revokeTerminal(s: Service, shop: string, terminal: string) {
  if (!(await terminals.revokeTerminal(s.db, shop, terminal, Date.now())))
    refuse(404, 'E_NOT_FOUND', `no terminal ${terminal} of ${shop} with a working token`);
  return { shop, terminal, revoked: true as const };
}

// --- the views of the collector's page ---------------------------------------------------------

export async function shopsView(s: Service) {
  return { collector: s.collector, shops: await store.listShops(s.db, nowSeconds()) };
}

export async function allocationsView(s: Service, shop: string | null): Promise<AllocationListJson> {
  const now = nowSeconds();
  return {
    allocations: (await store.listAllocations(s.db, shop)).map((r) => ({
      root: r.root,
      to: r.party,
      terminal: r.terminal,
      issued: r.issued,
      due: r.due,
      state: r.collected ? 'collected' : r.due <= now ? 'late' : 'open',
      digest: r.collected,
    })),
  };
}

export async function bagsView(s: Service) {
  return {
    bags: (await store.listBags(s.db)).map((r) => ({
      ...r.answer,
      tree: (r.answer as { tree?: BagTreeNodeJson[] }).tree ?? [],
      to: r.party,
      receivedAt: r.receivedAt,
      rejected: r.answer.rejected.map((x) => ({
        ...x,
        text: codeText(x.code),
      })),
    })),
  };
}

export async function refusedBagsView(s: Service) {
  return {
    refused: (await store.listRefusedBags(s.db)).map((r) => ({ ...r, text: codeText(r.code) })),
  };
}

export const totalsView = async (s: Service) => ({ totals: await store.acceptedTotals(s.db) });

export const directView = async (s: Service) => ({ direct: await store.listDirect(s.db) });

export async function outboxView(s: Service) {
  return {
    outbox: (await store.listOutbox(s.db)).map(({ message: _, answer, ...r }) => ({
      ...r,
      answer: answer ? JSON.parse(answer) : null,
    })),
  };
}
