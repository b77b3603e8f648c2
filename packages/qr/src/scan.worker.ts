// The Web Worker that runs jsQR, so that decoding (12 to 160 ms a frame) never blocks the page.
import { decodeImage } from './decode.ts';

export interface ScanRequest {
  id: number;
  data: ArrayBuffer;
  width: number;
  height: number;
}
export interface ScanReply {
  id: number;
  content: Uint8Array | null;
}

// The DOM lib types `self` as a Window; in a worker it is a DedicatedWorkerGlobalScope.
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ScanRequest>) => void) | null;
  postMessage(reply: ScanReply, transfer: Transferable[]): void;
};

scope.onmessage = (e) => {
  const { id, data, width, height } = e.data;
  let content: Uint8Array | undefined;
  try {
    content = decodeImage(new Uint8ClampedArray(data), width, height);
  } catch {
    // jsQR throws on a few degenerate images; for the scanner that is a frame without a code.
  }
  scope.postMessage({ id, content: content ?? null }, content ? [content.buffer as ArrayBuffer] : []);
};
