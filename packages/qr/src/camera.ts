// The camera and the scanning loop: frames downscaled, decoded off the main thread, one in flight.
import type { ScanReply, ScanRequest } from './scan.worker.ts';
import { t } from './text.ts';

export type CameraProblem = 'insecure' | 'unsupported' | 'denied' | 'none' | 'busy' | 'lost' | 'other';

/** Why the camera cannot be used, in words a person can act on. */
export class CameraError extends Error {
  readonly problem: CameraProblem;
  constructor(problem: CameraProblem, detail?: string) {
    super(detail ? `${t(problem)} (${detail})` : t(problem));
    this.name = 'CameraError';
    this.problem = problem;
  }
}

/** A CameraError for whatever getUserMedia threw (DOMException names of the Media Capture spec). */
export function cameraError(e: unknown): CameraError {
  if (e instanceof CameraError) return e;
  const name = (e as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return new CameraError('denied');
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new CameraError('none');
  if (name === 'NotReadableError' || name === 'AbortError') return new CameraError('busy');
  return new CameraError('other', e instanceof Error ? e.message : String(e));
}

/** The rear camera, asked for 1280x720: enough detail for a dense code held at arm's length. */
export async function openCamera(): Promise<MediaStream> {
  if (!globalThis.isSecureContext && !navigator.mediaDevices) throw new CameraError('insecure');
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported');
  try {
    return await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
    });
  } catch (e) {
    throw cameraError(e);
  }
}

/** Pixels a frame is decoded at: jsQR's time grows with the area (~25 ms at 640x480, ~680 at 1280x720). */
const DECODE_AREA = 640 * 480;
/** How often the loop looks for a new frame, in ms; a frame is skipped while the previous is in decoding. */
const TICK = 40;

type Canvas = OffscreenCanvas | HTMLCanvasElement;
type Context = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

function makeCanvas(): { canvas: Canvas; ctx: Context } {
  const canvas: Canvas =
    typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as Context | null;
  if (!ctx) throw new CameraError('unsupported', 'no 2D canvas');
  return { canvas, ctx };
}

/**
 * One jsQR worker for the page, kept for its life: started by preloadScanner() while the app is online, it
 * still decodes after the network is gone (a worker's script is fetched when it starts, and before the
 * service worker controls the page, an offline start fails).
 */
interface DecoderWorker {
  worker?: Worker;
  broken: boolean;
  next: number;
  pending: Map<number, (content: Uint8Array | undefined) => void>;
}
let shared: DecoderWorker | undefined;

