// QR codes as pixels for browser tests: read what a page shows from a screenshot, and paint a code as a PNG
// to show to a page's camera. Both with the scanner's own jsQR and the QR matrix QrCode draws.
import type { Locator } from '@playwright/test';
import { PNG } from 'pngjs';
import { decodeImage } from '../src/decode.ts';
import { qrMatrix, rasterize } from '../src/matrix.ts';

/** The content of the one QR code in a PNG. */
export function readQrPng(png: Buffer): Uint8Array {
  const img = PNG.sync.read(png);
  const content = decodeImage(new Uint8ClampedArray(img.data), img.width, img.height);
  if (!content) throw new Error('no QR code in the picture');
  return content;
}

/** The content of the QR code an element shows, from its screenshot's pixels. */
export const readQr = async (qr: Locator): Promise<Uint8Array> => readQrPng(await qr.screenshot());

/** A QR code of raw bytes (byte mode), painted as a PNG as a screen would show it. */
export function qrPng(message: Uint8Array, scale = 4): Buffer {
  const { data, width, height } = rasterize(qrMatrix(message), scale);
  const png = new PNG({ width, height });
  png.data = Buffer.from(data);
  return PNG.sync.write(png);
}
