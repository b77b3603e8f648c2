// 7.1: placement of a child's bag, the merge under one root, the answer restricted to a child, its check.
import { describe, expect, it } from 'vitest';
import {
  type Allocation,
  type Bag,
  type BagAnswerJson,
  bagAnswerJson,
  bagTree,
  bodyOfUse,
  challengeOf,
  checkBag,
  closeBag,
  decode,
  digestOf,
  encode,
  keysOf,
  mergeBag,
  nobleVerifier,
  numberOfAllocation,
  type ProtocolError,
  passDown,
  placeBag,
  restrictAnswer,
  type Signer,
  seedSigner,
  type Use,
  verifyBagAnswer,
} from '../src/index.ts';
import { collector, holder, issuers, NOW, root, ticket } from './world.ts';

const collectors = keysOf([{ id: 'first-bank', publicKey: collector.publicKey }]);
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as ProtocolError).code;
  }
  return 'ok';
};

/** The uses of one deal under a number: one per amount, all under one chal (a multi-ticket payment). */
async function deal(a: Allocation, n: number, amounts: number[], signers: Signer[] = []): Promise<Use[]> {
  const chal = challengeOf(a.collector, numberOfAllocation(a), n);
  return Promise.all(
    amounts.map(async (amount, i) => {
      const t = await ticket();
      const S = await (signers[i] ?? holder).sign(bodyOfUse(amount, t.C, 'acme-coffee', chal));
      return { deal: n, shop: 'acme-coffee', ticket: t, amount, S };
    }),
  );
}

// collector -> main office (the root's holder) -> branch-1 -> pos-1, pos-2; and pos-9 under the main office.
async function tree() {
  const main: Allocation = {
    collector: 'first-bank',
    to: 'acme-coffee',
    root,
    issued: NOW - 3600,
    due: NOW + 86_400,
    A: new Uint8Array(64),
    path: [],
  };
  const branch = passDown(main, 'branch-1', 0);
  const pos1 = passDown(branch, 'pos-1', 0);
  const pos2 = passDown(branch, 'pos-2', 0);
  const pos9 = passDown(main, 'pos-9', 3);
  const stranger = seedSigner(new Uint8Array(32).fill(9));
  const bags = {
    pos1: closeBag(pos1, [...(await deal(pos1, 0, [100])), ...(await deal(pos1, 1, [200, 50]))]),
    // deal 4 pays with two tickets, the second signed by someone else than the holder: refused by index 1.
    pos2: closeBag(pos2, [
      ...(await deal(pos2, 4, [300, 40], [holder, stranger])),
      ...(await deal(pos2, 5, [7])),
    ]),
    pos9: closeBag(pos9, await deal(pos9, 0, [1000])),
  };
  return { main, branch, pos1, pos2, pos9, bags };
}

/** The relay's step: each child's bag placed at its number, then merged from the relay's own place. */
const relayMerge = (own: Allocation, kids: [Allocation, Bag][]): Bag =>
  mergeBag(
    own,
    kids.map(([a, bag]) => ({ ...a.path[a.path.length - 1], node: placeBag(bag, a) })),
  );

const collect = async (bag: Bag) => {
  const r = await checkBag(encode({ type: 'Bag', ...bag }), {
    collector: 'first-bank',
    sender: 'acme-coffee',
    now: NOW,
    allocation: () => ({ to: 'acme-coffee', issued: NOW - 3600, due: NOW + 86_400 }),
    issuers,
    verifier: nobleVerifier,
    signer: collector,
  });
  if ('retry' in r) throw new Error('not a retry');
  return r;
};

