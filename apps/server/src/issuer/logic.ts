// The issuer's logic: tickets (3.1), settlement of Returns (5.3) with the proof of each incident, reclaims
// (5.4), the deny list, and the views its page reads. The checks are the protocol package's; this stores what
// they decide.
import {
  checkReclaim,
  decode,
  decodeViews,
  encode,
  fail,
  fromBase64url,
  fromText,
  issueTicket,
  judgeReturn,
  type ReclaimAnswerJson,
  type ReturnAnswerJson,
  type ReturnItem,
  reclaimAnswerJson,
  type Settlement,
  sameTicket,
  type Ticket,
  ticketId,
  toBase64url,
  toHex,
  toText,
  verifyReturn,
} from '@moneybag/protocol';
import { nowSeconds, type Service } from '../service.ts';
import * as store from '../storage/issuer.ts';
import { isUniqueViolation, type Sql } from '../storage/sql.ts';

/** A new ticket for a holder, stored, as its text form. */
export async function issue(
  s: Service,
  b: { holder: string; unit: string; face: number; expires: number },
): Promise<{ ticket: string }> {
  // A ticket dead on arrival is an operator's mistake (a date in the past), never what a holder wants.
  if (b.expires <= nowSeconds())
    fail('E_EXPIRED', '`expires` is not in the future: this ticket would be expired on arrival');
  const t = await issueTicket(s.signer(s.issuer), {
    issuer: s.issuer,
    unit: b.unit,
    face: b.face,
    holder: fromBase64url(b.holder),
    expires: b.expires,
  });
  return { ticket: await keep(s.db, t) };
}

/** Stores a ticket this issuer issued; its text form. */
async function keep(sql: Sql, t: Ticket): Promise<string> {
  const text = toText(encode({ type: 'Ticket', ...t }));
  await store.insertTicket(sql, {
    id: ticketId(t),
    C: t.C,
    holder: toBase64url(t.holder),
    unit: t.unit,
    face: t.face,
    expires: t.expires,
    message: text,
  });
  return text;
}

const useJson = (it: ReturnItem) => ({
  shop: it.shop,
  chal: toBase64url(it.chal),
  amount: it.amount,
  S: toBase64url(it.S),
});

/**
 * 5.3. The signatures first, on the verifier's workers, with no transaction open; then one transaction that
 * locks the rows of the tickets this Return touches (two Returns of one ticket, or a Return and a reclaim,
 * settle one after the other, so that they cannot both fit under its face; others at once), reads what the
 * judgement needs in a few bulk queries, and stores the outcome in a few bulk statements.
 */
export async function settle(s: Service, from: string, message: Uint8Array): Promise<ReturnAnswerJson> {
  // Its fields as views into the message, which is kept (it is stored): no copy of each S, C and challenge.
  const r = decodeViews(message, 'Return');
  const origin = toHex(r.origin);
  // The workers start on the signatures before anything is read: while this thread waits for the database
  // it goes on to the next request, and the workers would idle. A Return settled before (sent again) gets
  // its stored answer whatever the signatures say.
  const verified = verifyReturn(r, from, {
    collectors: s.keysOf('collector'),
    verifier: s.verifier,
    received: message,
  });
  verified.catch(() => {}); // (awaited below; its refusal is not unhandled while the answer is read)
  const stored = await store.settledAnswer(s.db, from, origin);
  if (stored) return stored;
  // What the transaction needs of each use, made while the workers verify: not while its locks are held.
  const ticketIds = r.items.map((it) => ticketId(it.ticket));
  const ids = [...new Set(ticketIds)];
  const idOf = new Map(r.items.map((it, i) => [it.ticket, ticketIds[i]]));
  const v = await verified;
  // The memory of S is probed first by the insert of the uses itself (its unique key), not by a lookup of each
  // S beforehand: a Return repeating an S (a collector's fault, rare) fails that insert, and nothing of it is
  // stored; it is judged again with its S looked up, and gets its E_DUPLICATE.
  let probe = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return await s.db.tx(async (sql) => {
        const tickets = await store.lockTickets(sql, ids);
        // Settled while this one waited for the locks (the same Return sent twice at once).
        const again = await store.settledAnswer(sql, from, origin);
        if (again) return again;
        // (the items' own S objects: judgeReturn asks with them)
        const returnedBefore = new Set<Uint8Array>();
        if (probe) {
          // The keys of the memory of S, made only for this lookup (and a duplicate's proof).
          const keys = r.items.map((it, i) => {
            const t = tickets.get(ticketIds[i]);
            return t && store.signatureKey(t.n, it.S);
          });
          const known = await store.rememberedSignatures(
            sql,
            keys.flatMap((k) => k ?? []),
          );
          keys.forEach((k, i) => {
            if (k && known.has(store.signatureKeyText(k))) returnedBefore.add(r.items[i].S);
          });
        }
        // A reclaim of a ticket takes its row's lock too (reclaim below): read under it.
        const reclaimed = await store.reclaimedOf(sql, ids);
        const result = await judgeReturn(v, {
          issuer: s.issuer,
          ids: ticketIds,
          store: {
            issued: issuedAmong(tickets, idOf),
            remembered: (S) => returnedBefore.has(S),
            spent: (id) => tickets.get(id)?.spent ?? 0,
            reclaimed: (id) => reclaimed.get(id) ?? 0,
          },
        });
        await record(sql, result, r.items, message, tickets, ticketIds);
        return result.answer;
      });
    } catch (e) {
      // An S returned before, or a Return of the same origin stored at once by another transaction that
      // locked no common ticket: judge again, now seeing it.
      if (!isUniqueViolation(e) || attempt >= 3) throw e;
      probe = true;
    }
  }
}

