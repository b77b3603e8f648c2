// Thousands of mutated and random bodies against every endpoint: only 2xx/4xx, the server still answers,
// and what is stored changed only by the requests that were answered 2xx.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  bodyOfUse,
  directChallengeOf,
  encode,
  fromHex,
  makeReturns,
  seedSigner,
  signReclaim,
} from '@moneybag/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  allocations,
  bagOf,
  call,
  holder,
  issue,
  RAW,
  type Server,
  startServer,
  usesFor,
} from './helpers.ts';

let server: Server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

// A small seeded PRNG: the same run every time.
let seed = 0x9e3779b9;
const rnd = (n: number) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => rnd(256));

function mutate(b: Uint8Array): Uint8Array {
  const out = Uint8Array.from(b);
  switch (rnd(6)) {
    case 0: // flip a few bits
      for (let k = 1 + rnd(4); k > 0; k--) out[rnd(out.length)] ^= 1 << rnd(8);
      return out;
    case 1: // cut
      return out.subarray(0, rnd(out.length));
    case 2: // insert junk
      {
        const at = rnd(out.length);
        return Uint8Array.from([...out.subarray(0, at), ...randomBytes(1 + rnd(8)), ...out.subarray(at)]);
      }
    case 3: // a length or count byte set to an extreme
      out[rnd(out.length)] = [0, 1, 0x7f, 0x80, 0xff][rnd(5)];
      return out;
    case 4: // append
      return Uint8Array.from([...out, ...randomBytes(1 + rnd(4))]);
    default:
      return randomBytes(rnd(300));
  }
}

function mutateJson(v: unknown): string {
  const s = JSON.stringify(v);
  switch (rnd(5)) {
    case 0:
      return s.slice(0, rnd(s.length));
    case 1: {
      const o = { ...(v as object) } as Record<string, unknown>;
      const k = Object.keys(o)[rnd(Object.keys(o).length)];
      o[k] = [null, -1, 0, 1e300, 'x', [], {}, true, 2 ** 53, 'A'.repeat(300), 1.5][rnd(11)];
      return JSON.stringify(o);
    }
    case 2:
      return JSON.stringify([null, 1, 'x', [], [v]][rnd(5)]);
    case 3: {
      const i = rnd(s.length);
      return s.slice(0, i) + String.fromCharCode(rnd(128)) + s.slice(i + 1);
    }
    default:
      return s;
  }
}

async function snapshot() {
  const c = server.demo.collector.token;
  const i = server.demo.issuer.token;
  const get = async (p: string, t: string) => (await call(server, 'GET', p, { token: t })).body;
  const shops = await get('/v1/admin/collector/shops', c);
  return {
    bags: (await get('/v1/admin/collector/bags', c)).bags.length,
    allocations: (await get('/v1/admin/collector/allocations', c)).allocations.length,
    outbox: (await get('/v1/admin/collector/outbox', c)).outbox.length,
    direct: (await get('/v1/admin/collector/direct', c)).direct.length,
    shops: shops.shops.length,
    tickets: (await get('/v1/admin/issuer/tickets', i)).tickets.length,
    returns: (await get('/v1/admin/issuer/settlement', i)).returns.length,
    reclaims: (await get('/v1/admin/issuer/settlement', i)).reclaims.length,
    incidents: (await get('/v1/admin/issuer/incidents', i)).incidents.length,
    deny: (await call(server, 'GET', '/v1/denylist')).body.holders.length,
  };
}

