// 7.1 Relays: a child's bag placed under its path, the children's bags merged into one Bag per root, and the
// collector's answer restricted to a child's subtree (with how the child verifies it).
import type { Static } from 'typebox';
import { equal, fromHex, toHex } from './bytes.ts';
import { type Keys, totalsOf } from './checks.ts';
import type { BagPath } from './collector.ts';
import type { Verifier } from './crypto.ts';
import { fail } from './errors.ts';
import type { BagAnswerJson } from './http.ts';
import type { Allocation, Bag, BagChild, BagNode, Bytes, PathStep, Report, Use } from './messages.ts';
import { verifyReport } from './pos.ts';
import type * as S from './schemas.ts';
import { fromText } from './text.ts';

/** Where a number sits: its root Allocation's collector, `to` and root, and its path from the root. */
export type Place = Pick<Allocation, 'collector' | 'to' | 'root' | 'path'>;

const stepText = (path: readonly PathStep[]) => path.map((s) => `${s.terminal}/${s.n}`).join(' > ') || 'root';

/**
 * 7.1 Bags up: the node of a child's bag at the number it was given (`place`). Every Node above it must hold
 * no Use and exactly one Child, the next step of the path; the bag's collector, `to` and root must be the
 * number's. Anything else is E_UNKNOWN_BAG: a child cannot fill, or claim, a sibling's number.
 */
export function placeBag(bag: Bag, place: Place): BagNode {
  if (bag.collector !== place.collector || bag.to !== place.to || !equal(bag.root, place.root))
    fail('E_UNKNOWN_BAG', 'this bag is not of a number given to you (collector, to or root differ)');
  let node = bag.node;
  for (const [i, step] of place.path.entries()) {
    const next = node.children[0];
    if (
      node.uses.length > 0 ||
      node.children.length !== 1 ||
      next.terminal !== step.terminal ||
      next.n !== step.n
    )
      fail(
        'E_UNKNOWN_BAG',
        `a use outside your number: the bag leaves ${stepText(place.path)} at step ${i + 1}`,
      );
    node = next.node;
  }
  return node;
}

/**
 * 7.1 Merge: one Bag of a root from the relay's own place: its path as the spine, each child's subtree as a
 * Child of the relay's node. The children's (terminal, n) must be distinct (E_MALFORMED); they are ordered by
 * terminal then n, so that the same children always give the same bytes.
 */
export function mergeBag(own: Place, children: readonly BagChild[]): Bag {
  const seen = new Set<string>();
  for (const c of children) {
    const key = `${c.terminal}/${c.n}`;
    if (seen.has(key)) fail('E_MALFORMED', `child ${key} twice`);
    seen.add(key);
  }
  const sorted = [...children].sort((a, b) =>
    a.terminal === b.terminal ? a.n - b.n : a.terminal < b.terminal ? -1 : 1,
  );
  let node: BagNode = { uses: [], children: sorted };
  for (let i = own.path.length - 1; i >= 0; i--) node = { uses: [], children: [{ ...own.path[i], node }] };
  return { collector: own.collector, to: own.to, root: own.root, node };
}

/** A Use with where it sits: its node's path from the root and its place among that node's Uses. */
export interface PathedUse {
  path: BagPath;
  index: number;
  use: Use;
}

/** Every Use of the subtree at `path` (whole paths from the root), in bag order; E_UNKNOWN_BAG if no such node. */
export function usesUnder(bag: Bag, path: readonly PathStep[]): PathedUse[] {
  let node = bag.node;
  for (const step of path) {
    const next = node.children.find((c) => c.terminal === step.terminal && c.n === step.n);
    if (!next) return fail('E_UNKNOWN_BAG', `no node ${stepText(path)} in this bag`);
    node = next.node;
  }
  const out: PathedUse[] = [];
  const walk = (n: BagNode, at: BagPath) => {
    for (const [index, use] of n.uses.entries()) out.push({ path: at, index, use });
    for (const c of n.children) walk(c.node, [...at, [c.terminal, c.n]]);
  };
  walk(
    node,
    path.map((s) => [s.terminal, s.n]),
  );
  return out;
}

/** 7.1: a relay's 202 on a child's bag, until the collector has answered. */
export type RelayWaitingJson = Static<typeof S.RelayWaiting>;

/**
 * 7.1 Answers down: the collector's answer restricted to a child (a collector's own answer has no `merged`:
 * there the bag is the one the Report names).
 */
