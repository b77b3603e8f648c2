// Section 7: the JSON bodies that cross HTTP, typed once for the service and the apps that read them.
import { fromBase64url, toBase64url, toHex, utf8 } from './bytes.ts';
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

/** What a POS pairing link carries: the service's origin, the shop, and a token of the shop. */
export interface PairingLinkJson {
  url: string;
  shop: string;
  token: string;
}

/** The POS pairing link: `<origin>/pos/#pair=<base64url(UTF-8 JSON {url, shop, token})>`. */
export const pairingLink = (origin: string, shop: string, token: string): string =>
  `${origin}/pos/#pair=${toBase64url(utf8(JSON.stringify({ url: origin, shop, token })))}`;

const pairDecoder = new TextDecoder('utf-8', { fatal: true });

/** Read a pairing link (or only its `#pair=` part): anything malformed is E_FIELD. */
export function readPairingLink(text: string): PairingLinkJson {
  const at = text.indexOf('#pair=');
  if (at < 0) return fail('E_FIELD', 'not a pairing link (it has no #pair=)');
  let v: { url?: unknown; shop?: unknown; token?: unknown } | null;
  try {
    v = JSON.parse(pairDecoder.decode(fromBase64url(text.slice(at + 6).trim())));
  } catch {
    return fail('E_FIELD', 'the pairing link is damaged');
  }
  const { url, shop, token } = v ?? {};
  if (typeof url !== 'string' || !/^https?:\/\//.test(url))
    return fail('E_FIELD', 'the pairing link has no service URL');
  if (typeof shop !== 'string' || !isId(shop)) return fail('E_FIELD', 'the pairing link has no shop id');
  if (typeof token !== 'string' || !token) return fail('E_FIELD', 'the pairing link has no token');
  return { url: url.replace(/\/+$/, ''), shop, token };
}
