// What the wallet does, without React: receive a ticket, pay a challenge, pay online. Every rule is
// the protocol's; this file only orders the steps and keeps what they produce.
import type { DenyListJson, DirectAnswerJson, RefusalJson } from '@moneybag/api';
import {
  type Bytes,
  bestVerifier,
  type Challenge,
  type Choice,
  checkPins,
  confirmPins,
  decode,
  directChallengeOf,
  encode,
  fail,
  formatAmount,
  fromBase64url,
  isProtocolError,
  type KeyChange,
  type Keys,
  keysOf,
  type PartyRole,
  readWellKnown,
  type Signer,
  selectTickets,
  signDirectPayment,
  signPayment,
  type Ticket,
  ticketId,
  toBase64url,
  toHex,
  type Verifier,
  verifyReceipt,
  verifyReceivedTicket,
} from '@moneybag/protocol';
import { SaidError, keyChangeText as words } from '@moneybag/web';
import {
  addTicket,
  type DB,
  getPayment,
  getPendingKeys,
  listParties,
  listTickets,
  type PartyLists,
  type PaymentRecord,
  putTrust,
  recordPayment,
  settleDirect,
  type TicketRecord,
} from './store.ts';
import { t } from './text.ts';

export const nowSeconds = () => Math.floor(Date.now() / 1000);

let verifier: Promise<Verifier> | undefined;
export const getVerifier = () => (verifier ??= bestVerifier());

/**
 * The service's `/.well-known/moneybag.json`, kept in the store for offline use. Each party's key is pinned
 * the first time it is seen (the parties kept are the pins); a document serving another key for a kept party
 * is held as pending, the old key still used, until the holder confirms it (`confirmKeys`).
 */
export async function refreshTrust(db: DB, origin: string, fetcher: typeof fetch = fetch): Promise<boolean> {
  let served: PartyLists;
  try {
    const res = await fetcher(new URL('/.well-known/moneybag.json', origin), { cache: 'no-store' });
    if (!res.ok) return false;
    served = readWellKnown(await res.json());
  } catch {
    return false; // offline: the kept keys serve
  }
  const kept = { issuers: await listParties(db, 'issuers'), collectors: await listParties(db, 'collectors') };
  const { changes, trusted } = checkPins(confirmPins(undefined, kept), served);
  await putTrust(db, trusted, changes.length ? { served, changes } : undefined);
  return true;
}

/** The holder checked the new keys: trust the document as it was served. */
export async function confirmKeys(db: DB): Promise<void> {
  const pending = await getPendingKeys(db);
  if (pending) await putTrust(db, pending.served, undefined);
}

/** A changed key in the holder's words: which party, and the fingerprints of its served and pinned key. */
export const keyChangeText = (c: KeyChange): string => words(c, t);

/** Nothing is done with a party whose key changed until the holder confirms it: said with both fingerprints. */
export async function unlessChanged(
  db: DB,
  party: PartyRole,
  id: string,
  what: 'keysNoTicket' | 'keysNoPayment' | 'keysNoReclaim',
): Promise<void> {
  const c = (await getPendingKeys(db))?.changes.find((x) => x.party === party && x.id === id);
  if (c)
    throw new SaidError(party === 'issuer' ? 'E_ISSUER' : 'E_COLLECTOR', `${keyChangeText(c)} ${t(what)}`);
}

/**
 * The issuers that deny this wallet's key (caught spending a ticket twice), from their deny lists, kept for
 * offline use. Offline, the last answer stays. The holder is told: nothing it signs for them will be taken.
 */
