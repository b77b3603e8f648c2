// Everything the POS does over the network, and the rules for when: pairing, the stock of money bag
// numbers, the deny list, and the outbox of closed bags. Between these calls the POS needs no network.
import type {
  AllocationRequestJson,
  AllocationsJson,
  BagAnswerJson,
  DenyListJson,
  MeJson,
  PairedJson,
  PairRequestJson,
} from '@moneybag/api';
import {
  type Code,
  checkPins,
  confirmPins,
  decode,
  fail,
  fromBase64url,
  fromHex,
  fromText,
  isCode,
  isId,
  isProtocolError,
  type KeyChange,
  keysOf,
  ProtocolError,
  readWellKnown,
  toHex,
  type Verifier,
  verifyAllocation,
  verifyBagAnswer,
} from '@moneybag/protocol';
import type { BagAnswer, BagRecord, DenyList, Directory, Pairing, Store } from './store.ts';

// --- rules ---------------------------------------------------------------------------------------

/** Numbers kept in stock, and the count below which the POS asks for more. */
export const STOCK_TARGET = 4;
export const STOCK_LOW = 2;
/** A bag closes by itself at this many uses, or this old (so that a day's takings travel together). */
export const BAG_MAX_USES = 500;
export const BAG_MAX_AGE_MS = 24 * 3600_000;
/** How long a challenge waits for its payment, in seconds. */
export const CHALLENGE_SECONDS = 120;
/** A deny list older than this is warned about. */
export const DENYLIST_STALE_MS = 24 * 3600_000;

/** Seconds before its due date that a number stops being filled: time to deliver it, even after a day offline. */
export const dueMargin = (b: Pick<BagRecord, 'issued' | 'due'>): number =>
  Math.min(2 * 86_400, Math.floor((b.due - b.issued) / 4));

/** Whether a stock number can still be opened now (ms). */
export const usable = (b: BagRecord, now: number): boolean => now / 1000 < b.due - dueMargin(b);

/** Why the open bag should close now, if it should. */
export function closeReason(b: BagRecord, now: number): string | undefined {
  if (b.count >= BAG_MAX_USES) return 'full';
  if (b.openedAt !== undefined && b.count > 0 && now - b.openedAt >= BAG_MAX_AGE_MS) return 'a day old';
  if (now / 1000 >= b.due - dueMargin(b)) return 'its due date is near';
  return undefined;
}

/** Delay before the next delivery attempt after `attempts` failures: 5 s doubling, at most 10 minutes. */
export const backoff = (attempts: number): number => Math.min(5000 * 2 ** Math.max(0, attempts - 1), 600_000);

// --- HTTP ----------------------------------------------------------------------------------------

/** The service could not be reached, or failed (5xx): try again later. */
export class Unreachable extends Error {
  override name = 'Unreachable';
}

/** A refusal of the service: a 4xx with the protocol's code. */
export class Refused extends ProtocolError {
  constructor(
    readonly status: number,
    code: Code,
    message?: string,
  ) {
    super(code, message);
  }
}

async function call(url: string, init: RequestInit = {}): Promise<unknown> {
  return (await request(url, init)).body;
}

/** As call, with the status: a relay answers 202 on a bag it holds until the collector has answered (7.1). */
async function request(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, cache: 'no-store' });
  } catch (e) {
    throw new Unreachable(`cannot reach ${new URL(url).host}: ${(e as Error).message}`);
  }
  if (res.status >= 500) throw new Unreachable(`${new URL(url).host} answered ${res.status}`);
  const body = await res.json().catch(() => undefined);
  if (!res.ok) {
    const b = body as { code?: string; message?: string } | undefined;
    const code = b && isCode(b.code) ? b.code : 'E_REQUEST';
    throw new Refused(res.status, code, b?.message ?? `${res.status} ${res.statusText}`);
  }
  return { status: res.status, body };
}

/** The service refused this terminal's token (401): revoked, or unknown there. Only pairing again helps. */
export const tokenRefused = (e: unknown): e is Refused => e instanceof Refused && e.status === 401;

const authed = (p: Pick<Pairing, 'token'>, extra: Record<string, string> = {}) => ({
  Authorization: `Bearer ${p.token}`,
  ...extra,
});

// --- pairing -------------------------------------------------------------------------------------

export async function fetchDirectory(url: string, now: number): Promise<Directory> {
  return { ...readWellKnown(await call(`${url}/.well-known/moneybag.json`)), fetchedAt: now };
}

/**
 * Redeem a one-time pairing code (the collector page's link): the service gives this terminal its own id and
 * token, once. What comes back is a token link, which `pair` then completes (and a retry reuses).
 */
export async function redeem(
  link: { url: string; code: string },
  label: string,
): Promise<{ url: string; shop: string; token: string; terminal: string }> {
  const r = (await call(`${link.url}/v1/pairings`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ code: link.code, ...(label && { label }) } satisfies PairRequestJson),
  })) as Partial<PairedJson> | undefined;
  if (!isId(r?.shop ?? '') || !isId(r?.terminal ?? '') || typeof r?.token !== 'string' || !r.token)
    fail('E_FIELD', 'the service gave no terminal id and token for this code');
  return { url: link.url, shop: r!.shop!, token: r!.token!, terminal: r!.terminal! };
}

