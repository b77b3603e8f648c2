// Every endpoint of the service, once: method, path, who may call it, its body and its answer. The server
// mounts its handlers on these, /v1/openapi.json and API.md are made from them.
import { Type as T, type TSchema } from 'typebox';
import * as B from './bodies.ts';

export type Party = 'issuer' | 'collector' | 'shop';

export interface Endpoint {
  method: 'GET' | 'POST' | 'DELETE';
  /** Fastify's form: `:name` for a path parameter. */
  url: string;
  /**
   * The token it needs: of one of these roles, of any party ('any'), a relay's operator's ('relay operator': a
   * relay has no parties; its routes check that token themselves), or none.
   */
  auth: readonly Party[] | 'any' | 'relay operator' | null;
  /**
   * Whether an issuer's or collector's token registered from elsewhere is admitted (a collector's on POST
   * /v1/returns); elsewhere an issuer's or collector's token must be the service's own operator's.
   */
  peers?: true;
  /** What the body is: a JSON schema, or the name of a raw protocol message (application/vnd.moneybag). */
  body?: TSchema | { raw: string };
  query?: TSchema;
  params?: TSchema;
  /** The 200 answer. */
  answer: TSchema;
  summary: string;
  /** The refusals particular to it, beyond the common ones (E_REQUEST, E_AUTH, E_FORBIDDEN). */
  refusals?: string;
}

const ep = <E extends Endpoint>(e: E): E => e;

/** Section 7: what wallets, POS, collectors and issuers call. */
export const protocol = {
  wellKnown: ep({
    method: 'GET',
    url: '/.well-known/moneybag.json',
    auth: null,
    answer: B.WellKnown,
    summary:
      "the issuers and collectors this service speaks for: its own (`url` = the service's origin) and, at a collector, every issuer it registered",
  }),
  allocations: ep({
    method: 'POST',
    url: '/v1/allocations',
    auth: ['shop'],
    body: B.AllocationRequest,
    answer: B.Allocations,
    summary:
      '`count` fresh Allocations to the shop; with `terminal` each carries the path `[(terminal, 0)]` (the POS as child); `due = issued + seconds` (default 30 days)',
  }),
  bag: ep({
    method: 'POST',
    url: '/v1/bags',
    auth: ['shop'],
    body: { raw: 'Bag' },
    answer: B.BagAnswer,
    summary: 'collects a bag (5.2) sent by the shop it names; the same bag again gets the same answer',
    refusals: '409 `E_BAG_REUSED`; 422 decode codes, `E_COLLECTOR`, `E_UNKNOWN_BAG`, `E_BAG_LATE`',
  }),
  bagAnswer: ep({
    method: 'GET',
    url: '/v1/bags/:digest',
    auth: ['shop'],
    params: T.Object({ digest: T.String({ description: 'bag_digest, lowercase hex' }) }),
    answer: B.BagAnswer,
    summary: 'the answer to a bag again, for the shop that sent it',
    refusals: '404 `E_NOT_FOUND`; 403 for another shop',
  }),
  direct: ep({
    method: 'POST',
    url: '/v1/direct',
    auth: null,
    body: { raw: 'DirectPayment' },
    answer: B.DirectAnswer,
    summary: 'a direct payment from a wallet (3.5)',
    refusals:
      '422 `E_COLLECTOR`, `E_WINDOW`, `E_ISSUER`, `E_TICKET_SIGNATURE`, `E_USE_SIGNATURE`, `E_EXPIRED`, `E_AMOUNT`, decode codes',
  }),
  tickets: ep({
    method: 'POST',
    url: '/v1/tickets',
    auth: ['issuer'],
    body: B.TicketRequest,
    answer: B.TicketAnswer,
    summary: 'issues a ticket to a holder (3.1)',
    refusals:
      '422 `E_FIELD` for a holder key failing check 1 or face < 1; 422 `E_EXPIRED` for an `expires` not in the future (nothing issued)',
  }),
  returns: ep({
    method: 'POST',
    url: '/v1/returns',
    auth: ['collector'],
    peers: true,
    body: { raw: 'Return' },
    answer: B.ReturnAnswer,
    summary: 'settles a Return (5.3); the same Return again gets the same answer',
    refusals: '422 `E_COLLECTOR`, decode codes',
  }),
  reclaims: ep({
    method: 'POST',
    url: '/v1/reclaims',
    auth: null,
    body: { raw: 'Reclaim' },
    answer: B.ReclaimAnswer,
    summary:
      "a holder reclaims what is left of a ticket (3.8, 5.4): a new ticket of the same issuer and unit for `face − settled`, to the Reclaim's `to`, valid one year, issued and recorded in one transaction; a retry, whatever its `to`, gets the same answer (a ticket is reclaimed once)",
    refusals:
      "422 with 5.4's code, nothing stored: `E_NOT_ISSUED`, `E_USE_SIGNATURE`, `E_WINDOW` (before `expires + horizon`), `E_DENIED`, `E_FIELD` (`to` fails check 1), `E_AMOUNT` (nothing left); decode codes",
  }),
  pairings: ep({
    method: 'POST',
    url: '/v1/pairings',
    auth: null,
    body: B.PairRequest,
    answer: B.Paired,
    summary:
      "a POS redeems a one-time pairing code (the collector's page shows it in a `#pair=` link): the terminal gets its own id (`pos-1`, `pos-2`, … in its shop) and token, which the allocations it asks for then carry; a code pairs one terminal, once, before it expires",
    refusals:
      '401 `E_AUTH` for an unknown, used or expired code (the message says which; nothing stored); 404 `E_NOT_FOUND` if its shop was removed',
  }),
  denylist: ep({
    method: 'GET',
    url: '/v1/denylist',
    auth: null,
    query: T.Object({ issuer: T.Optional(T.String()) }),
    answer: B.DenyList,
    summary:
      'the holders an issuer refuses (caught overspending): at an issuer its own list; at a collector each issuer it registered, as it last fetched it (every minute or so, and on demand); at a relay each issuer its parent serves, as the parent last gave it; without `issuer`, the single issuer the service knows',
    refusals:
      "404 `E_NOT_FOUND` for an issuer it does not know; 400 `E_REQUEST` without `issuer` when it knows several; 503 `E_REQUEST` when a just-registered issuer's list could not be fetched yet",
  }),
} as const;

