// Many issuers and many collectors, each its own process and operator: two issuers and two collectors
// started as named parties, registered to each other by the `moneybag` command, trading over real HTTP.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeSigner } from '@moneybag/node';
import {
  type Allocation,
  bodyOfUse,
  challengeOf,
  encode,
  fromBase64url,
  fromHex,
  issueTicket,
  keyFingerprint,
  makeReturns,
  numberOfAllocation,
  type Signer,
  type Ticket,
  toBase64url,
  type Use,
} from '@moneybag/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import {
  allocations,
  bagOf,
  call,
  holder,
  issue,
  moneybag,
  moneybagJson,
  operatorToken,
  type Server,
  startServer,
  waitFor,
} from './helpers.ts';

/** Uses of one deal (all under one challenge), each signed by the ticket's holder. */
async function deal(
  a: Allocation,
  deal: number,
  spends: { ticket: Ticket; amount: number; signer: Signer }[],
): Promise<Use[]> {
  const chal = challengeOf(a.collector, numberOfAllocation(a), deal);
  return Promise.all(
    spends.map(async ({ ticket, amount, signer }) => ({
      deal,
      shop: a.to,
      ticket,
      amount,
      S: await signer.sign(bodyOfUse(amount, ticket.C, a.to, chal)),
    })),
  );
}

