// Every JSON body that crosses HTTP, once, as a JSON Schema (TypeBox): Fastify validates requests and
// writes answers with them, the pages and the POS type their calls by them, and API.md is made from them.
// The section 7 bodies the protocol package builds and reads are declared there (`schemas.ts`), and
// re-exported here with the rest.
import {
  BagAnswer,
  BagTreeNode,
  blameSchema as blame,
  codeSchema as code,
  Refusal,
  RejectedUse,
  ReturnAnswer,
} from '@moneybag/protocol/schemas';
import { type Static, Type as T, type TSchema } from 'typebox';

export type {
  BagAnswerJson,
  BagTreeNodeJson,
  PairingLinkJson,
  ReclaimAnswerJson,
  RefusalJson,
  RejectedUseJson,
  RelayWaitingJson,
  ReturnAnswerJson,
  WellKnownJson,
} from '@moneybag/protocol';
export {
  BagAnswer,
  BagTreeNode,
  PairingLink,
  ReclaimAnswer,
  Refusal,
  RejectedUse,
  RelayWaiting,
  ReturnAnswer,
  WellKnown,
  WellKnownParty,
} from '@moneybag/protocol/schemas';

const str = (description?: string) => T.String(description ? { description } : {});
const int = (description?: string) => T.Integer(description ? { description } : {});
const nullable = <S extends TSchema>(s: S) => T.Union([s, T.Null()]);

// --- section 7 (beyond the protocol package's), every service -----------------------------------

export const Health = T.Object({
  ok: T.Literal(true),
  roles: T.Array(str()),
  db: T.Object({ engine: str(), fsync: str(), synchronous_commit: str() }),
});
/** The landing page's QR codes: this machine's addresses on the network (a phone cannot open localhost). */
export const DemoAddresses = T.Object({ origins: T.Array(str()) });
/** The demo's operator tokens, for the landing page's one click into the issuer and collector pages. */
export const DemoOperators = T.Object({
  issuer: T.Object({ id: str(), token: str() }),
  collector: T.Object({ id: str(), token: str() }),
});
export const Me = T.Object({
  party: str(),
  role: T.Union([T.Literal('issuer'), T.Literal('collector'), T.Literal('shop')]),
  label: str(),
  terminal: T.Optional(str("a paired terminal's id (its own token), or at a relay (7.1) the child's")),
});

/** 30 days: the longest an allocation may run, and its default. */
export const MAX_ALLOCATION_SECONDS = 30 * 24 * 3600;

export const AllocationRequest = T.Object({
  count: T.Integer({ minimum: 1, maximum: 64 }),
  terminal: T.Optional(
    T.String({ maxLength: 64, description: 'an id: the POS the allocations pass down to' }),
  ),
  seconds: T.Optional(
    T.Integer({ minimum: 1, maximum: MAX_ALLOCATION_SECONDS, description: 'due = issued + seconds' }),
  ),
});
export const Allocations = T.Object({ allocations: T.Array(str('an Allocation, text form')) });

export const DirectAnswer = T.Object({ receipt: str('the Receipt, text form') });

export const TicketRequest = T.Object({
  holder: T.String({ maxLength: 100, description: "base64url of the holder's 32-byte key" }),
  unit: T.String({ maxLength: 20 }),
  face: T.Integer(),
  expires: T.Integer({ description: 'seconds' }),
});
export const TicketAnswer = T.Object({ ticket: str('the Ticket, text form') });

export const DenyList = T.Object({
  issuer: str(),
  holders: T.Array(str('base64url')),
  updated: int('seconds'),
});

// --- registration: operators registering each other (the `moneybag` command) -----------------------

