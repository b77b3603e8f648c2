/** Every code of PROTOCOL.md section 6, and the HTTP ones of section 7. */
export const CODES = [
  'E_MAGIC',
  'E_VERSION',
  'E_TYPE',
  'E_TRUNCATED',
  'E_TRAILING',
  'E_FIELD',
  'E_RANGE',
  'E_MALFORMED',
  'E_CHALLENGE',
  'E_ISSUER',
  'E_TICKET_SIGNATURE',
  'E_USE_SIGNATURE',
  'E_EXPIRED',
  'E_UNIT',
  'E_AMOUNT',
  'E_TOTAL',
  'E_OVERSPENT',
  'E_DENIED',
  'E_COLLECTOR',
  'E_UNKNOWN_BAG',
  'E_BAG_REUSED',
  'E_BAG_LATE',
  'E_DUPLICATE',
  'E_NOT_ISSUED',
  'E_WINDOW',
  'E_RECLAIMED',
  'E_REQUEST',
  'E_AUTH',
  'E_FORBIDDEN',
  'E_NOT_FOUND',
  'E_TOO_LARGE',
] as const;
export type Code = (typeof CODES)[number];

/** What a person reads next to a code (a POS verdict, a collector's report). */
export const CODE_TEXT: Record<Code, string> = {
  E_MAGIC: 'not a Moneybag message',
  E_VERSION: 'a protocol version this app does not speak',
  E_TYPE: 'a different kind of message than expected',
  E_TRUNCATED: 'the message is cut short',
  E_TRAILING: 'extra bytes after the message',
  E_FIELD: 'a field is malformed',
  E_RANGE: 'a number is out of range',
  E_MALFORMED: 'the bag tree is malformed',
  E_CHALLENGE: 'not an open challenge of this shop (already paid, expired or for another shop)',
  E_ISSUER: 'ticket from an unknown issuer',
  E_TICKET_SIGNATURE: "the issuer's signature on the ticket is not valid",
  E_USE_SIGNATURE: "the holder's signature is not valid for this payment",
  E_EXPIRED: 'the ticket has expired',
  E_UNIT: 'the ticket is in another unit',
  E_AMOUNT: 'an amount is outside what the ticket allows',
  E_TOTAL: 'the amounts do not add up to the price',
  E_OVERSPENT: 'the ticket is already spent',
  E_DENIED: "the holder's key is on the issuer's deny list",
  E_COLLECTOR: 'meant for another collector',
  E_UNKNOWN_BAG: 'this money bag number was not allocated to this party',
  E_BAG_REUSED: 'this money bag number was already collected',
  E_BAG_LATE: 'the money bag number is past its due date',
  E_DUPLICATE: 'a copy of a use already presented',
  E_NOT_ISSUED: 'the issuer did not issue this ticket',
  E_WINDOW: 'outside the time window (for a reclaim: too early), or already received',
  E_RECLAIMED: 'the ticket was reclaimed by its holder before this use was returned',
  E_REQUEST: 'the request does not fit the endpoint',
  E_AUTH: 'missing or unknown token',
  E_FORBIDDEN: "another party's resource",
  E_NOT_FOUND: 'not found',
  E_TOO_LARGE: 'the request body is too large',
};

/** A refusal with the protocol's code. Decoders and checks throw only this. */
export class ProtocolError extends Error {
  readonly code: Code;
  constructor(code: Code, message: string = CODE_TEXT[code]) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

/** Throws a ProtocolError. A function declared `never`, so that TypeScript narrows after a call. */
export function fail(code: Code, message?: string): never {
  throw new ProtocolError(code, message);
}

export const isCode = (s: unknown): s is Code =>
  typeof s === 'string' && (CODES as readonly string[]).includes(s);

/** What a person reads next to a code that came over the network: the code itself when it is not one of ours. */
export const codeText = (code: string): string => (isCode(code) ? CODE_TEXT[code] : code);

export const isProtocolError = (e: unknown): e is ProtocolError => e instanceof ProtocolError;
