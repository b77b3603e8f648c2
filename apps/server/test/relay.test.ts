// 7.1 over real processes and real HTTP: collector <- main office relay <- two branch relays <- POS terminals
// (driven through the protocol library), one POS straight under the main office; and a sub-collector.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BagRowJson, RelayStateJson } from '@moneybag/api';
import {
  type Allocation,
  type BagAnswerJson,
  closeBag,
  decode,
  digestOf,
  encode,
  fromText,
  keysOf,
  nobleVerifier,
  numberOfAllocation,
  readWellKnown,
  type Signer,
  type Ticket,
  toBase64url,
  toHex,
  type Use,
  verifyAllocation,
  verifyBagAnswer,
} from '@moneybag/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../../test/tmp.ts';
import {
  call,
  holder,
  issue,
  type Proc,
  type Server,
  spawnMain,
  startServer,
  usesFor,
  waitFor,
} from './helpers.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** `npm run moneybag -- <args> --json`: the CLI as an operator runs it. */
function moneybag(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'apps/server/src/cli.ts', ...args, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`moneybag ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const startRelay = (data: string, upstream: string, token: string) =>
  spawnMain(data, ['--role', 'relay', '--upstream', upstream, '--token', token]);

/** A POS as the protocol library drives it: numbers from its parent, bags up, answers read back. */
class Pos {
  constructor(
    public parent: Pick<Proc, 'url'>,
    readonly terminal: string,
    readonly token: string,
    readonly shop: string,
  ) {}
  async numbers(count = 1): Promise<Allocation[]> {
    const r = await call(this.parent, 'POST', '/v1/allocations', {
      token: this.token,
      json: { count, terminal: this.terminal },
    });
    if (r.status !== 200) throw new Error(JSON.stringify(r.body));
    const wk = readWellKnown((await call(this.parent, 'GET', '/.well-known/moneybag.json')).body);
    return Promise.all(
      (r.body.allocations as string[]).map((t) =>
        verifyAllocation(decode(fromText(t), 'Allocation'), {
          collectors: keysOf(wk.collectors),
          verifier: nobleVerifier,
        }),
      ),
    );
  }
  deliver(bag: Uint8Array) {
    return call(this.parent, 'POST', '/v1/bags', { token: this.token, raw: bag });
  }
  /** Polls GET /v1/bags/<digest> until the final answer, then checks it as the POS app does. */
  async answer(bag: Uint8Array): Promise<BagAnswerJson & { merged: string }> {
    const digest = digestOf(bag);
    const r = await waitFor(async () => {
      const got = await call(this.parent, 'GET', `/v1/bags/${toHex(digest)}`, { token: this.token });
      if (got.status !== 200 && got.status !== 202) throw new Error(JSON.stringify(got));
      return got.status === 200 && got;
    }, 90_000);
    const wk = readWellKnown((await call(this.parent, 'GET', '/.well-known/moneybag.json')).body);
    await verifyBagAnswer(r.body, {
      bag: decode(bag, 'Bag'),
      digest,
      collectors: keysOf(wk.collectors),
      verifier: nobleVerifier,
    });
    return r.body;
  }
}

const bagOf = (a: Allocation, uses: Use[]) => encode({ type: 'Bag', ...closeBag(a, uses) });
const spend = (ticket: Ticket, amount: number, signer: Signer) => ({ ticket, amount, signer });

let collector: Server;
const relays: Record<string, Proc> = {};
const pos: Record<string, Pos> = {};
const dirs = { main: tempFolder('main'), b1: tempFolder('branch-1'), b2: tempFolder('branch-2') };
const h = holder(21);
const branchToken: Record<string, string> = {};

beforeAll(async () => {
  collector = await startServer();
  // A child added before its relay ever ran, straight to the relay's database.
  const b1 = moneybag('add-terminal', 'branch-1', '--data', dirs.main);
  branchToken.b1 = b1.token;
  relays.main = await startRelay(dirs.main, collector.url, collector.demo.shops[0].token);
  // ... and while it runs, through its admin API.
  const b2 = moneybag('add-terminal', 'branch-2', '--label', 'Branch 2', '--data', dirs.main);
  const p9 = moneybag('add-terminal', 'pos-9', '--data', dirs.main);
  expect(p9.pairing).toMatch(new RegExp(`^${relays.main.url.replace('127.0.0.1', 'localhost')}/pos/#pair=`));
  [relays.b1, relays.b2] = await Promise.all([
    startRelay(dirs.b1, relays.main.url, b1.token),
    startRelay(dirs.b2, relays.main.url, b2.token),
  ]);
  for (const [relay, dir, id] of [
    ['b1', dirs.b1, 'pos-1'],
    ['b1', dirs.b1, 'pos-2'],
    ['b2', dirs.b2, 'pos-3'],
  ] as const)
    pos[id] = new Pos(relays[relay], id, moneybag('add-terminal', id, '--data', dir).token, 'acme-coffee');
  pos['pos-9'] = new Pos(relays.main, 'pos-9', p9.token, 'acme-coffee');
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(relays).map((r) => r.stop()));
  await collector?.stop();
});