const fingerprint = nullable(str("the key's fingerprint: 10 bytes of its SHA-256, hex in groups of four"));
/** A party as `moneybag parties` lists it. */
export const PartyRow = T.Object({
  id: str(),
  role: T.Union([T.Literal('issuer'), T.Literal('collector'), T.Literal('shop')]),
  label: str(),
  own: T.Boolean({
    description: "this service's own party (its operator's), not one registered from elsewhere",
  }),
  url: nullable(str('where its service is reached')),
  publicKey: nullable(str('base64url')),
  fingerprint,
});
export const Parties = T.Object({ parties: T.Array(PartyRow) });
export const NewToken = T.Object({ party: str(), token: str('shown once; older tokens keep working') });
export const Removed = T.Object({ removed: str() });
const force = T.Optional(T.Boolean({ description: 'replace a registered key that changed' }));
/** At an issuer: a collector to register, by the origin whose well-known publishes its key. */
export const AddCollectorRequest = T.Object({
  id: T.String({ maxLength: 64 }),
  url: T.String({
    pattern: '^https?://',
    maxLength: 500,
    description: 'the origin whose /.well-known/moneybag.json publishes it',
  }),
  label: T.Optional(T.String({ maxLength: 200 })),
  force,
});
export const AddCollectorAnswer = T.Object({
  collector: str(),
  publicKey: str('base64url, as its well-known writes it'),
  token: str('the token that collector presents on POST /v1/returns'),
});
/** At a collector: an issuer to register, and the token that issuer gave this collector. */
export const AddIssuerRequest = T.Object({
  ...AddCollectorRequest.properties,
  token: T.String({ minLength: 1, maxLength: 200, description: 'the token that issuer gave this collector' }),
});
export const AddIssuerAnswer = T.Object({
  issuer: str(),
  publicKey: str('base64url, as its well-known writes it'),
});
const peer = {
  id: str(),
  label: str(),
  url: nullable(str()),
  publicKey: nullable(str('base64url')),
  fingerprint,
  own: T.Boolean({ description: "this service's own party (a service both issuer and collector)" }),
};
/** An issuer a collector serves: its Returns by state, and its deny list as last fetched. */
export const IssuerRow = T.Object({
  ...peer,
  outbox: T.Object({
    pending: int(),
    delivered: int(),
    attention: int('refused by the issuer until the operator re-sends them'),
    lastError: nullable(str()),
  }),
  denylist: nullable(T.Object({ holders: int('how many'), updated: int('seconds'), fetchedAt: int('ms') })),
});
export const IssuerList = T.Object({ issuers: T.Array(IssuerRow) });
/** A collector an issuer settles: what it returned. */
export const CollectorRow = T.Object({
  ...peer,
  returns: int('Returns settled'),
  settled: int('uses settled'),
  lastAt: nullable(int('ms')),
});
export const CollectorList = T.Object({ collectors: T.Array(CollectorRow) });
export const DenylistRefresh = T.Object({
  refreshed: T.Array(str()),
  failed: T.Array(T.Object({ issuer: str(), error: str() })),
});

// --- the collector's admin ------------------------------------------------------------------------

export const ShopRow = T.Object({
  id: str(),
  label: str(),
  createdAt: int(),
  allocations: T.Object({ open: int(), collected: int(), late: int() }),
});
export const Shops = T.Object({ collector: str(), shops: T.Array(ShopRow) });

export const NewShopRequest = T.Object({
  id: T.String({ maxLength: 64, description: 'an id' }),
  label: T.String({ maxLength: 200 }),
});
/** A shop's new token (shown once) and its POS pairing link. */
export const NewShop = T.Object({
  id: str(),
  label: str(),
  token: str(),
  pairing: str('<origin>/pos/#pair=…'),
});

/** A one-time pairing code for one more POS of a shop, and the link (and QR) that carries it. */
export const PairingCode = T.Object({
  shop: str(),
  label: str(),
  code: str('one-time: redeemed once, before `expires`, by POST /v1/pairings'),
  pairing: str('<origin>/pos/#pair=… (base64url of {url, shop, code})'),
  expires: int('seconds since the epoch'),
});
/** POST /v1/pairings: a POS redeems a pairing code. */
export const PairRequest = T.Object({
  code: T.String({ minLength: 1, maxLength: 64 }),
  label: T.Optional(T.String({ maxLength: 200, description: 'what the cashier calls this terminal' })),
});
/** The terminal's own id and token (shown once), and its shop. */
export const Paired = T.Object({
  shop: str(),
  label: str("the shop's name"),
  terminal: str('the terminal id the service gave it (pos-1, pos-2, …)'),
  token: str("the terminal's own token"),
});
export const TerminalRow = T.Object({
  id: str(),
  label: str(),
  pairedAt: int('ms since the epoch'),
  lastSeen: nullable(int('ms since the epoch: its last request with its token')),
  revokedAt: nullable(int('ms since the epoch')),
});
export const Terminals = T.Object({ shop: str(), terminals: T.Array(TerminalRow) });