/** What every service answers besides. */
export const service = {
  health: ep({
    method: 'GET',
    url: '/v1/health',
    auth: null,
    answer: B.Health,
    summary:
      "the roles it serves and its database: engine and version ('(embedded)' for the default), fsync, synchronous_commit; 503 `{ok:false,roles,error}` when the database does not answer",
  }),
  metrics: ep({
    method: 'GET',
    url: '/metrics',
    auth: null,
    answer: T.String({ description: 'Prometheus text format 0.0.4' }),
    summary:
      'for Prometheus: requests and latencies by route, status and code; bags; uses accepted and refused by code; signatures verified; outbox depth and oldest age by state; deny-list size; the process (README: what to alert on)',
  }),
  me: ep({
    method: 'GET',
    url: '/v1/me',
    auth: 'any',
    answer: B.Me,
    summary: 'the party of a token (the pages and the POS check a pasted token with it)',
  }),
  demoAddresses: ep({
    method: 'GET',
    url: '/v1/demo/addresses',
    auth: null,
    answer: B.DemoAddresses,
    summary:
      "this machine's IPv4 addresses on the network with the request's port, for the landing page's QR codes (a phone cannot open localhost)",
  }),
  demoOperators: ep({
    method: 'GET',
    url: '/v1/demo/operators',
    auth: null,
    answer: B.DemoOperators,
    summary:
      "the demo's issuer and collector operator tokens, so that the landing page opens their pages in one click: only on a service running the demo parties (its `demo.json` names its own issuer and collector, and their tokens still open them), and only to a page of its own on this machine",
    refusals:
      '404 `E_NOT_FOUND` on a service that is not the demo; 403 `E_FORBIDDEN` from another machine or another site',
  }),
  openapi: ep({
    method: 'GET',
    url: '/v1/openapi.json',
    auth: null,
    answer: T.Object({}, { additionalProperties: true }),
    summary: 'these endpoints as an OpenAPI 3.1 document',
  }),
} as const;

const id = T.Object({ id: T.String() });

