// The invariants the database holds by itself: each test goes around the service with plain SQL, as a bug,
// a script or an operator's hand-made statement would, and the schema refuses what the code never does.
import { ticketId } from '@moneybag/protocol';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
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
/** A settled Return's row, as the issuer writes it before the uses it remembers: its number. */
async function settledReturn(): Promise<number> {
  const origin = `0${++returns}`.padStart(64, '0');
  const { rows } = await db.query(
    "INSERT INTO settled_returns (collector, origin, settled, answer, message, at) VALUES ('first-bank', $1, 0, '{}', '', 0) RETURNING id",
    [origin],
  );
  return Number(rows[0].id);
}

/** A ticket's number (remembered uses name it by number), by its id; -1 names none. */
const numberOf = async (id: string) =>
  Number((await db.query('SELECT n FROM tickets WHERE id = $1', [id])).rows[0]?.n ?? -1);

let calls = 0;
const remember = async (ticket: string, ret: number, amounts: number[], code: string | null = null) =>
  refusal(
    `INSERT INTO remembered_uses (s, ticket, ret, amount, idx, code)
     SELECT sha256(convert_to('s' || $4 || '.' || n, 'UTF8')), $1, $2, a, n, $5
     FROM unnest($3::bigint[]) WITH ORDINALITY AS x(a, n)`,
    [await numberOf(ticket), ret, amounts, ++calls, code],
  );

const spent = async (id: string) =>
  Number(
    (await db.query('SELECT spent FROM tickets JOIN ticket_sums ON ticket = n WHERE id = $1', [id])).rows[0]
      .spent,
  );

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
        "INSERT INTO tickets (id, c, holder, unit, face, expires, issued_at, message) VALUES ('t', sha512(''), 'h', 'EUR', 0, 1, 0, '')",
      ),
    ).toBe(CHECK);
  });

  it('rows naming a party, ticket or Return that does not exist', async () => {
    const ret = await settledReturn();
    expect(await remember('no-such-ticket', ret, [1])).toBe(FOREIGN_KEY);
    // (checked once per statement: one bad row among good ones refuses it all)
    const id = ticketId(await issue(server, holder(64), 5));
    expect(await remember(id, -1, [1])).toBe(FOREIGN_KEY);
    expect(
      await refusal(
        `INSERT INTO remembered_uses (s, ticket, ret, amount, idx, code)
         SELECT sha256(convert_to('s.fk.' || t, 'UTF8')), t, $2, 1, 0, NULL FROM unnest(ARRAY[$1, -1]::bigint[]) AS t`,
        [await numberOf(id), ret],
      ),
    ).toBe(FOREIGN_KEY);
    expect(
      await refusal(
        "INSERT INTO settled_amounts (ret, shop, unit, amount, uses) VALUES (-1, 'acme-coffee', 'EUR', 1, 1)",
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
    expect(await refusal('DELETE FROM settled_amounts')).toBe(KEPT);
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
    // A ticket is a record (uses name it by number); only its settled sum moves, by the trigger.
    expect(await refusal('UPDATE tickets SET face = 1000 WHERE id = $1', [id])).toBe(KEPT);
    expect(await refusal('UPDATE tickets SET n = n + 1000 WHERE id = $1', [id])).toBe(KEPT);
    expect(await refusal('UPDATE ticket_sums SET face = 1000')).toBe(KEPT);
    expect(await refusal('DELETE FROM ticket_sums')).toBe(KEPT);
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
