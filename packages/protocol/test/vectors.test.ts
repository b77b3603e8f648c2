// Every vector of v1.json, byte for byte.
import { describe, expect, it } from 'vitest';
import { Reader, Writer } from '../src/codec.ts';
import {
  bodyOfUse,
  challengeOf,
  decode,
  digestOf,
  directChallengeOf,
  encode,
  FrameReader,
  frameWhole,
  fromText,
  ProtocolError,
  readContent,
  seedSigner,
  ticketBody,
  toFrames,
  toText,
  wholeOf,
} from '../src/index.ts';
import {
  allocationBody,
  bodiesOfUses,
  numberOf,
  receiptBody,
  reportBody,
  returnBody,
  returnBodyOf,
  sub,
} from '../src/signed.ts';
import { bytes, cases, fromJson, hex, messageOf, toJson, V } from './vectors.ts';

const signer = (name: 'issuer' | 'holder' | 'collector') => seedSigner(bytes(V.keys[name].seed));

describe('keys', () => {
  it('derive the public keys from the seeds', () => {
    for (const k of Object.values(V.keys) as { seed?: string; publicKey: string }[]) {
      if (k.seed) expect(hex(seedSigner(bytes(k.seed)).publicKey)).toBe(k.publicKey);
    }
  });
});

describe('2: primitives', () => {
  const P = V.primitives;
  const value = (kind: string, v: unknown) =>
    ['b16', 'b32', 'b64', 'num'].includes(kind) ? bytes(v as string) : v;
  it.each(['u8', 'u32', 'u64', 'b16', 'b32', 'b64', 'id', 'unit', 'num', 'text', 'tag'])('%s', (kind) => {
    for (const c of P[kind] as { value: unknown; hex: string }[]) {
      const w = new Writer();
      const v = value(kind, c.value);
      // biome-ignore lint/suspicious/noExplicitAny: one call per primitive kind
      const wr = w as any;
      if (kind.startsWith('b')) w.fixed(v as Uint8Array, Number(kind.slice(1)) as 16 | 32 | 64);
      else wr[kind](v);
      expect(hex(w.finish())).toBe(c.hex);
      if (kind === 'tag') continue;
      const r = new Reader(bytes(c.hex));
      // biome-ignore lint/suspicious/noExplicitAny: one call per primitive kind
      const back = kind.startsWith('b') ? r.bytes(Number(kind.slice(1))) : (r as any)[kind]();
      expect(back instanceof Uint8Array ? hex(back) : back).toEqual(c.value);
      r.end();
    }
  });
});

describe('3: what is signed and hashed', () => {
  it('ticket body, C, message, text', async () => {
    const T = V.ticket;
    const fields = fromJson(T.inputs);
    expect(hex(ticketBody(fields))).toBe(T.ticket_body);
    const C = await signer('issuer').sign(ticketBody(fields));
    expect(hex(C)).toBe(T.C);
    const msg = encode({ type: 'Ticket', ...fields, C });
    expect(hex(msg)).toBe(T.message);
    expect(toText(msg)).toBe(T.text);
  });
  it('sub and number', () => {
    for (const d of V.sub.derivations) expect(hex(sub(bytes(d.parent), d.terminal, d.n))).toBe(d.result);
    for (const c of V.number.cases) expect(hex(numberOf(bytes(c.root), c.path))).toBe(c.result);
  });
  it('challenge', () => {
    for (const c of V.challenge.cases)
      expect(hex(challengeOf(c.collector, bytes(c.bag), c.deal))).toBe(c.chal);
  });
  it('use body and S', async () => {
    const U = V.use;
    const body = bodyOfUse(U.inputs.amount, bytes(U.inputs.C), U.inputs.shop, bytes(U.inputs.chal));
    expect(hex(body)).toBe(U.use_body);
    expect(hex(await signer('holder').sign(body))).toBe(U.S);
    // Many bodies written into one buffer are each the same bytes, whatever their shops' lengths.
    const use = { amount: U.inputs.amount, ticket: { C: bytes(U.inputs.C) }, chal: bytes(U.inputs.chal) };
    const shops = [U.inputs.shop, 'a', 'a-much-longer-shop-name-than-sixteen', U.inputs.shop];
    const many = bodiesOfUses(shops.map((shop, i) => ({ ...use, amount: use.amount + i, shop })));
    expect(many.map(hex)).toEqual(
      shops.map((shop, i) => hex(bodyOfUse(use.amount + i, use.ticket.C, shop, use.chal))),
    );
    expect(many[0]).toEqual(body);
  });
  it('allocation, with and without a path', async () => {
    for (const A of [V.allocation, V.allocation_path]) {
      const inputs = fromJson(A.inputs);
      const body = allocationBody(inputs);
      expect(hex(body)).toBe(A.allocation_body);
      const sig = await signer('collector').sign(body);
      expect(hex(sig)).toBe(A.A);
      const msg = encode({ type: 'Allocation', ...inputs, A: sig });
      expect(hex(msg)).toBe(A.message);
      expect(toText(msg)).toBe(A.text);
      if (A.number) expect(hex(numberOf(inputs.root, inputs.path))).toBe(A.number);
    }
  });
  it('direct payment', async () => {
    const D = V.direct;
    const chal = directChallengeOf(D.inputs.collector, D.inputs.time_ms);
    expect(hex(chal)).toBe(D.chal);
    const body = bodyOfUse(D.inputs.amount, bytes(D.inputs.C), D.inputs.shop, chal);
    expect(hex(body)).toBe(D.use_body);
    expect(hex(await signer('holder').sign(body))).toBe(D.S);
    expect(toText(bytes(D.message))).toBe(D.text);
    const m = decode(bytes(D.message), 'DirectPayment');
    expect(hex(m.S)).toBe(D.S);
  });
  it('receipt, report, return', async () => {
    for (const [X, bodyOf, sigName, type] of [
      [V.receipt, receiptBody, 'R', 'Receipt'],
      [V.report, reportBody, 'K', 'Report'],
      [V.return, returnBody, 'Q', 'Return'],
    ] as const) {
      const inputs = fromJson(X.inputs);
      // biome-ignore lint/suspicious/noExplicitAny: three body functions of different shapes
      const body = (bodyOf as any)(inputs);
      expect(hex(body)).toBe(X[`${type.toLowerCase()}_body`]);
      const sig = await signer('collector').sign(body);
      expect(hex(sig)).toBe(X[sigName]);
      // biome-ignore lint/suspicious/noExplicitAny: assembling a message of the type named
      const msg = encode({ type, ...inputs, [sigName]: sig } as any);
      expect(hex(msg)).toBe(X.message);
      expect(toText(msg)).toBe(X.text);
    }
    // A Return's body cut from the message as received is the body encoded from its fields.
    expect(hex(returnBodyOf(bytes(V.return.message)))).toBe(V.return.return_body);
  });
});