/** Operators registering each other (what the `moneybag` command calls while the service runs). */
export const registration = {
  parties: ep({
    method: 'GET',
    url: '/v1/admin/parties',
    auth: ['issuer', 'collector'],
    answer: B.Parties,
    summary: "every party this service knows, with its key's fingerprint",
  }),
  token: ep({
    method: 'POST',
    url: '/v1/admin/parties/:id/token',
    auth: ['issuer', 'collector'],
    params: id,
    answer: B.NewToken,
    summary: 'a new token for a party (an own operator, a registered collector, a shop)',
    refusals: '404 `E_NOT_FOUND`',
  }),
  addCollector: ep({
    method: 'POST',
    url: '/v1/admin/issuer/collectors',
    auth: ['issuer'],
    body: B.AddCollectorRequest,
    answer: B.AddCollectorAnswer,
    summary:
      'registers a collector whose Returns this issuer settles: its key from `<url>/.well-known/moneybag.json`, a new token for it; again with the same key, updates its url',
    refusals:
      "409 `E_REQUEST` if its key changed (both fingerprints named; `force` replaces it), if the id is another role's or this service's own; 404 `E_NOT_FOUND` if the well-known lists no such collector; 502 `E_REQUEST` if it cannot be read",
  }),
  removeCollector: ep({
    method: 'DELETE',
    url: '/v1/admin/issuer/collectors/:id',
    auth: ['issuer'],
    params: id,
    answer: B.Removed,
    summary: 'forgets a registered collector and its tokens (what it returned stays settled)',
    refusals: '404 `E_NOT_FOUND`',
  }),
  collectors: ep({
    method: 'GET',
    url: '/v1/admin/issuer/collectors',
    auth: ['issuer'],
    answer: B.CollectorList,
    summary: "each collector, with its key's fingerprint and what it returned",
  }),
  addIssuer: ep({
    method: 'POST',
    url: '/v1/admin/collector/issuers',
    auth: ['collector'],
    body: B.AddIssuerRequest,
    answer: B.AddIssuerAnswer,
    summary:
      "registers an issuer whose tickets this collector takes: its key from `<url>/.well-known/moneybag.json`; keeps `url` and `token` for its outbox and sends that issuer's pending Returns again now",
    refusals: 'as `POST /v1/admin/issuer/collectors`',
  }),
  removeIssuer: ep({
    method: 'DELETE',
    url: '/v1/admin/collector/issuers/:id',
    auth: ['collector'],
    params: id,
    answer: B.Removed,
    summary: 'forgets a registered issuer (its tickets are refused from now on, `E_ISSUER`)',
    refusals: '404 `E_NOT_FOUND`',
  }),
  removeShop: ep({
    method: 'DELETE',
    url: '/v1/admin/collector/shops/:id',
    auth: ['collector'],
    params: id,
    answer: B.Removed,
    summary: 'forgets a shop and its tokens (what it collected stays)',
    refusals: '404 `E_NOT_FOUND`',
  }),
  issuers: ep({
    method: 'GET',
    url: '/v1/admin/collector/issuers',
    auth: ['collector'],
    answer: B.IssuerList,
    summary: "each issuer, with its key's fingerprint, its Returns by state and its deny list's copy",
  }),
  refreshDenylists: ep({
    method: 'POST',
    url: '/v1/admin/collector/denylists/refresh',
    auth: ['collector'],
    query: T.Object({ issuer: T.Optional(T.String()) }),
    answer: B.DenylistRefresh,
    summary: "fetches every registered issuer's deny list now (or one)",
  }),
} as const;