/**
 * Pair this terminal: check the token with the service, fetch the directory, the deny lists and a stock
 * of numbers. Nothing is stored unless the service knows the token.
 */
export async function pair(
  store: Store,
  link: { url: string; shop: string; token: string },
  terminal: string,
  verifier: Verifier,
  now: number,
): Promise<Pairing> {
  if (!isId(terminal))
    fail('E_FIELD', 'a terminal name is lowercase letters, digits and . _ : - (e.g. pos-1)');
  const me = ((await call(`${link.url}/v1/me`, { headers: authed(link) })) ?? {}) as Partial<MeJson>;
  // A paired terminal's own token, or a relay's child's, names its terminal id, and the shop its uses name
  // (7.1): those, not the typed id nor a link made before the relay knew its own shop.
  const relayed = me?.terminal !== undefined;
  if (relayed && !(isId(me.terminal!) && isId(me.party ?? '')))
    fail('E_FIELD', 'the service named no terminal id');
  if (!relayed && me?.party !== link.shop) fail('E_FORBIDDEN', `this token is not the shop ${link.shop}'s`);
  const directory = await fetchDirectory(link.url, now);
  const pairing: Pairing = {
    ...link,
    shop: me.party!,
    terminal: me.terminal ?? terminal,
    label: me.label || link.shop,
    pairedAt: now,
  };
  // Pairing is the operator's act of trust: the keys served now are pinned (first use). Paired again, what the
  // old pairing left open goes to the outbox, to be sent with this token (store.setPaired).
  await store.setPaired(pairing, directory, confirmPins(await store.pins(), directory), now);
  await refreshDenyLists(store, now);
  await refill(store, verifier, now, true);
  return pairing;
}

/**
 * Shows the service that this terminal is there (the collector page's "last seen") and learns early that its
 * token was revoked (the refusal says so), between deliveries and refills, which alone would not tell.
 */
export async function checkPairing(store: Store): Promise<void> {
  const pairing = await store.pairing();
  if (pairing) await call(`${pairing.url}/v1/me`, { headers: authed(pairing) });
}

// --- trusted keys --------------------------------------------------------------------------------

/**
 * Fetch the well-known document again and hold it against the pinned keys. A new party is pinned; a changed
 * key is not used, but kept as pending until the operator confirms it (`confirmKeys`). Returns the changes.
 */
export async function refreshDirectory(store: Store, now: number): Promise<KeyChange[]> {
  const pairing = await store.pairing();
  if (!pairing) return [];
  const served = await fetchDirectory(pairing.url, now);
  const { pins, changes, trusted } = checkPins(await store.pins(), served);
  await store.setTrust(trusted, pins, changes.length ? { served, changes } : undefined);
  return changes;
}

/** The operator checked the new keys (with the collector, out of band): trust the document as served. */
export async function confirmKeys(store: Store): Promise<void> {
  const pending = await store.pendingKeys();
  if (pending)
    await store.setTrust(pending.served, confirmPins(await store.pins(), pending.served), undefined);
}

// --- numbers -------------------------------------------------------------------------------------

/**
 * Check Allocations from the collector or a relay: each names a collector of the directory, which signed it
 * (A over 3.2's body), is given to this shop (a root without a path) or through this terminal (the last step of
 * its path: under a relay the root's `to` is the main office or sub-collector), and is not already due.
 */
export async function verifyAllocations(
  texts: unknown,
  p: { directory: Directory; pairing: Pairing; verifier: Verifier; now: number },
) {
  if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string'))
    fail('E_FIELD', 'the collector sent no allocations');
  const list = (texts as string[]).map((t) => decode(fromText(t), 'Allocation'));
  const collectors = keysOf(p.directory.collectors);
  for (const a of list) {
    const last = a.path[a.path.length - 1];
    if (!last && a.to !== p.pairing.shop)
      fail('E_FIELD', `allocation given to ${a.to}, not to ${p.pairing.shop}`);
    if (last && last.terminal !== p.pairing.terminal) fail('E_FIELD', 'allocation for another terminal');
    if (p.now / 1000 >= a.due) fail('E_FIELD', 'allocation already due');
  }
  // A batch with one allocation not signed by a trusted collector is refused whole (E_COLLECTOR).
  await Promise.all(list.map((a) => verifyAllocation(a, { collectors, verifier: p.verifier })));
  return list;
}