describe('a chain of stores: collector <- main office <- branches <- POS', () => {
  it('a branch serves the deny list of each issuer as the main office last gave it (?issuer=)', async () => {
    const issuer = collector.demo.issuer.id;
    const own = await call(collector, 'GET', `/v1/denylist?issuer=${issuer}`);
    const at = await call(relays.b1, 'GET', `/v1/denylist?issuer=${issuer}`);
    expect([at.status, at.body]).toEqual([200, own.body]);
    // One issuer above it: the list without ?issuer= is that one's.
    expect((await call(relays.b1, 'GET', '/v1/denylist')).body).toEqual(own.body);
    const unknown = await call(relays.b1, 'GET', '/v1/denylist?issuer=nobody');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'E_NOT_FOUND']);
  });

  it('numbers down, one merged bag up, each POS its own part of the answer', {
    timeout: 180_000,
  }, async () => {
    const ids = ['pos-1', 'pos-2', 'pos-3', 'pos-9'];
    // Every POS asks before any delivers: all under one root, every number distinct.
    const given: Record<string, Allocation> = {};
    for (const id of ids) [given[id]] = await pos[id].numbers(1);
    expect(new Set(ids.map((id) => toBase64url(given[id].root))).size).toBe(1);
    expect(new Set(ids.map((id) => toHex(numberOfAllocation(given[id])))).size).toBe(4);
    expect(given['pos-1'].path.map((s) => s.terminal)).toEqual(['branch-1', 'pos-1']);
    expect(given['pos-9'].path.map((s) => s.terminal)).toEqual(['pos-9']);
    // A terminal in the body that is not the child's own.
    const other = await call(relays.b1, 'POST', '/v1/allocations', {
      token: pos['pos-1'].token,
      json: { count: 1, terminal: 'pos-2' },
    });
    expect([other.status, other.body.code]).toEqual([403, 'E_FORBIDDEN']);

    const t = await issue(collector, h, 1000);
    const [ta, tb] = [await issue(collector, h, 500), await issue(collector, h, 500)];
    const bags: Record<string, Uint8Array> = {
      'pos-1': bagOf(given['pos-1'], await usesFor(given['pos-1'], [spend(t, 100, h), spend(t, 50, h)])),
      // One deal paid with two tickets, the second signed by someone else: refused by its index.
      'pos-2': bagOf(given['pos-2'], [
        ...(await usesFor(given['pos-2'], [spend(ta, 300, h)], 'acme-coffee', 7)),
        ...(await usesFor(given['pos-2'], [spend(tb, 40, holder(22))], 'acme-coffee', 7)),
      ]),
      'pos-3': bagOf(given['pos-3'], await usesFor(given['pos-3'], [spend(t, 200, h)])),
      'pos-9': bagOf(given['pos-9'], await usesFor(given['pos-9'], [spend(tb, 5, h)])),
    };

    // Forged placements, refused at the relay and stored nowhere.
    const forged = await pos['pos-1'].deliver(bags['pos-2']);
    expect([forged.status, forged.body.code]).toEqual([422, 'E_UNKNOWN_BAG']);
    const slipped = closeBag(given['pos-1'], await usesFor(given['pos-1'], [spend(t, 1, h)]));
    slipped.node.children[0].node.uses.push(...(await usesFor(given['pos-1'], [spend(t, 2, h)])));
    const above = await pos['pos-1'].deliver(encode({ type: 'Bag', ...slipped }));
    expect([above.status, above.body.code]).toEqual([422, 'E_UNKNOWN_BAG']);

    for (const id of ['pos-1', 'pos-2', 'pos-3']) {
      const r = await pos[id].deliver(bags[id]);
      expect(r.status).toBe(202);
      expect(r.body).toEqual({
        digest: toHex(digestOf(bags[id])),
        root: toBase64url(given[id].root),
        state: expect.stringMatching(/^(waiting|forwarded)$/),
      });
    }
    // The same bag again: the same answer; another bag on the same number: E_BAG_REUSED.
    expect((await pos['pos-1'].deliver(bags['pos-1'])).status).toBe(202);
    const again = await pos['pos-1'].deliver(bagOf(given['pos-1'], []));
    expect([again.status, again.body.code]).toEqual([409, 'E_BAG_REUSED']);
    // Nothing reached the collector while pos-9 still holds its number.
    const waiting = await call(relays.b1, 'GET', `/v1/bags/${toHex(digestOf(bags['pos-1']))}`, {
      token: pos['pos-1'].token,
    });
    expect(waiting.status).toBe(202);
    expect((await collectedBags()).filter((b) => b.root === toBase64url(given['pos-1'].root))).toEqual([]);
    expect((await pos['pos-9'].deliver(bags['pos-9'])).status).toBe(202);

    const answers: Record<string, BagAnswerJson & { merged: string }> = {};
    for (const id of ids) answers[id] = await pos[id].answer(bags[id]);
    const atCollector = (await collectedBags()).filter((b) => b.root === toBase64url(given['pos-1'].root));
    expect(atCollector).toHaveLength(1);
    for (const id of ids) expect(answers[id].merged).toBe(atCollector[0].digest);
    expect(atCollector[0]).toMatchObject({ accepted: 5, totals: { EUR: 655 } });
    // The collector's page shows the tree: the relays, the terminals, the uses under each.
    expect(atCollector[0].tree.map((n) => [n.path.map(([t]) => t).join('/'), n.uses, n.refused])).toEqual([
      ['', 6, 1],
      ['branch-1', 4, 1],
      ['branch-1/pos-1', 2, 0],
      ['branch-1/pos-2', 2, 1],
      ['branch-2', 1, 0],
      ['branch-2/pos-3', 1, 0],
      ['pos-9', 1, 0],
    ]);
    expect(answers['pos-1']).toMatchObject({ accepted: 2, rejected: [], totals: { EUR: 150 } });
    expect(answers['pos-2']).toMatchObject({
      accepted: 1,
      totals: { EUR: 300 },
      rejected: [
        {
          path: [
            ['branch-1', 0],
            ['pos-2', 0],
          ],
          deal: 7,
          index: 1,
          code: 'E_USE_SIGNATURE',
        },
      ],
    });
    expect(answers['pos-3']).toMatchObject({ accepted: 1, rejected: [], totals: { EUR: 200 } });
    expect(answers['pos-9']).toMatchObject({ accepted: 1, rejected: [], totals: { EUR: 5 } });
    // The operator's page and its JSON: the root answered, with its answer.
    // Its script a file of its own: the service's Content-Security-Policy runs scripts from 'self' only.
    expect((await call(relays.b1, 'GET', '/relay/')).body).toContain('<script type="module" src="page.js">');
    expect((await call(relays.b1, 'GET', '/relay/page.js')).body).toContain('Operator token');
    const admin = await call(relays.b1, 'GET', '/v1/admin/relay', {
      token: readFileSync(join(dirs.b1, 'keys', 'operator.token'), 'utf8'),
    });
    expect(
      admin.body.roots.find((r: { root: string }) => r.root === toBase64url(given['pos-1'].root)),
    ).toMatchObject({
      state: 'answered',
      answer: { merged: atCollector[0].digest, accepted: 3 },
    });
    expect((await call(relays.b1, 'GET', '/v1/admin/relay', { token: pos['pos-1'].token })).status).toBe(403);
    // The operator's listing: what each child holds and delivered.
    const listed = moneybag('terminals', '--data', dirs.b1) as { terminal: string; delivered: number }[];
    expect(listed.map((c) => [c.terminal, c.delivered])).toEqual([
      ['pos-1', 1],
      ['pos-2', 1],
    ]);
  });

  it('a branch killed -9 between two children bags loses none and forwards the root once', {
    timeout: 180_000,
  }, async () => {
    const [a1] = await pos['pos-1'].numbers(1);
    const [a2] = await pos['pos-2'].numbers(1);
    expect(toBase64url(a1.root)).toBe(toBase64url(a2.root));
    const t = await issue(collector, h, 100);
    const bag1 = bagOf(a1, await usesFor(a1, [spend(t, 10, h)]));
    const bag2 = bagOf(a2, await usesFor(a2, [spend(t, 20, h)]));
    expect((await pos['pos-1'].deliver(bag1)).status).toBe(202);
    await relays.b1.kill();
    relays.b1 = await startRelay(dirs.b1, relays.main.url, branchToken.b1);
    for (const id of ['pos-1', 'pos-2']) pos[id].parent = relays.b1;
    expect((await pos['pos-1'].deliver(bag1)).status).toBe(202); // the same bag again: the same answer
    expect((await pos['pos-2'].deliver(bag2)).status).toBe(202);
    const [r1, r2] = [await pos['pos-1'].answer(bag1), await pos['pos-2'].answer(bag2)];
    expect([r1.totals, r2.totals]).toEqual([{ EUR: 10 }, { EUR: 20 }]);
    expect((await collectedBags()).filter((b) => b.root === toBase64url(a1.root))).toHaveLength(1);
  });

  it('a parent that is down: the branch retries with backoff, its children see waiting', {
    timeout: 180_000,
  }, async () => {
    const [a1] = await pos['pos-1'].numbers(1);
    const [a2] = await pos['pos-2'].numbers(1);
    const t = await issue(collector, h, 100);
    const bag1 = bagOf(a1, await usesFor(a1, [spend(t, 1, h)]));
    const bag2 = bagOf(a2, await usesFor(a2, [spend(t, 2, h)]));
    await relays.main.stop();
    // No open root left for pos-1 and the parent down: 503, and nothing recorded as given to it.
    const operator = readFileSync(join(dirs.b1, 'keys', 'operator.token'), 'utf8');
    const holds = async () =>
      (await call(relays.b1, 'GET', '/v1/admin/relay', { token: operator })).body.children.find(
        (c: { terminal: string }) => c.terminal === 'pos-1',
      ).holds;
    expect(await holds()).toBe(1);
    const none = await call(relays.b1, 'POST', '/v1/allocations', {
      token: pos['pos-1'].token,
      json: { count: 1 },
    });
    expect(none.status).toBe(503);
    expect(await holds()).toBe(1);
    expect((await pos['pos-1'].deliver(bag1)).status).toBe(202);
    expect((await pos['pos-2'].deliver(bag2)).status).toBe(202);
    const root = toBase64url(a1.root);
    const failing = await waitFor(async () => {
      const r = await call(relays.b1, 'GET', '/v1/admin/relay', { token: operator });
      const it = r.body.roots.find((x: { root: string }) => x.root === root);
      return it?.attempts >= 2 && it;
    }, 60_000);
    expect(failing).toMatchObject({
      state: 'merged',
      lastError: expect.stringContaining('cannot be reached'),
    });
    const seen = await call(relays.b1, 'GET', `/v1/bags/${toHex(digestOf(bag1))}`, {
      token: pos['pos-1'].token,
    });
    expect([seen.status, seen.body.state]).toEqual([202, 'waiting']);
    // The main office back on its port: the branch's next attempt finds it.
    relays.main = await spawnMain(dirs.main, [
      ...['--role', 'relay', '--upstream', collector.url, `--token=${collector.demo.shops[0].token}`],
      ...['--port', new URL(relays.main.url).port],
    ]);
    expect((await pos['pos-1'].answer(bag1)).totals).toEqual({ EUR: 1 });
    expect((await pos['pos-2'].answer(bag2)).totals).toEqual({ EUR: 2 });
    expect((await collectedBags()).filter((b) => b.root === root)).toHaveLength(1);
  });

  it('one child asking many times at once gets distinct numbers', { timeout: 60_000 }, async () => {
    const lists = await Promise.all([1, 2, 3, 4, 5].map(() => pos['pos-3'].numbers(2)));
    const numbers = lists.flat().map((a) => toHex(numberOfAllocation(a)));
    expect(new Set(numbers).size).toBe(10);
    for (const list of lists) expect(new Set(list.map((a) => toBase64url(a.root))).size).toBe(2);
  });

  it('a revoked child is refused', { timeout: 60_000 }, async () => {
    const extra = moneybag('add-terminal', 'pos-4', '--data', dirs.b2);
    const before = await call(relays.b2, 'GET', '/v1/me', { token: extra.token });
    expect(before.body).toMatchObject({ party: 'acme-coffee', terminal: 'pos-4' });
    expect(moneybag('revoke-terminal', 'pos-4', '--data', dirs.b2)).toEqual({
      terminal: 'pos-4',
      revoked: true,
    });
    const after = await call(relays.b2, 'POST', '/v1/allocations', {
      token: extra.token,
      json: { count: 1 },
    });
    expect([after.status, after.body.code]).toEqual([401, 'E_AUTH']);
    // The operator's endpoints validate with their schemas (@moneybag/api's relayAdmin): nothing is added.
    const operator = readFileSync(join(dirs.b2, 'keys', 'operator.token'), 'utf8');
    const admin = async (path: string, json: unknown) =>
      call(relays.b2, 'POST', `/v1/admin/relay/terminals${path}`, { token: operator, json });
    for (const bad of [{ label: 'no id' }, { id: 'pos-5', label: 7 }, { id: 'x'.repeat(65) }]) {
      const r = await admin('', bad);
      expect([r.status, r.body.code], JSON.stringify(bad)).toEqual([400, 'E_REQUEST']);
    }
    const again = await admin('/pos-4/revoke', {});
    expect([again.status, again.body.code]).toEqual([404, 'E_NOT_FOUND']);
    const state: RelayStateJson = (await call(relays.b2, 'GET', '/v1/admin/relay', { token: operator })).body;
    expect(state.children.map((c) => [c.terminal, c.revoked_at !== null])).toEqual([
      ['pos-3', false],
      ['pos-4', true],
    ]);
  });
});