it('survives a few thousand mutated bodies; refusals store nothing', { timeout: 300_000 }, async () => {
  const h = holder(21);
  const t = await issue(server, h, 1000);
  const shop = server.demo.shops[0].token;
  const [a] = await allocations(server, 1);
  const bag = bagOf(
    a,
    await usesFor(a, [
      { ticket: t, amount: 5, signer: h },
      { ticket: t, amount: 7, signer: h },
    ]),
  );
  const time_ms = Date.now();
  const S = await h.sign(bodyOfUse(9, t.C, 'acme-coffee', directChallengeOf('first-bank', time_ms)));
  const direct = encode({
    type: 'DirectPayment',
    collector: 'first-bank',
    shop: 'acme-coffee',
    time_ms,
    ticket: t,
    amount: 9,
    S,
  });
  const collectorKey = seedSigner(
    fromHex(readFileSync(join(server.data, 'keys', 'first-bank.seed'), 'utf8').trim()),
  );
  const [ret] = await makeReturns(collectorKey, 'first-bank', new Uint8Array(32).fill(3), [
    { shop: 'acme-coffee', chal: new Uint8Array(32), ticket: t, amount: 1, S },
  ]);
  const holderText = Buffer.from(h.publicKey).toString('base64url');
  const reclaim = encode({ type: 'Reclaim', ...(await signReclaim(h, t)) });

  const before = await snapshot();
  const ok: Record<string, unknown[]> = {
    bags: [],
    direct: [],
    tickets: [],
    allocations: [],
    shops: [],
    returns: [],
    reclaims: [],
  };
  const statuses = new Map<number, number>();
  const N = 3000;
  for (let i = 0; i < N; i++) {
    const kind = rnd(9);
    let r: { status: number; body: any };
    if (kind === 0) r = await call(server, 'POST', '/v1/bags', { token: shop, raw: mutate(bag) });
    else if (kind === 1) r = await call(server, 'POST', '/v1/direct', { raw: mutate(direct) });
    else if (kind === 2)
      r = await call(server, 'POST', '/v1/returns', {
        token: server.demo.collector.token,
        raw: mutate(ret.message),
      });
    else if (kind === 3)
      r = await call(server, 'POST', '/v1/tickets', {
        token: server.demo.issuer.token,
        body: mutateJson({ holder: holderText, unit: 'EUR', face: 100, expires: 4e9 }),
        type: 'application/json',
      });
    else if (kind === 4)
      r = await call(server, 'POST', '/v1/allocations', {
        token: shop,
        body: mutateJson({ count: 1 + rnd(3), terminal: 'pos-1' }),
        type: 'application/json',
      });
    else if (kind === 5)
      r = await call(server, 'POST', '/v1/admin/collector/shops', {
        token: server.demo.collector.token,
        body: mutateJson({ id: `s-${i}`, label: 'Fuzz' }),
        type: 'application/json',
      });
    else if (kind === 6) r = await call(server, 'POST', '/v1/reclaims', { raw: mutate(reclaim) });
    else if (kind === 7) {
      // a wrong content type, or raw bytes where JSON is expected
      const paths = [
        '/v1/bags',
        '/v1/direct',
        '/v1/returns',
        '/v1/tickets',
        '/v1/allocations',
        '/v1/reclaims',
      ];
      const types = [
        'text/plain',
        'application/json',
        RAW,
        'application/x-www-form-urlencoded',
        'multipart/form-data',
      ];
      r = await call(server, 'POST', paths[rnd(paths.length)], {
        token: [shop, server.demo.issuer.token, server.demo.collector.token][rnd(3)],
        body: mutate(bag),
        type: types[rnd(types.length)],
      });
    } else {
      const paths = [
        `/v1/bags/${Buffer.from(randomBytes(32)).toString('hex')}`,
        '/v1/bags/zz',
        '/v1/denylist',
        '/.well-known/moneybag.json',
        '/v1/me',
      ];
      r = await call(server, 'GET', paths[rnd(paths.length)], { token: rnd(2) ? shop : 'bad' });
    }
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
    if (r.status >= 200 && r.status < 300) {
      const key = ['bags', 'direct', 'returns', 'tickets', 'allocations', 'shops', 'reclaims'][kind];
      if (key) ok[key].push(r.body);
    } else if (r.status >= 400) expect(r.body.code).toMatch(/^E_[A-Z_]+$/);
  }
  expect((await call(server, 'GET', '/v1/health')).body.ok).toBe(true);

  const after = await snapshot();
  const distinct = (xs: unknown[], f: (x: any) => string) => new Set(xs.map(f)).size;
  expect(after.bags - before.bags).toBe(distinct(ok.bags, (b) => b.digest));
  expect(after.direct - before.direct).toBe(ok.direct.length);
  // A reclaim issues a ticket too (once per reclaimed ticket; t itself is far from its horizon).
  expect(after.reclaims - before.reclaims).toBe(distinct(ok.reclaims, (x) => x.ticket));
  expect(after.tickets - before.tickets).toBe(ok.tickets.length + after.reclaims - before.reclaims);
  expect(after.shops - before.shops).toBe(ok.shops.length);
  expect(after.allocations - before.allocations).toBe(
    ok.allocations.reduce((n: number, x: any) => n + x.allocations.length, 0),
  );
  // Settled Returns: the fuzzed ones that were answered 2xx, plus those the outbox delivered.
  expect(after.returns - before.returns).toBeGreaterThanOrEqual(
    distinct(ok.returns, (x) => JSON.stringify(x)) > 0 ? 1 : 0,
  );
  console.log(
    'fuzz statuses',
    Object.fromEntries(statuses),
    'accepted',
    Object.fromEntries(Object.entries(ok).map(([k, v]) => [k, v.length])),
  );
});
