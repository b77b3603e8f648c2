// Every endpoint over real HTTP against a real server process: successes, refusal codes, restart.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bodyOfUse,
  decode,
  digestOf,
  directChallengeOf,
  encode,
  fromHex,
  fromText,
  issueTicket,
  makeReturns,
  type ReturnItem,
  seedSigner,
  ticketId,
  toBase64url,
  toHex,
} from '@moneybag/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allocations,
  bagOf,
  call,
  holder,
  issue,
  type Server,
  startServer,
  usesFor,
  waitFor,
} from './helpers.ts';

let server: Server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const shopToken = () => server.demo.shops[0].token;
const admin = (path: string, token = server.demo.collector.token) => call(server, 'GET', path, { token });

describe('first start', () => {
  it('writes demo.json with the three parties and keys readable by the owner only', async () => {
    expect(server.demo.issuer.id).toBe('city-transit');
    expect(server.demo.collector.id).toBe('first-bank');
    expect(server.demo.shops.map((s) => s.id)).toEqual(['acme-coffee']);
    const { statSync } = await import('node:fs');
    expect(statSync(join(server.data, 'keys', 'first-bank.seed')).mode & 0o777).toBe(0o600);
    expect(statSync(join(server.data, 'keys', 'city-transit.seed')).mode & 0o777).toBe(0o600);
  });
  it('runs on the embedded PostgreSQL, or on the PostgreSQL server of DATABASE_URL', () => {
    expect(server.output()).toMatch(
      process.env.DATABASE_URL ? /\(PostgreSQL [\d.]+\) on/ : /\(PostgreSQL [\d.]+ \(embedded\)\) on/,
    );
  });
  it('serves the well-known document with the keys of the data folder', async () => {
    const r = await call(server, 'GET', '/.well-known/moneybag.json');
    expect(r.status).toBe(200);
    expect(r.body.version).toBe(1);
    const seed = readFileSync(join(server.data, 'keys', 'first-bank.seed'), 'utf8').trim();
    expect(r.body.collectors[0]).toEqual({
      id: 'first-bank',
      publicKey: toBase64url(seedSigner(fromHex(seed)).publicKey),
      url: expect.stringMatching(/^http:\/\/localhost:\d+$/),
    });
    expect(r.body.issuers[0].id).toBe('city-transit');
  });
  it('answers CORS preflights from any origin', async () => {
    const res = await fetch(`${server.url}/v1/bags`, {
      method: 'OPTIONS',
      headers: { origin: 'http://elsewhere.test', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('auth', () => {
  it('is 401 without or with an unknown token, 403 with another role', async () => {
    expect((await call(server, 'POST', '/v1/allocations', { json: { count: 1 } })).body.code).toBe('E_AUTH');
    const r = await call(server, 'POST', '/v1/allocations', { token: 'nope', json: { count: 1 } });
    expect([r.status, r.body.code]).toEqual([401, 'E_AUTH']);
    const f = await call(server, 'POST', '/v1/allocations', {
      token: server.demo.issuer.token,
      json: { count: 1 },
    });
    expect([f.status, f.body.code]).toEqual([403, 'E_FORBIDDEN']);
    const t = await call(server, 'POST', '/v1/tickets', { token: shopToken(), json: {} });
    expect([t.status, t.body.code]).toEqual([403, 'E_FORBIDDEN']);
    const a = await admin('/v1/admin/collector/shops', server.demo.issuer.token);
    expect(a.status).toBe(403);
    expect((await admin('/v1/admin/issuer/tickets')).status).toBe(403);
  });
  it('/v1/me names the party of a token', async () => {
    expect((await admin('/v1/me')).body).toEqual({
      party: 'first-bank',
      role: 'collector',
      label: 'First Bank',
    });
  });
});

describe('tickets', () => {
  it('issues a ticket bound to the holder key', async () => {
    const h = holder(1);
    const t = await issue(server, h, 1000);
    expect(t.issuer).toBe('city-transit');
    expect(toHex(t.holder)).toBe(toHex(h.publicKey));
    expect(t.face).toBe(1000);
  });
  it('refuses a holder key failing check 1 with 422 E_FIELD, a bad body with 400 E_REQUEST', async () => {
    const token = server.demo.issuer.token;
    const small = toBase64url(new Uint8Array(32)); // y = 0: a point of small order
    const r = await call(server, 'POST', '/v1/tickets', {
      token,
      json: { holder: small, unit: 'EUR', face: 1, expires: 2e9 },
    });
    expect([r.status, r.body.code]).toEqual([422, 'E_FIELD']);
    const h = toBase64url(holder(1).publicKey);
    const f = await call(server, 'POST', '/v1/tickets', {
      token,
      json: { holder: h, unit: 'EUR', face: 0, expires: 2e9 },
    });
    expect([f.status, f.body.code]).toEqual([422, 'E_FIELD']);
    // An `expires` already past: refused, nothing issued.
    const before = (await call(server, 'GET', '/v1/admin/issuer/tickets', { token })).body.tickets.length;
    const past = await call(server, 'POST', '/v1/tickets', {
      token,
      json: { holder: h, unit: 'EUR', face: 1, expires: Math.floor(Date.now() / 1000) - 1 },
    });
    expect([past.status, past.body.code]).toEqual([422, 'E_EXPIRED']);
    expect((await call(server, 'GET', '/v1/admin/issuer/tickets', { token })).body.tickets).toHaveLength(
      before,
    );
    const s = await call(server, 'POST', '/v1/tickets', {
      token,
      json: { holder: h, unit: 'EUR', face: '10', expires: 2e9 },
    });
    expect([s.status, s.body.code]).toEqual([400, 'E_REQUEST']);
    const j = await call(server, 'POST', '/v1/tickets', {
      token,
      body: '{"holder":',
      type: 'application/json',
    });
    expect([j.status, j.body.code]).toEqual([400, 'E_REQUEST']);
    const c = await call(server, 'POST', '/v1/tickets', { token, body: 'holder=x', type: 'text/plain' });
    expect([c.status, c.body.code]).toEqual([400, 'E_REQUEST']);
  });
});

describe('allocations and bags', () => {
  it('allocates signed roots to the shop, with a terminal path when asked', async () => {
    const [a, b] = await allocations(server, 2, { terminal: 'pos-1' });
    expect(a.to).toBe('acme-coffee');
    expect(a.collector).toBe('first-bank');
    expect(a.path).toEqual([{ terminal: 'pos-1', n: 0 }]);
    expect(toHex(a.root)).not.toBe(toHex(b.root));
    for (const count of [0, 65]) {
      const r = await call(server, 'POST', '/v1/allocations', { token: shopToken(), json: { count } });
      expect([r.status, r.body.code]).toEqual([400, 'E_REQUEST']);
    }
    const t = await call(server, 'POST', '/v1/allocations', {
      token: shopToken(),
      json: { count: 1, terminal: 'POS 1' },
    });
    expect(t.status).toBe(400);
  });

  it('collects a bag: accepted and rejected uses, totals, report; the same bag again gets the same answer', async () => {
    const h = holder(2);
    const t1 = await issue(server, h, 1000);
    const t2 = await issue(server, h, 500);
    const [a] = await allocations(server, 1, { terminal: 'pos-1' });
    const uses = await usesFor(a, [
      { ticket: t1, amount: 250, signer: h },
      { ticket: t2, amount: 500, signer: h },
      { ticket: t1, amount: 2000, signer: h }, // over the face
      { ticket: t1, amount: 100, signer: holder(3) }, // not the holder's signature
    ]);
    const bag = bagOf(a, [...uses, uses[0]]); // and a copy of the first use
    const r = await call(server, 'POST', '/v1/bags', { token: shopToken(), raw: bag });
    expect(r.status).toBe(200);
    expect(r.body.accepted).toBe(2);
    expect(r.body.totals).toEqual({ EUR: 750 });
    expect(r.body.rejected).toEqual([
      { path: [['pos-1', 0]], deal: 2, index: 2, code: 'E_AMOUNT' },
      { path: [['pos-1', 0]], deal: 3, index: 3, code: 'E_USE_SIGNATURE' },
      { path: [['pos-1', 0]], deal: 0, index: 4, code: 'E_DUPLICATE' },
    ]);
    const report = decode(fromText(r.body.report), 'Report');
    expect(toHex(report.bag_digest)).toBe(r.body.digest);
    expect([report.accepted_count, report.rejected_count]).toEqual([2, 3]);
    const again = await call(server, 'POST', '/v1/bags', { token: shopToken(), raw: bag });
    expect(again).toEqual(r);
    const got = await call(server, 'GET', `/v1/bags/${r.body.digest}`, { token: shopToken() });
    expect(got).toEqual(r);

    // A different bag on the collected root.
    const other = bagOf(a, [uses[0]]);
    const re = await call(server, 'POST', '/v1/bags', { token: shopToken(), raw: other });
    expect([re.status, re.body.code]).toEqual([409, 'E_BAG_REUSED']);
    // Nothing of it is kept but the note on the collector's page: who sent it and why.
    const refused = await admin('/v1/admin/collector/bags/refused');
    expect(refused.body.refused[0]).toMatchObject({
      party: 'acme-coffee',
      code: 'E_BAG_REUSED',
      text: 'this money bag number was already collected',
      root: toBase64url(a.root),
      uses: 1,
    });
    expect((await admin('/v1/admin/collector/bags/refused', shopToken())).status).toBe(403);

    // The accepted uses reach the issuer through the outbox and settle.
    const owed = await waitFor(async () => {
      const s = await admin('/v1/admin/issuer/settlement', server.demo.issuer.token);
      return s.body.owed.find((o: { shop: string }) => o.shop === 'acme-coffee')?.amount >= 750 && s.body;
    });
    expect(owed.returns.some((x: { origin: string }) => x.origin === r.body.digest)).toBe(true);
    const outbox = await admin('/v1/admin/collector/outbox');
    const row = outbox.body.outbox.find((o: { origin: string }) => o.origin === r.body.digest);
    expect(row).toMatchObject({
      issuer: 'city-transit',
      state: 'delivered',
      uses: 2,
      answer: { settled: 2, rejected: [] },
    });
    const tickets = await admin('/v1/admin/issuer/tickets', server.demo.issuer.token);
    const t = tickets.body.tickets.find((x: { id: string }) => x.id === `city-transit/${toHex(t1.serial)}`);
    expect([t.spent, t.left]).toEqual([250, 750]);
  });

  it('refuses bag-level faults with 422 and their codes, storing nothing', async () => {
    const h = holder(4);
    const t = await issue(server, h, 100);
    const [a] = await allocations(server, 1);
    const uses = await usesFor(a, [{ ticket: t, amount: 10, signer: h }]);
    const post = (raw: Uint8Array, token = shopToken()) => call(server, 'POST', '/v1/bags', { token, raw });
    const e1 = await post(bagOf({ ...a, collector: 'other-bank' }, uses));
    expect([e1.status, e1.body.code]).toEqual([422, 'E_COLLECTOR']);
    const e2 = await post(bagOf({ ...a, root: new Uint8Array(16).fill(9) }, uses));
    expect([e2.status, e2.body.code]).toEqual([422, 'E_UNKNOWN_BAG']);
    const e3 = await post(bagOf(a, uses).subarray(0, 40));
    expect([e3.status, e3.body.code]).toEqual([422, 'E_TRUNCATED']);
    const e4 = await post(new Uint8Array([0x4d, 2, 5]));
    expect([e4.status, e4.body.code]).toEqual([422, 'E_VERSION']);
    const e5 = await call(server, 'POST', '/v1/bags', { token: shopToken(), json: { bag: 1 } });
    expect([e5.status, e5.body.code]).toEqual([400, 'E_REQUEST']);
    // Another shop sending this shop's number.
    const other = await call(server, 'POST', '/v1/admin/collector/shops', {
      token: server.demo.collector.token,
      json: { id: 'bakery', label: 'Bakery' },
    });
    const e6 = await post(bagOf(a, uses), other.body.token);
    expect([e6.status, e6.body.code]).toEqual([422, 'E_UNKNOWN_BAG']);
    // Late: an allocation valid for one second.
    const [late] = await allocations(server, 1, { seconds: 1 });
    const lateUses = await usesFor(late, [{ ticket: t, amount: 10, signer: h }]);
    await waitFor(async () => Date.now() / 1000 >= late.due + 0.05 || undefined, 5000);
    const e7 = await post(bagOf(late, lateUses));
    expect([e7.status, e7.body.code]).toEqual([422, 'E_BAG_LATE']);
    // Nothing was stored: the root is still open and takes its bag.
    const ok = await post(bagOf(a, uses));
    expect([ok.status, ok.body.accepted]).toEqual([200, 1]);
    const list = await admin('/v1/admin/collector/allocations?shop=acme-coffee');
    const states = Object.fromEntries(
      list.body.allocations.map((x: { root: string; state: string }) => [x.root, x.state]),
    );
    expect(states[toBase64url(a.root)]).toBe('collected');
    expect(states[toBase64url(late.root)]).toBe('late');
  });

  it('GET /v1/bags/<digest>: 404 unknown, 403 for another shop', async () => {
    const r = await call(server, 'GET', `/v1/bags/${'ab'.repeat(32)}`, { token: shopToken() });
    expect([r.status, r.body.code]).toEqual([404, 'E_NOT_FOUND']);
    const bags = await admin('/v1/admin/collector/bags');
    const digest = bags.body.bags[0].digest;
    const shop = await call(server, 'POST', '/v1/admin/collector/shops', {
      token: server.demo.collector.token,
      json: { id: 'kiosk', label: 'Kiosk' },
    });
    const f = await call(server, 'GET', `/v1/bags/${digest}`, { token: shop.body.token });
    expect([f.status, f.body.code]).toEqual([403, 'E_FORBIDDEN']);
  });

  it('a bag handed in by the operator is collected for the shop it names, and only for it', async () => {
    const h = holder(5);
    const t = await issue(server, h, 300);
    const [a] = await allocations(server, 1);
    const bag = bagOf(a, await usesFor(a, [{ ticket: t, amount: 300, signer: h }]));
    const operator = server.demo.collector.token;
    const shopOnly = await call(server, 'POST', '/v1/admin/collector/bags', { token: shopToken(), raw: bag });
    expect([shopOnly.status, shopOnly.body.code]).toEqual([403, 'E_FORBIDDEN']);
    // The same bag naming another party: its root was not allocated to that party.
    const stray = encode({ ...decode(bag, 'Bag'), to: 'kiosk-2' });
    const s = await call(server, 'POST', '/v1/admin/collector/bags', { token: operator, raw: stray });
    expect([s.status, s.body.code]).toEqual([422, 'E_UNKNOWN_BAG']);
    const junk = await call(server, 'POST', '/v1/admin/collector/bags', {
      token: operator,
      raw: bag.subarray(0, 40),
    });
    expect([junk.status, junk.body.code]).toEqual([422, 'E_TRUNCATED']);
    // Both noted for the page: the stray as the party it names, the junk as the operator's who handed it in.
    const [noteJunk, noteStray] = (await admin('/v1/admin/collector/bags/refused')).body.refused;
    expect(noteStray).toMatchObject({ party: 'kiosk-2', code: 'E_UNKNOWN_BAG', uses: 1 });
    expect(noteJunk).toMatchObject({ party: 'first-bank', code: 'E_TRUNCATED', root: null, uses: null });
    const r = await call(server, 'POST', '/v1/admin/collector/bags', { token: operator, raw: bag });
    expect([r.status, r.body.accepted]).toEqual([200, 1]);
    // It is the shop's bag now: the shop reads it, and delivering it itself is a retry.
    expect(await call(server, 'GET', `/v1/bags/${r.body.digest}`, { token: shopToken() })).toEqual(r);
    expect(await call(server, 'POST', '/v1/bags', { token: shopToken(), raw: bag })).toEqual(r);
  });

  it('a body over the limit is 413 E_TOO_LARGE', async () => {
    const r = await call(server, 'POST', '/v1/allocations', {
      token: shopToken(),
      json: { count: 1, pad: 'x'.repeat(100_000) },
    });
    expect([r.status, r.body.code]).toEqual([413, 'E_TOO_LARGE']);
    const d = await call(server, 'POST', '/v1/direct', { raw: new Uint8Array(2 * 1024 * 1024) });
    expect([d.status, d.body.code]).toEqual([413, 'E_TOO_LARGE']);
  });
});

describe('direct payments', () => {
  const direct = async (h = holder(5), time_ms = Date.now(), collector = 'first-bank', amount = 120) => {
    const t = await issue(server, h, 500);
    const chal = directChallengeOf(collector, time_ms);
    const S = await h.sign(bodyOfUse(amount, t.C, 'acme-coffee', chal));
    return encode({ type: 'DirectPayment', collector, shop: 'acme-coffee', time_ms, ticket: t, amount, S });
  };
  it('signs a receipt, once per S', async () => {
    const m = await direct();
    const sent = Date.now();
    const r = await call(server, 'POST', '/v1/direct', { raw: m });
    const answered = Date.now();
    expect(r.status).toBe(200);
    const receipt = decode(fromText(r.body.receipt), 'Receipt');
    expect(receipt.collector).toBe('first-bank');
    // The collector's page lists it with when it was received.
    const listed = (await admin('/v1/admin/collector/direct')).body.direct.find(
      (x: { origin: string }) => x.origin === toHex(digestOf(m)),
    );
    expect(listed).toMatchObject({ shop: 'acme-coffee', unit: 'EUR', amount: 120 });
    expect(listed.receivedAt).toBeGreaterThanOrEqual(sent);
    expect(listed.receivedAt).toBeLessThanOrEqual(answered);
    const again = await call(server, 'POST', '/v1/direct', { raw: m });
    expect([again.status, again.body.code]).toEqual([422, 'E_WINDOW']);
  });
  it('refuses outside the window, for another collector, with a bad signature', async () => {
    const old = await call(server, 'POST', '/v1/direct', {
      raw: await direct(holder(5), Date.now() - 2 * 3_600_000),
    });
    expect([old.status, old.body.code]).toEqual([422, 'E_WINDOW']);
    const other = await call(server, 'POST', '/v1/direct', {
      raw: await direct(holder(5), Date.now(), 'other-bank'),
    });
    expect([other.status, other.body.code]).toEqual([422, 'E_COLLECTOR']);
    const m = await direct();
    m[m.length - 10] ^= 1;
    const bad = await call(server, 'POST', '/v1/direct', { raw: m });
    expect([bad.status, bad.body.code]).toEqual([422, 'E_USE_SIGNATURE']);
  });
});

describe('settlement at the issuer', () => {
  const collectorSigner = () =>
    seedSigner(fromHex(readFileSync(join(server.data, 'keys', 'first-bank.seed'), 'utf8').trim()));

  it('overspending across bags blames the holder, keeps the proof and denies the key', async () => {
    const h = holder(6);
    const t = await issue(server, h, 1000);
    const [a, b] = await allocations(server, 2);
    for (const x of [a, b]) {
      const r = await call(server, 'POST', '/v1/bags', {
        token: shopToken(),
        raw: bagOf(x, await usesFor(x, [{ ticket: t, amount: 600, signer: h }])),
      });
      expect(r.body.accepted).toBe(1);
    }
    const inc = await waitFor(async () => {
      const r = await admin('/v1/admin/issuer/incidents', server.demo.issuer.token);
      return r.body.incidents.find(
        (i: { code: string; holder: string }) => i.holder === toBase64url(h.publicKey),
      );
    });
    expect(inc).toMatchObject({ code: 'E_OVERSPENT', blame: 'holder', collector: 'first-bank' });
    expect(inc.proof.use.amount).toBe(600);
    expect(inc.proof.earlier).toHaveLength(1);
    expect(inc.proof.earlier[0].S).not.toBe(inc.proof.use.S);
    const deny = await call(server, 'GET', '/v1/denylist');
    expect(deny.body.issuer).toBe('city-transit');
    expect(deny.body.holders).toContain(toBase64url(h.publicKey));
    expect(deny.body.updated).toBeGreaterThan(0);
  });

  it('settles a Return once; a copied S blames the collector; a foreign ticket is E_NOT_ISSUED', async () => {
    const h = holder(7);
    const t = await issue(server, h, 1000);
    const forged = await issueTicket(seedSigner(new Uint8Array(32).fill(99)), {
      issuer: 'city-transit',
      unit: 'EUR',
      face: 1000,
      holder: h.publicKey,
      expires: 4e9,
    });
    const chal = new Uint8Array(32).fill(1);
    const S = await h.sign(bodyOfUse(100, t.C, 'acme-coffee', chal));
    const S2 = await h.sign(bodyOfUse(100, forged.C, 'acme-coffee', chal));
    const item = { shop: 'acme-coffee', chal, ticket: t, amount: 100, S };
    const [ret] = await makeReturns(collectorSigner(), 'first-bank', new Uint8Array(32).fill(7), [
      item,
      item,
      { ...item, ticket: forged, S: S2 },
    ]);
    const post = (raw: Uint8Array, token = server.demo.collector.token) =>
      call(server, 'POST', '/v1/returns', { token, raw });
    const r = await post(ret.message);
    expect(r.body).toEqual({
      settled: 1,
      rejected: [
        { index: 1, code: 'E_DUPLICATE', blame: 'collector' },
        { index: 2, code: 'E_NOT_ISSUED', blame: 'collector' },
      ],
    });
    expect(await post(ret.message)).toEqual(r); // the stored answer again
    const shopPost = await post(ret.message, server.demo.shops[0].token);
    expect(shopPost.status).toBe(403);
    // Signed by someone else than the sending collector.
    const [bad] = await makeReturns(
      seedSigner(new Uint8Array(32).fill(5)),
      'first-bank',
      new Uint8Array(32).fill(8),
      [item],
    );
    const b = await post(bad.message);
    expect([b.status, b.body.code]).toEqual([422, 'E_COLLECTOR']);
    const inc = await admin('/v1/admin/issuer/incidents', server.demo.issuer.token);
    const dup = inc.body.incidents.find((i: { code: string; origin: string }) => i.code === 'E_DUPLICATE');
    expect(dup.proof.earlier[0].S).toBe(toBase64url(S));
  });

  it('an issued ticket returned with any field changed (its C kept) is E_NOT_ISSUED; the ticket itself settles', async () => {
    const h = holder(17);
    const t = await issue(server, h, 1000);
    const chal = new Uint8Array(32).fill(3);
    // S covers C, not the fields: a collector could change them and keep a valid S.
    const S = await h.sign(bodyOfUse(10, t.C, 'acme-coffee', chal));
    const changed = [
      { ...t, face: 5000 },
      { ...t, unit: 'RIDE' },
      { ...t, expires: t.expires + 1 },
      { ...t, holder: holder(18).publicKey },
    ];
    const [ret] = await makeReturns(
      collectorSigner(),
      'first-bank',
      new Uint8Array(32).fill(17),
      [...changed, t].map((ticket) => ({ shop: 'acme-coffee', chal, ticket, amount: 10, S })),
    );
    const r = await call(server, 'POST', '/v1/returns', {
      token: server.demo.collector.token,
      raw: ret.message,
    });
    expect(r.body).toEqual({
      settled: 1,
      rejected: changed.map((_, index) => ({ index, code: 'E_NOT_ISSUED', blame: 'collector' })),
    });
  });

  it('an S returned in an earlier Return is E_DUPLICATE; the rest of the Return settles, its sum counted once', async () => {
    const h = holder(8);
    const t = await issue(server, h, 1000);
    const use = async (amount: number, fill: number) => {
      const chal = new Uint8Array(32).fill(fill);
      return {
        shop: 'acme-coffee',
        chal,
        ticket: t,
        amount,
        S: await h.sign(bodyOfUse(amount, t.C, 'acme-coffee', chal)),
      };
    };
    const other = await use(100, 23);
    const first = await use(300, 21);
    const fresh = await use(200, 22);
    const post = async (origin: number, items: ReturnItem[]) => {
      const [ret] = await makeReturns(
        collectorSigner(),
        'first-bank',
        new Uint8Array(32).fill(origin),
        items,
      );
      return call(server, 'POST', '/v1/returns', { token: server.demo.collector.token, raw: ret.message });
    };
    // `first` second in its Return: its stored S and challenge are cut from the right place of the statement's bytes
    expect((await post(31, [other, first])).body).toEqual({ settled: 2, rejected: [] });
    const again = await post(32, [fresh, first]);
    expect(again.body).toEqual({
      settled: 1,
      rejected: [{ index: 1, code: 'E_DUPLICATE', blame: 'collector' }],
    });
    const tickets = await admin('/v1/admin/issuer/tickets', server.demo.issuer.token);
    const row = tickets.body.tickets.find((x: { id: string }) => x.id === ticketId(t));
    expect(row.spent).toBe(600);
    const inc = await admin('/v1/admin/issuer/incidents', server.demo.issuer.token);
    const dup = inc.body.incidents.find(
      (i: { code: string; ticket: string }) => i.code === 'E_DUPLICATE' && i.ticket === ticketId(t),
    );
    expect(dup.proof.earlier).toHaveLength(1);
    expect(dup.proof.earlier[0]).toMatchObject({
      S: toBase64url(first.S),
      chal: toBase64url(first.chal),
      amount: 300,
      shop: 'acme-coffee',
    });
  });
});

describe('admin', () => {
  it('adds a shop with its pairing link; lists shops, totals and bags', async () => {
    const r = await call(server, 'POST', '/v1/admin/collector/shops', {
      token: server.demo.collector.token,
      json: { id: 'tea-house', label: 'Tea House' },
    });
    expect(r.status).toBe(200);
    const m = /^(http:\/\/localhost:\d+)\/pos\/#pair=(.+)$/.exec(r.body.pairing)!;
    expect(JSON.parse(Buffer.from(m[2], 'base64url').toString())).toEqual({
      url: m[1],
      shop: 'tea-house',
      token: r.body.token,
    });
    const dup = await call(server, 'POST', '/v1/admin/collector/shops', {
      token: server.demo.collector.token,
      json: { id: 'tea-house', label: 'x' },
    });
    expect(dup.status).toBe(409);
    const bad = await call(server, 'POST', '/v1/admin/collector/shops', {
      token: server.demo.collector.token,
      json: { id: 'Tea House', label: 'x' },
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'E_REQUEST']);
    // The new shop's token works.
    expect((await allocations(server, 1, {}, r.body.token))[0].to).toBe('tea-house');
    const shops = await admin('/v1/admin/collector/shops');
    const acme = shops.body.shops.find((s: { id: string }) => s.id === 'acme-coffee');
    expect(acme.allocations.collected).toBeGreaterThanOrEqual(3);
    expect(acme.allocations.late).toBe(1);
    const totals = await admin('/v1/admin/collector/totals');
    expect(totals.body.totals.find((x: { shop: string }) => x.shop === 'acme-coffee').unit).toBe('EUR');
    const bags = await admin('/v1/admin/collector/bags');
    const withRejects = bags.body.bags.find((b: { rejected: unknown[] }) => b.rejected.length === 3);
    expect(withRejects.rejected[0]).toMatchObject({ code: 'E_AMOUNT', text: expect.any(String) });
  });
});

describe('restart', () => {
  it('keeps everything, and stops cleanly on SIGTERM', async () => {
    const before = {
      bags: (await admin('/v1/admin/collector/bags')).body,
      refused: (await admin('/v1/admin/collector/bags/refused')).body,
      tickets: (await admin('/v1/admin/issuer/tickets', server.demo.issuer.token)).body,
      deny: (await call(server, 'GET', '/v1/denylist')).body,
      wk: (await call(server, 'GET', '/.well-known/moneybag.json')).body.collectors[0].publicKey,
    };
    expect(await server.stop()).toBe(0);
    server = await startServer(server.data);
    expect((await admin('/v1/admin/collector/bags')).body).toEqual(before.bags);
    expect(before.refused.refused.length).toBeGreaterThan(0);
    expect((await admin('/v1/admin/collector/bags/refused')).body).toEqual(before.refused);
    expect((await admin('/v1/admin/issuer/tickets', server.demo.issuer.token)).body).toEqual(before.tickets);
    expect((await call(server, 'GET', '/v1/denylist')).body).toEqual(before.deny);
    expect((await call(server, 'GET', '/.well-known/moneybag.json')).body.collectors[0].publicKey).toBe(
      before.wk,
    );
    const digest = before.bags.bags[0].digest;
    const again = await call(server, 'GET', `/v1/bags/${digest}`, { token: server.demo.shops[0].token });
    expect(again.status).toBe(200);
  });
});

describe('web apps', () => {
  it('serves each app or a page saying to build it, with a fallback for app routes', async () => {
    for (const p of ['/wallet/', '/pos/', '/collector/', '/issuer/', '/collector/some/route']) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toMatch(/<html|npm run build/);
    }
    const api = await call(server, 'GET', '/v1/nothing');
    expect([api.status, api.body.code]).toEqual([404, 'E_NOT_FOUND']);
  });
});

describe('reference', () => {
  it('serves its endpoints as OpenAPI at /v1/openapi.json', async () => {
    const r = await call(server, 'GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(Object.keys(r.body.paths)).toEqual(
      expect.arrayContaining(['/v1/bags', '/v1/bags/{digest}', '/v1/admin/collector/direct']),
    );
    expect(
      r.body.paths['/v1/admin/collector/direct'].get.responses[200].content['application/json'].schema,
    ).toMatchObject({
      properties: { direct: { items: { required: expect.arrayContaining(['receivedAt']) } } },
    });
  });
});
