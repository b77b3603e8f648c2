// Reclaims (3.8, 5.4) and 5.3 step 4 over real HTTP, against a server with a short horizon.
import {
  decode,
  encode,
  fromText,
  issueTicket,
  keysOf,
  nobleVerifier,
  type Reclaim,
  readWellKnown,
  signReclaim,
  type Ticket,
  toBase64url,
  verifyReclaimAnswer,
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

const HORIZON = 2;
let server: Server;
beforeAll(async () => {
  server = await startServer(undefined, ['--horizon', String(HORIZON)]);
});
afterAll(async () => {
  await server?.stop();
});

const nowSec = () => Math.floor(Date.now() / 1000);
const post = (r: Reclaim | Uint8Array) =>
  call(server, 'POST', '/v1/reclaims', {
    raw: r instanceof Uint8Array ? r : encode({ type: 'Reclaim', ...r }),
  });
const issuerAdmin = (path: string) => call(server, 'GET', path, { token: server.demo.issuer.token });
const reclaims = async (): Promise<{ ticket: string; amount: number; newTicket: string }[]> =>
  (await issuerAdmin('/v1/admin/issuer/settlement')).body.reclaims;
const ticketRow = async (t: Ticket) => {
  const { body } = await issuerAdmin('/v1/admin/issuer/tickets');
  return body.tickets.find((x: { ticket: string }) => x.ticket === toText(t));
};
const ticketCount = async (): Promise<number> =>
  (await issuerAdmin('/v1/admin/issuer/tickets')).body.tickets.length;
const spentOf = async (t: Ticket): Promise<number | undefined> => (await ticketRow(t))?.spent;
const toText = (t: Ticket) => toBase64url(encode({ type: 'Ticket', ...t }));
/** Waits until the server's clock is past `at` (seconds). */
const until = (at: number) => waitFor(async () => nowSec() >= at, 60_000);

describe('POST /v1/reclaims', () => {
  const h = holder(71);
  const next = holder(72); // the key the remainder is issued to
  const cheat = holder(73);
  let t: Ticket; // partly spent, then reclaimed
  let spentAll: Ticket; // fully spent
  let denied: Ticket; // of a holder denied for overspending
  let unspent: Ticket; // reclaimed by several requests at once
  let late: Uint8Array; // a bag holding a use of t, collected only after t is reclaimed
  let answer: { ticket: string; amount: number };

  beforeAll(async () => {
    // Every root allocated before the short-lived tickets expire (so the collector accepts their uses).
    const [a, b, c, d, e] = await allocations(server, 5);
    const expires = nowSec() + 3;
    t = await issue(server, h, 1000, 'EUR', expires);
    spentAll = await issue(server, h, 100, 'EUR', expires);
    denied = await issue(server, cheat, 1000, 'EUR', expires);
    unspent = await issue(server, h, 50, 'EUR', expires);
    const bags = [
      bagOf(a, await usesFor(a, [{ ticket: t, amount: 400, signer: h }])),
      bagOf(b, await usesFor(b, [{ ticket: spentAll, amount: 100, signer: h }])),
      bagOf(c, await usesFor(c, [{ ticket: denied, amount: 600, signer: cheat }])),
      bagOf(d, await usesFor(d, [{ ticket: denied, amount: 600, signer: cheat }])),
    ];
    // Signed at a POS before the expiry; the bag reaches the collector only after the reclaim.
    late = bagOf(e, await usesFor(e, [{ ticket: t, amount: 300, signer: h }]));
    for (const raw of bags) {
      const r = await call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw });
      expect(r.body.accepted).toBe(1);
    }
    // The collector's Returns reach the issuer.
    await waitFor(async () => (await spentOf(t)) === 400 && (await spentOf(spentAll)) === 100);
    await waitFor(async () =>
      (await call(server, 'GET', '/v1/denylist')).body.holders.includes(toBase64url(cheat.publicKey)),
    );
  });

  it('publishes the horizon in the well-known issuer entry', async () => {
    const wk = await call(server, 'GET', '/.well-known/moneybag.json');
    expect(wk.body.issuers[0]).toMatchObject({ id: 'city-transit', horizon: HORIZON });
    expect(readWellKnown(wk.body).issuers[0].horizon).toBe(HORIZON);
  });

  it('refuses before expires + horizon with 422 E_WINDOW, storing nothing', async () => {
    const fresh = await issue(server, h, 500); // expires far in the future
    const r = await post(await signReclaim(h, fresh));
    expect(r).toMatchObject({ status: 422, body: { code: 'E_WINDOW' } });
    expect(await reclaims()).toEqual([]);
  });

  it("refuses a ticket it did not issue, and a P that is not the holder's", async () => {
    const stranger = holder(74);
    const forged = await issueTicket(stranger, {
      issuer: 'city-transit',
      unit: 'EUR',
      face: 1000,
      holder: h.publicKey,
      expires: t.expires,
    });
    expect(await post(await signReclaim(h, forged))).toMatchObject({
      status: 422,
      body: { code: 'E_NOT_ISSUED' },
    });
    const changed = { ...t, face: 5000 };
    expect(await post(await signReclaim(h, changed))).toMatchObject({
      status: 422,
      body: { code: 'E_NOT_ISSUED' },
    });
    // P made by another key (over the same ticket's fields but its own holder, as signReclaim insists).
    const other = await signReclaim(stranger, { ...t, holder: stranger.publicKey });
    const bySomeoneElse = { ...(await signReclaim(h, t)), P: other.P };
    expect(await post(bySomeoneElse)).toMatchObject({ status: 422, body: { code: 'E_USE_SIGNATURE' } });
    expect(await reclaims()).toEqual([]);
  });

  it('refuses what does not decode with its decoder code', async () => {
    const whole = encode({ type: 'Reclaim', ...(await signReclaim(h, t)) });
    expect(await post(whole.subarray(0, whole.length - 1))).toMatchObject({
      status: 422,
      body: { code: 'E_TRUNCATED' },
    });
    expect(await post(encode({ type: 'Ticket', ...t }))).toMatchObject({
      status: 422,
      body: { code: 'E_TYPE' },
    });
  });

  it('after expires + horizon: E_DENIED, E_FIELD, E_AMOUNT as 422, storing nothing', async () => {
    await until(t.expires + HORIZON);
    const tickets = await ticketCount();
    expect(await post(await signReclaim(cheat, denied))).toMatchObject({
      status: 422,
      body: { code: 'E_DENIED' },
    });
    const smallOrder = new Uint8Array(32);
    smallOrder[0] = 1; // the identity point
    expect(await post(await signReclaim(h, t, smallOrder))).toMatchObject({
      status: 422,
      body: { code: 'E_FIELD' },
    });
    expect(await post(await signReclaim(h, spentAll))).toMatchObject({
      status: 422,
      body: { code: 'E_AMOUNT' },
    });
    expect(await reclaims()).toEqual([]);
    expect(await ticketCount()).toBe(tickets); // no new ticket issued
  });

  it('issues exactly what is left, to the key asked, under the issuer key', async () => {
    await until(t.expires + HORIZON);
    const reclaim = await signReclaim(h, t, next.publicKey);
    const r = await post(reclaim);
    expect(r.status).toBe(200);
    answer = r.body;
    expect(answer.amount).toBe(600);
    const wk = readWellKnown((await call(server, 'GET', '/.well-known/moneybag.json')).body);
    const got = await verifyReclaimAnswer(answer, {
      reclaim,
      issuers: keysOf(wk.issuers),
      verifier: nobleVerifier,
      now: nowSec(),
    });
    expect(got.ticket).toMatchObject({
      issuer: 'city-transit',
      unit: 'EUR',
      face: 600,
      holder: next.publicKey,
    });
    expect(await reclaims()).toEqual([
      { ticket: toText(t), amount: 600, newTicket: answer.ticket, at: expect.any(Number) },
    ]);
    expect(await ticketRow(t)).toMatchObject({ face: 1000, spent: 400, reclaimed: 600, left: 0 });
    // The new ticket is the issuer's like any other: listed, nothing spent of it.
    expect(await spentOf(decode(fromText(answer.ticket), 'Ticket'))).toBe(0);
  });

  it('answers a retry, whatever its `to`, with the same answer and stores nothing more', async () => {
    expect(await post(await signReclaim(h, t, next.publicKey))).toEqual({ status: 200, body: answer });
    expect(await post(await signReclaim(h, t))).toEqual({ status: 200, body: answer });
    expect(await reclaims()).toHaveLength(1);
  });

  it('reclaims a ticket once when asked several times at once, each answered alike', async () => {
    const keys = [h, next, holder(75), holder(76)].map((k) => k.publicKey);
    const answers = await Promise.all(keys.map(async (to) => post(await signReclaim(h, unspent, to))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(answers[0].body.amount).toBe(50);
    expect((await reclaims()).filter((r) => r.ticket === toText(unspent))).toHaveLength(1);
  });

  it('refuses a use of the reclaimed ticket collected afterwards: E_RECLAIMED, the collector blamed', async () => {
    const r = await call(server, 'POST', '/v1/bags', { token: server.demo.shops[0].token, raw: late });
    expect(r.body.accepted).toBe(1); // the root was allocated before the ticket expired
    const incident = await waitFor(async () => {
      const { body } = await issuerAdmin('/v1/admin/issuer/incidents');
      return body.incidents.find((i: { code: string }) => i.code === 'E_RECLAIMED');
    });
    expect(incident).toMatchObject({ code: 'E_RECLAIMED', blame: 'collector', collector: 'first-bank' });
    expect(incident.proof.use.amount).toBe(300);
    expect(incident.proof.reclaim).toMatchObject({ amount: 600, ticket: answer.ticket });
    // The holder did nothing wrong: not denied; and the ticket counts as settled to its face, no more.
    expect((await call(server, 'GET', '/v1/denylist')).body.holders).not.toContain(toBase64url(h.publicKey));
    expect(await ticketRow(t)).toMatchObject({ spent: 400, reclaimed: 600, left: 0 });
  });
});

describe('--horizon', () => {
  it('is a number of seconds, or the server does not start', async () => {
    await expect(startServer(undefined, ['--horizon', '45d'])).rejects.toThrow(/bad --horizon 45d/);
  });
});