export async function refreshDenied(db: DB, holder: Bytes, fetcher: typeof fetch = fetch): Promise<string[]> {
  const mine = toBase64url(holder);
  const denied: string[] = [];
  for (const issuer of await listParties(db, 'issuers')) {
    try {
      // Named: the service at issuer.url may answer the lists of several issuers.
      const url = new URL(`/v1/denylist?issuer=${encodeURIComponent(issuer.id)}`, issuer.url);
      const res = await fetcher(url, { cache: 'no-store' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const list = (await res.json()) as DenyListJson;
      if (list.holders.includes(mine)) denied.push(issuer.id);
    } catch {
      // Not answered: what was known of this issuer stays.
      if (((await db.get('meta', 'denied')) as string[] | undefined)?.includes(issuer.id))
        denied.push(issuer.id);
    }
  }
  await db.put('meta', denied, 'denied');
  return denied;
}

export const deniedBy = async (db: DB): Promise<string[]> =>
  ((await db.get('meta', 'denied')) as string[] | undefined) ?? [];

export const trusted = async (db: DB, role: 'issuers' | 'collectors'): Promise<Keys> =>
  keysOf(await listParties(db, role));

/** Check a ticket received by QR or link, and keep it. Anything else is refused with the protocol's code. */
export async function receiveTicket(
  db: DB,
  holder: Bytes,
  message: Bytes,
  now = nowSeconds(),
): Promise<{ record: TicketRecord; fresh: boolean }> {
  await unlessChanged(db, 'issuer', decode(message, 'Ticket').issuer, 'keysNoTicket');
  const ticket = await verifyReceivedTicket(message, {
    issuers: await trusted(db, 'issuers'),
    holder,
    verifier: await getVerifier(),
    now,
  }).catch((e: unknown) => {
    if (isProtocolError(e) && e.code === 'E_FIELD' && /another wallet/.test(e.message))
      throw new SaidError('E_FIELD', t('otherWallet'));
    if (isProtocolError(e) && e.code === 'E_EXPIRED') throw new SaidError('E_EXPIRED', t('ticketExpired'));
    throw e;
  });
  const own = copyTicket(ticket); // decode gives views into the message: keep plain copies
  const before = await db.get('tickets', ticketId(own));
  const record = await addTicket(db, own);
  return { record, fresh: !before };
}

const copyTicket = (t: Ticket): Ticket => ({
  ...t,
  holder: t.holder.slice(),
  serial: t.serial.slice(),
  C: t.C.slice(),
});

/** A challenge read from a QR or link, ready to confirm: what it asks and which tickets would pay it. */
export interface Quote {
  challenge: Challenge;
  message: Bytes;
  choices: Choice[];
}

/** Everything that can make a payment impossible is said here, before anything is signed. */
export async function quote(db: DB, message: Bytes, now = nowSeconds()): Promise<Quote> {
  const d = decode(message, 'Challenge');
  const challenge: Challenge = { ...d, chal: d.chal.slice() };
  if (now >= challenge.expires) fail('E_CHALLENGE', 'this challenge has expired: ask the shop for a new one');
  if (await getPayment(db, toHex(challenge.chal))) fail('E_CHALLENGE', 'this challenge is already paid');
  const holdings = await listTickets(db);
  try {
    const choices = selectTickets(holdings, challenge.unit, challenge.amount, now);
    return { challenge, message, choices };
  } catch (e) {
    throw shortOf(e, holdings, challenge, now);
  }
}

/** A payment the wallet cannot make, said with what was asked and what the wallet has. */
function shortOf(e: unknown, holdings: TicketRecord[], c: Challenge, now: number): unknown {
  if (!isProtocolError(e)) return e;
  const asked = formatAmount(c.amount, c.unit);
  const has = formatAmount(
    balances(holdings, now)
      .filter((b) => b.unit === c.unit)
      .reduce((sum, b) => sum + b.left, 0),
    c.unit,
  );
  if (e.code === 'E_TOTAL' && /not enough/.test(e.message))
    return new SaidError('E_TOTAL', t('shortOf', { asked, has }));
  if (e.code === 'E_UNIT')
    return holdings.some((h) => h.ticket.unit === c.unit)
      ? new SaidError('E_UNIT', t('usedUp', { asked, unit: c.unit }))
      : new SaidError('E_UNIT', t('noUnit', { asked, unit: c.unit }));
  if (e.code === 'E_EXPIRED') return new SaidError('E_EXPIRED', t('allExpired', { asked, unit: c.unit }));
  return e;
}

/**
 * Sign the uses, then record spends, uses and payment in one transaction; only then is the
 * Payment message returned for display. Re-checks expiry: the person may have waited.
 */
export async function pay(db: DB, signer: Signer, q: Quote, now = nowSeconds()): Promise<PaymentRecord> {
  const { challenge, choices } = q;
  if (now >= challenge.expires) fail('E_CHALLENGE', 'this challenge has expired: ask the shop for a new one');
  const payment = await signPayment(signer, challenge, choices);
  const message = encode({ type: 'Payment', ...payment });
  const record: PaymentRecord = {
    id: toHex(challenge.chal),
    kind: 'pos',
    shop: challenge.shop,
    label: challenge.label,
    unit: challenge.unit,
    amount: challenge.amount,
    at: Date.now(),
    tickets: choices.map((c) => ({ id: ticketId(c.ticket), amount: c.amount })),
    message,
  };
  await recordPayment(
    db,
    record,
    payment.items.map((s) => ({
      ticket: ticketId(s.ticket),
      amount: s.amount,
      S: toHex(s.S),
      shop: challenge.shop,
      chal: challenge.chal,
    })),
  );
  return record;
}

/**
 * 3.5: pay a shop through a collector, online. One ticket (a DirectPayment carries one Spend),
 * recorded before it is sent: once signed, the use may reach the collector even if the answer is lost.
 */
export async function payDirect(
  db: DB,
  signer: Signer,
  p: { collector: string; shop: string; unit: string; amount: number },
  now_ms = Date.now(),
): Promise<PaymentRecord> {
  await unlessChanged(db, 'collector', p.collector, 'keysNoPayment');
  const holdings = await listTickets(db);
  const choices = selectTickets(holdings, p.unit, p.amount, Math.floor(now_ms / 1000));
  if (choices.length !== 1)
    fail('E_TOTAL', 'an online payment spends one ticket, and no single ticket has enough left');
  const [{ ticket, amount }] = choices;
  const direct = await signDirectPayment(
    signer,
    { collector: p.collector, shop: p.shop, time_ms: now_ms },
    choices[0],
  );
  const { S } = direct;
  const chal = directChallengeOf(p.collector, now_ms);
  const message = encode({ type: 'DirectPayment', ...direct });
  const record: PaymentRecord = {
    id: toHex(chal),
    kind: 'direct',
    shop: p.shop,
    label: p.shop,
    unit: p.unit,
    amount,
    at: now_ms,
    tickets: [{ id: ticketId(ticket), amount }],
    message,
    collector: p.collector,
    status: 'pending',
  };
  await recordPayment(db, record, [{ ticket: ticketId(ticket), amount, S: toHex(S), shop: p.shop, chal }]);
  return record;
}

/**
 * A direct payment's refusal as the wallet keeps it ("E_X: the collector's sentence"), read back as its code
 * and sentence, for `say` to put in the holder's words.
 */
export function refusalOf(error: string): { code?: string; message: string } {
  const m = /^(E_[A-Z_]+): ([\s\S]*)$/.exec(error);
  return m ? { code: m[1], message: m[2] } : { message: error };
}

/** Send a recorded direct payment to its collector and keep the signed Receipt (checked under its key). */
export async function sendDirect(
  db: DB,
  record: PaymentRecord,
  fetcher: typeof fetch = fetch,
): Promise<void> {
  const collector = (await listParties(db, 'collectors')).find((c) => c.id === record.collector);
  if (!collector) fail('E_COLLECTOR', `unknown collector ${record.collector}`);
  await unlessChanged(db, 'collector', collector.id, 'keysNoPayment');
  const res = await fetcher(new URL('/v1/direct', collector.url), {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.moneybag' },
    body: new Uint8Array(record.message),
  }).catch(() => {
    throw new Error(t('payOffline'));
  });
  // A 200 is a DirectAnswerJson; anything else a RefusalJson.
  const j = (await res.json().catch(() => ({}))) as Partial<DirectAnswerJson & RefusalJson>;
  if (!res.ok || !j.receipt) {
    const error = `${j.code ?? `HTTP ${res.status}`}: ${j.message ?? 'refused'}`;
    // A 4xx is a refusal to keep; a 5xx may be retried.
    if (res.status >= 400 && res.status < 500) await settleDirect(db, record.id, { error });
    throw Object.assign(new Error(j.message ?? error), { code: j.code });
  }
  const r = await verifyReceipt(fromBase64url(j.receipt), {
    S: decode(record.message, 'DirectPayment').S,
    collectors: keysOf([collector]),
    verifier: await getVerifier(),
  });
  if (r.collector !== collector.id) fail('E_COLLECTOR', 'the receipt is from another collector');
  await settleDirect(db, record.id, {
    receipt: {
      payment: record.id,
      collector: r.collector,
      received_ms: r.received_ms,
      message: fromBase64url(j.receipt),
    },
  });
}

/** Balance per unit and issuer, of what is unexpired and left. */
export function balances(tickets: TicketRecord[], now = nowSeconds()) {
  const out = new Map<string, { unit: string; issuer: string; left: number; count: number }>();
  for (const t of tickets) {
    if (t.left <= 0 || now >= t.ticket.expires) continue;
    const k = `${t.ticket.unit}/${t.ticket.issuer}`;
    const b = out.get(k) ?? { unit: t.ticket.unit, issuer: t.ticket.issuer, left: 0, count: 0 };
    b.left += t.left;
    b.count++;
    out.set(k, b);
  }
  return [...out.values()];
}

/** A ticket expiring within this many seconds gets a warning. */
export const EXPIRY_WARNING = 7 * 86_400;
