// A refusal in the words of the person in front of the screen, with the protocol's code kept small beside it
// for support (PROTOCOL.md's codes are a contract; their texts in errors.ts are for developers).
import { CODE_TEXT, type Code } from '@moneybag/protocol';

const WORDS: Record<string, string> = {
  E_MAGIC: 'This code is not a Moneybag code.',
  E_VERSION: 'This code comes from a newer version of Moneybag: update the app.',
  E_TYPE: 'This is not the kind of code expected here.',
  E_TRUNCATED: 'The code was read only in part: show it again.',
  E_TRAILING: 'The code was read wrongly: show it again.',
  E_FIELD: 'The code is damaged or incomplete: show or paste it again.',
  E_RANGE: 'The code holds a number out of range: it is damaged.',
  E_MALFORMED: 'The bag file is damaged.',
  E_CHALLENGE: 'This payment request is not open any more (already paid, expired or cancelled).',
  E_ISSUER: 'This ticket comes from an issuer this app does not know.',
  E_TICKET_SIGNATURE: 'This ticket is forged or damaged: the issuer did not sign it.',
  E_USE_SIGNATURE: 'The wallet’s signature does not match this payment.',
  E_EXPIRED: 'The ticket has expired.',
  E_UNIT: 'The ticket is for something else (another unit).',
  E_AMOUNT: 'An amount does not fit the ticket.',
  E_TOTAL: 'The amounts do not add up to the price.',
  E_OVERSPENT: 'This ticket was already spent.',
  E_DENIED: 'This wallet is blocked by its issuer (a ticket was spent twice).',
  E_RECLAIMED: 'This ticket was already given back to its issuer (reclaimed).',
  E_COLLECTOR: 'This is meant for another collector.',
  E_UNKNOWN_BAG: 'This bag number was not given to this shop.',
  E_BAG_REUSED: 'This bag number was already handed in.',
  E_BAG_LATE: 'This bag was handed in too late.',
  E_DUPLICATE: 'A copy of a payment already handed in.',
  E_NOT_ISSUED: 'The issuer never issued this ticket.',
  E_WINDOW: 'Not possible at this time (too early, too late, or already done).',
  E_REQUEST: 'The request was not understood.',
  E_AUTH: 'Not logged in, or the token is no longer valid.',
  E_FORBIDDEN: 'This belongs to someone else.',
  E_NOT_FOUND: 'Not found.',
  E_TOO_LARGE: 'Too large to send.',
};

export interface Said {
  /** What it means for the person. */
  text: string;
  /** The protocol's code, shown small. */
  code?: string;
  /** The technical detail, when it says more than the text (shown small). */
  detail?: string;
}

const codeOf = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E_[A-Z_]+$/.test(code) ? code : undefined;
};

/** A refusal the app has already put in the person's words (with the amounts that matter), its code kept. */
export class SaidError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SaidError';
  }
}

/** Any failure, said for people: a coded one in words with its code, anything else by its message. */
export function say(e: unknown): Said {
  const m = (e as { message?: unknown } | null)?.message;
  const message = typeof m === 'string' ? m : String(e);
  const code = codeOf(e);
  if (!code || e instanceof SaidError) return { text: message, code };
  const text = WORDS[code] ?? CODE_TEXT[code as Code] ?? message;
  const detail = message && message !== CODE_TEXT[code as Code] && message !== text ? message : undefined;
  return { text, code, detail };
}