/** The collector's page. */
export const collectorAdmin = {
  shops: ep({
    method: 'GET',
    url: '/v1/admin/collector/shops',
    auth: ['collector'],
    answer: B.Shops,
    summary: 'every shop, with how many of its allocations are open, collected and late',
  }),
  addShop: ep({
    method: 'POST',
    url: '/v1/admin/collector/shops',
    auth: ['collector'],
    body: B.NewShopRequest,
    answer: B.NewShop,
    summary: 'adds a shop: its token (shown once) and its POS pairing link',
    refusals: '409 `E_REQUEST` if the id exists',
  }),
  pairShop: ep({
    method: 'POST',
    url: '/v1/admin/collector/shops/:id/token',
    auth: ['collector'],
    params: T.Object({ id: T.String() }),
    answer: B.NewShop,
    summary: 'a new token for a shop, with its pairing link (older tokens keep working)',
    refusals: '404 `E_NOT_FOUND`',
  }),
  pairingCode: ep({
    method: 'POST',
    url: '/v1/admin/collector/shops/:id/pairings',
    auth: ['collector'],
    params: T.Object({ id: T.String() }),
    answer: B.PairingCode,
    summary:
      'a one-time pairing code for one more POS of the shop, valid 10 minutes, with its `#pair=` link (what the page shows as a QR)',
    refusals: '404 `E_NOT_FOUND`',
  }),
  terminals: ep({
    method: 'GET',
    url: '/v1/admin/collector/shops/:id/terminals',
    auth: ['collector'],
    params: T.Object({ id: T.String() }),
    answer: B.Terminals,
    summary: "the shop's paired terminals, revoked ones included: when each was paired and last seen",
    refusals: '404 `E_NOT_FOUND`',
  }),
  revokeTerminal: ep({
    method: 'POST',
    url: '/v1/admin/collector/shops/:id/terminals/:terminal/revoke',
    auth: ['collector'],
    params: T.Object({ id: T.String(), terminal: T.String() }),
    answer: B.TerminalRevoked,
    summary: "the terminal's token stops working at once (401 `E_AUTH`, saying it was revoked)",
    refusals: '404 `E_NOT_FOUND` for no such terminal with a working token',
  }),
  allocations: ep({
    method: 'GET',
    url: '/v1/admin/collector/allocations',
    auth: ['collector'],
    query: T.Object({ shop: T.Optional(T.String()) }),
    answer: B.AllocationList,
    summary: 'the newest allocations (500), of one shop or all',
  }),
  bags: ep({
    method: 'GET',
    url: '/v1/admin/collector/bags',
    auth: ['collector'],
    answer: B.Bags,
    summary: 'the newest bags (200)',
  }),
  refusedBags: ep({
    method: 'GET',
    url: '/v1/admin/collector/bags/refused',
    auth: ['collector'],
    answer: B.RefusedBags,
    summary: 'the newest bags refused whole (200): who sent each, when, and why (its code)',
  }),
  handIn: ep({
    method: 'POST',
    url: '/v1/admin/collector/bags',
    auth: ['collector'],
    body: { raw: 'Bag' },
    answer: B.BagAnswer,
    summary:
      'a bag handed in by hand (a file a shop exported), collected exactly as `POST /v1/bags` from the party it names (`to`)',
    refusals: 'as `POST /v1/bags`; `E_UNKNOWN_BAG` if its root was not allocated to `to`',
  }),
  totals: ep({
    method: 'GET',
    url: '/v1/admin/collector/totals',
    auth: ['collector'],
    answer: B.Totals,
    summary: 'accepted uses per shop and unit (bags and direct payments)',
  }),
  direct: ep({
    method: 'GET',
    url: '/v1/admin/collector/direct',
    auth: ['collector'],
    answer: B.DirectList,
    summary: 'direct payments (500)',
  }),
  outbox: ep({
    method: 'GET',
    url: '/v1/admin/collector/outbox',
    auth: ['collector'],
    answer: B.Outbox,
    summary: 'the Returns to issuers (500, newest first) and where each stands',
  }),
  resend: ep({
    method: 'POST',
    url: '/v1/admin/collector/outbox/:id/resend',
    auth: ['collector'],
    params: T.Object({ id: T.String({ description: 'the outbox id' }) }),
    answer: B.Resent,
    summary:
      'sends a Return again now (pending, due at once), after the operator fixed what the issuer refused',
    refusals: '404 `E_NOT_FOUND` if unknown or delivered',
  }),
  resendAll: ep({
    method: 'POST',
    url: '/v1/admin/collector/outbox/resend',
    auth: ['collector'],
    answer: B.Resent,
    summary: 'sends every Return that needs attention again now',
  }),
} as const;

/** The issuer's page. */
export const issuerAdmin = {
  tickets: ep({
    method: 'GET',
    url: '/v1/admin/issuer/tickets',
    auth: ['issuer'],
    answer: B.Tickets,
    summary: 'the newest tickets (500), with what settled uses took of each and what its holder reclaimed',
  }),
  settlement: ep({
    method: 'GET',
    url: '/v1/admin/issuer/settlement',
    auth: ['issuer'],
    answer: B.Settlement,
    summary: 'what is owed to each shop, the settled Returns (500) and the reclaims (500)',
  }),
  incidents: ep({
    method: 'GET',
    url: '/v1/admin/issuer/incidents',
    auth: ['issuer'],
    answer: B.Incidents,
    summary: 'double spending and other faults, with their proof (500)',
  }),
} as const;

/** A relay's page and its `moneybag` commands (7.1), with the relay operator's token. */
export const relayAdmin = {
  state: ep({
    method: 'GET',
    url: '/v1/admin/relay',
    auth: 'relay operator',
    answer: B.RelayState,
    summary:
      'its parent, its children (what each holds and delivered), the late bags and its roots with their answers',
  }),
  addTerminal: ep({
    method: 'POST',
    url: '/v1/admin/relay/terminals',
    auth: 'relay operator',
    body: B.NewTerminalRequest,
    answer: B.NewTerminal,
    summary: 'adds a child: its token (shown once) and its POS pairing link (naming its `terminal`)',
    refusals: '409 `E_REQUEST` if the id exists',
  }),
  revokeTerminal: ep({
    method: 'POST',
    url: '/v1/admin/relay/terminals/:id/revoke',
    auth: 'relay operator',
    params: id,
    answer: B.RevokedTerminal,
    summary: "the child's token stops working (what it brought back stays)",
    refusals: '404 `E_NOT_FOUND` if unknown or revoked already',
  }),
} as const;

export const ENDPOINTS = {
  protocol,
  service,
  registration,
  collectorAdmin,
  issuerAdmin,
  relayAdmin,
} as const;