describe('4: messages', () => {
  it.each(cases(V.messages))('%s', (_d, m) => {
    const msg = encode(messageOf(m.type, m.fields));
    expect(hex(msg)).toBe(m.hex);
    expect(msg.length).toBe(m.size);
    expect(toText(msg)).toBe(m.text);
    const back = decode(bytes(m.hex));
    expect(back.type).toBe(m.type);
    expect(toJson(back)).toEqual({ type: m.type, ...m.fields });
    expect(hex(fromText(m.text))).toBe(m.hex);
  });
  it('the bag digest', () => {
    expect(hex(digestOf(bytes(V.bag.message)))).toBe(V.bag.bag_digest);
  });
  it.each(cases(V.valid_edge))('edge: %s', (_d, m) => {
    expect(hex(encode(messageOf(m.type, m.fields)))).toBe(m.hex);
    expect(toJson(decode(bytes(m.hex)))).toEqual({ type: m.type, ...m.fields });
  });
  it.each(cases(V.invalid))('invalid: %s', (_d, m) => {
    let err: unknown;
    try {
      decode(bytes(m.hex));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as ProtocolError).code).toBe(m.code);
  });
});

describe('4.1: text form and QR content', () => {
  it.each(cases(V.text.cases))('%s', (_d, c) => {
    const run = () => hex(readContent(bytes(c.content_hex)));
    if (c.expected.message) expect(run()).toBe(c.expected.message);
    else expect(run).toThrow(expect.objectContaining({ code: c.expected.code }));
    if (c.content !== undefined && c.expected.message)
      expect(hex(readContent(c.content))).toBe(c.expected.message);
  });
});

describe('4.2: frames', () => {
  it('split', () => {
    const S = V.frames.split;
    const frames = toFrames(bytes(S.message), S.count);
    expect(frames.map(hex)).toEqual(S.frames);
    expect(hex(decode(frames[0], 'Frame').whole)).toBe(S.whole);
    // The header read without decoding: every frame's whole, and nothing for a message that is not a Frame.
    for (const f of frames) expect(hex(frameWhole(f) as Uint8Array)).toBe(S.whole);
    expect(hex(wholeOf(bytes(S.message)))).toBe(S.whole);
    expect(frameWhole(bytes(S.message))).toBeUndefined();
  });
  it.each(cases(V.frames.reassembly))('reassembly: %s', (_d, c) => {
    const reader = new FrameReader();
    const got: string[] = [];
    for (const f of c.frames) {
      const m = reader.add(bytes(f));
      if (m) got.push(hex(m));
    }
    expect(got).toEqual(c.expected);
  });
});
