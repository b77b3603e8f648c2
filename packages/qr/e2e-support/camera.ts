// For the apps' Playwright tests: a fake rear camera whose picture the test sets, so that an app's own
// Scanner decodes real pixels (e.g. the screenshot of the other app's QR code).
import type { Page } from '@playwright/test';

/** What the init script puts on window, for these helpers to drive. */
interface FakeCamera {
  show(pngBase64: string | null): Promise<void>;
  fail: string | null;
  streams: MediaStream[];
  /** How many frames the page's decoder worker found a code in: the positive sign that it looked. */
  decoded: number;
}
declare global {
  interface Window {
    __moneybagCamera?: FakeCamera;
  }
}

/**
 * Replaces navigator.mediaDevices.getUserMedia, before any script of the page runs, with the
 * captureStream(15) of a 640x480 canvas that is redrawn continuously (grey until showOnCamera).
 * Call before page.goto. Also defines navigator.mediaDevices on an insecure (http, not localhost) origin.
 */
export async function fakeCamera(
  page: Page,
  size: { width: number; height: number } = { width: 640, height: 480 },
) {
  await page.addInitScript(({ width: W, height: H }) => {
    let canvas: HTMLCanvasElement | undefined;
    let picture: ImageBitmap | undefined;
    const paint = (ctx: CanvasRenderingContext2D) => {
      ctx.fillStyle = '#808080';
      ctx.fillRect(0, 0, W, H);
      if (!picture) return;
      // Centred, at its own size unless that does not fit.
      const k = Math.min(1, W / picture.width, H / picture.height);
      const w = Math.round(picture.width * k);
      const h = Math.round(picture.height * k);
      ctx.drawImage(picture, Math.floor((W - w) / 2), Math.floor((H - h) / 2), w, h);
    };
    const source = (): HTMLCanvasElement => {
      if (canvas) return canvas;
      canvas = document.createElement('canvas');
      canvas.width = W;
      canvas.height = H;
      const ctx = canvas.getContext('2d')!;
      paint(ctx);
      // A canvas stream makes a frame only when the canvas is drawn: keep drawing.
      setInterval(() => paint(ctx), 1000 / 30);
      return canvas;
    };
    const camera: FakeCamera = {
      fail: null,
      streams: [],
      decoded: 0,
      async show(pngBase64) {
        if (pngBase64 === null) {
          picture = undefined;
          return;
        }
        const bytes = Uint8Array.from(atob(pngBase64), (c) => c.charCodeAt(0));
        picture = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      },
    };
    window.__moneybagCamera = camera;
    // Count the codes the scanner's worker reads (its replies with content), beside the page's own handler.
    const RealWorker = window.Worker;
    window.Worker = class extends RealWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        this.addEventListener('message', (e: MessageEvent<{ content?: unknown }>) => {
          if (e.data?.content) camera.decoded++;
        });
      }
    };
    if (!navigator.mediaDevices)
      Object.defineProperty(navigator, 'mediaDevices', { value: {}, configurable: true });
    const devices = navigator.mediaDevices as MediaDevices;
    devices.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      if (camera.fail) throw new DOMException('fake camera refused', camera.fail);
      if (!constraints?.video) throw new DOMException('the fake camera has video only', 'NotFoundError');
      const stream = source().captureStream(15);
      camera.streams.push(stream);
      return stream;
    };
    devices.enumerateDevices = async () =>
      [{ deviceId: 'fake', groupId: 'fake', kind: 'videoinput', label: 'Fake camera' }] as MediaDeviceInfo[];
  }, size);
}

/** Puts a PNG (e.g. `await otherPage.getByTestId('qr').screenshot()`) in front of the fake camera, centred. */
export async function showOnCamera(page: Page, png: Uint8Array): Promise<void> {
  const base64 = Buffer.from(png).toString('base64');
  await page.evaluate((b64) => window.__moneybagCamera!.show(b64), base64);
}

/** Takes the picture away: the camera shows grey again. */
export async function clearCamera(page: Page): Promise<void> {
  await page.evaluate(() => window.__moneybagCamera!.show(null));
}

/**
 * Makes the next getUserMedia calls fail with a DOMException of this name ('NotAllowedError' as when the
 * user refuses, 'NotFoundError' for no camera), or succeed again with null.
 */
export async function failCamera(page: Page, name: string | null): Promise<void> {
  await page.evaluate((n) => {
    window.__moneybagCamera!.fail = n;
  }, name);
}

/** How many camera tracks the page opened and how many of them are still live (not stopped). */
export async function cameraTracks(page: Page): Promise<{ opened: number; live: number }> {
  return page.evaluate(() => {
    const tracks = window.__moneybagCamera!.streams.flatMap((s) => s.getTracks());
    return { opened: tracks.length, live: tracks.filter((t) => t.readyState === 'live').length };
  });
}

/** The camera goes away (unplugged, permission revoked): its live tracks fire 'ended'. */
export async function endCamera(page: Page): Promise<void> {
  await page.evaluate(() => {
    for (const s of window.__moneybagCamera!.streams)
      for (const t of s.getTracks()) if (t.readyState === 'live') t.dispatchEvent(new Event('ended'));
  });
}

/** How many frames with a code the page has decoded so far. */
export const codesRead = (page: Page): Promise<number> =>
  page.evaluate(() => window.__moneybagCamera?.decoded ?? 0);

/** Waits until the page has read a code in `n` more frames than `since` (a code in view kept being read). */
export async function readAgain(page: Page, since: number, n = 3): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if ((await codesRead(page)) >= since + n) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the page read no code ${n} more times (it read ${(await codesRead(page)) - since})`);
}