describe('two issuers and two collectors, four processes registered by the CLI', () => {
  let bus: Server; // issuer
  let rail: Server; // issuer
  let bankA: Server; // collector
  let bankB: Server; // collector
  const op: Record<string, string> = {};
  const shops: Record<string, string> = {};
  /** The token each issuer gave each collector ('bus>bank-a'). */
  const tokens: Record<string, string> = {};
  const h = holder(41);

  beforeAll(async () => {
    [bus, rail, bankA, bankB] = await Promise.all([
      startServer(undefined, ['--role', 'issuer', '--id', 'bus', '--horizon', '7200']),
      startServer(undefined, ['--role', 'issuer', '--id', 'rail']),
      startServer(undefined, ['--role', 'collector', '--id', 'bank-a']),
      startServer(undefined, ['--role', 'collector', '--id', 'bank-b']),
    ]);
    op.bus = operatorToken(bus, 'bus');
    op.rail = operatorToken(rail, 'rail');
    op['bank-a'] = operatorToken(bankA, 'bank-a');
    op['bank-b'] = operatorToken(bankB, 'bank-b');
  }, 180_000);
  afterAll(async () => {
    await Promise.all([bus, rail, bankA, bankB].filter(Boolean).map((s) => s.stop()));
  });

  it('a named party is that party, its key and an operator token, nothing else', async () => {
    const { parties } = await moneybagJson(bus.data, ['parties']);
    const key = readFileSync(join(bus.data, 'keys', 'bus.seed'), 'utf8').trim();
    const publicKey = toBase64url(nativeSigner(fromHex(key)).publicKey);
    expect(parties).toEqual([
      {
        id: 'bus',
        role: 'issuer',
        label: 'bus',
        own: true,
        url: null,
        publicKey,
        fingerprint: keyFingerprint(fromBase64url(publicKey)),
      },
    ]);
    const wk = (await call(bus, 'GET', '/.well-known/moneybag.json')).body;
    expect(wk.issuers.map((i: { id: string; publicKey: string }) => [i.id, i.publicKey])).toEqual([
      ['bus', publicKey],
    ]);
    expect(wk.collectors).toEqual([]);
    expect((await call(bankA, 'GET', '/.well-known/moneybag.json')).body.issuers).toEqual([]);
    // The operator token works on its own service's admin API only.
    expect((await call(bus, 'GET', '/v1/admin/issuer/tickets', { token: op.bus })).status).toBe(200);
    expect((await call(bus, 'GET', '/v1/admin/issuer/tickets', { token: op.rail })).status).toBe(401);
  });

  it('operators register each other with the CLI (one JSON line each, keys as the well-known writes them)', async () => {
    for (const [issuer, collector] of [
      [bus, bankA],
      [bus, bankB],
      [rail, bankA],
      [rail, bankB],
    ]) {
      const id = collector === bankA ? 'bank-a' : 'bank-b';
      const out = await moneybagJson(issuer.data, ['add-collector', id, '--url', collector.url]);
      const wk = (await call(collector, 'GET', '/.well-known/moneybag.json')).body;
      expect(Object.keys(out).sort()).toEqual(['collector', 'publicKey', 'token']);
      expect(out).toMatchObject({ collector: id, publicKey: wk.collectors[0].publicKey });
      tokens[`${issuer === bus ? 'bus' : 'rail'}>${id}`] = out.token;
    }
    for (const [collector, id] of [
      [bankA, 'bank-a'],
      [bankB, 'bank-b'],
    ] as const)
      for (const [issuer, iid] of [
        [bus, 'bus'],
        [rail, 'rail'],
      ] as const) {
        // bank-b is first given a wrong token for rail: its Returns to rail wait until it is fixed.
        const token = id === 'bank-b' && iid === 'rail' ? 'not-the-token' : tokens[`${iid}>${id}`];
        const out = await moneybagJson(collector.data, [
          'add-issuer',
          iid,
          '--url',
          issuer.url,
          '--token',
          token,
        ]);
        const wk = (await call(issuer, 'GET', '/.well-known/moneybag.json')).body;
        expect(out).toEqual({ issuer: iid, publicKey: wk.issuers[0].publicKey });
      }
    Object.assign(shops, {
      a: (await moneybagJson(bankA.data, ['add-shop', 'shop-a', '--label', 'Shop A'])).token,
      b: (await moneybagJson(bankB.data, ['add-shop', 'shop-b', '--label', 'Shop B'])).token,
    });
    const shop = await moneybagJson(bankA.data, ['add-shop', 'kiosk', '--label', 'Kiosk']);
    expect(Object.keys(shop).sort()).toEqual(['id', 'pairing', 'token']);
    expect(shop.pairing).toContain(`${bankA.url.replace('127.0.0.1', 'localhost')}/pos/#pair=`);

    // A collector's well-known lists every issuer it registered, with the key each publishes.
    const wk = (await call(bankA, 'GET', '/.well-known/moneybag.json')).body;
    const busKey = (await call(bus, 'GET', '/.well-known/moneybag.json')).body.issuers[0].publicKey;
    expect(wk.issuers.map((i: { id: string; url: string }) => [i.id, i.url])).toEqual([
      ['bus', bus.url],
      ['rail', rail.url],
    ]);
    expect(wk.issuers[0].publicKey).toBe(busKey);
    // ...and the horizon each publishes (bus runs with --horizon 7200).
    expect(wk.issuers.map((i: { horizon: number }) => i.horizon)).toEqual([7200, 3_888_000]);
    // parties: the fingerprints the operators compare out of band.
    const { parties } = await moneybagJson(bankA.data, ['parties']);
    expect(parties.find((p: { id: string }) => p.id === 'bus')).toMatchObject({
      role: 'issuer',
      own: false,
      url: bus.url,
      fingerprint: keyFingerprint(fromBase64url(busKey)),
    });
    // A registered party's token is not its operator's: bank-a's token at bus settles Returns, nothing else.
    expect(
      (await call(bus, 'GET', '/v1/admin/issuer/tickets', { token: tokens['bus>bank-a'] })).body.code,
    ).toBe('E_FORBIDDEN');
  });

  it('registration errors: a key never changes silently, ids and roles are checked', async () => {
    // bank-a's key as registered at bus; a service at another url publishing another bank-a is refused.
    const other = await startServer(undefined, ['--role', 'collector', '--id', 'bank-a']);
    try {
      const r = await moneybag(['add-collector', 'bank-a', '--url', other.url, '--data', bus.data, '--json']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/the key of bank-a changed/);
      const { parties } = await moneybagJson(bus.data, ['parties']);
      expect(parties.find((p: { id: string }) => p.id === 'bank-a').url).toBe(bankA.url);
    } finally {
      await other.stop();
    }
    const missing = await moneybag(['add-collector', 'bank-z', '--url', bankA.url, '--data', bus.data]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/publishes no collector bank-z/);
    const wrongRole = await moneybag([
      'add-issuer',
      'bus',
      '--url',
      bus.url,
      '--token',
      'x',
      '--data',
      bus.data,
    ]);
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toMatch(/has no collector/);
    const noToken = await moneybag(['add-issuer', 'bus', '--url', bus.url, '--data', bankA.data]);
    expect(noToken.code).toBe(2);
  });

  let tBus: Ticket;
  let tRail: Ticket;
  let firstDeal: Use[];
  let allocB: Allocation;

  it('one deal spends tickets of two issuers; each issuer settles what each collector returned', async () => {
    tBus = await issue(bus, h, 1000, 'EUR', 4_000_000_000, op.bus);
    tRail = await issue(rail, h, 500, 'EUR', 4_000_000_000, op.rail);
    const [a] = await allocations(bankA, 1, {}, shops.a);
    firstDeal = await deal(a, 0, [
      { ticket: tBus, amount: 400, signer: h },
      { ticket: tRail, amount: 200, signer: h },
    ]);
    const bag = await call(bankA, 'POST', '/v1/bags', { token: shops.a, raw: bagOf(a, firstDeal) });
    expect(bag.status).toBe(200);
    expect(bag.body).toMatchObject({ accepted: 2, rejected: [], totals: { EUR: 600 } });

    [allocB] = await allocations(bankB, 1, {}, shops.b);
    const atB = await deal(allocB, 0, [{ ticket: tBus, amount: 300, signer: h }]);
    expect(
      (await call(bankB, 'POST', '/v1/bags', { token: shops.b, raw: bagOf(allocB, atB) })).body,
    ).toMatchObject({ accepted: 1, rejected: [] });

    // bank-a's bag went out as two Returns, one to each issuer; bus settles from both collectors.
    const settled = async (issuer: Server, token: string) =>
      Object.fromEntries(
        (await call(issuer, 'GET', '/v1/admin/issuer/collectors', { token })).body.collectors.map(
          (c: { id: string; settled: number }) => [c.id, c.settled],
        ),
      );
    expect(
      await waitFor(async () => {
        const s = await settled(bus, op.bus);
        return s['bank-a'] === 1 && s['bank-b'] === 1 && s;
      }),
    ).toEqual({ 'bank-a': 1, 'bank-b': 1 });
    await waitFor(async () => (await settled(rail, op.rail))['bank-a'] === 1);
    const owed = (await call(bus, 'GET', '/v1/admin/issuer/settlement', { token: op.bus })).body.owed;
    expect(owed).toEqual([
      { shop: 'shop-a', unit: 'EUR', amount: 400, uses: 1 },
      { shop: 'shop-b', unit: 'EUR', amount: 300, uses: 1 },
    ]);
    const issuers = (await call(bankA, 'GET', '/v1/admin/collector/issuers', { token: op['bank-a'] })).body
      .issuers;
    expect(
      issuers.map((i: { id: string; outbox: { delivered: number } }) => [i.id, i.outbox.delivered]),
    ).toEqual([
      ['bus', 1],
      ['rail', 1],
    ]);
  });

  it('bad input: a copied use, a bag for another collector, an unknown issuer, a Return sent with another token', async () => {
    // bank-a's use copied into a bag of bank-b's: its signature is over bank-a's challenge.
    const [b2] = await allocations(bankB, 1, {}, shops.b);
    const copied = { ...firstDeal[0], shop: 'shop-b' };
    const r = await call(bankB, 'POST', '/v1/bags', { token: shops.b, raw: bagOf(b2, [copied]) });
    expect(r.body).toMatchObject({ accepted: 0, rejected: [{ code: 'E_USE_SIGNATURE' }] });
    // A bag naming bank-a, handed to bank-b: refused whole, nothing stored (the root stays open at bank-a).
    const [a2] = await allocations(bankA, 1, {}, shops.a);
    const forA = await deal(a2, 0, [{ ticket: tBus, amount: 1, signer: h }]);
    const wrong = await call(bankB, 'POST', '/v1/bags', { token: shops.b, raw: bagOf(a2, forA) });
    expect([wrong.status, wrong.body.code]).toEqual([422, 'E_COLLECTOR']);
    // A ticket of an issuer bank-b never registered.
    const stranger = nativeSigner(new Uint8Array(32).fill(99));
    const night = await issueTicket(stranger, {
      issuer: 'night-bus',
      unit: 'EUR',
      face: 100,
      holder: h.publicKey,
      expires: 4_000_000_000,
    });
    const [b3] = await allocations(bankB, 1, {}, shops.b);
    const unknown = await call(bankB, 'POST', '/v1/bags', {
      token: shops.b,
      raw: bagOf(b3, await deal(b3, 0, [{ ticket: night, amount: 10, signer: h }])),
    });
    expect(unknown.body).toMatchObject({ accepted: 0, rejected: [{ code: 'E_ISSUER' }] });
    // A Return signed by bank-a, sent with bank-b's token: E_COLLECTOR, nothing settled.
    const bankAKey = nativeSigner(
      fromHex(readFileSync(join(bankA.data, 'keys', 'bank-a.seed'), 'utf8').trim()),
    );
    const chal = challengeOf('bank-a', numberOfAllocation(a2), 0);
    const [ret] = await makeReturns(bankAKey, 'bank-a', new Uint8Array(32).fill(7), [{ ...forA[0], chal }]);
    const sent = await call(bus, 'POST', '/v1/returns', { token: tokens['bus>bank-b'], raw: ret.message });
    expect([sent.status, sent.body.code]).toEqual([422, 'E_COLLECTOR']);
    const returns = (await call(bus, 'GET', '/v1/admin/issuer/settlement', { token: op.bus })).body.returns;
    expect(returns).toHaveLength(2);
  });

  it('the same ticket overspent across the two collectors: caught, blamed on the holder with both signatures, on both deny lists', async () => {
    // rail's ticket: 200 at bank-a already, now 400 at bank-b (face 500).
    const [b4] = await allocations(bankB, 1, {}, shops.b);
    const over = await deal(b4, 0, [{ ticket: tRail, amount: 400, signer: h }]);
    expect(
      (await call(bankB, 'POST', '/v1/bags', { token: shops.b, raw: bagOf(b4, over) })).body,
    ).toMatchObject({ accepted: 1 });
    // bank-b holds a wrong token for rail: its Return needs attention in the outbox (rail does not know it)...
    const pending = await waitFor(async () => {
      const { issuers } = (await call(bankB, 'GET', '/v1/admin/collector/issuers', { token: op['bank-b'] }))
        .body;
      const r = issuers.find((i: { id: string }) => i.id === 'rail');
      return r.outbox.lastError && r;
    });
    expect(pending.outbox).toMatchObject({ pending: 0, delivered: 0, attention: 1 });
    expect(pending.outbox.lastError).toMatch(/^401/);
    // ...until its operator registers rail again with the right token (which re-sends it).
    await moneybagJson(bankB.data, [
      'add-issuer',
      'rail',
      '--url',
      rail.url,
      '--token',
      tokens['rail>bank-b'],
    ]);

    const incident = await waitFor(async () => {
      const { incidents } = (await call(rail, 'GET', '/v1/admin/issuer/incidents', { token: op.rail })).body;
      return incidents[0];
    });
    expect(incident).toMatchObject({ code: 'E_OVERSPENT', blame: 'holder', collector: 'bank-b' });
    expect(incident.holder).toBe(toBase64url(h.publicKey));
    // The proof: the use refused and the earlier one, both signed by the holder, from both collectors.
    expect(incident.proof.use.S).toBe(toBase64url(over[0].S));
    expect(incident.proof.earlier).toEqual([
      expect.objectContaining({
        collector: 'bank-a',
        shop: 'shop-a',
        amount: 200,
        S: toBase64url(firstDeal[1].S),
      }),
    ]);
    const holderKey = toBase64url(h.publicKey);
    expect((await call(rail, 'GET', '/v1/denylist?issuer=rail')).body.holders).toEqual([holderKey]);
    expect((await call(rail, 'GET', '/v1/denylist')).body).toMatchObject({
      issuer: 'rail',
      holders: [holderKey],
    });
    // bank-b fetched rail's list on the answer; bank-a on demand (else within a minute).
    await waitFor(async () => {
      const d = (await call(bankB, 'GET', '/v1/denylist?issuer=rail')).body;
      return d.holders?.includes(holderKey);
    });
    expect(await moneybagJson(bankA.data, ['refresh-denylists'])).toEqual({
      refreshed: ['bus', 'rail'],
      failed: [],
    });
    expect((await call(bankA, 'GET', '/v1/denylist?issuer=rail')).body).toMatchObject({
      issuer: 'rail',
      holders: [holderKey],
    });
    // bus's list does not name the holder: the deny list is the ticket's issuer's.
    expect((await call(bankA, 'GET', '/v1/denylist?issuer=bus')).body).toMatchObject({
      issuer: 'bus',
      holders: [],
    });
    // Several issuers and no ?issuer=: E_REQUEST; an unknown one: E_NOT_FOUND.
    const none = await call(bankA, 'GET', '/v1/denylist');
    expect([none.status, none.body.code]).toEqual([400, 'E_REQUEST']);
    const unknown = await call(bankA, 'GET', '/v1/denylist?issuer=night-bus');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'E_NOT_FOUND']);
  });

  it('remove-… forgets a registered party: its token lets it in no more', async () => {
    expect(await moneybagJson(bus.data, ['remove-collector', 'bank-b'])).toEqual({ removed: 'bank-b' });
    const r = await call(bus, 'POST', '/v1/returns', {
      token: tokens['bus>bank-b'],
      raw: encode({ type: 'Ticket', ...tBus }),
    });
    expect(r.status).toBe(401);
  });
});

