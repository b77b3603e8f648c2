// 4.1: the text form, the QR reader rule and the URL form.
import { fromBase64url, toBase64url } from './bytes.ts';
import { fail } from './errors.ts';
import { MAGIC, VERSION } from './messages.ts';

/** The text form of a message: strict base64url of the whole message. */
export const toText = (message: Uint8Array): string => toBase64url(message);

/** The message of a text form; anything not strict base64url is E_FIELD. */
export const fromText = (text: string): Uint8Array => fromBase64url(text);

/** A link that opens an app on the message: `<base>#m=<text form>`. */
export const toUrl = (base: string, message: Uint8Array): string =>
  `${base.split('#')[0]}#m=${toText(message)}`;

const textDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The QR reader rule: content starting 0x4D 0x01 is a raw message; anything else is UTF-8 text
 * whose part after `#m=` (or else the whole) is a text form. Returns the message bytes, not yet decoded.
 */
export function readContent(content: Uint8Array | string): Uint8Array {
  if (typeof content !== 'string') {
    if (content.length >= 2 && content[0] === MAGIC && content[1] === VERSION) return content;
    try {
      content = textDecoder.decode(content);
    } catch {
      return fail('E_FIELD', 'neither a message nor text');
    }
  }
  const at = content.indexOf('#m=');
  return fromText(at >= 0 ? content.slice(at + 3) : content);
}
