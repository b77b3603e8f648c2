// The collector's endpoints: allocations, bags (5.2), direct payments (3.5), and its admin JSON.
import {
  type AcceptedUse,
  type Allocation,
  allocate,
  type BagAnswerJson,
  bagAnswerJson,
  CODE_TEXT,
  checkBag,
  checkDirect,
  DIRECT_WINDOW_MS,
  decodeViews,
  encode,
  fromHex,
  isId,
  passDown,
  randomBytes,
  toBase64url,
  toHex,
  toText,
} from '@moneybag/protocol';
import type { FastifyInstance } from 'fastify';
import type { Sql } from './db.ts';
import { authenticate, guard, jsonBody, partyOf, rawBody, refuse } from './http.ts';
import { nowSeconds, pairingLink, type Service } from './service.ts';

export const BAG_LIMIT = 32 * 1024 * 1024;
export const DEFAULT_ALLOCATION_SECONDS = 30 * 24 * 3600;

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === '23505';

/** Many rows in few statements: PGlite and PostgreSQL both take ~1000 rows per INSERT comfortably. */
export async function insertMany(
  sql: Sql,
  table: string,
  columns: string[],
  rows: unknown[][],
): Promise<void> {
  const per = Math.max(1, Math.floor(1000 / columns.length) * 8);
  for (let i = 0; i < rows.length; i += per) {
    const chunk = rows.slice(i, i + per);
    const params: unknown[] = [];
    const values = chunk.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')})`);
    await sql.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, params);
  }
}

/**
 * Many rows in one statement whose columns are words: ids, base64url, hex, codes, integers (no space, not
 * empty; null allowed). Each column travels as one space-joined string that the database splits and
 * unnests: on PGlite, whose parameters are serialised and parsed on this thread, several times faster than
 * multi-row VALUES. `consts` fill the columns that are the same on every row.
 */
export async function insertWords(
  sql: Sql,
  table: string,
  columns: Record<string, { type: 'text' | 'integer' | 'bigint'; values: (string | number | null)[] }>,
  consts: Record<string, string | number> = {},
): Promise<void> {
  const names = Object.keys(columns);
  const params: unknown[] = [];
  const nullable = new Set<string>();
  const joined = names.map((name) => {
    const words = columns[name].values.map((v) => {
      if (v === null) {
        nullable.add(name);
        return '';
      }
      const w = String(v);
      if (w === '' || w.includes(' '))
        throw new Error(`insertWords: ${name} must be a word, not ${JSON.stringify(w)}`);
      return w;
    });
    return `string_to_array($${params.push(words.join(' '))}, ' ')`;
  });
  const picks = names.map((name) =>
    nullable.has(name) ? `NULLIF(x.${name}, '')::${columns[name].type}` : `x.${name}::${columns[name].type}`,
  );
  const constNames = Object.keys(consts);
  for (const k of constNames) picks.push(`$${params.push(consts[k])}`);
  await sql.query(
    `INSERT INTO ${table} (${[...names, ...constNames].join(', ')}) SELECT ${picks.join(', ')}
     FROM unnest(${joined.join(', ')}) AS x(${names.join(', ')})`,
    params,
  );
}

/** base64url by Node's native encoder: the same text as the protocol's toBase64url, many times faster on MBs. */
export const b64 = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

/**
 * A bag's accepted uses in a statement per (shop, issuer, unit), usually one: indexes and amounts as
 * integer arrays, the signatures as one space-joined string, unnested by the database. On PGlite the
 * fastest of the forms measured (multi-row VALUES took 3x longer, insertWords 1.3x).
 */