describe('a data folder remembers its parties', () => {
  it('the same party on every start, other ids refused; the CLI works with the service stopped', async () => {
    const demo = await startServer(); // no identity flags: the demo, as before
    const first = await startServer(undefined, ['--role', 'issuer', '--id', 'bus']);
    const data = first.data;
    try {
      expect(demo.demo.issuer.id).toBe('city-transit');
      expect((await call(demo, 'GET', '/.well-known/moneybag.json')).body.collectors[0].id).toBe(
        'first-bank',
      );
      await first.stop();
      // Stopped: the CLI goes to the database itself, and fetches the collector's key over HTTP.
      const { parties } = await moneybagJson(data, ['parties']);
      expect(parties.map((p: { id: string }) => p.id)).toEqual(['bus']);
      const reg = await moneybagJson(data, ['add-collector', 'first-bank', '--url', demo.url]);
      expect(reg).toMatchObject({
        collector: 'first-bank',
        publicKey: (await call(demo, 'GET', '/.well-known/moneybag.json')).body.collectors[0].publicKey,
      });
      const { party, token } = await moneybagJson(data, ['token', 'bus']);
      expect(party).toBe('bus');
      const addShop = await moneybag(['add-shop', 'x', '--data', data]);
      expect(addShop.code).toBe(1);
      expect(addShop.stderr).toContain(`${data} has no collector`);

      await expect(startServer(data, ['--role', 'issuer', '--id', 'rail'])).rejects.toThrow(
        /this data folder is issuer bus, not issuer rail/,
      );
      await expect(startServer(data, ['--role', 'collector', '--id', 'bank-a'])).rejects.toThrow(
        /this data folder is issuer bus, not collector bank-a/,
      );
      await expect(startServer(data, ['--role', 'both'])).rejects.toThrow(/has no collector/);
      const again = await startServer(data); // no flags: what the folder is
      try {
        expect((await call(again, 'GET', '/v1/health')).body.roles).toEqual(['issuer']);
        expect((await call(again, 'GET', '/v1/admin/issuer/tickets', { token })).status).toBe(200);
        expect((await call(again, 'GET', '/v1/admin/issuer/collectors', { token })).body.collectors).toEqual([
          expect.objectContaining({ id: 'first-bank', url: demo.url, returns: 0 }),
        ]);
        expect(existsSync(join(data, 'demo.json'))).toBe(false);
      } finally {
        await again.stop();
      }
    } finally {
      await Promise.all([demo.stop(), first.stop()]);
    }
  }, 120_000);
});

