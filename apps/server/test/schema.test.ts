// The invariants the database holds by itself: each test goes around the service with plain SQL, as a bug,
// a script or an operator's hand-made statement would, and the schema refuses what the code never does.
import { ticketId } from '@moneybag/protocol';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../src/db.ts';
import { holder, issue, type Server, serverForFile } from './helpers.ts';

let server: Server;
let db: pg.Client;
serverForFile((s, d) => {
  server = s;
  db = d;
});

/** The SQLSTATE a statement fails with (undefined when it succeeds). */
async function refusal(sql: string, params: unknown[] = []): Promise<string | undefined> {
  try {
    await db.query(sql, params);
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

const CHECK = '23514';
const FOREIGN_KEY = '23503';
const KEPT = '23001'; // restrict_violation, raised by keep_record()

let returns = 0;
/** A settled Return's row, as the issuer writes it before the uses it remembers. */
async function settledReturn(): Promise<string> {
  const origin = `0${++returns}`.padStart(64, '0');
  await db.query(
    "INSERT INTO settled_returns (collector, origin, settled, answer, message, at) VALUES ('first-bank', $1, 0, '{}', '', 0)",
    [origin],
  );
  return origin;
}

let calls = 0;
const remember = (ticket: string, origin: string, amounts: number[], code: string | null = null) =>
  refusal(
    `INSERT INTO remembered_uses (s, expires, ticket, shop, unit, amount, chal, collector, origin, idx, code)
     SELECT convert_to('s' || $4 || '.' || n, 'UTF8'), 0, $1, 'acme-coffee', 'EUR', a, '\\x00', 'first-bank', $2, n, $5
     FROM unnest($3::bigint[]) WITH ORDINALITY AS x(a, n)`,
    [ticket, origin, amounts, ++calls, code],
  );

const spent = async (id: string) =>
  Number((await db.query('SELECT spent FROM tickets WHERE id = $1', [id])).rows[0].spent);

describe("a ticket's settled sum", () => {
  it('cannot pass its face, even by a direct INSERT that bypasses the issuer', async () => {
    const id = ticketId(await issue(server, holder(61), 5));
    const origin = await settledReturn();
    expect(await remember(id, origin, [3])).toBeUndefined();
    expect(await remember(id, origin, [3])).toBe(CHECK); // 6 > 5
    expect(await spent(id)).toBe(3);
    // A use remembered as overspent (with its code) is proof, not money: it does not count.
    expect(await remember(id, origin, [3], 'E_OVERSPENT')).toBeUndefined();
    expect(await remember(id, origin, [2])).toBeUndefined();
    expect(await spent(id)).toBe(5);
    expect(await remember(id, origin, [1])).toBe(CHECK);
  });

  it('cannot pass its face within one statement either', async () => {
    const id = ticketId(await issue(server, holder(62), 5));
    const origin = await settledReturn();
    expect(await remember(id, origin, [3, 3])).toBe(CHECK);
    expect(await spent(id)).toBe(0);
    expect(await remember(id, origin, [2, 3])).toBeUndefined();
    expect(await spent(id)).toBe(5);
  });
});

describe('the schema refuses', () => {
  it('amounts below 1, a due date not after the issue, states outside their set', async () => {
    expect(
      await refusal(
        `INSERT INTO accepted_sums (origin, kind, shop, issuer, unit, amount, uses)
         VALUES ('\\x00', 'bag', 'acme-coffee', 'city-transit', 'EUR', 0, 1)`,
      ),
    ).toBe(CHECK);
    expect(
      await refusal(
        `INSERT INTO accepted_sums (origin, kind, shop, issuer, unit, amount, uses)
         VALUES ('\\x00', 'bag', 'acme-coffee', 'city-transit', 'EUR', 1, 0)`,
      ),
    ).toBe(CHECK);
    expect(
      await refusal(
        `INSERT INTO allocations (root, collector, party, issued, due, message)
         VALUES ('r', 'first-bank', 'acme-coffee', 100, 100, '')`,
      ),
    ).toBe(CHECK);
    expect(
      await refusal(
        `INSERT INTO outbox (issuer, origin, uses, message, state, next_attempt_at, created_at)
         VALUES ('city-transit', 'o', 1, '', 'lost', 0, 0)`,
      ),
    ).toBe(CHECK);
    expect(
      await refusal(
        "INSERT INTO tickets (id, fingerprint, holder, unit, face, expires, issued_at, message) VALUES ('t', 'f', 'h', 'EUR', 0, 1, 0, '')",
      ),
    ).toBe(CHECK);
  });

  it('rows naming a party, ticket or Return that does not exist', async () => {
    const origin = await settledReturn();
    expect(await remember('no-such-ticket', origin, [1])).toBe(FOREIGN_KEY);
    // (checked once per statement: one bad row among good ones refuses it all)
    const id = ticketId(await issue(server, holder(64), 5));
    expect(await remember(id, 'no-such-return', [1])).toBe(FOREIGN_KEY);
    expect(
      await refusal(
        `INSERT INTO remembered_uses (s, expires, ticket, shop, unit, amount, chal, collector, origin, idx, code)
         SELECT convert_to('s.fk.' || t, 'UTF8'), 0, t, 'acme-coffee', 'EUR', 1, '\\x00', 'first-bank', $2, 0, NULL
         FROM unnest(ARRAY[$1, 'no-such-ticket']) AS t`,
        [id, origin],
      ),
    ).toBe(FOREIGN_KEY);
    expect(await spent(id)).toBe(0);
    expect(
      await refusal(
        `INSERT INTO allocations (root, collector, party, issued, due, message)
         VALUES ('r', 'first-bank', 'no-such-shop', 1, 2, '')`,
      ),
    ).toBe(FOREIGN_KEY);
    expect(
      await refusal(
        `INSERT INTO outbox (issuer, origin, uses, message, next_attempt_at, created_at)
         VALUES ('no-such-issuer', 'o', 1, '', 0, 0)`,
      ),
    ).toBe(FOREIGN_KEY);
  });

  it('changing or deleting a record', async () => {
    const id = ticketId(await issue(server, holder(63), 5));
    await remember(id, await settledReturn(), [1]);
    expect(await refusal('DELETE FROM remembered_uses')).toBe(KEPT);
    expect(await refusal('UPDATE remembered_uses SET amount = 1')).toBe(KEPT);
    expect(await refusal('DELETE FROM settled_returns')).toBe(KEPT);
    expect(
      await refusal(
        `INSERT INTO accepted_sums (origin, kind, shop, issuer, unit, amount, uses)
         VALUES ('\\x01', 'bag', 'acme-coffee', 'city-transit', 'EUR', 3, 2)`,
      ),
    ).toBeUndefined();
    expect(await refusal('UPDATE accepted_sums SET amount = 1')).toBe(KEPT);
    expect(await refusal('DELETE FROM accepted_sums')).toBe(KEPT);
    expect(await refusal('TRUNCATE accepted_sums')).toBe(KEPT);
    expect(await refusal('TRUNCATE bags CASCADE')).toBe(KEPT);
    expect(await refusal('DELETE FROM tickets')).toBe(KEPT);
    // A ticket's fields are its record (uses name it by id); only its settled sum moves, by the trigger.
    expect(await refusal('UPDATE tickets SET face = 1000 WHERE id = $1', [id])).toBe(KEPT);
    expect(await refusal("UPDATE tickets SET id = 'x' WHERE id = $1", [id])).toBe(KEPT);
    expect(await spent(id)).toBe(1);
  });

  it('changing or deleting a reclaim', async () => {
    const [old, remainder] = await Promise.all([issue(server, holder(64), 5), issue(server, holder(64), 4)]);
    const row = [ticketId(old), 4, ticketId(remainder), '', 0];
    expect(
      await refusal(
        'INSERT INTO reclaims (ticket, amount, new_ticket, message, at) VALUES ($1, $2, $3, $4, $5)',
        row,
      ),
    ).toBeUndefined();
    expect(await refusal('UPDATE reclaims SET amount = 5 WHERE ticket = $1', [ticketId(old)])).toBe(KEPT);
    expect(await refusal('DELETE FROM reclaims WHERE ticket = $1', [ticketId(old)])).toBe(KEPT);
    expect(await refusal('TRUNCATE reclaims')).toBe(KEPT);
    const kept = await db.query('SELECT amount FROM reclaims WHERE ticket = $1', [ticketId(old)]);
    expect(kept.rows.map((r) => Number(r.amount))).toEqual([4]);
  });
});

describe('indexes', () => {
  /** The plan of a query with sequential scans priced out: which index serves it. */
  const plan = async (sql: string) => {
    await db.query('BEGIN');
    try {
      await db.query('SET LOCAL enable_seqscan = off');
      return (await db.query(`EXPLAIN ${sql}`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await db.query('ROLLBACK');
    }
  };
  it('serve the outbox poll and the lists', async () => {
    expect(
      await plan(
        "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= 1 ORDER BY id LIMIT 20",
      ),
    ).toContain('outbox_pending');
    expect(
      await plan('SELECT party, received_at, answer FROM bags ORDER BY received_at DESC LIMIT 200'),
    ).toContain('bags_received');
    expect(
      await plan(
        "SELECT * FROM allocations WHERE party = 'acme-coffee' ORDER BY issued DESC, root LIMIT 500",
      ),
    ).toContain('allocations_party');
    expect(await plan('SELECT holder, at FROM denylist ORDER BY at, holder')).toContain('denylist_at');
  });
});

describe('upgrading a database', () => {
  /**
   * Runs the migrations before `version` (counted from 1) in a schema of their own inside one transaction,
   * then `fill`, then the migrations from `version` on, then `check`; rolled back after.
   */
  async function upgrade(version: number, fill: () => Promise<unknown>, check: () => Promise<unknown>) {
    await db.query('BEGIN');
    try {
      await db.query('CREATE SCHEMA upgrading');
      await db.query('SET LOCAL search_path = upgrading');
      for (const m of MIGRATIONS.slice(0, version - 1)) await db.query(m);
      await fill();
      for (const m of MIGRATIONS.slice(version - 1)) await db.query(m);
      await check();
    } finally {
      await db.query('ROLLBACK');
    }
  }

  it('sums the accepted uses an older version stored one per use, per origin, shop, issuer and unit', async () => {
    const version = MIGRATIONS.findIndex((m) => m.includes('CREATE TABLE accepted_sums')) + 1;
    expect(version).toBeGreaterThan(0);
    const bag = 'aa'.repeat(32);
    const merged = 'bb'.repeat(32);
    const direct = 'cc'.repeat(32);
    await upgrade(
      version,
      async () => {
        await db.query(
          `INSERT INTO parties (id, role, created_at) VALUES ('city-transit', 'issuer', 0), ('metro', 'issuer', 0)`,
        );
        const uses: [string, number, string, string, string, string, number][] = [
          [bag, 0, 'bag', 'acme-coffee', 'city-transit', 'EUR', 100],
          [bag, 1, 'bag', 'acme-coffee', 'metro', 'RIDE', 2],
          [bag, 2, 'bag', 'acme-coffee', 'city-transit', 'EUR', 20],
          [merged, 0, 'bag', 'tea-house', 'city-transit', 'EUR', 4],
          [merged, 1, 'bag', 'acme-coffee', 'city-transit', 'EUR', 10],
          [merged, 2, 'bag', 'tea-house', 'city-transit', 'EUR', 5],
          [merged, 3, 'bag', 'acme-coffee', 'metro', 'RIDE', 1],
          [direct, 0, 'direct', 'acme-coffee', 'city-transit', 'EUR', 120],
        ];
        for (const u of uses)
          await db.query(
            `INSERT INTO accepted_uses (origin, idx, kind, shop, issuer, unit, amount)
             VALUES (decode($1, 'hex'), $2, $3, $4, $5, $6, $7)`,
            u,
          );
      },
      async () => {
        const { rows } = await db.query(
          `SELECT encode(origin, 'hex') AS origin, kind, shop, issuer, unit, amount, uses FROM accepted_sums
           ORDER BY origin, shop, issuer, unit`,
        );
        expect(rows.map((r) => ({ ...r, amount: Number(r.amount) }))).toEqual([
          {
            origin: bag,
            kind: 'bag',
            shop: 'acme-coffee',
            issuer: 'city-transit',
            unit: 'EUR',
            amount: 120,
            uses: 2,
          },
          {
            origin: bag,
            kind: 'bag',
            shop: 'acme-coffee',
            issuer: 'metro',
            unit: 'RIDE',
            amount: 2,
            uses: 1,
          },
          {
            origin: merged,
            kind: 'bag',
            shop: 'acme-coffee',
            issuer: 'city-transit',
            unit: 'EUR',
            amount: 10,
            uses: 1,
          },
          {
            origin: merged,
            kind: 'bag',
            shop: 'acme-coffee',
            issuer: 'metro',
            unit: 'RIDE',
            amount: 1,
            uses: 1,
          },
          {
            origin: merged,
            kind: 'bag',
            shop: 'tea-house',
            issuer: 'city-transit',
            unit: 'EUR',
            amount: 9,
            uses: 2,
          },
          {
            origin: direct,
            kind: 'direct',
            shop: 'acme-coffee',
            issuer: 'city-transit',
            unit: 'EUR',
            amount: 120,
            uses: 1,
          },
        ]);
        // The per-use table is gone; the sums are a record like the others.
        expect((await db.query("SELECT to_regclass('accepted_uses') AS t")).rows[0].t).toBeNull();
        await db.query('SAVEPOINT kept');
        await expect(db.query('DELETE FROM accepted_sums')).rejects.toMatchObject({ code: KEPT });
        await db.query('ROLLBACK TO SAVEPOINT kept');
      },
    );
  });
});