function decoderWorker(): DecoderWorker {
  if (shared) return shared;
  const s: DecoderWorker = { broken: false, next: 0, pending: new Map() };
  try {
    s.worker = new Worker(new URL('./scan.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    s.broken = true;
  }
  if (s.worker) {
    s.worker.onmessage = (e: MessageEvent<ScanReply>) => {
      s.pending.get(e.data.id)?.(e.data.content ?? undefined);
      s.pending.delete(e.data.id);
    };
    s.worker.onerror = (e) => {
      // A worker that fails to load (a strict CSP, an old browser): decode on this thread instead.
      e.preventDefault();
      s.broken = true;
      for (const done of s.pending.values()) done(undefined);
      s.pending.clear();
    };
  }
  shared = s;
  return s;
}

/** Start the decoder now, while the app is surely online (call it when the app starts). */
export function preloadScanner(): void {
  if (typeof Worker === 'function') decoderWorker();
}

/** jsQR in the page's worker, or on this thread where a worker cannot start. */
function makeDecoder(): { decode(image: ImageData): Promise<Uint8Array | undefined>; close(): void } {
  const w = decoderWorker();
  const mine = new Set<number>();
  return {
    async decode(image) {
      if (w.broken || !w.worker) {
        try {
          const { decodeImage } = await import('./decode.ts');
          return decodeImage(image.data, image.width, image.height);
        } catch {
          return undefined;
        }
      }
      const id = w.next++;
      mine.add(id);
      return new Promise((resolve) => {
        w.pending.set(id, (content) => {
          mine.delete(id);
          resolve(content);
        });
        const request: ScanRequest = {
          id,
          data: image.data.buffer as ArrayBuffer,
          width: image.width,
          height: image.height,
        };
        w.worker!.postMessage(request, [request.data]);
      });
    },
    close() {
      // The worker stays for the next scanner; what this one still waits for resolves empty.
      for (const id of mine) {
        w.pending.get(id)?.(undefined);
        w.pending.delete(id);
      }
    },
  };
}

interface Detector {
  detect(source: CanvasImageSource | ImageBitmapSource): Promise<{ rawValue: string }[]>;
}

/** The platform's BarcodeDetector for QR codes, where there is one (Android, macOS, ChromeOS). */
async function nativeDetector(): Promise<Detector | undefined> {
  const BD = (
    globalThis as {
      BarcodeDetector?: { new (o: object): Detector; getSupportedFormats(): Promise<string[]> };
    }
  ).BarcodeDetector;
  try {
    if (BD && (await BD.getSupportedFormats()).includes('qr_code')) return new BD({ formats: ['qr_code'] });
  } catch {
    // No usable detector: jsQR does it all.
  }
  return undefined;
}

const utf8 = new TextEncoder();

/**
 * The content of a code the native detector read, or undefined when jsQR must read that frame: rawValue is
 * a string, lossy for a binary message, so a code that starts like one ("M" 0x01) goes to jsQR.
 */
export function nativeContent(rawValue: string): Uint8Array | undefined {
  return rawValue.startsWith('M\u0001') ? undefined : utf8.encode(rawValue);
}

/**
 * Opens the rear camera into `video` and calls `onContent` with the raw content of each QR code it reads
 * (the same code many times a second: see MessageReader). Rejects with a CameraError; resolves to stop(),
 * which ends the loop and the camera. An aborted `signal` (a component gone while the camera was opening)
 * releases the camera without touching `video`, and rejects with an AbortError.
 */
export async function startScanner(
  video: HTMLVideoElement,
  onContent: (content: Uint8Array) => void,
  signal?: AbortSignal,
): Promise<() => void> {
  const stream = await openCamera();
  if (signal?.aborted) {
    for (const track of stream.getTracks()) track.stop();
    throw new DOMException('scanner stopped before the camera opened', 'AbortError');
  }
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const decoder = makeDecoder();
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    decoder.close();
    for (const track of stream.getTracks()) track.stop();
    if (video.srcObject === stream) video.srcObject = null;
  };
  signal?.addEventListener('abort', stop);
  try {
    video.muted = true;
    video.playsInline = true;
    video.setAttribute('playsinline', ''); // iOS Safari plays inline only with the attribute
    video.srcObject = stream;
    await video.play();
  } catch (e) {
    stop();
    if (signal?.aborted) throw e;
    throw cameraError(e);
  }
  const detector = await nativeDetector();
  const { canvas, ctx } = makeCanvas();

  // Every other frame of a large video is its centre at full resolution instead of the whole downscaled:
  // a dense code (version 20, 97 modules) far from the lens gets twice the pixels a module there.
  let centre = false;
  const grab = (): ImageData | undefined => {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (video.readyState < 2 || !w || !h) return undefined;
    const k = Math.min(1, Math.sqrt(DECODE_AREA / (w * h)));
    centre = k < 0.8 && !centre;
    const cw = centre ? Math.round(Math.min(w, Math.sqrt(DECODE_AREA * (4 / 3)))) : Math.round(w * k);
    const ch = centre ? Math.round(Math.min(h, DECODE_AREA / cw)) : Math.round(h * k);
    if (canvas.width !== cw || canvas.height !== ch) {
      canvas.width = cw;
      canvas.height = ch;
    }
    if (centre) ctx.drawImage(video, (w - cw) >> 1, (h - ch) >> 1, cw, ch, 0, 0, cw, ch);
    else ctx.drawImage(video, 0, 0, cw, ch);
    return ctx.getImageData(0, 0, cw, ch);
  };

  const scan = async (): Promise<Uint8Array | undefined> => {
    const image = grab();
    if (!image) return undefined;
    if (detector) {
      const codes = await detector.detect(canvas).catch(() => []);
      const raw = codes[0]?.rawValue;
      if (raw === undefined) return undefined;
      const content = nativeContent(raw);
      if (content) return content;
    }
    return decoder.decode(image);
  };

  const tick = async () => {
    if (stopped) return;
    const started = performance.now();
    try {
      const content = await scan();
      if (content && !stopped) onContent(content);
    } catch (e) {
      console.error('scanner:', e);
    }
    if (!stopped) timer = setTimeout(tick, Math.max(0, TICK - (performance.now() - started)));
  };
  tick();
  return stop;
}