/** Drop stock that can no longer be filled in time, and ask for numbers when the stock runs low. */
export async function refill(store: Store, verifier: Verifier, now: number, force = false): Promise<number> {
  const [pairing, directory] = await Promise.all([store.pairing(), store.directory()]);
  if (!pairing || !directory) return 0;
  const stock = await store.bagsIn('stock');
  for (const b of stock) if (!usable(b, now)) await store.dropStock(b.id);
  const left = stock.filter((b) => usable(b, now)).length;
  if (left >= STOCK_LOW && !force) return 0;
  const count = STOCK_TARGET - left;
  if (count <= 0) return 0;
  const body = (await call(`${pairing.url}/v1/allocations`, {
    method: 'POST',
    headers: authed(pairing, { 'Content-Type': 'application/json' }),
    body: JSON.stringify({ count, terminal: pairing.terminal } satisfies AllocationRequestJson),
  })) as Partial<AllocationsJson> | undefined;
  const list = await verifyAllocations(body?.allocations, { directory, pairing, verifier, now });
  return store.addAllocations(list);
}

// --- deny lists ----------------------------------------------------------------------------------

export async function refreshDenyLists(store: Store, now: number): Promise<DenyList[]> {
  const directory = await store.directory();
  const pairing = await store.pairing();
  if (!directory || !pairing) return [];
  // Each trusted issuer's list as the collector (or relay) this POS is paired with last fetched it: the
  // one service the POS reaches, which serves every issuer it knows (PROTOCOL.md 7, 7.1).
  const base = pairing.url.replace(/\/+$/, '');
  const lists: DenyList[] = [];
  for (const { id } of directory.issuers) {
    const d = (await call(`${base}/v1/denylist?issuer=${encodeURIComponent(id)}`)) as
      | Partial<DenyListJson>
      | undefined;
    if (d?.issuer !== id || !Array.isArray(d.holders)) fail('E_FIELD', `malformed deny list of ${id}`);
    lists.push({
      issuer: id,
      holders: d.holders.map((h) => toHex(fromBase64url(h))),
      updated: d.updated ?? 0,
      fetchedAt: now,
    });
  }
  await store.setDenyLists(lists);
  return lists;
}

// --- the outbox ----------------------------------------------------------------------------------

/**
 * Check the final answer on a bag: its signed Report is the bag's collector's, on this bag with its counts, or
 * (through relays) on the merged bag the answer names.
 */
export async function checkAnswer(
  answer: BagAnswer,
  bag: BagRecord,
  directory: Directory,
  verifier: Verifier,
) {
  await verifyBagAnswer(answer, {
    bag: { collector: bag.collector, root: decode(fromText(bag.allocation), 'Allocation').root },
    digest: fromHex(bag.digest!),
    collectors: keysOf(directory.collectors),
    verifier,
  });
}

/**
 * Deliver one closed bag (POST /v1/bags, idempotent by digest: the same bag again gets the same answer).
 * Delivered: the answer and its signed Report are kept. Refused whole (422, 409): kept with the refusal.
 * Unreachable or a server fault: tried again after a backoff. A relay's 202 (7.1): delivered, the collector's
 * answer to come; read with GET /v1/bags/<digest> after a backoff until it is there.
 */
export async function deliver(store: Store, bag: BagRecord, verifier: Verifier, now: () => number) {
  const [pairing, directory] = await Promise.all([store.pairing(), store.directory()]);
  if (!pairing || !directory || bag.state !== 'closed' || !bag.bag) return bag;
  try {
    const r = bag.relayed
      ? await request(`${pairing.url}/v1/bags/${bag.digest}`, { headers: authed(pairing) })
      : await request(`${pairing.url}/v1/bags`, {
          method: 'POST',
          headers: authed(pairing, { 'Content-Type': 'application/vnd.moneybag' }),
          body: fromText(bag.bag) as Uint8Array<ArrayBuffer>,
        });
    if (r.status === 202) {
      const state = (r.body as { state?: string })?.state === 'forwarded' ? 'forwarded' : 'waiting';
      const attempts = bag.relayed ? bag.attempts + 1 : 1;
      return (
        (await store.updateBag(bag.id, 'closed', {
          relayed: state,
          attempts,
          nextAttemptAt: now() + backoff(attempts),
          lastError: undefined,
        })) ?? bag
      );
    }
    const answer = r.body as BagAnswerJson;
    await checkAnswer(answer, bag, directory, verifier);
    return (
      (await store.updateBag(bag.id, 'closed', { state: 'delivered', answer, lastError: undefined })) ?? bag
    );
  } catch (e) {
    // The token refused: not this bag's fault, and no retry helps; the terminal must be paired again.
    if (tokenRefused(e)) throw e;
    if (e instanceof Refused && (e.status === 409 || e.status === 422)) {
      return (
        (await store.updateBag(bag.id, 'closed', {
          state: 'refused',
          refusal: { code: e.code, message: e.message },
        })) ?? bag
      );
    }
    if (!(e instanceof Unreachable) && !isProtocolError(e)) throw e;
    const attempts = bag.attempts + 1;
    return (
      (await store.updateBag(bag.id, 'closed', {
        attempts,
        nextAttemptAt: now() + backoff(attempts),
        lastError: e.message,
        lastCode: e instanceof ProtocolError ? e.code : undefined,
      })) ?? bag
    );
  }
}
