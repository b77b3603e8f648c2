// @moneybag/qr: QR codes shown and read by the wallet and the POS. (jsQR itself is loaded only by the
// scanning worker: decodeImage is in ./decode.ts, for tests and benches.)
export {
  CameraError,
  type CameraProblem,
  cameraError,
  openCamera,
  preloadScanner,
  startScanner,
} from './camera.ts';
export { matrixPath, type QrMatrix, QUIET_ZONE, qrMatrices, qrMatrix, rasterize } from './matrix.ts';
export { FRAMES_PER_SECOND, QrCode, QrText } from './QrCode.tsx';
export { MessageReader, type ReaderEvents, type ReaderOptions } from './reader.ts';
export { Scanner, type ScannerProps } from './Scanner.tsx';
