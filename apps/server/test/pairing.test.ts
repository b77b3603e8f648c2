// Pairing a POS by a one-time code over real HTTP: each terminal its own id and token, a code used once and
// only before it expires, the last time each terminal was seen, a revoked terminal's token refused.
import type { PairedJson, PairingCodeJson, TerminalsJson } from '@moneybag/api';
import { readPairingLink } from '@moneybag/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEEN_EVERY } from '../src/storage/terminals.ts';
import { allocations, bagOf, call, dbClient, type Server, startServer } from './helpers.ts';

let server: Server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

const collector = () => server.demo.collector.token;
const shop = () => server.demo.shops[0].id;
const newCode = async (id = shop()) => {
  const r = await call(server, 'POST', `/v1/admin/collector/shops/${id}/pairings`, { token: collector() });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as PairingCodeJson;
};
const redeem = (code: string, label?: string) =>
  call(server, 'POST', '/v1/pairings', { json: { code, ...(label !== undefined && { label }) } });
const terminals = async () => {
  const r = await call(server, 'GET', `/v1/admin/collector/shops/${shop()}/terminals`, {
    token: collector(),
  });
  expect(r.status).toBe(200);
  return (r.body as TerminalsJson).terminals;
};

describe('pairing codes', () => {
  it('a code is in the pairing link, pairs one terminal with its own id and token, and only once', async () => {
    const c = await newCode();
    expect(c.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(c.shop).toBe(shop());
    expect(readPairingLink(c.pairing)).toEqual({ url: expect.any(String), shop: shop(), code: c.code });
    expect(c.pairing).not.toContain(server.demo.shops[0].token);

    const first = await redeem(c.code, 'Front counter');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const t1 = first.body as PairedJson;
    expect(t1).toMatchObject({ shop: shop(), label: 'Acme Coffee', terminal: 'pos-1' });

    // The same code again: refused, saying why, and nothing made.
    const again = await redeem(c.code);
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('E_AUTH');
    expect(again.body.message).toContain('used already (it paired pos-1');
    expect((await terminals()).map((t) => t.id)).toEqual(['pos-1']);

    // A second code: a second terminal, its own id and token (typed in lower case without dashes).
    const c2 = await newCode();
    const t2 = (await redeem(c2.code.toLowerCase().replaceAll('-', ''))).body as PairedJson;
    expect(t2.terminal).toBe('pos-2');
    expect(t2.token).not.toBe(t1.token);

    // Each token is its terminal's: /v1/me names it, its allocations carry it and no other.
    expect((await call(server, 'GET', '/v1/me', { token: t2.token })).body).toEqual({
      party: shop(),
      role: 'shop',
      label: 'Acme Coffee',
      terminal: 'pos-2',
    });
    const [a] = await allocations(server, 1, {}, t2.token);
    expect(a.to).toBe(shop());
    expect(a.path).toEqual([{ terminal: 'pos-2', n: 0 }]);
    const other = await call(server, 'POST', '/v1/allocations', {
      token: t2.token,
      json: { count: 1, terminal: 'pos-1' },
    });
    expect(other.status).toBe(403);
    expect(other.body.code).toBe('E_FORBIDDEN');
    // Its bags are collected as the shop's.
    const bag = bagOf(a, []);
    const r = await call(server, 'POST', '/v1/bags', { token: t2.token, raw: bag });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.accepted).toBe(0);
  });

  it('two redemptions of one code at once: one terminal, the other refused', async () => {
    const c = await newCode();
    const before = (await terminals()).length;
    const both = await Promise.all([redeem(c.code), redeem(c.code), redeem(c.code)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    expect((await terminals()).length).toBe(before + 1);
  });

  it('an expired code, an unknown one and a removed shop are refused, and nothing is made', async () => {
    const c = await newCode();
    const db = await dbClient(server);
    try {
      // As time would: the code's validity ended.
      await db.query('UPDATE pairing_codes SET expires_at = created_at - 1');
    } finally {
      await db.end();
    }
    const before = (await terminals()).length;
    const expired = await redeem(c.code);
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ code: 'E_AUTH', message: expect.stringContaining('expired') });
    const unknown = await redeem('AAAA-BBBB-CCCC');
    expect(unknown.body).toMatchObject({ code: 'E_AUTH', message: expect.stringContaining('unknown') });
    expect((await redeem('')).body.code).toBe('E_REQUEST');
    expect((await terminals()).length).toBe(before);

    const missing = await call(server, 'POST', '/v1/admin/collector/shops/no-such/pairings', {
      token: collector(),
    });
    expect(missing.status).toBe(404);
    // Only the collector's operator makes codes.
    const asShop = await call(server, 'POST', `/v1/admin/collector/shops/${shop()}/pairings`, {
      token: server.demo.shops[0].token,
    });
    expect(asShop.status).toBe(403);
  });

  it('lists terminals with when each was paired and last seen; a revoked one is refused', async () => {
    const t = (await redeem((await newCode()).code, 'Till by the door')).body as PairedJson;
    let row = (await terminals()).find((r) => r.id === t.terminal)!;
    expect(row).toMatchObject({ label: 'Till by the door', lastSeen: null, revokedAt: null });
    expect(row.pairedAt).toBeGreaterThan(0);

    expect((await call(server, 'GET', '/v1/me', { token: t.token })).status).toBe(200);
    row = (await terminals()).find((r) => r.id === t.terminal)!;
    expect(row.lastSeen).not.toBeNull();
    expect(row.lastSeen!).toBeGreaterThanOrEqual(row.pairedAt);
    // Written at most once a minute (every bag passes here): a request soon after moves nothing, one after a
    // minute does.
    const first = row.lastSeen!;
    await new Promise((r) => setTimeout(r, 5));
    expect((await call(server, 'GET', '/v1/me', { token: t.token })).status).toBe(200);
    expect((await terminals()).find((r) => r.id === t.terminal)!.lastSeen).toBe(first);
    const db = await dbClient(server);
    try {
      await db.query('UPDATE terminals SET last_seen_at = last_seen_at - $2 WHERE id = $1', [
        t.terminal,
        SEEN_EVERY,
      ]);
    } finally {
      await db.end();
    }
    expect((await call(server, 'GET', '/v1/me', { token: t.token })).status).toBe(200);
    expect((await terminals()).find((r) => r.id === t.terminal)!.lastSeen).toBeGreaterThan(first);
    // Another terminal's requests do not count as this one's.
    const others = (await terminals()).filter((r) => r.id !== t.terminal && r.lastSeen === null);
    expect(others.length).toBeGreaterThan(0);

    const url = `/v1/admin/collector/shops/${shop()}/terminals/${t.terminal}/revoke`;
    const revoked = await call(server, 'POST', url, { token: collector() });
    expect(revoked.body).toEqual({ shop: shop(), terminal: t.terminal, revoked: true });
    const refused = await call(server, 'POST', '/v1/allocations', { token: t.token, json: { count: 1 } });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'E_AUTH', message: expect.stringContaining('revoked') });
    expect((await terminals()).find((r) => r.id === t.terminal)!.revokedAt).not.toBeNull();
    // Once: a second revoke finds no working token; the shop's own token and other terminals still work.
    expect((await call(server, 'POST', url, { token: collector() })).status).toBe(404);
    expect(
      (
        await call(server, 'POST', `/v1/admin/collector/shops/${shop()}/terminals/pos-99/revoke`, {
          token: collector(),
        })
      ).status,
    ).toBe(404);
    expect((await allocations(server, 1)).length).toBe(1);
  });

  it('a new terminal after a revoke gets a new id (ids are never reused)', async () => {
    const ids = (await terminals()).map((r) => r.id);
    const t = (await redeem((await newCode()).code)).body as PairedJson;
    expect(ids).not.toContain(t.terminal);
    expect(t.terminal).toMatch(/^pos-\d+$/);
  });

  it('removing the shop revokes its terminals', async () => {
    const id = `shop-${Math.random().toString(36).slice(2, 8)}`;
    expect(
      (
        await call(server, 'POST', '/v1/admin/collector/shops', {
          token: collector(),
          json: { id, label: 'X' },
        })
      ).status,
    ).toBe(200);
    const t = (await redeem((await newCode(id)).code)).body as PairedJson;
    expect(t.terminal).toBe('pos-1'); // ids count per shop
    const removed = await call(server, 'DELETE', `/v1/admin/collector/shops/${id}`, { token: collector() });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect((await call(server, 'GET', '/v1/me', { token: t.token })).status).toBe(401);
  });
});
