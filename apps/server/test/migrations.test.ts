// Upgrades keep what was stored: a database at an earlier schema version, holding rows in that version's
// shape, opened by this version.
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import { MIGRATIONS, openDb } from '../src/db.ts';
import { databaseUrlFor } from './helpers.ts';

/** The migration that keeps a remembered use by numbers and the second half of its S (version 15). */
const NARROW_USES = 15;

describe('the upgrade to remembered uses by number (version 15)', () => {
  it('keeps every use, its ticket, its Return, its code, and what each shop is owed', async () => {
    const data = tempFolder('migrations');
    const url = await databaseUrlFor();
    const old = await openDb(data, url, NARROW_USES - 1);
    const S = (n: number) => Buffer.alloc(64, n);
    const C = (n: number) => Buffer.alloc(64, n);
    // A ticket's fingerprint was its body and C in hex.
    const fingerprint = (n: number) => Buffer.alloc(80, 0xee).toString('hex') + C(n).toString('hex');
    try {
      await old.query("INSERT INTO parties (id, role, created_at) VALUES ('first-bank', 'collector', 0)");
      await old.query(
        `INSERT INTO tickets (id, fingerprint, holder, unit, face, expires, issued_at, message)
         VALUES ('city-transit/aa', $1, 'h', 'EUR', 10, 100, 1, 'm-a'), ('city-transit/bb', $2, 'h', 'RIDE', 5, 200, 2, 'm-b')`,
        [fingerprint(0xa), fingerprint(0xb)],
      );
      await old.query(
        `INSERT INTO settled_returns (collector, origin, settled, answer, message, at)
         VALUES ('first-bank', 'o1', 2, '{}', '\\x01', 1), ('first-bank', 'o2', 1, '{}', '\\x02', 2)`,
      );
      const remember = (
        s: Buffer,
        ticket: string,
        expires: number,
        shop: string,
        unit: string,
        amount: number,
        origin: string,
        idx: number,
        code: string | null,
      ) =>
        old.query(
          `INSERT INTO remembered_uses (s, expires, ticket, shop, unit, amount, chal, collector, origin, idx, code)
           VALUES ($1, $2, $3, $4, $5, $6, '\\x00', 'first-bank', $7, $8, $9)`,
          [s, expires, ticket, shop, unit, amount, origin, idx, code],
        );
      await remember(S(1), 'city-transit/aa', 100, 'acme-coffee', 'EUR', 6, 'o1', 0, null);
      await remember(S(2), 'city-transit/bb', 200, 'acme-coffee', 'RIDE', 1, 'o1', 1, null);
      await remember(S(3), 'city-transit/aa', 100, 'bakery', 'EUR', 3, 'o2', 0, null);
      await remember(S(4), 'city-transit/aa', 100, 'bakery', 'EUR', 5, 'o2', 1, 'E_OVERSPENT');
    } finally {
      await old.close();
    }

    const db = await openDb(data, url);
    try {
      expect(
        Number((await db.query<{ v: unknown }>('SELECT max(version) AS v FROM schema_migrations')).rows[0].v),
      ).toBe(MIGRATIONS.length);
      const { rows: tickets } = await db.query<{ id: string; n: string; c: Buffer; spent: string }>(
        'SELECT id, n, c, spent FROM tickets JOIN ticket_sums ON ticket = n ORDER BY id',
      );
      // C is the fingerprint's last 64 bytes; the settled sums are the settled uses' (not the overspent one).
      expect(tickets.map((t) => [t.id, t.c, t.spent])).toEqual([
        ['city-transit/aa', C(0xa), '9'],
        ['city-transit/bb', C(0xb), '1'],
      ]);
      const n = new Map(tickets.map((t) => [t.id, Number(t.n)]));
      const { rows: rets } = await db.query<{ origin: string; id: string }>(
        'SELECT origin, id FROM settled_returns',
      );
      const ret = new Map(rets.map((r) => [r.origin, Number(r.id)]));
      const { rows: uses } = await db.query<Record<string, unknown>>(
        'SELECT ticket, ret, amount, idx, s, code FROM remembered_uses ORDER BY ret, idx',
      );
      expect(
        uses.map((u) => [Number(u.ticket), Number(u.ret), Number(u.amount), u.idx, u.s, u.code]),
      ).toEqual([
        [n.get('city-transit/aa'), ret.get('o1'), 6, 0, S(1).subarray(32), null],
        [n.get('city-transit/bb'), ret.get('o1'), 1, 1, S(2).subarray(32), null],
        [n.get('city-transit/aa'), ret.get('o2'), 3, 0, S(3).subarray(32), null],
        [n.get('city-transit/aa'), ret.get('o2'), 5, 1, S(4).subarray(32), 'E_OVERSPENT'],
      ]);
      // What each shop is owed, per unit, from the settled uses only (the overspent one is proof, not money).
      const { rows: owed } = await db.query<Record<string, unknown>>(
        'SELECT shop, unit, sum(amount)::int AS amount, sum(uses)::int AS uses FROM settled_amounts GROUP BY shop, unit ORDER BY shop, unit',
      );
      expect(owed).toEqual([
        { shop: 'acme-coffee', unit: 'EUR', amount: 6, uses: 1 },
        { shop: 'acme-coffee', unit: 'RIDE', amount: 1, uses: 1 },
        { shop: 'bakery', unit: 'EUR', amount: 3, uses: 1 },
      ]);
      // The memory of S still refuses an S returned again, and the settled sum still follows new uses.
      const again = db.query(
        'INSERT INTO remembered_uses (ticket, ret, amount, idx, s) VALUES ($1, $2, 1, 9, $3)',
        [n.get('city-transit/aa'), ret.get('o2'), S(1).subarray(32)],
      );
      await expect(again).rejects.toMatchObject({ code: '23505' });
      await db.query('INSERT INTO remembered_uses (ticket, ret, amount, idx, s) VALUES ($1, $2, 1, 9, $3)', [
        n.get('city-transit/aa'),
        ret.get('o2'),
        S(9).subarray(32),
      ]);
      expect(
        (await db.query('SELECT spent FROM ticket_sums WHERE ticket = $1', [n.get('city-transit/aa')])).rows,
      ).toEqual([{ spent: '10' }]);
    } finally {
      await db.close();
    }
  });
});