describe('the due margin', () => {
  it('forwards what came back when the due is near; a later bag is E_BAG_LATE', {
    timeout: 120_000,
  }, async () => {
    const dir = tempFolder('late');
    const a = moneybag('add-terminal', 'pos-a', '--data', dir);
    const b = moneybag('add-terminal', 'pos-b', '--data', dir);
    // The collector gives 30 days; a margin of 30 days less 20 seconds forwards each root 20 s after it is issued.
    relays.late = await spawnMain(dir, [
      '--role',
      'relay',
      '--upstream',
      collector.url,
      // A base64url token may start with '-': given with '=', it cannot read as an option.
      `--token=${collector.demo.shops[0].token}`,
      '--due-margin',
      String(30 * 86_400 - 20),
    ]);
    const pa = new Pos(relays.late, 'pos-a', a.token, 'acme-coffee');
    const pb = new Pos(relays.late, 'pos-b', b.token, 'acme-coffee');
    const [na] = await pa.numbers(1);
    const [nb] = await pb.numbers(1);
    expect(toBase64url(na.root)).toBe(toBase64url(nb.root));
    const t = await issue(collector, h, 100);
    const bagA = bagOf(na, await usesFor(na, [spend(t, 9, h)]));
    expect((await pa.deliver(bagA)).status).toBe(202);
    expect((await pa.answer(bagA)).totals).toEqual({ EUR: 9 });
    const late = await pb.deliver(bagOf(nb, await usesFor(nb, [spend(t, 1, h)])));
    expect([late.status, late.body.code]).toEqual([422, 'E_BAG_LATE']);
    expect(relays.late.output()).toContain("pos-b's bag");
    const operator = readFileSync(join(dir, 'keys', 'operator.token'), 'utf8');
    const admin = await call(relays.late, 'GET', '/v1/admin/relay', { token: operator });
    expect(admin.body.late).toEqual([
      { at: expect.any(Number), terminal: 'pos-b', root: toBase64url(nb.root) },
    ]);
  });
});

