// Section 7: the JSON bodies this package builds and reads, each once, as a JSON Schema (TypeBox). `http.ts`
// and `relay.ts` take their types (`Static<typeof …>`), @moneybag/api puts them in its endpoints (the server
// validates with them, API.md and /v1/openapi.json show them). A module of its own, reached as
// `@moneybag/protocol/schemas`, so that the apps' bundles, which only read the types, never load TypeBox.
import { Type as T } from 'typebox';
import type { Code } from './errors.ts';
import type { Blame } from './issuer.ts';

const str = (description: string) => T.String({ description });

/** A protocol code (section 6), as a string. */
export const codeSchema = T.Unsafe<Code>({ type: 'string', description: 'E_…' });
/** Whom an issuer blames for a refused use (5.3). */
export const blameSchema = T.Unsafe<Blame>({ type: 'string', enum: ['holder', 'collector'] });

/** A refusal: a 4xx with this body, and nothing stored. */
export const Refusal = T.Object({ code: codeSchema, message: T.String() });

export const WellKnownParty = T.Object({
  id: T.String(),
  publicKey: str('base64url, 32 bytes'),
  url: str('the service origin'),
});
/**
 * GET /.well-known/moneybag.json: the issuers and collectors a service speaks for: its own, and at a collector
 * every issuer it registered (with the key and url that issuer publishes).
 */
export const WellKnown = T.Object({
  version: T.Literal(1),
  issuers: T.Array(
    T.Object({
      ...WellKnownParty.properties,
      horizon: T.Integer({
        description: 'seconds: from expires + horizon on, its tickets can be reclaimed (3.8)',
      }),
    }),
  ),
  collectors: T.Array(WellKnownParty),
});

export const RejectedUse = T.Object({
  path: T.Array(T.Tuple([T.String(), T.Integer()]), { description: '[[terminal, n], …] under the bag' }),
  deal: T.Integer(),
  index: T.Integer({ description: "the use's place among its node's uses, from 0 (uses may share a deal)" }),
  code: codeSchema,
});
/**
 * The collector's 200 answer on a bag (POST /v1/bags, GET /v1/bags/<digest>); through relays (7.1), that answer
 * restricted to the bag, with `merged`.
 */
export const BagAnswer = T.Object({
  digest: str('bag_digest, lowercase hex'),
  root: str('base64url'),
  accepted: T.Integer(),
  rejected: T.Array(RejectedUse),
  totals: T.Record(T.String(), T.Integer(), { description: 'accepted amount per unit' }),
  report: str('the signed Report, text form'),
  merged: T.Optional(str('through relays (7.1): the merged bag the Report signs, lowercase hex')),
});

/** 7.1: a relay's 202 on a child's bag (POST /v1/bags, GET /v1/bags/<digest>), until the collector has answered. */
export const RelayWaiting = T.Object({
  digest: str("the child's bag digest, lowercase hex"),
  root: str('base64url'),
  state: T.Union([T.Literal('waiting'), T.Literal('forwarded')]),
});

/** A node of a collected bag as its collector's page shows it: where it sits, and the uses of its subtree. */
export const BagTreeNode = T.Object({
  path: RejectedUse.properties.path,
  uses: T.Integer({ description: 'uses in this node and under it' }),
  refused: T.Integer({ description: 'of those, the refused ones' }),
});

/** POST /v1/returns: the issuer's answer to a Return (5.3). */
export const ReturnAnswer = T.Object({
  settled: T.Integer(),
  rejected: T.Array(T.Object({ index: T.Integer(), code: codeSchema, blame: blameSchema })),
});

/** POST /v1/reclaims: the new ticket for what was left (5.4). */
export const ReclaimAnswer = T.Object({
  ticket: str('the new Ticket, text form'),
  amount: T.Integer({ description: 'what was left of the reclaimed ticket: the new face' }),
});

/**
 * What a POS pairing link carries: the service's origin, the shop, and either a one-time pairing code (the
 * collector's page: the POS redeems it once for its own terminal id and token, POST /v1/pairings) or a token
 * of the shop (the CLI's `pair`; a relay's child's also names its terminal id, 7.1).
 */
export const PairingLink = T.Union([
  T.Object({
    url: str('the service origin'),
    shop: T.String(),
    token: T.String(),
    terminal: T.Optional(str("at a relay (7.1): the child's terminal id")),
  }),
  T.Object({
    url: str('the service origin'),
    shop: T.String(),
    code: str('one-time: redeemed once, before it expires, by POST /v1/pairings'),
  }),
]);