export const AllocationRow = T.Object({
  root: str('base64url'),
  to: str(),
  terminal: nullable(str()),
  issued: int(),
  due: int(),
  state: T.Union([T.Literal('open'), T.Literal('collected'), T.Literal('late')], {
    description: 'late: not collected and now ≥ due',
  }),
  digest: nullable(str('hex')),
});
export const AllocationList = T.Object({ allocations: T.Array(AllocationRow) });

export const BagRow = T.Object({
  ...BagAnswer.properties,
  to: str(),
  receivedAt: int(),
  tree: T.Array(BagTreeNode, {
    description: "the bag's nodes (relays, terminals) with their counts, depth first",
  }),
  rejected: T.Array(T.Object({ ...RejectedUse.properties, text: str('the code in words') })),
});
export const Bags = T.Object({ bags: T.Array(BagRow) });
/** A bag the collector refused whole (a bag-level fault of 5.2, or one that does not decode): nothing of it is kept. */
export const RefusedBagRow = T.Object({
  party: str('who sent it (the shop it names, for a bag handed in by hand)'),
  receivedAt: int('milliseconds'),
  code,
  message: str('the refusal as the sender got it'),
  text: str('the code in words'),
  root: nullable(str('base64url, when the bag decoded')),
  uses: nullable(int('how many uses it carried, when it decoded')),
});
export const RefusedBags = T.Object({ refused: T.Array(RefusedBagRow) });

export const TotalRow = T.Object({ shop: str(), unit: str(), amount: int(), uses: int() });
export const Totals = T.Object({ totals: T.Array(TotalRow) });

export const DirectRow = T.Object({
  origin: str('hex'),
  shop: str(),
  unit: str(),
  amount: int(),
  receivedAt: int(),
});
export const DirectList = T.Object({ direct: T.Array(DirectRow) });

export const OutboxRow = T.Object({
  id: int(),
  issuer: str(),
  origin: str('hex'),
  uses: int(),
  state: T.Union([T.Literal('pending'), T.Literal('delivered'), T.Literal('needs attention')], {
    description:
      'needs attention: the issuer refused it (a 4xx but 408/429: a wrong url, a collector it has not registered, a limit); `answer` is its refusal; it waits until re-sent',
  }),
  attempts: int(),
  nextAttemptAt: int(),
  lastError: nullable(str()),
  answer: T.Union([ReturnAnswer, Refusal, T.Null()], { description: "the issuer's answer" }),
  createdAt: int(),
});
export const Outbox = T.Object({ outbox: T.Array(OutboxRow) });
/** The Returns made pending again by the operator. */
export const Resent = T.Object({ resent: T.Array(int('an outbox id')) });

// --- the issuer's admin ---------------------------------------------------------------------------

export const TicketRow = T.Object({
  id: str('<issuer>/<serial hex>'),
  serial: str(),
  holder: str('base64url'),
  unit: str(),
  face: int(),
  expires: int(),
  issuedAt: int(),
  spent: int('what settled uses took of it'),
  reclaimed: int('what its holder reclaimed of it (5.4)'),
  left: int('face − spent − reclaimed'),
  ticket: str('the Ticket, text form'),
});
export const Tickets = T.Object({ issuer: str(), tickets: T.Array(TicketRow) });

export const OwedRow = T.Object({ shop: str(), unit: str(), amount: int(), uses: int() });
export const ReturnRow = T.Object({
  collector: str(),
  origin: str('hex'),
  settled: int(),
  rejected: int(),
  at: int(),
});
/** A ticket reclaimed by its holder (5.4). */
export const ReclaimRow = T.Object({
  ticket: str('the reclaimed Ticket, text form'),
  amount: int(),
  newTicket: str('the new Ticket, text form'),
  at: int('milliseconds'),
});
export const Settlement = T.Object({
  owed: T.Array(OwedRow),
  returns: T.Array(ReturnRow),
  reclaims: T.Array(ReclaimRow, { description: 'newest first (500)' }),
});

