// The bench's scanner page: packages/qr's startScanner (camera, downscale, jsQR in its worker) on the page's
// camera, counting every frame it reads a code in. The bench reads `window.__scan`.
import { startScanner } from '@moneybag/qr';

const scan = { decodes: 0, native: false, error: '' };
(globalThis as { __scan?: typeof scan }).__scan = scan;
const BD = (globalThis as { BarcodeDetector?: { getSupportedFormats(): Promise<string[]> } }).BarcodeDetector;
BD?.getSupportedFormats().then(
  (f) => (scan.native = f.includes('qr_code')),
  () => {},
);
startScanner(document.body.appendChild(document.createElement('video')), () => {
  scan.decodes++;
}).catch((e) => {
  scan.error = String(e);
});