/** Whether a ticket's row (found by its id) holds exactly this ticket: the same fields and C (5.3 step 1). */
const issuedAs = (row: store.TicketState | undefined, t: Ticket): boolean =>
  row !== undefined && sameTicket(row.ticket, t);

/** issuedAs for the tickets a Return names, their rows locked and their ids made beforehand. */
const issuedAmong =
  (tickets: ReadonlyMap<string, store.TicketState>, idOf: ReadonlyMap<Ticket, string>) =>
  (t: Ticket): boolean =>
    issuedAs(tickets.get(idOf.get(t) ?? ticketId(t)), t);

async function record(
  sql: Sql,
  r: Settlement,
  items: readonly ReturnItem[],
  message: Uint8Array,
  tickets: ReadonlyMap<string, store.TicketState>,
  ticketIds: readonly string[],
): Promise<void> {
  const origin = toHex(r.origin);
  const now = Date.now();
  // Every remembered use's ticket was issued (judgeReturn checked it against these rows).
  const numberOf = (index: number) => (tickets.get(ticketIds[index]) as store.TicketState).n;
  const ret = await store.insertSettled(sql, {
    collector: r.from,
    origin,
    settled: r.answer.settled,
    answer: r.answer,
    message,
    at: now,
    owed: owedBy(r),
  });
  // (each ticket's settled sum follows in its row: the database's trigger adds the settled uses)
  if (r.remembered.length)
    await store.rememberUses(
      sql,
      ret,
      r.remembered.map(({ item, index, code }) => ({
        S: item.S,
        ticket: numberOf(index),
        amount: item.amount,
        idx: index,
        code: code ?? null,
      })),
    );
  if (!r.answer.rejected.length) return;
  // The proofs: the settled uses of each overspent ticket (this Return's included), the use returned
  // before with a duplicate's S; read in one query each, after this Return's uses were stored.
  const rejected = r.answer.rejected.map((x) => ({ ...x, item: items[x.index] }));
  const over = rejected.filter((x) => x.code === 'E_OVERSPENT');
  const dup = rejected.filter((x) => x.code === 'E_DUPLICATE');
  // A use returned after its ticket was reclaimed: the proof shows the ticket's settled uses and the reclaim.
  const late = rejected.filter((x) => x.code === 'E_RECLAIMED');
  const usesOf =
    over.length + late.length
      ? await store.settledUsesOf(
          sql,
          [...over, ...late].map((x) => numberOf(x.index)),
        )
      : new Map<string, store.EarlierUse[]>();
  const reclaims = new Map<string, store.ReclaimRow>();
  for (const id of new Set(late.map((x) => ticketId(x.item.ticket)))) {
    const row = await store.reclaimOf(sql, id);
    if (row) reclaims.set(id, row);
  }
  const keyOf = (index: number) => store.signatureKey(numberOf(index), items[index].S);
  const withS = dup.length
    ? await store.usesWithSignatures(
        sql,
        dup.map((x) => keyOf(x.index)),
      )
    : new Map<string, store.EarlierUse[]>();
  const denied = new Map<string, string>();
  for (const x of over) {
    const holder = toBase64url(x.item.ticket.holder);
    if (!denied.has(holder)) denied.set(holder, ticketId(x.item.ticket));
  }
  await store.denyHolders(
    sql,
    [...denied].map(([holder, ticket]) => ({ holder, ticket })),
    now,
  );
  await store.insertIncidents(
    sql,
    rejected.map(({ code, blame, index, item }) => ({
      code,
      blame,
      collector: r.from,
      origin,
      index,
      ticket: ticketId(item.ticket),
      holder: toBase64url(item.ticket.holder),
      proof: {
        use: useJson(item),
        ticket: toText(encode({ type: 'Ticket', ...item.ticket })),
        earlier:
          code === 'E_OVERSPENT' || code === 'E_RECLAIMED'
            ? (usesOf.get(String(numberOf(index))) ?? [])
            : code === 'E_DUPLICATE'
              ? (withS.get(store.signatureKeyText(keyOf(index))) ?? [])
              : [],
        ...(code === 'E_RECLAIMED' && reclaimProof(reclaims.get(ticketId(item.ticket)))),
      },
      at: now,
    })),
  );
}