export const ProofUse = T.Object({ shop: str(), chal: str(), amount: int(), S: str() });
export const EarlierUse = T.Object({ ...ProofUse.properties, collector: str(), origin: str() });
export const Incident = T.Object({
  id: int(),
  code,
  blame,
  collector: str(),
  origin: str('hex'),
  index: int(),
  ticket: str("the ticket's id"),
  holder: str('base64url'),
  at: int(),
  proof: T.Object(
    {
      use: ProofUse,
      ticket: str('the Ticket, text form'),
      earlier: T.Array(EarlierUse),
      reclaim: T.Optional(
        T.Object(
          { amount: int(), ticket: str('the new Ticket, text form'), at: int('milliseconds') },
          { description: 'E_RECLAIMED: the reclaim the use was returned after' },
        ),
      ),
    },
    {
      description:
        'E_OVERSPENT: earlier holds the settled uses of that ticket; E_DUPLICATE: the use with the same S returned before; E_RECLAIMED: the settled uses, and the reclaim',
    },
  ),
});
export const Incidents = T.Object({ incidents: T.Array(Incident) });

// --- the relay's admin (7.1): its operator's token (DIR/keys/operator.token) -------------------------

/** A child of a relay (a POS or a lower relay): its terminal id, the shop its uses name, what it holds. */
export const RelayChildRow = T.Object({
  terminal: str(),
  shop: nullable(str("the shop its uses name; null: the relay's own")),
  label: str(),
  revoked_at: nullable(int('ms: its token stopped working')),
  holds: int('numbers given under roots still open, not yet brought back'),
  delivered: int('bags brought back'),
});
/** The parent's refusal of a root's merged bag, whole (409 or 422), as the relay keeps it and hands it down. */
export const RelayRefused = T.Object(
  { status: int('the HTTP status'), code, message: str() },
  { description: 'refused whole' },
);
export const RelayRootRow = T.Object({
  root: str('base64url'),
  issued: int(),
  due: int(),
  state: T.Union(
    [
      T.Literal('open'),
      T.Literal('merged'),
      T.Literal('forwarded'),
      T.Literal('answered'),
      T.Literal('refused'),
      T.Literal('empty'),
    ],
    { description: 'merged: its merged bag recorded, waiting to be sent' },
  ),
  merged: nullable(str("the merged bag's digest, hex")),
  attempts: int(),
  lastError: nullable(str()),
  answer: T.Union([BagAnswer, RelayRefused, T.Null()], {
    description: "the parent's answer on the merged bag",
  }),
});
/** GET /v1/admin/relay: what the relay's page shows. */
export const RelayState = T.Object({
  upstream: str('the parent: a collector or a relay'),
  shop: nullable(str('the shop its parent knows it as; null until it reached its parent')),
  children: T.Array(RelayChildRow),
  late: T.Array(T.Object({ at: int('ms'), terminal: str(), root: str('base64url') }), {
    description: 'the last 50 late bags (refused E_BAG_LATE), since the start',
  }),
  roots: T.Array(RelayRootRow),
});
export const NewTerminalRequest = T.Object({
  id: T.String({ maxLength: 64, description: 'an id: the terminal id' }),
  shop: T.Optional(
    nullable(T.String({ maxLength: 64, description: "the shop its uses name; the relay's own if absent" })),
  ),
  label: T.Optional(T.String({ maxLength: 200 })),
});
/** A new child's token (shown once) and its POS pairing link. */
export const NewTerminal = T.Object({ terminal: str(), token: str(), pairing: str('<origin>/pos/#pair=…') });
export const RevokedTerminal = T.Object({ terminal: str(), revoked: T.Literal(true) });
/** A collector's shop's terminal revoked: the relay's answer, with the shop (ids are per shop there). */
export const TerminalRevoked = T.Object({ shop: str(), ...RevokedTerminal.properties });

// --- files ----------------------------------------------------------------------------------------

/** `<data>/demo.json`, written on a first start: the demo parties and their tokens. */
export const DemoFile = T.Object({
  issuer: T.Object({ id: str(), token: str() }),
  collector: T.Object({ id: str(), token: str() }),
  shops: T.Array(T.Object({ id: str(), token: str() })),
});