/** The migration that keeps what the collector owes as a sum per bag, shop, issuer and unit (version 16). */
const ACCEPTED_SUMS = 16;

describe('the upgrade to accepted sums (version 16)', () => {
  it('sums the uses an older version kept one a row, per origin, shop, issuer and unit, and drops them', async () => {
    expect(MIGRATIONS[ACCEPTED_SUMS - 1]).toContain('CREATE TABLE accepted_sums');
    const data = tempFolder('migrations');
    const url = await databaseUrlFor();
    const old = await openDb(data, url, ACCEPTED_SUMS - 1);
    const bag = 'aa'.repeat(32);
    const merged = 'bb'.repeat(32);
    const direct = 'cc'.repeat(32);
    try {
      await old.query(
        "INSERT INTO parties (id, role, created_at) VALUES ('city-transit', 'issuer', 0), ('metro', 'issuer', 0)",
      );
      const uses: [string, number, string, string, string, string, number][] = [
        [bag, 0, 'bag', 'acme-coffee', 'city-transit', 'EUR', 100],
        [bag, 1, 'bag', 'acme-coffee', 'metro', 'RIDE', 2],
        [bag, 2, 'bag', 'acme-coffee', 'city-transit', 'EUR', 20],
        // a relay's merged bag: its children's shops
        [merged, 0, 'bag', 'tea-house', 'city-transit', 'EUR', 4],
        [merged, 1, 'bag', 'acme-coffee', 'city-transit', 'EUR', 10],
        [merged, 2, 'bag', 'tea-house', 'city-transit', 'EUR', 5],
        [merged, 3, 'bag', 'acme-coffee', 'metro', 'RIDE', 1],
        [direct, 0, 'direct', 'acme-coffee', 'city-transit', 'EUR', 120],
      ];
      for (const u of uses)
        await old.query(
          `INSERT INTO accepted_uses (origin, idx, kind, shop, issuer, unit, amount)
           VALUES (decode($1, 'hex'), $2, $3, $4, $5, $6, $7)`,
          u,
        );
    } finally {
      await old.close();
    }

    const db = await openDb(data, url);
    try {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT encode(origin, 'hex') AS origin, kind, shop, issuer, unit, amount::int, uses FROM accepted_sums
         ORDER BY origin, shop, issuer, unit`,
      );
      const sum = (
        origin: string,
        kind: string,
        shop: string,
        issuer: string,
        unit: string,
        amount: number,
        uses: number,
      ) => ({ origin, kind, shop, issuer, unit, amount, uses });
      expect(rows).toEqual([
        sum(bag, 'bag', 'acme-coffee', 'city-transit', 'EUR', 120, 2),
        sum(bag, 'bag', 'acme-coffee', 'metro', 'RIDE', 2, 1),
        sum(merged, 'bag', 'acme-coffee', 'city-transit', 'EUR', 10, 1),
        sum(merged, 'bag', 'acme-coffee', 'metro', 'RIDE', 1, 1),
        sum(merged, 'bag', 'tea-house', 'city-transit', 'EUR', 9, 2),
        sum(direct, 'direct', 'acme-coffee', 'city-transit', 'EUR', 120, 1),
      ]);
      // The rows per use are gone; the sums are a record like the others.
      expect((await db.query("SELECT to_regclass('accepted_uses') AS t")).rows).toEqual([{ t: null }]);
      await expect(db.query('DELETE FROM accepted_sums')).rejects.toMatchObject({ code: '23001' });
    } finally {
      await db.close();
    }
  });
});

describe('a database made while the terminals were version 12', () => {
  it('upgrades to the last version, its terminals kept', async () => {
    // For a while main's migrations ended with the terminals at version 12; two migrations written before
    // were then merged in front of it (now versions 12 and 13, the terminals 14).
    const TERMINALS = MIGRATIONS.findIndex((m) => m.includes('EXISTS terminals'));
    expect(TERMINALS).toBe(13);
    const data = tempFolder('migrations');
    const url = await databaseUrlFor();
    const old = await openDb(data, url, 11);
    try {
      await old.tx(async (sql) => {
        await sql.query(MIGRATIONS[TERMINALS]);
        await sql.query('INSERT INTO schema_migrations (version, at) VALUES (12, 0)');
      });
      await old.query("INSERT INTO parties (id, role, created_at) VALUES ('acme-coffee', 'shop', 0)");
      await old.query(
        "INSERT INTO terminals (shop, id, token_hash, paired_at) VALUES ('acme-coffee', 'pos-1', 'h', 1)",
      );
    } finally {
      await old.close();
    }
    const db = await openDb(data, url);
    try {
      const { rows } = await db.query<{ v: unknown }>('SELECT max(version) AS v FROM schema_migrations');
      expect(Number(rows[0].v)).toBe(MIGRATIONS.length);
      expect((await db.query('SELECT shop, id FROM terminals')).rows).toEqual([
        { shop: 'acme-coffee', id: 'pos-1' },
      ]);
      // What the later versions made is there: the narrow remembered uses, the sums.
      for (const table of ['remembered_uses', 'ticket_sums', 'settled_amounts', 'accepted_sums'])
        expect((await db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });
});
