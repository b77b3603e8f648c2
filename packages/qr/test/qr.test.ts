// Real round trips: protocol message -> QR modules (qrcode) -> pixels -> jsQR -> the same bytes.
import {
  decode,
  equal,
  fromHex,
  needsFrames,
  QR_MAX_BYTES,
  toFrames,
  toHex,
  toUrl,
} from '@moneybag/protocol';
import { describe, expect, it } from 'vitest';
import { cameraError, nativeContent } from '../src/camera.ts';
import { decodeImage } from '../src/decode.ts';
import { QUIET_ZONE, qrMatrices, qrMatrix, rasterize } from '../src/matrix.ts';
import { MessageReader } from '../src/reader.ts';
import { cameraFrame, messageVectors, vectorMessage, vectors } from './helpers.ts';

/** What a reader reports, in order. */
function collect() {
  const events: string[] = [];
  const messages: Uint8Array[] = [];
  const reader = new MessageReader(
    {
      onMessage: (m) => {
        messages.push(m);
        events.push(`message ${toHex(m).slice(0, 16)}`);
      },
      onProgress: (p) => events.push(`progress ${p.have}/${p.count}`),
      onError: (e) => events.push(`error ${(e as { code?: string }).code}`),
    },
    { now: () => 0 },
  );
  return { reader, events, messages };
}

const roundTrip = (content: Uint8Array | string, scale = 4): Uint8Array | undefined => {
  const image = rasterize(qrMatrix(content), scale);
  return decodeImage(image.data, image.width, image.height);
};

describe('one message, one code', () => {
  const single = messageVectors.filter((v) => v.size <= QR_MAX_BYTES);

  it('covers messages of several kinds', () => {
    expect(single.map((v) => v.type)).toEqual(
      expect.arrayContaining(['Payment', 'Challenge', 'Ticket', 'Frame']),
    );
  });

  for (const v of single) {
    it(`${v.type}: ${v.description}`, () => {
      const message = fromHex(v.hex);
      const back = roundTrip(message);
      expect(back && toHex(back)).toBe(v.hex);
    });
  }

  it('a 474-byte Payment in byte mode at ECC M, with a 4-module quiet zone, decodes to the Payment', () => {
    const message = vectorMessage('Payment k=2');
    expect(message.length).toBe(474);
    const m = qrMatrix(message);
    // 474 bytes at level M needs version 17 (at most 482 bytes); level L or another mode would differ.
    expect(m.version).toBe(17);
    expect(m.size).toBe(17 * 4 + 17);
    const image = rasterize(m, 3);
    expect(image.width).toBe((m.size + 2 * QUIET_ZONE) * 3);
    const back = decodeImage(image.data, image.width, image.height)!;
    expect(equal(back, message)).toBe(true);
    const payment = decode(back, 'Payment');
    expect(payment.items.map((s) => s.amount)).toEqual([300, 150]);
  });

  it('reads the Payment from a noisy, washed-out 640x480 camera-like frame', () => {
    const message = vectorMessage('Payment k=2');
    const frame = cameraFrame(qrMatrix(message), 4, 40);
    const back = decodeImage(frame, 640, 480);
    expect(back && equal(back, message)).toBe(true);
  });

  it('finds nothing in a frame without a code', () => {
    const frame = cameraFrame({ size: 0, version: 0, modules: new Uint8Array() }, 1);
    expect(decodeImage(frame, 640, 480)).toBeUndefined();
  });
});

describe('a message too long for one code: a loop of frames', () => {
  const message = vectorMessage('Payment k=3');

  it('is cut into 2 frames of one QR version, read back through FrameReader with progress', () => {
    expect(message.length).toBe(687);
    expect(needsFrames(message)).toBe(true);
    const frames = toFrames(message);
    expect(frames.length).toBe(2);
    const matrices = qrMatrices(frames);
    expect(new Set(matrices.map((m) => m.version)).size).toBe(1);
    const { reader, events, messages } = collect();
    // The loop seen from its middle, twice round, the camera reading each frame three times.
    for (const i of [1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1]) {
      const image = rasterize(matrices[i], 3);
      const content = decodeImage(image.data, image.width, image.height)!;
      expect(equal(content, frames[i])).toBe(true);
      reader.read(content);
    }
    expect(messages.length).toBe(1);
    expect(equal(messages[0], message)).toBe(true);
    expect(events).toEqual(['progress 1/2', 'progress 2/2', `message ${toHex(message).slice(0, 16)}`]);
  });

  it('a 3-frame loop of a short message works too', () => {
    const short = vectorMessage('Payment k=1');
    const frames = toFrames(short, 3);
    const { reader, events, messages } = collect();
    for (const f of [...frames, ...frames]) reader.read(roundTrip(f)!);
    expect(messages.length).toBe(1);
    expect(equal(messages[0], short)).toBe(true);
    expect(events.slice(0, 3)).toEqual(['progress 1/3', 'progress 2/3', 'progress 3/3']);
  });
});

describe('frame reassembly vectors, through the reader', () => {
  const cases: { description: string; frames: string[]; expected: string[] }[] = vectors.frames.reassembly;
  for (const c of cases) {
    it(c.description, () => {
      const { reader, messages } = collect();
      for (const f of c.frames) reader.read(fromHex(f));
      expect(messages.map(toHex)).toEqual(c.expected);
    });
  }
});

