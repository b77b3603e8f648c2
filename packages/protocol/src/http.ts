// Section 7: the JSON bodies that cross HTTP, typed once for the service and the apps that read them.
import { fromBase64url, toBase64url, toHex } from './bytes.ts';
import { isId } from './codec.ts';
import type { BagAnswer, BagPath } from './collector.ts';
import { type Code, fail } from './errors.ts';
import type { Bytes } from './messages.ts';
import { toText } from './text.ts';

/** A refusal: a 4xx with this body, and nothing stored. */
export interface RefusalJson {
  code: Code;
  message: string;
}

export interface RejectedUseJson {
  path: BagPath;
  deal: number;
  /** The use's place among its Node's Uses, from 0 (uses may share a deal). */
  index: number;
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
  rejected: a.rejected.map(({ path, deal, index, code }) => ({ path, deal, index, code })),
  totals: a.totals,
  report: toText(a.report),
});

/** GET /.well-known/moneybag.json: the issuers and collectors a service speaks for. */
export interface WellKnownJson {
  version: 1;
  issuers: { id: string; publicKey: string; url: string }[];
  collectors: { id: string; publicKey: string; url: string }[];
}

/** A party of the well-known document, with its key as bytes. */
export interface PartyKey {
  id: string;
  publicKey: Bytes;
  url: string;
}

/** Read a well-known document as it came over the network: anything malformed is E_FIELD. */
export function readWellKnown(json: unknown): { issuers: PartyKey[]; collectors: PartyKey[] } {
  const parties = (list: unknown): PartyKey[] => {
    if (list === undefined) return [];
    if (!Array.isArray(list)) return fail('E_FIELD', 'the well-known document lists no parties');
    return list.map((p: { id?: unknown; publicKey?: unknown; url?: unknown }) => {
      if (typeof p?.id !== 'string' || !isId(p.id) || typeof p.publicKey !== 'string')
        return fail('E_FIELD', 'the well-known document lists a malformed key');
      const publicKey = fromBase64url(p.publicKey);
      if (publicKey.length !== 32) fail('E_FIELD', `the key of ${p.id} is not 32 bytes`);
      return { id: p.id, publicKey, url: typeof p.url === 'string' ? p.url : '' };
    });
  };
  const d = json as { issuers?: unknown; collectors?: unknown } | null;
  if (typeof d !== 'object' || d === null) fail('E_FIELD', 'not a well-known document');
  return { issuers: parties(d!.issuers), collectors: parties(d!.collectors) };
}
