// Finding and reading a QR code in pixels with jsQR: the worker runs this, and so do tests and benches.
import jsQR from 'jsqr';

/**
 * The raw content of the QR code in an RGBA image, or undefined when there is none. jsQR's `binaryData`
 * keeps every byte of a byte-mode segment, which a string cannot (a message is binary).
 * Only dark-on-light codes are looked for: trying the inverted image too doubles the time of every
 * frame without a code, and every code this system shows is dark on light.
 */
export function decodeImage(data: Uint8ClampedArray, width: number, height: number): Uint8Array | undefined {
  const code = jsQR(data, width, height, { inversionAttempts: 'dontInvert' });
  return code ? Uint8Array.from(code.binaryData) : undefined;
}
