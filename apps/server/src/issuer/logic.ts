// The issuer's logic: tickets (3.1), settlement of Returns (5.3) with the proof of each incident, reclaims
// (5.4), the deny list, and the views its page reads. The checks are the protocol package's; this stores what
// they decide.
import {
  checkReclaim,
  decode,
  encode,
  fail,
  fromBase64url,
  fromText,
  issueTicket,
  type ReclaimAnswerJson,
  type ReturnItem,
  reclaimAnswerJson,
  type Settlement,
  settleReturn,
  type Ticket,
  ticketFingerprint,
  ticketId,
  toBase64url,
  toHex,
  toText,
} from '@moneybag/protocol';
import { nowSeconds, type Service } from '../service.ts';
import * as store from '../storage/issuer.ts';
import type { Sql } from '../storage/sql.ts';

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
    fingerprint: ticketFingerprint(t),
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

/** 5.3 in one transaction: the lookups and the writes see one state. */
export async function settle(s: Service, from: string, message: Uint8Array) {
  const collectors = await s.keysOf('collector');
  return s.db.tx(async (sql) => {
    // One settlement or reclaim at a time, so that two Returns of one ticket, or a Return and a reclaim,
    // cannot both fit under its face.
    await store.lockSettlements(sql);
    // Load what this Return's lookups need in a few queries, then answer settleReturn from memory.
    let r: ReturnType<typeof decode<'Return'>> | undefined;
    try {
      r = decode(message, 'Return');
    } catch {
      r = undefined; // settleReturn decodes again and throws the protocol's code
    }
    const items = r?.items ?? [];
    const issued = await store.issuedFingerprints(sql, [
      ...new Set(items.map((it) => ticketFingerprint(it.ticket))),
    ]);
    const remembered = await store.rememberedSignatures(sql, [
      ...new Set(items.map((it) => toBase64url(it.S))),
    ]);
    const ids = [...new Set(items.map((it) => ticketId(it.ticket)))];
    const spent = await store.spentOf(sql, ids);
    const reclaimed = await store.reclaimedOf(sql, ids);
    const result = await settleReturn(message, from, {
      issuer: s.issuer,
      collectors,
      verifier: s.verifier,
      store: {
        answered: (c, origin) => store.settledAnswer(sql, c, toHex(origin)),
        issued: (t) => issued.has(ticketFingerprint(t)),
        remembered: (S) => remembered.has(toBase64url(S)),
        spent: (id) => spent.get(id) ?? 0,
        reclaimed: (id) => reclaimed.get(id) ?? 0,
      },
    });
    if ('retry' in result) return result.answer;
    await record(sql, result, message);
    return result.answer;
  });
}

async function record(sql: Sql, r: Settlement, message: Uint8Array): Promise<void> {
  const origin = toHex(r.origin);
  const now = Date.now();
  const items = decode(message, 'Return').items;
  await store.insertSettled(sql, {
    collector: r.from,
    origin,
    settled: r.answer.settled,
    answer: r.answer,
    message: toText(message),
    at: now,
  });
  if (r.remembered.length)
    await store.rememberUses(
      sql,
      { collector: r.from, origin },
      r.remembered.map(({ item, index, code }) => ({
        S: item.S,
        ticket: ticketId(item.ticket),
        shop: item.shop,
        unit: item.ticket.unit,
        amount: item.amount,
        chal: item.chal,
        idx: index,
        code: code ?? null,
      })),
    );
  const codes = new Map(r.answer.rejected.map((x) => [x.index, x]));
  for (const [index, item] of items.entries()) {
    const rej = codes.get(index);
    if (!rej) continue;
    // The proof: the earlier uses of the ticket (overspent; and for a use returned after the ticket was
    // reclaimed, with the reclaim), or the use returned before with that S.
    let earlier: store.EarlierUse[] = [];
    let reclaim: store.ReclaimRow | undefined;
    if (rej.code === 'E_RECLAIMED') {
      earlier = await store.settledUsesOf(sql, ticketId(item.ticket));
      reclaim = await store.reclaimOf(sql, ticketId(item.ticket));
    } else if (rej.code === 'E_OVERSPENT') {
      earlier = await store.settledUsesOf(sql, ticketId(item.ticket));
      await store.denyHolder(sql, {
        holder: toBase64url(item.ticket.holder),
        ticket: ticketId(item.ticket),
        at: now,
      });
    } else if (rej.code === 'E_DUPLICATE') earlier = await store.usesWithSignature(sql, toBase64url(item.S));
    await store.insertIncident(sql, {
      code: rej.code,
      blame: rej.blame,
      collector: r.from,
      origin,
      index,
      ticket: ticketId(item.ticket),
      holder: toBase64url(item.ticket.holder),
      proof: {
        use: useJson(item),
        ticket: toText(encode({ type: 'Ticket', ...item.ticket })),
        earlier,
        ...(reclaim && { reclaim: { amount: reclaim.amount, ticket: reclaim.newTicket, at: reclaim.at } }),
      },
      at: now,
    });
  }
}

/** How long a ticket issued for a reclaimed remainder is valid: a year (5.4 leaves it to the issuer). */
export const RECLAIMED_TICKET_LIFETIME = 365 * 86_400;

/**
 * 5.4 in one transaction with the record of the reclaim and the new ticket: the answer, the same for a retry.
 * A refusal throws the ProtocolError of its code (422), and nothing is stored.
 */
export async function reclaim(s: Service, message: Uint8Array): Promise<ReclaimAnswerJson> {
  return s.db.tx(async (sql) => {
    await store.lockSettlements(sql); // with settlements: both decide what is left of a ticket
    const now = nowSeconds();
    const out = await checkReclaim(message, {
      issuer: s.issuer,
      horizon: s.horizon,
      now,
      expires: now + RECLAIMED_TICKET_LIFETIME,
      verifier: s.verifier,
      signer: s.signer(s.issuer),
      store: {
        issued: async (t) => (await store.issuedFingerprints(sql, [ticketFingerprint(t)])).size > 0,
        reclaim: async (id) => {
          const r = await store.reclaimOf(sql, id);
          return r && { ticket: decode(fromText(r.newTicket), 'Ticket'), amount: r.amount };
        },
        denied: (holder) => store.isDenied(sql, toBase64url(holder)),
        spent: async (id) => (await store.spentOf(sql, [id])).get(id) ?? 0,
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