export type HealthJson = Static<typeof Health>;
export type MeJson = Static<typeof Me>;
export type DemoAddressesJson = Static<typeof DemoAddresses>;
export type DemoOperatorsJson = Static<typeof DemoOperators>;
export type AllocationRequestJson = Static<typeof AllocationRequest>;
export type AllocationsJson = Static<typeof Allocations>;
export type DirectAnswerJson = Static<typeof DirectAnswer>;
export type TicketRequestJson = Static<typeof TicketRequest>;
export type TicketAnswerJson = Static<typeof TicketAnswer>;
export type DenyListJson = Static<typeof DenyList>;
export type PartyRowJson = Static<typeof PartyRow>;
export type PartiesJson = Static<typeof Parties>;
export type NewTokenJson = Static<typeof NewToken>;
export type RemovedJson = Static<typeof Removed>;
export type AddCollectorRequestJson = Static<typeof AddCollectorRequest>;
export type AddCollectorAnswerJson = Static<typeof AddCollectorAnswer>;
export type AddIssuerRequestJson = Static<typeof AddIssuerRequest>;
export type AddIssuerAnswerJson = Static<typeof AddIssuerAnswer>;
export type IssuerRowJson = Static<typeof IssuerRow>;
export type IssuerListJson = Static<typeof IssuerList>;
export type CollectorRowJson = Static<typeof CollectorRow>;
export type CollectorListJson = Static<typeof CollectorList>;
export type DenylistRefreshJson = Static<typeof DenylistRefresh>;
export type ShopRowJson = Static<typeof ShopRow>;
export type ShopsJson = Static<typeof Shops>;
export type NewShopRequestJson = Static<typeof NewShopRequest>;
export type NewShopJson = Static<typeof NewShop>;
export type PairingCodeJson = Static<typeof PairingCode>;
export type PairRequestJson = Static<typeof PairRequest>;
export type PairedJson = Static<typeof Paired>;
export type TerminalRowJson = Static<typeof TerminalRow>;
export type TerminalsJson = Static<typeof Terminals>;
export type TerminalRevokedJson = Static<typeof TerminalRevoked>;
export type AllocationRowJson = Static<typeof AllocationRow>;
export type AllocationListJson = Static<typeof AllocationList>;
export type BagRowJson = Static<typeof BagRow>;
export type BagsJson = Static<typeof Bags>;
export type RefusedBagRowJson = Static<typeof RefusedBagRow>;
export type RefusedBagsJson = Static<typeof RefusedBags>;
export type TotalRowJson = Static<typeof TotalRow>;
export type TotalsJson = Static<typeof Totals>;
export type DirectRowJson = Static<typeof DirectRow>;
export type DirectListJson = Static<typeof DirectList>;
export type OutboxRowJson = Static<typeof OutboxRow>;
export type OutboxJson = Static<typeof Outbox>;
export type ResentJson = Static<typeof Resent>;
export type TicketRowJson = Static<typeof TicketRow>;
export type TicketsJson = Static<typeof Tickets>;
export type OwedRowJson = Static<typeof OwedRow>;
export type ReturnRowJson = Static<typeof ReturnRow>;
export type ReclaimRowJson = Static<typeof ReclaimRow>;
export type SettlementJson = Static<typeof Settlement>;
export type ProofUseJson = Static<typeof ProofUse>;
export type EarlierUseJson = Static<typeof EarlierUse>;
export type IncidentJson = Static<typeof Incident>;
export type IncidentsJson = Static<typeof Incidents>;
export type DemoFileJson = Static<typeof DemoFile>;
export type RelayChildRowJson = Static<typeof RelayChildRow>;
export type RelayRefusedJson = Static<typeof RelayRefused>;
export type RelayRootRowJson = Static<typeof RelayRootRow>;
export type RelayStateJson = Static<typeof RelayState>;
export type NewTerminalRequestJson = Static<typeof NewTerminalRequest>;
export type NewTerminalJson = Static<typeof NewTerminal>;
export type RevokedTerminalJson = Static<typeof RevokedTerminal>;
