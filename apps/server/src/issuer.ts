// The issuer's endpoints: tickets (3.1), settlement of Returns (5.3), the deny list, and its admin JSON.
import {
  decode,
  encode,
  fromBase64url,
  issueTicket,
  type ReturnItem,
  type Settlement,
  settleReturn,
  ticketFingerprint,
  ticketId,
  toBase64url,
  toHex,
  toText,
} from '@moneybag/protocol';
import type { FastifyInstance } from 'fastify';
import { b64, insertWords } from './collector.ts';
import type { Sql } from './db.ts';
import { authenticate, guard, jsonBody, partyOf, rawBody } from './http.ts';
import type { Service } from './service.ts';

export const RETURN_LIMIT = 32 * 1024 * 1024;

const ticketSchema = {
  body: {
    type: 'object',
    required: ['holder', 'unit', 'face', 'expires'],
    properties: {
      holder: { type: 'string', maxLength: 100 },
      unit: { type: 'string', maxLength: 20 },
      face: { type: 'integer' },
      expires: { type: 'integer' },
    },
  },
};

const useJson = (it: ReturnItem) => ({
  shop: it.shop,
  chal: toBase64url(it.chal),
  amount: it.amount,
  S: toBase64url(it.S),
});

/** 5.3 in one transaction: the lookups and the writes see one state; a lock serializes settlements. */
export async function settle(s: Service, from: string, message: Uint8Array) {
  const collectors = await s.keysOf('collector');
  return s.db.tx(async (sql) => {
    // One settlement at a time, so that two Returns of one ticket cannot both fit under its face.
    if (s.db.engine === 'postgres') await sql.query('SELECT pg_advisory_xact_lock(4242)');
    // Load what this Return's lookups need in a few queries, then answer settleReturn from memory.
    let r: ReturnType<typeof decode<'Return'>> | undefined;
    try {
      r = decode(message, 'Return');
    } catch {
      r = undefined; // settleReturn decodes again and throws the protocol's code
    }
    const items = r?.items ?? [];
    const fingerprints = [...new Set(items.map((it) => ticketFingerprint(it.ticket)))];
    const ids = [...new Set(items.map((it) => ticketId(it.ticket)))];
    const sigs = [...new Set(items.map((it) => toBase64url(it.S)))];
    const issued = new Set(
      (
        await sql.query<{ fingerprint: string }>(
          'SELECT fingerprint FROM tickets WHERE fingerprint = ANY($1)',
          [fingerprints],
        )
      ).rows.map((x) => x.fingerprint),
    );
    const remembered = new Set(
      (await sql.query<{ s: string }>('SELECT s FROM remembered_uses WHERE s = ANY($1)', [sigs])).rows.map(
        (x) => x.s,
      ),
    );
    const spent = new Map(
      (
        await sql.query<{ ticket: string; n: string }>(
          'SELECT ticket, sum(amount) AS n FROM remembered_uses WHERE ticket = ANY($1) AND code IS NULL GROUP BY ticket',
          [ids],
        )
      ).rows.map((x) => [x.ticket, Number(x.n)]),
    );
    const result = await settleReturn(message, from, {
      issuer: s.issuer,
      collectors,
      verifier: s.verifier,
      store: {
        answered: async (c, origin) => {
          const { rows } = await sql.query<{ answer: string }>(
            'SELECT answer FROM settled_returns WHERE collector = $1 AND origin = $2',
            [c, toHex(origin)],
          );
          return rows[0] && JSON.parse(rows[0].answer);
        },
        issued: (t) => issued.has(ticketFingerprint(t)),
        remembered: (S) => remembered.has(toBase64url(S)),
        spent: (id) => spent.get(id) ?? 0,
        reclaimed: () => 0, // this service takes no Reclaim yet (POST /v1/reclaims is to come)
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
  await sql.query(
    'INSERT INTO settled_returns (collector, origin, settled, answer, message, at) VALUES ($1, $2, $3, $4, $5, $6)',
    [r.from, origin, r.answer.settled, JSON.stringify(r.answer), toText(message), now],
  );
  // Proof of a duplicate: the use with that S returned before (from an earlier Return, or this one).
  const proofOfS = async (S: Uint8Array) => {
    const { rows } = await sql.query<Record<string, string>>(
      'SELECT shop, chal, amount, s, collector, origin FROM remembered_uses WHERE s = $1',
      [toBase64url(S)],
    );
    return rows.map((u) => ({ ...u, amount: Number(u.amount), S: u.s, s: undefined }));
  };
  const codes = new Map(r.answer.rejected.map((x) => [x.index, x]));
  const rows = r.remembered;
  if (rows.length)
    await insertWords(
      sql,
      'remembered_uses',
      {
        s: { type: 'text', values: rows.map(({ item }) => b64(item.S)) },
        ticket: { type: 'text', values: rows.map(({ item }) => ticketId(item.ticket)) },
        shop: { type: 'text', values: rows.map(({ item }) => item.shop) },
        unit: { type: 'text', values: rows.map(({ item }) => item.ticket.unit) },
        amount: { type: 'bigint', values: rows.map(({ item }) => item.amount) },
        chal: { type: 'text', values: rows.map(({ item }) => b64(item.chal)) },
        idx: { type: 'integer', values: rows.map(({ index }) => index) },
        code: { type: 'text', values: rows.map(({ code }) => code ?? null) },
      },
      { collector: r.from, origin },
    );
  for (const [index, item] of items.entries()) {
    const rej = codes.get(index);
    if (!rej) continue;
    let earlier: unknown[] = [];
    if (rej.code === 'E_OVERSPENT') {
      const { rows } = await sql.query<Record<string, string>>(
        `SELECT shop, chal, amount, s, collector, origin FROM remembered_uses
         WHERE ticket = $1 AND code IS NULL ORDER BY origin, idx`,
        [ticketId(item.ticket)],
      );
      earlier = rows.map((u) => ({
        shop: u.shop,
        chal: u.chal,
        amount: Number(u.amount),
        S: u.s,
        collector: u.collector,
        origin: u.origin,
      }));
      await sql.query(
        'INSERT INTO denylist (holder, ticket, at) VALUES ($1, $2, $3) ON CONFLICT (holder) DO NOTHING',
        [toBase64url(item.ticket.holder), ticketId(item.ticket), now],
      );
    } else if (rej.code === 'E_DUPLICATE') earlier = await proofOfS(item.S);
    await sql.query(
      `INSERT INTO incidents (code, blame, collector, origin, idx, ticket, holder, proof, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        rej.code,
        rej.blame,
        r.from,
        origin,
        index,
        ticketId(item.ticket),
        toBase64url(item.ticket.holder),
        JSON.stringify({
          use: useJson(item),
          ticket: toText(encode({ type: 'Ticket', ...item.ticket })),
          earlier,
        }),
        now,
      ],
    );
  }
}

export async function denylist(s: Service) {
  const { rows } = await s.db.query<{ holder: string; at: string }>(
    'SELECT holder, at FROM denylist ORDER BY at, holder',
  );
  const updated = rows.reduce((m, r) => Math.max(m, Math.floor(Number(r.at) / 1000)), 0);
  return { issuer: s.issuer, holders: rows.map((r) => r.holder), updated };
}

export function issuerRoutes(app: FastifyInstance, s: Service): void {
  app.post('/v1/tickets', { schema: ticketSchema, onRequest: guard(s, 'issuer') }, async (req) => {
    const b = jsonBody<{ holder: string; unit: string; face: number; expires: number }>(req);
    const t = await issueTicket(s.signer(s.issuer), {
      issuer: s.issuer,
      unit: b.unit,
      face: b.face,
      holder: fromBase64url(b.holder),
      expires: b.expires,
    });
    const text = toText(encode({ type: 'Ticket', ...t }));
    await s.db.query(
      `INSERT INTO tickets (id, fingerprint, holder, unit, face, expires, issued_at, message)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [ticketId(t), ticketFingerprint(t), toBase64url(t.holder), t.unit, t.face, t.expires, Date.now(), text],
    );
    return { ticket: text };
  });

  app.post('/v1/returns', { bodyLimit: RETURN_LIMIT, onRequest: guard(s, 'collector') }, async (req) => {
    const party = partyOf(req);
    return settle(s, party.id, rawBody(req));
  });

  app.get('/v1/denylist', async () => denylist(s));

  const admin = (req: Parameters<typeof authenticate>[1]) => authenticate(s, req, 'issuer');

  app.get('/v1/admin/issuer/tickets', async (req) => {
    await admin(req);
    const { rows } = await s.db.query<Record<string, string>>(
      `SELECT t.*, coalesce((SELECT sum(amount) FROM remembered_uses u WHERE u.ticket = t.id AND u.code IS NULL), 0) AS spent
       FROM tickets t ORDER BY issued_at DESC, id LIMIT 500`,
    );
    return {
      issuer: s.issuer,
      tickets: rows.map((r) => ({
        id: r.id,
        serial: r.id.split('/')[1],
        holder: r.holder,
        unit: r.unit,
        face: Number(r.face),
        expires: Number(r.expires),
        issuedAt: Number(r.issued_at),
        spent: Number(r.spent),
        left: Number(r.face) - Number(r.spent),
        ticket: r.message,
      })),
    };
  });

  app.get('/v1/admin/issuer/settlement', async (req) => {
    await admin(req);
    const owed = await s.db.query<Record<string, string>>(
      `SELECT shop, unit, sum(amount) AS amount, count(*) AS uses FROM remembered_uses
       WHERE code IS NULL GROUP BY shop, unit ORDER BY shop, unit`,
    );
    const returns = await s.db.query<Record<string, string>>(
      'SELECT collector, origin, settled, answer, at FROM settled_returns ORDER BY at DESC LIMIT 500',
    );
    return {
      owed: owed.rows.map((r) => ({
        shop: r.shop,
        unit: r.unit,
        amount: Number(r.amount),
        uses: Number(r.uses),
      })),
      returns: returns.rows.map((r) => ({
        collector: r.collector,
        origin: r.origin,
        settled: Number(r.settled),
        rejected: JSON.parse(r.answer).rejected.length,
        at: Number(r.at),
      })),
    };
  });

  app.get('/v1/admin/issuer/incidents', async (req) => {
    await admin(req);
    const { rows } = await s.db.query<Record<string, string>>(
      'SELECT * FROM incidents ORDER BY id DESC LIMIT 500',
    );
    return {
      incidents: rows.map((r) => ({
        id: Number(r.id),
        code: r.code,
        blame: r.blame,
        collector: r.collector,
        origin: r.origin,
        index: Number(r.idx),
        ticket: r.ticket,
        holder: r.holder,
        at: Number(r.at),
        proof: JSON.parse(r.proof),
      })),
    };
  });
}