describe('what a code holds: the reader rule of 4.1', () => {
  const cases: { description: string; content_hex: string; expected: { message?: string; code?: string } }[] =
    vectors.text.cases;
  for (const c of cases) {
    it(c.description, () => {
      const { reader, events, messages } = collect();
      reader.read(fromHex(c.content_hex));
      if (c.expected.message) expect(messages.map(toHex)).toEqual([c.expected.message]);
      else expect(events).toEqual([`error ${c.expected.code}`]);
    });
  }

  it('a #m= link shown as a QR text code is read as its message', () => {
    const challenge = vectorMessage('Challenge');
    const url = toUrl('https://shop.example/wallet/#old', challenge);
    expect(url.startsWith('https://shop.example/wallet/#m=')).toBe(true);
    const { reader, messages } = collect();
    reader.read(roundTrip(url)!);
    expect(messages.length).toBe(1);
    expect(equal(messages[0], challenge)).toBe(true);
  });

  it('junk is an error, never a message nor a throw', () => {
    const { reader, events, messages } = collect();
    reader.read(roundTrip('https://example.com/menu')!); // not base64url
    expect(events).toEqual(['error E_FIELD']);
    expect(messages).toEqual([]);
  });

  it('text that is base64url but no message is an error too', () => {
    const { reader, events } = collect();
    reader.read(new TextEncoder().encode('abcd')); // three bytes that are not an envelope
    expect(events).toEqual(['error E_MAGIC']);
  });

  it('a raw envelope of an unknown type, or cut short, is an error with its code', () => {
    const { reader: r1, events: e1 } = collect();
    r1.read(Uint8Array.of(0x4d, 0x01, 0x7f));
    expect(e1).toEqual(['error E_TYPE']);
    const { reader: r2, events: e2 } = collect();
    r2.read(vectorMessage('Payment k=2').subarray(0, 100));
    expect(e2).toEqual(['error E_TRUNCATED']);
    const { reader: r3, events: e3 } = collect();
    r3.read(toFrames(vectorMessage('Payment k=3'))[0].subarray(0, 10));
    expect(e3).toEqual(['error E_TRUNCATED']);
  });

  it('errors are throttled: at most one per errorEvery ms', () => {
    let now = 1000;
    const errors: string[] = [];
    const reader = new MessageReader(
      { onMessage: () => {}, onError: (e) => errors.push(`${now} ${(e as { code?: string }).code}`) },
      { errorEvery: 2000, now: () => now },
    );
    const junk = new TextEncoder().encode('not a message!');
    reader.read(junk);
    now = 2500;
    reader.read(junk);
    reader.read(Uint8Array.of(0x4d, 0x01, 0x7f));
    now = 3000;
    reader.read(Uint8Array.of(0x4d, 0x01, 0x7f));
    expect(errors).toEqual(['1000 E_FIELD', '3000 E_TYPE']);
  });

  it('the same message twice in a row is reported once, until another is seen', () => {
    const a = vectorMessage('Challenge');
    const b = vectorMessage('HolderKey');
    const { reader, messages } = collect();
    for (const m of [a, a, a, b, b, a, a]) reader.read(m);
    expect(messages.map(toHex)).toEqual([a, b, a].map(toHex));
    // A loop of the message just read adds nothing, not even progress; reset() forgets it.
    const big = vectorMessage('Payment k=3');
    const { reader: r2, events } = collect();
    r2.read(toFrames(big)[0]);
    r2.read(toFrames(big)[1]);
    r2.read(toFrames(big)[0]);
    expect(events.length).toBe(3);
    r2.reset();
    for (const f of toFrames(big)) r2.read(f);
    expect(events.length).toBe(6);
  });

  it("a fault in the app's own handler is thrown, not reported as bad content", () => {
    const reader = new MessageReader({
      onMessage: () => {
        throw new TypeError('app bug');
      },
      onError: () => {
        throw new Error('must not be called');
      },
    });
    expect(() => reader.read(vectorMessage('Challenge'))).toThrow('app bug');
  });
});

describe('the native BarcodeDetector', () => {
  it('its string is taken for a link or a text form, but a binary message goes to jsQR', () => {
    const link = 'https://shop.example/wallet/#m=TQEHgTl3Dqh9F19Wo1Rmw0x-zMuNipG07jeiXfYPW4_Js5QITXkgcGhvbmU';
    expect(nativeContent(link)).toEqual(new TextEncoder().encode(link));
    // A raw message as the detector renders it (Latin-1 or UTF-8 guesses alike start with "M" 0x01).
    const raw = String.fromCharCode(...vectorMessage('HolderKey'));
    expect(nativeContent(raw)).toBeUndefined();
  });

  it('camera failures are put in plain words', () => {
    expect(cameraError(new DOMException('x', 'NotAllowedError')).problem).toBe('denied');
    expect(cameraError(new DOMException('x', 'NotFoundError')).message).toBe(
      'No camera was found on this device.',
    );
    expect(cameraError(new DOMException('x', 'NotReadableError')).problem).toBe('busy');
    expect(cameraError(new Error('odd')).message).toBe('The camera could not start. (odd)');
  });
});