describe('7.1 placement of a child bag', () => {
  it("gives the node at the child's number", async () => {
    const t = await tree();
    expect(placeBag(t.bags.pos2, t.pos2).uses.map((u) => u.amount)).toEqual([300, 40, 7]);
    expect(placeBag(t.bags.pos9, t.pos9).uses).toHaveLength(1);
  });
  it("refuses a sibling's number, another root, to or collector, a use or a second child on the path", async () => {
    const t = await tree();
    expect(codeOf(() => placeBag(t.bags.pos1, t.pos2))).toBe('E_UNKNOWN_BAG');
    expect(codeOf(() => placeBag(t.bags.pos1, passDown(t.branch, 'pos-1', 1)))).toBe('E_UNKNOWN_BAG');
    expect(codeOf(() => placeBag({ ...t.bags.pos1, root: new Uint8Array(16) }, t.pos1))).toBe(
      'E_UNKNOWN_BAG',
    );
    expect(codeOf(() => placeBag({ ...t.bags.pos1, to: 'tea-house' }, t.pos1))).toBe('E_UNKNOWN_BAG');
    expect(codeOf(() => placeBag({ ...t.bags.pos1, collector: 'other-bank' }, t.pos1))).toBe('E_UNKNOWN_BAG');
    // A use slipped in at the branch's node, above pos-1's number.
    const withUse = structuredClone(t.bags.pos1);
    withUse.node.children[0].node.uses.push(t.bags.pos2.node.children[0].node.children[0].node.uses[0]);
    expect(codeOf(() => placeBag(withUse, t.pos1))).toBe('E_UNKNOWN_BAG');
    // pos-1 claiming pos-2's number as a second child of the branch.
    const twoKids = structuredClone(t.bags.pos1);
    twoKids.node.children[0].node.children.push(t.bags.pos2.node.children[0].node.children[0]);
    expect(codeOf(() => placeBag(twoKids, t.pos1))).toBe('E_UNKNOWN_BAG');
    // Its own bag, one level short (the branch's number): not what it was given.
    expect(codeOf(() => placeBag(closeBag(t.branch, []), t.pos1))).toBe('E_UNKNOWN_BAG');
  });
});

describe('7.1 merge', () => {
  it('puts each subtree under the relay path; the collector accepts the whole tree', async () => {
    const t = await tree();
    const branchBag = relayMerge(t.branch, [
      [t.pos2, t.bags.pos2],
      [t.pos1, t.bags.pos1],
    ]);
    expect(placeBag(branchBag, t.branch).children.map((c) => c.terminal)).toEqual(['pos-1', 'pos-2']);
    const mainBag = relayMerge(t.main, [
      [t.pos9, t.bags.pos9],
      [t.branch, branchBag],
    ]);
    const answer = await collect(mainBag);
    expect(answer.accepted.map((u) => [u.path, u.deal])).toEqual([
      [
        [
          ['branch-1', 0],
          ['pos-1', 0],
        ],
        0,
      ],
      [
        [
          ['branch-1', 0],
          ['pos-1', 0],
        ],
        1,
      ],
      [
        [
          ['branch-1', 0],
          ['pos-1', 0],
        ],
        1,
      ],
      [
        [
          ['branch-1', 0],
          ['pos-2', 0],
        ],
        4,
      ],
      [
        [
          ['branch-1', 0],
          ['pos-2', 0],
        ],
        5,
      ],
      [[['pos-9', 3]], 0],
    ]);
    expect(answer.rejected).toEqual([
      {
        path: [
          ['branch-1', 0],
          ['pos-2', 0],
        ],
        deal: 4,
        index: 1,
        code: 'E_USE_SIGNATURE',
      },
    ]);
    // The collector's page: every node on the way to a use, depth first, with its subtree's counts.
    expect(bagTree([...answer.accepted, ...answer.rejected], answer.rejected)).toEqual([
      { path: [], uses: 7, refused: 1 },
      { path: [['branch-1', 0]], uses: 6, refused: 1 },
      {
        path: [
          ['branch-1', 0],
          ['pos-1', 0],
        ],
        uses: 3,
        refused: 0,
      },
      {
        path: [
          ['branch-1', 0],
          ['pos-2', 0],
        ],
        uses: 3,
        refused: 1,
      },
      { path: [['pos-9', 3]], uses: 1, refused: 0 },
    ]);
  });
  it('gives the same bytes whatever order the children came in; a child twice is E_MALFORMED', async () => {
    const t = await tree();
    const kids: [Allocation, Bag][] = [
      [t.pos1, t.bags.pos1],
      [t.pos2, t.bags.pos2],
    ];
    const one = encode({ type: 'Bag', ...relayMerge(t.branch, kids) });
    const two = encode({ type: 'Bag', ...relayMerge(t.branch, [...kids].reverse()) });
    expect(digestOf(one)).toEqual(digestOf(two));
    expect(codeOf(() => relayMerge(t.branch, [kids[0], kids[0]]))).toBe('E_MALFORMED');
  });
});

