// The wallet's HolderKey, however it arrives: a QR's raw bytes, a pasted link, or its text form.
import { decode, type HolderKey, readContent } from '@moneybag/protocol';

/** The HolderKey in a QR's content or a pasted link/text form; a ProtocolError says why not. */
export const readHolderKey = (content: Uint8Array | string): HolderKey =>
  decode(readContent(typeof content === 'string' ? content.trim() : content), 'HolderKey');
