// From QR contents to whole messages: the reader rule of 4.1, Frame loops of 4.2, and no repeats.
import {
  decode,
  equal,
  FrameReader,
  frameWhole,
  isProtocolError,
  readContent,
  wholeOf,
} from '@moneybag/protocol';

export interface ReaderEvents {
  /** A whole message, bytes not yet decoded. */
  onMessage(message: Uint8Array): void;
  /** Frames gathered of a loop, on each change. */
  onProgress?(p: { have: number; count: number }): void;
  /** Content that is not a message (a ProtocolError), at most one per `errorEvery` ms. */
  onError?(e: Error): void;
}

export interface ReaderOptions {
  /** Least time between two errors reported, in ms: a camera reads the same bad code many times a second. */
  errorEvery?: number;
  /** The clock, in ms (tests give their own). */
  now?: () => number;
}

/**
 * Turns each QR content a camera reads into whole messages. It applies protocol's readContent, reassembles
 * Frame loops with protocol's FrameReader, and reports the same message read twice in a row once: a camera
 * sees one code many times, and a loop goes round many times. Whether a message is a replay is the app's
 * to judge. Bad content is reported through onError, throttled, never thrown.
 */
export class MessageReader {
  private frames = new FrameReader();
  private last: Uint8Array | undefined;
  /** The `whole` of the last message, so that its loop, still shown, is not gathered again. */
  private lastWhole: Uint8Array | undefined;
  private lastProgress = '';
  private lastErrorAt = Number.NEGATIVE_INFINITY;
  private readonly errorEvery: number;
  private readonly now: () => number;

  constructor(
    private events: ReaderEvents,
    options: ReaderOptions = {},
  ) {
    this.errorEvery = options.errorEvery ?? 2000;
    this.now = options.now ?? (() => Date.now());
  }

  /** One QR content: raw bytes as the code holds them. */
  read(content: Uint8Array): void {
    try {
      const message = readContent(content);
      const whole = frameWhole(message);
      if (whole) this.readFrame(message, whole);
      else this.accept(message, undefined);
    } catch (e) {
      this.fail(e);
    }
  }

  /** Forget the last message, so that it is reported again when read again. */
  reset(): void {
    this.last = this.lastWhole = undefined;
    this.lastProgress = '';
    this.frames = new FrameReader();
  }

  private readFrame(frame: Uint8Array, whole: Uint8Array): void {
    // A frame of the loop just reported is skipped, from its header's bytes only.
    if (this.lastWhole && equal(whole, this.lastWhole)) return;
    const message = this.frames.add(frame);
    const { have, count } = this.frames.progress;
    const progress = `${have}/${count}`;
    if (progress !== this.lastProgress) {
      this.lastProgress = progress;
      this.events.onProgress?.({ have, count });
    }
    if (message) this.accept(message, whole.slice());
  }

  private accept(message: Uint8Array, whole: Uint8Array | undefined): void {
    if (this.last && equal(message, this.last)) return;
    decode(message); // Content that is no message, whatever its form, is the scanner's to report.
    this.last = message.slice();
    this.lastWhole = whole ?? wholeOf(message);
    this.lastProgress = '';
    this.events.onMessage(message.slice());
  }

  private fail(e: unknown): void {
    if (!isProtocolError(e)) throw e; // A fault of the app's own handler is not the content's.
    const now = this.now();
    if (now - this.lastErrorAt < this.errorEvery) return;
    this.lastErrorAt = now;
    this.events.onError?.(e);
  }
}