describe('--role both --issuer ID --collector ID', () => {
  it('one service, two named parties: its collector returns to its own issuer with its own token', async () => {
    const s = await startServer(undefined, [
      '--role',
      'both',
      '--issuer',
      'town',
      '--collector',
      'town-bank',
    ]);
    try {
      const issuerToken = operatorToken(s, 'town');
      const collectorToken = operatorToken(s, 'town-bank');
      const wk = (await call(s, 'GET', '/.well-known/moneybag.json')).body;
      expect([
        wk.issuers.map((i: { id: string }) => i.id),
        wk.collectors.map((c: { id: string }) => c.id),
      ]).toEqual([['town'], ['town-bank']]);
      const shop = await moneybagJson(s.data, ['add-shop', 'corner', '--label', 'Corner']);
      const h = holder(5);
      const t = await issue(s, h, 100, 'EUR', 4_000_000_000, issuerToken);
      const [a] = await allocations(s, 1, {}, shop.token);
      const bag = await call(s, 'POST', '/v1/bags', {
        token: shop.token,
        raw: bagOf(a, await deal(a, 0, [{ ticket: t, amount: 40, signer: h }])),
      });
      expect(bag.body).toMatchObject({ accepted: 1 });
      const owed = await waitFor(async () => {
        const o = (await call(s, 'GET', '/v1/admin/issuer/settlement', { token: issuerToken })).body.owed;
        return o.length > 0 && o;
      });
      expect(owed).toEqual([{ shop: 'corner', unit: 'EUR', amount: 40, uses: 1 }]);
      // One issuer here: GET /v1/denylist needs no ?issuer=.
      expect((await call(s, 'GET', '/v1/denylist')).body).toEqual({
        issuer: 'town',
        holders: [],
        updated: 0,
      });
      expect((await call(s, 'GET', '/v1/admin/collector/shops', { token: collectorToken })).status).toBe(200);
    } finally {
      await s.stop();
    }
  }, 60_000);
});

describe('moneybag', () => {
  it('takes a value that starts with "-" (a base64url token may)', async () => {
    const empty = tempFolder('empty');
    const r = await moneybag([
      'add-issuer',
      'x',
      '--url',
      'http://127.0.0.1:9',
      '--token',
      '-abc',
      '--data',
      empty,
    ]);
    // Past the argument parser (2 is a usage error) to the folder: a new one is the demo, whose collector
    // cannot reach x's service.
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('could not read http://127.0.0.1:9/.well-known/moneybag.json');
  });
});