async function collectedBags(): Promise<BagRowJson[]> {
  const r = await call(collector, 'GET', '/v1/admin/collector/bags', {
    token: collector.demo.collector.token,
  });
  return r.body.bags;
}

describe('a bank with a sub-collector', () => {
  it("takes the sub-collector's bag of two shops; the issuer owes each shop its own uses", {
    timeout: 180_000,
  }, async () => {
    const sub = await call(collector, 'POST', '/v1/admin/collector/shops', {
      token: collector.demo.collector.token,
      json: { id: 'sub-bank', label: 'Sub Bank' },
    });
    expect(sub.status).toBe(200);
    const dir = tempFolder('sub-bank');
    const tea = moneybag('add-terminal', 'tea-1', '--shop', 'tea-house', '--data', dir);
    const books = moneybag('add-terminal', 'books-1', '--shop', 'book-nook', '--data', dir);
    relays.sub = await startRelay(dir, collector.url, sub.body.token);
    const teaPos = new Pos(relays.sub, 'tea-1', tea.token, 'tea-house');
    const booksPos = new Pos(relays.sub, 'books-1', books.token, 'book-nook');
    const me = await call(relays.sub, 'GET', '/v1/me', { token: tea.token });
    expect(me.body).toMatchObject({ party: 'tea-house', terminal: 'tea-1' });
    const [a] = await teaPos.numbers(1);
    const [b] = await booksPos.numbers(1);
    expect([a.to, toBase64url(a.root)]).toEqual(['sub-bank', toBase64url(b.root)]);
    const t = await issue(collector, h, 1000);
    const teaBag = bagOf(a, await usesFor(a, [spend(t, 30, h), spend(t, 3, h)], 'tea-house'));
    const booksBag = bagOf(b, await usesFor(b, [spend(t, 70, h)], 'book-nook'));
    expect((await teaPos.deliver(teaBag)).status).toBe(202);
    expect((await booksPos.deliver(booksBag)).status).toBe(202);
    expect((await teaPos.answer(teaBag)).totals).toEqual({ EUR: 33 });
    expect((await booksPos.answer(booksBag)).totals).toEqual({ EUR: 70 });
    const [bag] = (await collectedBags()).filter((x) => x.root === toBase64url(a.root));
    expect(bag).toMatchObject({ to: 'sub-bank', accepted: 3 });
    // The collector returns each use to the issuer under the shop it names; the issuer owes each shop.
    const owed = await waitFor(async () => {
      const r = await call(collector, 'GET', '/v1/admin/issuer/settlement', {
        token: collector.demo.issuer.token,
      });
      const rows = (r.body.owed as { shop: string; amount: number; uses: number }[]).filter((o) =>
        ['tea-house', 'book-nook', 'sub-bank'].includes(o.shop),
      );
      return rows.length === 2 && rows;
    }, 60_000);
    expect(owed).toEqual([
      { shop: 'book-nook', unit: 'EUR', amount: 70, uses: 1 },
      { shop: 'tea-house', unit: 'EUR', amount: 33, uses: 2 },
    ]);
  });
});