export type RelayedAnswerJson = BagAnswerJson & { merged: string };

const pathKey = (path: BagPath, index: number) => `${JSON.stringify(path)}#${index}`;
const within = (path: BagPath, prefix: readonly PathStep[]) =>
  path.length >= prefix.length && prefix.every((s, i) => path[i][0] === s.terminal && path[i][1] === s.n);

/**
 * 7.1 Answers down: `answer` (the parent's, on the relay's merged bag `merged`) restricted to the child whose
 * bag has digest `childDigest` and whose number sits at `child.path`: `accepted` and `totals` over the Uses of
 * the child's subtree that no `rejected` entry names by path and index, `rejected` the entries whose path lies
 * in the subtree (whole paths), the collector's Report, and `merged` the digest that Report signs. An answer
 * that is itself restricted (a relay under a relay) keeps its `merged`: the Report is always the collector's.
 */
export function restrictAnswer(
  answer: BagAnswerJson,
  merged: Bag,
  child: { path: readonly PathStep[]; digest: Bytes },
): RelayedAnswerJson {
  const rejected = answer.rejected.filter((r) => within(r.path, child.path));
  const refused = new Set(rejected.map((r) => pathKey(r.path, r.index)));
  const kept = usesUnder(merged, child.path).filter((u) => !refused.has(pathKey(u.path, u.index)));
  return {
    digest: toHex(child.digest),
    root: answer.root,
    accepted: kept.length,
    rejected,
    totals: totalsOf(kept.map((u) => ({ unit: u.use.ticket.unit, amount: u.use.amount }))),
    report: answer.report,
    merged: answer.merged ?? answer.digest,
  };
}

/**
 * How a POS or a relay verifies the final answer on its own bag, from a collector or through relays: the
 * answer is about this bag and root, and the Report is signed by a trusted collector over `merged` (or, from
 * the collector itself, over this bag, with the answer's counts). Anything else is E_COLLECTOR.
 */
export async function verifyBagAnswer(
  answer: BagAnswerJson,
  ctx: { bag: Pick<Bag, 'collector' | 'root'>; digest: Bytes; collectors: Keys; verifier: Verifier },
): Promise<Report> {
  if (answer.digest !== toHex(ctx.digest)) fail('E_COLLECTOR', 'the answer is about another bag');
  const bagDigest = answer.merged === undefined ? ctx.digest : fromHex(answer.merged);
  const r = await verifyReport(fromText(answer.report), {
    bagDigest,
    collectors: ctx.collectors,
    verifier: ctx.verifier,
  });
  if (r.collector !== ctx.bag.collector || !equal(r.root, ctx.bag.root))
    fail('E_COLLECTOR', "the report is not on this bag's root from its collector");
  if (
    answer.merged === undefined &&
    (r.accepted_count !== answer.accepted || r.rejected_count !== answer.rejected.length)
  )
    fail('E_COLLECTOR', 'the report does not match the answer');
  return r;
}

/** A node of a collected bag as its collector's page shows it: where it sits, and the uses of its subtree. */
export type BagTreeNodeJson = Static<typeof S.BagTreeNode>;

/**
 * The tree of a collected bag (relays, terminals, counts per node) from where its uses sat: every node that
 * holds a use or lies on the way to one, in bag order (depth first), with its subtree's counts.
 */
export function bagTree(
  uses: readonly { path: BagPath }[],
  refused: readonly { path: BagPath }[],
): BagTreeNodeJson[] {
  const nodes = new Map<string, BagTreeNodeJson>([['[]', { path: [], uses: 0, refused: 0 }]]);
  const count = (path: BagPath, field: 'uses' | 'refused') => {
    for (let d = 0; d <= path.length; d++) {
      const at = path.slice(0, d);
      const key = JSON.stringify(at);
      let node = nodes.get(key);
      if (!node) nodes.set(key, (node = { path: at, uses: 0, refused: 0 }));
      node[field]++;
    }
  };
  for (const u of uses) count(u.path, 'uses');
  for (const r of refused) count(r.path, 'refused');
  // Depth first, children in (terminal, n) order: a parent's path sorts before its children's.
  const order = (a: BagPath, b: BagPath): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      if (a[i][0] !== b[i][0]) return a[i][0] < b[i][0] ? -1 : 1;
      if (a[i][1] !== b[i][1]) return a[i][1] - b[i][1];
    }
    return a.length - b.length;
  };
  return [...nodes.values()].sort((a, b) => order(a.path, b.path));
}