describe('7.1 answers down', () => {
  async function collected() {
    const t = await tree();
    const branchBag = relayMerge(t.branch, [
      [t.pos1, t.bags.pos1],
      [t.pos2, t.bags.pos2],
    ]);
    const mainBag = relayMerge(t.main, [
      [t.branch, branchBag],
      [t.pos9, t.bags.pos9],
    ]);
    const answer = bagAnswerJson(await collect(mainBag));
    const digest = (b: Bag) => digestOf(encode({ type: 'Bag', ...b }));
    return { t, branchBag, mainBag, answer, digest };
  }

  it('restricts accepted, totals and rejected to the subtree, by path and index', async () => {
    const { t, branchBag, mainBag, answer, digest } = await collected();
    const forPos2 = restrictAnswer(answer, mainBag, { path: t.pos2.path, digest: digest(t.bags.pos2) });
    // deal 4's second ticket was refused; its first (same deal) and deal 5 are accepted.
    expect(forPos2).toMatchObject({ accepted: 2, totals: { EUR: 307 }, merged: answer.digest });
    expect(forPos2.rejected).toEqual(answer.rejected);
    const forPos1 = restrictAnswer(answer, mainBag, { path: t.pos1.path, digest: digest(t.bags.pos1) });
    expect(forPos1).toMatchObject({ accepted: 3, rejected: [], totals: { EUR: 350 } });
    const forPos9 = restrictAnswer(answer, mainBag, { path: t.pos9.path, digest: digest(t.bags.pos9) });
    expect(forPos9).toMatchObject({ accepted: 1, rejected: [], totals: { EUR: 1000 } });
    // Through the branch: the main office restricts to the branch, the branch to its POS; the same answer.
    const forBranch = restrictAnswer(answer, mainBag, { path: t.branch.path, digest: digest(branchBag) });
    expect(forBranch).toMatchObject({ accepted: 5, totals: { EUR: 657 }, merged: answer.digest });
    expect(restrictAnswer(forBranch, branchBag, { path: t.pos2.path, digest: digest(t.bags.pos2) })).toEqual(
      forPos2,
    );
  });

  it('the child verifies the Report and that it signs the merged bag', async () => {
    const { t, mainBag, answer, digest } = await collected();
    const own = digest(t.bags.pos2);
    const forPos2 = restrictAnswer(answer, mainBag, { path: t.pos2.path, digest: own });
    const ctx = { bag: t.bags.pos2, digest: own, collectors, verifier: nobleVerifier };
    const report = await verifyBagAnswer(forPos2, ctx);
    expect([report.accepted_count, report.rejected_count]).toEqual([6, 1]);
    const refused = async (a: BagAnswerJson, c = ctx) =>
      verifyBagAnswer(a, c).then(
        () => 'ok',
        (e: ProtocolError) => e.code,
      );
    expect(await refused({ ...forPos2, merged: '00'.repeat(32) })).toBe('E_COLLECTOR');
    expect(await refused(forPos2, { ...ctx, digest: digest(t.bags.pos1) })).toBe('E_COLLECTOR');
    expect(await refused(forPos2, { ...ctx, collectors: keysOf([]) })).toBe('E_COLLECTOR');
    // A collector's own answer (no `merged`): the Report signs this bag, with the answer's counts.
    const direct: BagAnswerJson = answer;
    await verifyBagAnswer(direct, { ...ctx, bag: mainBag, digest: digest(mainBag) });
    expect(await refused({ ...direct, accepted: 5 }, { ...ctx, bag: mainBag, digest: digest(mainBag) })).toBe(
      'E_COLLECTOR',
    );
    expect(decode(encode({ type: 'Bag', ...mainBag }), 'Bag').node.children).toHaveLength(2);
  });
});
