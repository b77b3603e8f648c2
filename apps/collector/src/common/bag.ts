// What a person sees of a Bag before it is collected: who, which root, how many uses, what they claim.
import { type Bag, type BagNode, toBase64url, totalsOf, type Use } from '@moneybag/protocol';
import { t } from './text.ts';

export interface BagSummary {
  collector: string;
  to: string;
  root: string;
  uses: number;
  shops: string[];
  /** Sums of the amounts the uses claim, per unit: not yet checked. */
  claimed: Record<string, number>;
  depth: number;
}

function walk(node: BagNode, depth: number, out: { uses: Use[]; depth: number }) {
  out.uses.push(...node.uses);
  out.depth = Math.max(out.depth, depth);
  for (const c of node.children) walk(c.node, depth + 1, out);
}

export function summarizeBag(bag: Bag): BagSummary {
  const out = { uses: [] as Use[], depth: 1 };
  walk(bag.node, 1, out);
  return {
    collector: bag.collector,
    to: bag.to,
    root: toBase64url(bag.root),
    uses: out.uses.length,
    shops: [...new Set(out.uses.map((u) => u.shop))],
    claimed: totalsOf(out.uses.map((u) => ({ unit: u.ticket.unit, amount: u.amount }))),
    depth: out.depth,
  };
}

/** A bag path for people: "main 0 › pos-2 3", or "root". */
export const pathText = (path: [string, number][]): string =>
  path.length === 0 ? t('treeRoot') : path.map(([id, n]) => `${id} ${n}`).join(' › ');
