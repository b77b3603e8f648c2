// A QR code as a matrix of modules, made with the qrcode library: raw bytes in byte mode, ECC level M.
import QRCode from 'qrcode';

/** Modules of one QR code, row by row: 1 is dark. `size` modules a side, without the quiet zone. */
export interface QrMatrix {
  size: number;
  version: number;
  modules: Uint8Array;
}

/** The quiet zone that ISO/IEC 18004 asks for around a code, in modules. */
export const QUIET_ZONE = 4;

/**
 * The QR code of `content`: bytes go in byte mode as they are (a message is binary); text is left to the
 * library's segmentation (a URL). `version` forces a size, so that the frames of a loop all look alike.
 */
export function qrMatrix(content: Uint8Array | string, version?: number): QrMatrix {
  const segments = typeof content === 'string' ? content : [{ data: content, mode: 'byte' as const }];
  const code = QRCode.create(segments, { errorCorrectionLevel: 'M', version });
  return { size: code.modules.size, version: code.version, modules: Uint8Array.from(code.modules.data) };
}

/** The QR codes of several contents at one version, the smallest that holds each of them. */
export function qrMatrices(contents: (Uint8Array | string)[]): QrMatrix[] {
  const first = contents.map((c) => qrMatrix(c));
  const version = Math.max(...first.map((m) => m.version));
  return first.map((m, i) => (m.version === version ? m : qrMatrix(contents[i], version)));
}

/** An SVG path of the dark modules, one unit a module, offset by the quiet zone; one run of a row per rect. */
export function matrixPath(m: QrMatrix, quiet = QUIET_ZONE): string {
  let d = '';
  for (let y = 0; y < m.size; y++) {
    let x = 0;
    while (x < m.size) {
      if (!m.modules[y * m.size + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < m.size && m.modules[y * m.size + x]) x++;
      d += `M${start + quiet} ${y + quiet}h${x - start}v1h${start - x}z`;
    }
  }
  return d;
}

/**
 * The code as an RGBA image, black on white, `scale` pixels a module with a quiet zone: what a screen shows,
 * for tests and benches (jsQR reads exactly this layout).
 */
export function rasterize(
  m: QrMatrix,
  scale = 4,
  quiet = QUIET_ZONE,
): { data: Uint8ClampedArray; width: number; height: number } {
  const width = (m.size + 2 * quiet) * scale;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (let y = 0; y < m.size; y++)
    for (let x = 0; x < m.size; x++) {
      if (!m.modules[y * m.size + x]) continue;
      for (let dy = 0; dy < scale; dy++) {
        const row = ((y + quiet) * scale + dy) * width;
        for (let dx = 0; dx < scale; dx++) {
          const at = (row + (x + quiet) * scale + dx) * 4;
          data[at] = data[at + 1] = data[at + 2] = 0;
        }
      }
    }
  return { data, width, height: width };
}
