// Section 7: the JSON bodies that cross HTTP, typed once for the service and the apps that read them.
import { toBase64url, toHex } from './bytes.ts';
import type { BagAnswer, BagPath } from './collector.ts';
import type { Code } from './errors.ts';
import { toText } from './text.ts';

/** A refusal: a 4xx with this body, and nothing stored. */
export interface RefusalJson {
  code: Code;
  message: string;
}

export interface RejectedUseJson {
  path: BagPath;
  deal: number;
  code: Code;
}

/** The collector's 200 answer on a bag (POST /v1/bags, GET /v1/bags/<digest>). */
export interface BagAnswerJson {
  /** bag_digest, lowercase hex. */
  digest: string;
  /** base64url. */
  root: string;
  accepted: number;
  rejected: RejectedUseJson[];
  totals: Record<string, number>;
  /** The signed Report, in text form. */
  report: string;
}

export const bagAnswerJson = (a: BagAnswer): BagAnswerJson => ({
  digest: toHex(a.digest),
  root: toBase64url(a.root),
  accepted: a.accepted.length,
  rejected: a.rejected.map(({ path, deal, code }) => ({ path, deal, code })),
  totals: a.totals,
  report: toText(a.report),
});
