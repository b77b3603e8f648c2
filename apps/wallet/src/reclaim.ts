// Reclaim (3.8): what no shop collected of a ticket comes back, online, once no bag can bring a use of it
// any more (from expires + the issuer's horizon). Signed once and kept with the ticket, posted until the
// issuer answers; the answer's new ticket is checked and kept with the old one marked reclaimed.
import {
  DEFAULT_HORIZON,
  decode,
  encode,
  formatAmount,
  keysOf,
  reclaimableFrom,
  type Signer,
  signReclaim,
  type Ticket,
  ticketId,
  verifyReclaimAnswer,
} from '@moneybag/protocol';
import { formatTime, SaidError, say } from '@moneybag/web';
import {
  type DB,
  finishReclaim,
  listParties,
  listTickets,
  type ReclaimState,
  setReclaim,
  type TicketRecord,
} from './store.ts';
import { t as tx } from './text.ts';
import { getVerifier, nowSeconds, unlessChanged } from './wallet.ts';

/** The issuer's horizon, as its well-known entry last said (the default if it said none). */
export async function horizonOf(db: DB, issuer: string): Promise<number> {
  const p = (await listParties(db, 'issuers')).find((x) => x.id === issuer);
  return p?.horizon ?? DEFAULT_HORIZON;
}

/** When a ticket can be reclaimed, under its issuer's horizon. */
export const reclaimFrom = (t: Ticket, horizon: number) => reclaimableFrom(t, horizon);

/** Sign the Reclaim of a ticket (once: a ticket already signed for keeps its message) and keep it, pending. */
export async function startReclaim(db: DB, signer: Signer, record: TicketRecord): Promise<ReclaimState> {
  if (record.reclaim && record.reclaim.status !== 'refused') return record.reclaim;
  const reclaim = await signReclaim(signer, record.ticket);
  const state: ReclaimState = {
    message: encode({ type: 'Reclaim', ...reclaim }),
    at: Date.now(),
    status: 'pending',
    tries: 0,
  };
  await setReclaim(db, record.id, state);
  return state;
}

/** Said to the holder when the issuer refuses a Reclaim (5.4), in words with what to do. */
export function reclaimRefusal(code: string, message: string, t: Ticket, horizon: number): string {
  switch (code) {
    case 'E_WINDOW':
      return tx('reclaimTooEarly', { date: formatTime(reclaimFrom(t, horizon)) });
    case 'E_DENIED':
      return tx('reclaimDenied');
    case 'E_AMOUNT':
      return tx('reclaimNothing', { face: formatAmount(t.face, t.unit) });
    case 'E_NOT_ISSUED':
      return tx('reclaimUnknown');
    default:
      return say({ code, message }).text;
  }
}

/**
 * Post a pending Reclaim to its issuer. Answered: done (the new ticket kept) or refused (with the code).
 * Not answered (offline, the service down): still pending, tried again later; the error says so.
 */
export async function postReclaim(
  db: DB,
  record: TicketRecord,
  fetcher: typeof fetch = fetch,
): Promise<ReclaimState> {
  const state = record.reclaim;
  if (state?.status !== 'pending') return state as ReclaimState;
  const issuer = (await listParties(db, 'issuers')).find((p) => p.id === record.ticket.issuer);
  if (!issuer) throw new SaidError('E_ISSUER', tx('issuerWhere'));
  await unlessChanged(db, 'issuer', issuer.id, 'keysNoReclaim');
  const tried = { ...state, tries: state.tries + 1 };
  let res: Response;
  try {
    res = await fetcher(new URL('/v1/reclaims', issuer.url), {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.moneybag' },
      body: new Uint8Array(state.message),
    });
  } catch {
    await setReclaim(db, record.id, tried);
    throw new Error(tx('reclaimOffline'));
  }
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (res.status >= 400 && res.status < 500 && body.code) {
    const refused: ReclaimState = { ...tried, status: 'refused', code: body.code, error: body.message };
    await setReclaim(db, record.id, refused);
    return refused;
  }
  if (!res.ok) {
    await setReclaim(db, record.id, tried);
    throw new Error(tx('reclaimNoAnswer', { status: res.status }));
  }
  const answer = await verifyReclaimAnswer(body, {
    reclaim: decode(state.message, 'Reclaim'),
    issuers: keysOf([issuer]),
    verifier: await getVerifier(),
    now: nowSeconds(),
  });
  const fresh: Ticket = {
    ...answer.ticket,
    holder: answer.ticket.holder.slice(),
    serial: answer.ticket.serial.slice(),
    C: answer.ticket.C.slice(),
  };
  const done: ReclaimState = { ...tried, status: 'done', amount: answer.amount, ticket: ticketId(fresh) };
  await finishReclaim(db, record.id, done, fresh);
  return done;
}

/** Post every pending Reclaim (on start, when back online, now and then); errors stay with each. */
export async function postPending(db: DB, fetcher: typeof fetch = fetch): Promise<boolean> {
  let changed = false;
  for (const t of await listTickets(db))
    if (t.reclaim?.status === 'pending') {
      changed = true;
      await postReclaim(db, t, fetcher).catch(() => {});
    }
  return changed;
}