/** What a Return's settled uses owe each shop, per unit. */
function owedBy(r: Settlement): { shop: string; unit: string; amount: number; uses: number }[] {
  type Owed = { shop: string; unit: string; amount: number; uses: number };
  const byShop = new Map<string, Map<string, Owed>>();
  for (const { item, code } of r.remembered) {
    if (code) continue;
    const unit = item.ticket.unit;
    let units = byShop.get(item.shop);
    if (!units) byShop.set(item.shop, (units = new Map()));
    let o = units.get(unit);
    if (!o) units.set(unit, (o = { shop: item.shop, unit, amount: 0, uses: 0 }));
    o.amount += item.amount;
    o.uses++;
  }
  return [...byShop.values()].flatMap((units) => [...units.values()]);
}

const reclaimProof = (r: store.ReclaimRow | undefined) =>
  r && { reclaim: { amount: r.amount, ticket: r.newTicket, at: r.at } };

/** How long a ticket issued for a reclaimed remainder is valid: a year (5.4 leaves it to the issuer). */
export const RECLAIMED_TICKET_LIFETIME = 365 * 86_400;

/**
 * 5.4 in one transaction with the record of the reclaim and the new ticket: the answer, the same for a retry.
 * A refusal throws the ProtocolError of its code (422), and nothing is stored.
 */
export async function reclaim(s: Service, message: Uint8Array): Promise<ReclaimAnswerJson> {
  // The reclaimed ticket's row locked, as a settlement locks it: both decide what is left of it.
  const id = ticketId(decode(message, 'Reclaim').ticket);
  return s.db.tx(async (sql) => {
    const locked = await store.lockTickets(sql, [id]);
    const now = nowSeconds();
    const out = await checkReclaim(message, {
      issuer: s.issuer,
      horizon: s.horizon,
      now,
      expires: now + RECLAIMED_TICKET_LIFETIME,
      verifier: s.verifier,
      signer: s.signer(s.issuer),
      store: {
        issued: (t) => issuedAs(locked.get(ticketId(t)), t),
        reclaim: async (id) => {
          const r = await store.reclaimOf(sql, id);
          return r && { ticket: decode(fromText(r.newTicket), 'Ticket'), amount: r.amount };
        },
        denied: (holder) => store.isDenied(sql, toBase64url(holder)),
        spent: (t) => locked.get(t)?.spent ?? 0,
      },
    });
    if ('retry' in out) return reclaimAnswerJson(out.answer);
    await keep(sql, out.answer.ticket);
    await store.insertReclaim(sql, {
      ticket: out.ticket,
      amount: out.answer.amount,
      newTicket: ticketId(out.answer.ticket),
      message: toText(message),
      at: Date.now(),
    });
    return reclaimAnswerJson(out.answer);
  });
}

export async function denylist(s: Service) {
  const rows = await store.listDenied(s.db);
  const updated = rows.reduce((m, r) => Math.max(m, Math.floor(r.at / 1000)), 0);
  return { issuer: s.issuer, holders: rows.map((r) => r.holder), updated };
}

// --- the views of the issuer's page ------------------------------------------------------------

export async function ticketsView(s: Service) {
  return {
    issuer: s.issuer,
    tickets: (await store.listTickets(s.db)).map((r) => ({
      id: r.id,
      serial: r.id.split('/')[1],
      holder: r.holder,
      unit: r.unit,
      face: r.face,
      expires: r.expires,
      issuedAt: r.issuedAt,
      spent: r.spent,
      reclaimed: r.reclaimed,
      left: r.face - r.spent - r.reclaimed,
      ticket: r.message,
    })),
  };
}

export async function settlementView(s: Service) {
  return {
    owed: await store.owed(s.db),
    returns: await store.listSettled(s.db),
    reclaims: await store.listReclaims(s.db),
  };
}

export const incidentsView = async (s: Service) => ({ incidents: await store.listIncidents(s.db) });
