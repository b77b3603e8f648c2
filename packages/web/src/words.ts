// A refusal in the words of the person in front of the screen, with the protocol's code kept small beside it
// for support (PROTOCOL.md's codes are a contract; their texts in errors.ts are for developers).
import { CODE_TEXT, type Code } from '@moneybag/protocol';
import { pickLang } from './i18n.ts';

const WORDS_DE: Record<string, string> = {
  E_MAGIC: 'Dieser Code ist kein Moneybag-Code.',
  E_VERSION: 'Dieser Code stammt aus einer neueren Moneybag-Version: bitte die App aktualisieren.',
  E_TYPE: 'Hier wird eine andere Art Code erwartet.',
  E_TRUNCATED: 'Der Code wurde nur teilweise gelesen: bitte noch einmal zeigen.',
  E_TRAILING: 'Der Code wurde falsch gelesen: bitte noch einmal zeigen.',
  E_FIELD: 'Der Code ist beschädigt oder unvollständig: bitte noch einmal zeigen oder einfügen.',
  E_RANGE: 'Der Code enthält eine unmögliche Zahl: er ist beschädigt.',
  E_MALFORMED: 'Die Geldbeutel-Datei ist beschädigt.',
  E_CHALLENGE: 'Diese Zahlungsanforderung ist nicht mehr offen (schon bezahlt, abgelaufen oder storniert).',
  E_ISSUER: 'Dieses Ticket stammt von einem Herausgeber, den diese App nicht kennt.',
  E_TICKET_SIGNATURE: 'Dieses Ticket ist gefälscht oder beschädigt: der Herausgeber hat es nicht signiert.',
  E_USE_SIGNATURE: 'Die Signatur der Wallet passt nicht zu dieser Zahlung.',
  E_EXPIRED: 'Das Ticket ist abgelaufen.',
  E_UNIT: 'Das Ticket gilt für etwas anderes (andere Einheit).',
  E_AMOUNT: 'Ein Betrag passt nicht zum Ticket.',
  E_TOTAL: 'Die Beträge ergeben nicht den Preis.',
  E_OVERSPENT: 'Dieses Ticket wurde schon ausgegeben.',
  E_DENIED: 'Diese Wallet ist vom Herausgeber gesperrt (ein Ticket wurde doppelt ausgegeben).',
  E_RECLAIMED: 'Dieses Ticket wurde schon an den Herausgeber zurückgegeben.',
  E_COLLECTOR: 'Das ist für eine andere Sammelstelle bestimmt.',
  E_UNKNOWN_BAG: 'Diese Geldbeutel-Nummer wurde nicht an dieses Geschäft vergeben.',
  E_BAG_REUSED: 'Diese Geldbeutel-Nummer wurde schon abgegeben.',
  E_BAG_LATE: 'Dieser Geldbeutel wurde zu spät abgegeben.',
  E_DUPLICATE: 'Die Kopie einer schon abgegebenen Zahlung.',
  E_NOT_ISSUED: 'Der Herausgeber hat dieses Ticket nie ausgegeben.',
  E_WINDOW: 'Zu diesem Zeitpunkt nicht möglich (zu früh, zu spät oder schon erledigt).',
  E_REQUEST: 'Die Anfrage wurde nicht verstanden.',
  E_AUTH: 'Nicht angemeldet, oder das Token gilt nicht mehr.',
  E_FORBIDDEN: 'Das gehört jemand anderem.',
  E_NOT_FOUND: 'Nicht gefunden.',
  E_TOO_LARGE: 'Zu groß zum Senden.',
};

const WORDS_EN: Record<string, string> = {
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
  /**
   * The detail is in another language than the screen's (a service's English sentence on a German screen, for a
   * code the catalog says in German): for a details line a person opens, not beside the text.
   */
  aside?: boolean;
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
    /** What the service said, when the app's words replace it (a detail; English). */
    readonly detail?: string,
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
  const german = pickLang() === 'de';
  if (e instanceof SaidError && e.detail) return { text: message, code, detail: e.detail, aside: german };
  if (!code || e instanceof SaidError) return { text: message, code };
  const words = german ? { ...WORDS_EN, ...WORDS_DE } : WORDS_EN;
  const text = words[code] ?? CODE_TEXT[code as Code] ?? message;
  const detail = message && message !== CODE_TEXT[code as Code] && message !== text ? message : undefined;
  // Services and the protocol's checks speak English: on a German screen their sentence is only a detail.
  return detail && german && WORDS_DE[code] ? { text, code, detail, aside: true } : { text, code, detail };
}
