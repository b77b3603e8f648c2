// Section 7: the JSON bodies that cross HTTP (each declared once, as a schema, in `schemas.ts`), built and read
// for the service and the apps.
import type { Static } from 'typebox';
import { fromBase64url, toBase64url, toHex, utf8 } from './bytes.ts';
import { DEFAULT_HORIZON } from './checks.ts';
import { isId } from './codec.ts';
import type { BagAnswer } from './collector.ts';
import { sha256 } from './crypto.ts';
import { fail } from './errors.ts';
import type { ReclaimAnswer } from './issuer.ts';
import { type Bytes, decode, encode } from './messages.ts';
import type * as S from './schemas.ts';
import { fromText, toText } from './text.ts';

/** A refusal: a 4xx with this body, and nothing stored. */
export type RefusalJson = Static<typeof S.Refusal>;
export type RejectedUseJson = Static<typeof S.RejectedUse>;
/**
 * The collector's 200 answer on a bag (POST /v1/bags, GET /v1/bags/<digest>); through relays (7.1), that answer
 * restricted to the bag, with `merged`.
 */
export type BagAnswerJson = Static<typeof S.BagAnswer>;
/** POST /v1/returns: the issuer's answer to a Return (5.3). */
export type ReturnAnswerJson = Static<typeof S.ReturnAnswer>;
/** GET /.well-known/moneybag.json: the issuers and collectors a service speaks for. */
export type WellKnownJson = Static<typeof S.WellKnown>;
/** POST /v1/reclaims: the issuer's 200 answer. */
export type ReclaimAnswerJson = Static<typeof S.ReclaimAnswer>;
/** What a POS pairing link carries: a token, or a one-time code (`pairingLink`, `pairingCodeLink` write it). */
export type PairingLinkJson = Static<typeof S.PairingLink>;

/** A party of the well-known document, with its key as bytes. */
export type PartyKey = Omit<Static<typeof S.WellKnownParty>, 'publicKey'> & { publicKey: Bytes };
/** An issuer of the well-known document: its key, and its horizon (3.8; the default when it publishes none). */
export type IssuerKey = Omit<WellKnownJson['issuers'][number], 'publicKey'> & { publicKey: Bytes };

export const bagAnswerJson = (a: BagAnswer): BagAnswerJson => ({
  digest: toHex(a.digest),
  root: toBase64url(a.root),
  accepted: a.accepted.length,
  rejected: a.rejected.map(({ path, deal, index, code }) => ({ path, deal, index, code })),
  totals: a.totals,
  report: toText(a.report),
});

/**
 * A party's key as operators compare it out of band (read aloud, on paper): the first 10 bytes of its
 * SHA-256 in hex, in groups of four. Not part of any signed message.
 */
export function keyFingerprint(publicKey: Bytes): string {
  return (toHex(sha256(publicKey).subarray(0, 10)).match(/..../g) as string[]).join(' ');
}

/** Read a well-known document as it came over the network: anything malformed is E_FIELD. */
export function readWellKnown(json: unknown): { issuers: IssuerKey[]; collectors: PartyKey[] } {
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
  const issuers = parties(d.issuers).map((p, i): IssuerKey => {
    const horizon = (d.issuers as { horizon?: unknown }[])[i].horizon ?? DEFAULT_HORIZON;
    if (!Number.isSafeInteger(horizon) || (horizon as number) < 0)
      fail('E_FIELD', `the horizon of ${p.id} is not a number of seconds`);
    return { ...p, horizon: horizon as number };
  });
  return { issuers, collectors: parties(d.collectors) };
}

export const reclaimAnswerJson = (a: ReclaimAnswer): ReclaimAnswerJson => ({
  ticket: toText(encode({ type: 'Ticket', ...a.ticket })),
  amount: a.amount,
});

/** Read the issuer's answer to a Reclaim as it came over the network: anything malformed is E_FIELD. */
export function readReclaimAnswer(json: unknown): ReclaimAnswer {
  const j = json as { ticket?: unknown; amount?: unknown } | null;
  if (typeof j?.ticket !== 'string' || !Number.isSafeInteger(j.amount))
    fail('E_FIELD', 'not an answer to a reclaim');
  return { ticket: decode(fromText(j.ticket), 'Ticket'), amount: j.amount as number };
}

const linkOf = (origin: string, json: PairingLinkJson): string =>
  `${origin}/pos/#pair=${toBase64url(utf8(JSON.stringify(json)))}`;

/** The POS pairing link: `<origin>/pos/#pair=<base64url(UTF-8 JSON {url, shop, token, terminal?})>`. */
export const pairingLink = (origin: string, shop: string, token: string, terminal?: string): string =>
  linkOf(origin, { url: origin, shop, token, terminal });

/** The one-time pairing link: `<origin>/pos/#pair=<base64url(UTF-8 JSON {url, shop, code})>`. */
export const pairingCodeLink = (origin: string, shop: string, code: string): string =>
  linkOf(origin, { url: origin, shop, code });

const pairDecoder = new TextDecoder('utf-8', { fatal: true });

/** Read a pairing link (or only its `#pair=` part): anything malformed is E_FIELD. */
export function readPairingLink(text: string): PairingLinkJson {
  const at = text.indexOf('#pair=');
  if (at < 0) return fail('E_FIELD', 'not a pairing link (it has no #pair=)');
  let v: { url?: unknown; shop?: unknown; token?: unknown; code?: unknown } | null;
  try {
    v = JSON.parse(pairDecoder.decode(fromBase64url(text.slice(at + 6).trim())));
  } catch {
    return fail('E_FIELD', 'the pairing link is damaged');
  }
  const { url, shop, token, code } = v ?? {};
  if (typeof url !== 'string' || !/^https?:\/\//.test(url))
    return fail('E_FIELD', 'the pairing link has no service URL');
  if (typeof shop !== 'string' || !isId(shop)) return fail('E_FIELD', 'the pairing link has no shop id');
  const base = { url: url.replace(/\/+$/, ''), shop };
  if (typeof code === 'string' && code) return { ...base, code };
  if (typeof token !== 'string' || !token) return fail('E_FIELD', 'the pairing link has no code or token');
  return { ...base, token };
}