async function insertUses(sql: Sql, origin: string, accepted: readonly AcceptedUse[]) {
  const groups = new Map<
    string,
    { shop: string; issuer: string; unit: string; idx: number[]; amounts: number[]; sigs: string[] }
  >();
  for (let i = 0; i < accepted.length; i++) {
    const a = accepted[i];
    const { issuer, unit } = a.use.ticket;
    const key = `${a.shop} ${issuer} ${unit}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { shop: a.shop, issuer, unit, idx: [], amounts: [], sigs: [] }));
    g.idx.push(i);
    g.amounts.push(a.amount);
    g.sigs.push(b64(a.use.S));
  }
  for (const g of groups.values())
    await sql.query(
      `INSERT INTO accepted_uses (origin, idx, kind, shop, issuer, unit, amount, s)
       SELECT $1, x.idx, 'bag', $2, $3, $4, x.amount, x.s
       FROM unnest($5::int[], $6::bigint[], string_to_array($7, ' ')) AS x(idx, amount, s)`,
      [origin, g.shop, g.issuer, g.unit, g.idx, g.amounts, g.sigs.join(' ')],
    );
}

async function outboxRows(
  sql: Sql,
  origin: string,
  returns: { issuer: string; message: Uint8Array }[],
  uses: Map<string, number>,
) {
  const now = Date.now();
  await insertMany(
    sql,
    'outbox',
    ['issuer', 'origin', 'uses', 'message', 'next_attempt_at', 'created_at'],
    returns.map((r) => [r.issuer, origin, uses.get(r.issuer) ?? 0, b64(r.message), now, now]),
  );
}

export async function storedBag(
  s: Service,
  digest: string,
): Promise<{ party: string; answer: BagAnswerJson } | undefined> {
  const { rows } = await s.db.query<{ party: string; answer: string }>(
    'SELECT party, answer FROM bags WHERE digest = $1',
    [digest],
  );
  return rows[0] && { party: rows[0].party, answer: JSON.parse(rows[0].answer) };
}

/** 5.2 then one transaction: the root marked collected (a conditional UPDATE decides races), uses, report, outbox. */
export async function receiveBag(s: Service, sender: string, message: Uint8Array): Promise<BagAnswerJson> {
  const r = await checkBag(message, {
    collector: s.collector,
    sender,
    now: nowSeconds(),
    allocation: async (root) => {
      const { rows } = await s.db.query<{
        party: string;
        issued: string;
        due: string;
        collected: string | null;
      }>('SELECT party, issued, due, collected FROM allocations WHERE root = $1', [toBase64url(root)]);
      const a = rows[0];
      return (
        a && {
          to: a.party,
          issued: Number(a.issued),
          due: Number(a.due),
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
  try {
    await s.db.tx(async (sql) => {
      const won = await sql.query(
        'UPDATE allocations SET collected = $1 WHERE root = $2 AND collected IS NULL',
        [digest, root],
      );
      if (won.count !== 1) throw Object.assign(new Error('root taken'), { code: '23505' });
      await sql.query(
        'INSERT INTO bags (digest, root, party, received_at, accepted, answer) VALUES ($1, $2, $3, $4, $5, $6)',
        [digest, root, sender, Date.now(), r.accepted.length, JSON.stringify(answer)],
      );
      const perIssuer = new Map<string, number>();
      for (const a of r.accepted) {
        const issuer = a.use.ticket.issuer;
        perIssuer.set(issuer, (perIssuer.get(issuer) ?? 0) + 1);
      }
      if (r.accepted.length) await insertUses(sql, digest, r.accepted);
      await outboxRows(sql, digest, r.returns, perIssuer);
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    // Another request collected this root first: the same bag gets its answer, another bag is refused.
    const { rows } = await s.db.query<{ collected: string | null }>(
      'SELECT collected FROM allocations WHERE root = $1',
      [root],
    );
    if (rows[0]?.collected === digest) return (await storedBag(s, digest))!.answer;
    refuse(409, 'E_BAG_REUSED');
  }
  return answer;
}

export async function receiveDirect(s: Service, message: Uint8Array, window_ms = DIRECT_WINDOW_MS) {
  const now_ms = Date.now();
  // The window table keeps each S for twice the window; older rows can no longer matter.
  await s.db.query('DELETE FROM direct_payments WHERE received_at < $1', [now_ms - 2 * window_ms]);
  const d = await checkDirect(message, {
    collector: s.collector,
    now_ms,
    window_ms,
    seen: async (S) =>
      (await s.db.query('SELECT 1 FROM direct_payments WHERE s = $1', [toBase64url(S)])).count > 0,
    issuers: await s.keysOf('issuer'),
    verifier: s.verifier,
    signer: s.signer(s.collector),
  });
  const origin = toHex(d.origin);
  try {
    await s.db.tx(async (sql) => {
      await sql.query(
        'INSERT INTO direct_payments (s, origin, shop, unit, amount, received_at, receipt) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [toBase64url(d.S), origin, d.shop, d.unit, d.amount, now_ms, toText(d.receipt)],
      );
      const issuer = d.returns[0].issuer;
      await sql.query(
        'INSERT INTO accepted_uses (origin, idx, kind, shop, issuer, unit, amount, s) VALUES ($1, 0, $2, $3, $4, $5, $6, $7)',
        [origin, 'direct', d.shop, issuer, d.unit, d.amount, toBase64url(d.S)],
      );
      await outboxRows(sql, origin, d.returns, new Map([[issuer, 1]]));
    });
  } catch (e) {
    // Two requests with one S at once: the primary key lets one through.
    if (isUniqueViolation(e)) refuse(422, 'E_WINDOW', 'this payment was already received');
    throw e;
  }
  return { receipt: toText(d.receipt) };
}

const allocationSchema = {
  body: {
    type: 'object',
    required: ['count'],
    properties: {
      count: { type: 'integer', minimum: 1, maximum: 64 },
      terminal: { type: 'string', maxLength: 64 },
      seconds: { type: 'integer', minimum: 1, maximum: DEFAULT_ALLOCATION_SECONDS },
    },
  },
};
const shopSchema = {
  body: {
    type: 'object',
    required: ['id', 'label'],
    properties: { id: { type: 'string', maxLength: 64 }, label: { type: 'string', maxLength: 200 } },
  },
};

export function collectorRoutes(app: FastifyInstance, s: Service): void {
  app.post('/v1/allocations', { schema: allocationSchema, onRequest: guard(s, 'shop') }, async (req) => {
    const party = partyOf(req);
    const body = jsonBody<{ count: number; terminal?: string; seconds?: number }>(req);
    if (body.terminal !== undefined && !isId(body.terminal))
      refuse(400, 'E_REQUEST', 'terminal must be an id (lowercase letters, digits, . _ : -)');
    const issued = nowSeconds();
    const due = issued + (body.seconds ?? DEFAULT_ALLOCATION_SECONDS);
    const signer = s.signer(s.collector);
    const made: Allocation[] = [];
    for (let i = 0; i < body.count; i++) {
      const a = await allocate(signer, {
        collector: s.collector,
        to: party.id,
        root: randomBytes(16),
        issued,
        due,
      });
      // A fresh root for each, so the child's n is 0: it is fresh under that root.
      made.push(body.terminal ? passDown(a, body.terminal, 0) : a);
    }
    await s.db.tx((sql) =>
      insertMany(
        sql,
        'allocations',
        ['root', 'collector', 'party', 'terminal', 'issued', 'due', 'message'],
        made.map((a) => [
          toBase64url(a.root),
          s.collector,
          party.id,
          body.terminal ?? null,
          issued,
          due,
          toText(encode({ type: 'Allocation', ...a })),
        ]),
      ),
    );
    return { allocations: made.map((a) => toText(encode({ type: 'Allocation', ...a }))) };
  });

  app.post('/v1/bags', { bodyLimit: BAG_LIMIT, onRequest: guard(s, 'shop') }, async (req) => {
    const party = partyOf(req);
    return receiveBag(s, party.id, rawBody(req));
  });

  // A bag handed in by hand (a file a shop exported): the operator collects it as the party it names, so
  // every check of 5.2 applies as if that party had sent it (E_UNKNOWN_BAG if the root is not its own).
  app.post(
    '/v1/admin/collector/bags',
    { bodyLimit: BAG_LIMIT, onRequest: guard(s, 'collector') },
    async (req) => {
      const message = rawBody(req);
      let to = '';
      try {
        to = decodeViews(message, 'Bag').to;
      } catch {
        // receiveBag answers with the decoder's code
      }
      return receiveBag(s, to, message);
    },
  );

  app.get<{ Params: { digest: string } }>('/v1/bags/:digest', async (req) => {
    const party = await authenticate(s, req, 'shop');
    const found = /^[0-9a-f]{64}$/.test(req.params.digest)
      ? await storedBag(s, req.params.digest)
      : undefined;
    if (!found) return refuse(404, 'E_NOT_FOUND', 'no bag with this digest');
    if (found.party !== party.id) return refuse(403, 'E_FORBIDDEN', "another party's bag");
    return found.answer;
  });

  app.post('/v1/direct', async (req) => receiveDirect(s, rawBody(req)));

  // --- admin JSON for the collector's page ---------------------------------------------------
  const admin = (req: Parameters<typeof authenticate>[1]) => authenticate(s, req, 'collector');

  app.get('/v1/admin/collector/shops', async (req) => {
    await admin(req);
    const now = nowSeconds();
    const { rows } = await s.db.query<Record<string, string>>(
      `SELECT p.id, p.label, p.created_at,
         count(a.root) FILTER (WHERE a.collected IS NULL AND a.due > $1) AS open,
         count(a.root) FILTER (WHERE a.collected IS NOT NULL) AS collected,
         count(a.root) FILTER (WHERE a.collected IS NULL AND a.due <= $1) AS late
       FROM parties p LEFT JOIN allocations a ON a.party = p.id
       WHERE p.role = 'shop' GROUP BY p.id, p.label, p.created_at ORDER BY p.id`,
      [now],
    );
    return {
      collector: s.collector,
      shops: rows.map((r) => ({
        id: r.id,
        label: r.label,
        createdAt: Number(r.created_at),
        allocations: { open: Number(r.open), collected: Number(r.collected), late: Number(r.late) },
      })),
    };
  });

  app.post(
    '/v1/admin/collector/shops',
    { schema: shopSchema, onRequest: guard(s, 'collector') },
    async (req) => {
      const { id, label } = jsonBody<{ id: string; label: string }>(req);
      if (!isId(id)) refuse(400, 'E_REQUEST', 'a shop id is lowercase letters, digits, . _ : - (1..64)');
      if (await s.party(id)) refuse(409, 'E_REQUEST', `${id} exists already`);
      let shop: { id: string; label: string; token: string };
      try {
        shop = await s.addShop(id, label);
      } catch (e) {
        if (isUniqueViolation(e)) return refuse(409, 'E_REQUEST', `${id} exists already`);
        throw e;
      }
      return { ...shop, pairing: pairingLink(s.origin, shop.id, shop.token) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/admin/collector/shops/:id/token',
    { onRequest: guard(s, 'collector') },
    async (req) => {
      const shop = await s.party(req.params.id);
      if (shop?.role !== 'shop') return refuse(404, 'E_NOT_FOUND', `no shop ${req.params.id}`);
      const token = await s.addToken(shop.id);
      return { id: shop.id, label: shop.label, token, pairing: pairingLink(s.origin, shop.id, token) };
    },
  );

  app.get<{ Querystring: { shop?: string } }>('/v1/admin/collector/allocations', async (req) => {
    await admin(req);
    const shop = typeof req.query.shop === 'string' ? req.query.shop : null;
    const now = nowSeconds();
    const { rows } = await s.db.query<Record<string, string | null>>(
      `SELECT root, party, terminal, issued, due, collected FROM allocations
       WHERE ($1::text IS NULL OR party = $1) ORDER BY issued DESC, root LIMIT 500`,
      [shop],
    );
    return {
      allocations: rows.map((r) => ({
        root: r.root,
        to: r.party,
        terminal: r.terminal,
        issued: Number(r.issued),
        due: Number(r.due),
        state: r.collected ? 'collected' : Number(r.due) <= now ? 'late' : 'open',
        digest: r.collected,
      })),
    };
  });

  app.get('/v1/admin/collector/bags', async (req) => {
    await admin(req);
    const { rows } = await s.db.query<{ party: string; received_at: string; answer: string }>(
      'SELECT party, received_at, answer FROM bags ORDER BY received_at DESC LIMIT 200',
    );
    return {
      bags: rows.map((r) => {
        const a: BagAnswerJson = JSON.parse(r.answer);
        return {
          ...a,
          to: r.party,
          receivedAt: Number(r.received_at),
          rejected: a.rejected.map((x) => ({
            ...x,
            text: CODE_TEXT[x.code as keyof typeof CODE_TEXT] ?? x.code,
          })),
        };
      }),
    };
  });

  app.get('/v1/admin/collector/totals', async (req) => {
    await admin(req);
    const { rows } = await s.db.query<Record<string, string>>(
      'SELECT shop, unit, sum(amount) AS amount, count(*) AS uses FROM accepted_uses GROUP BY shop, unit ORDER BY shop, unit',
    );
    return {
      totals: rows.map((r) => ({
        shop: r.shop,
        unit: r.unit,
        amount: Number(r.amount),
        uses: Number(r.uses),
      })),
    };
  });

  app.get('/v1/admin/collector/direct', async (req) => {
    await admin(req);
    const { rows } = await s.db.query<Record<string, string>>(
      `SELECT origin, shop, unit, amount FROM accepted_uses WHERE kind = 'direct' ORDER BY origin LIMIT 500`,
    );
    return {
      direct: rows.map((r) => ({ origin: r.origin, shop: r.shop, unit: r.unit, amount: Number(r.amount) })),
    };
  });

  app.get('/v1/admin/collector/outbox', async (req) => {
    await admin(req);
    const { rows } = await s.db.query<Record<string, string | null>>(
      'SELECT * FROM outbox ORDER BY id DESC LIMIT 500',
    );
    return {
      outbox: rows.map((r) => ({
        id: Number(r.id),
        issuer: r.issuer,
        origin: r.origin,
        uses: Number(r.uses),
        state: r.state,
        attempts: Number(r.attempts),
        nextAttemptAt: Number(r.next_attempt_at),
        lastError: r.last_error,
        answer: r.answer ? JSON.parse(r.answer) : null,
        createdAt: Number(r.created_at),
      })),
    };
  });
}
