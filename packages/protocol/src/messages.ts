// The messages of section 4: types, encode and decode.
import { type Reader as R, Reader, Writer } from './codec.ts';
import { fail } from './errors.ts';

export type Bytes = Uint8Array;

export interface Ticket {
  issuer: string;
  unit: string;
  face: number;
  holder: Bytes;
  serial: Bytes;
  expires: number;
  C: Bytes;
}
/** One ticket spent for `amount`, signed S by its holder. */
export interface Spend {
  ticket: Ticket;
  amount: number;
  S: Bytes;
}
export interface Challenge {
  shop: string;
  chal: Bytes;
  unit: string;
  amount: number;
  expires: number;
  label: string;
}
export interface Payment {
  shop: string;
  chal: Bytes;
  items: Spend[];
}
export interface PathStep {
  terminal: string;
  n: number;
}
export interface Allocation {
  collector: string;
  to: string;
  root: Bytes;
  issued: number;
  due: number;
  A: Bytes;
  path: PathStep[];
}
export interface Use extends Spend {
  deal: number;
  shop: string;
}
export interface BagNode {
  uses: Use[];
  children: BagChild[];
}
export interface BagChild extends PathStep {
  node: BagNode;
}
export interface Bag {
  collector: string;
  to: string;
  root: Bytes;
  node: BagNode;
}
export interface Receipt {
  collector: string;
  S: Bytes;
  received_ms: number;
  R: Bytes;
}
export interface HolderKey {
  holder: Bytes;
  label: string;
}
export interface DirectPayment extends Spend {
  collector: string;
  shop: string;
  time_ms: number;
}
export interface Report {
  collector: string;
  root: Bytes;
  bag_digest: Bytes;
  accepted_count: number;
  rejected_count: number;
  K: Bytes;
}
export interface ReturnItem extends Spend {
  shop: string;
  chal: Bytes;
}
export interface Return {
  collector: string;
  origin: Bytes;
  items: ReturnItem[];
  Q: Bytes;
}
/** 3.8: the holder takes back what is left of `ticket`, to be issued to `to`; signed P by the ticket's holder. */
export interface Reclaim {
  ticket: Ticket;
  to: Bytes;
  P: Bytes;
}
export interface Frame {
  index: number;
  count: number;
  whole: Bytes;
  chunk: Bytes;
}

export interface MessageTypes {
  Ticket: Ticket;
  Challenge: Challenge;
  Payment: Payment;
  Allocation: Allocation;
  Bag: Bag;
  Receipt: Receipt;
  HolderKey: HolderKey;
  DirectPayment: DirectPayment;
  Report: Report;
  Return: Return;
  Frame: Frame;
  Reclaim: Reclaim;
}
export type MessageType = keyof MessageTypes;
export type MessageOf<T extends MessageType> = { type: T } & MessageTypes[T];
export type Message = { [T in MessageType]: MessageOf<T> }[MessageType];

export const TYPE_CODES: Record<MessageType, number> = {
  Ticket: 0x01,
  Challenge: 0x02,
  Payment: 0x03,
  Allocation: 0x04,
  Bag: 0x05,
  Receipt: 0x06,
  HolderKey: 0x07,
  DirectPayment: 0x08,
  Report: 0x09,
  Return: 0x0a,
  Frame: 0x0b,
  Reclaim: 0x0c,
};
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPE_CODES).map(([k, v]) => [v, k])) as Record<
  number,
  MessageType
>;
export const MAGIC = 0x4d;
export const VERSION = 1;
/** u8(MAGIC) u8(VERSION) u8(type). */
export const ENVELOPE_LENGTH = 3;
export const MAX_PAYMENT_ITEMS = 8;
export const MAX_PATH = 7;
export const MAX_BAG_DEPTH = 8;

// --- shared pieces --------------------------------------------------------------------------

export function writeTicketFields(w: Writer, t: Omit<Ticket, 'C'>): Writer {
  return w.id(t.issuer).unit(t.unit).u64(t.face).fixed(t.holder, 32).fixed(t.serial, 16).u32(t.expires);
}
function writeTicket(w: Writer, t: Ticket) {
  writeTicketFields(w, t).fixed(t.C, 64);
}
function readTicket(r: R): Ticket {
  return {
    issuer: r.id(),
    unit: r.unit(),
    face: r.u64(),
    holder: r.bytes(32),
    serial: r.bytes(16),
    expires: r.u32(),
    C: r.bytes(64),
  };
}
function writeSpend(w: Writer, s: Spend) {
  writeTicket(w, s.ticket);
  w.u64(s.amount).fixed(s.S, 64);
}
function readSpend(r: R): Spend {
  return { ticket: readTicket(r), amount: r.u64(), S: r.bytes(64) };
}
function writeNode(w: Writer, node: BagNode, depth: number) {
  if (depth > MAX_BAG_DEPTH) fail('E_MALFORMED', 'bag deeper than 8');
  w.u32(node.uses.length);
  for (const u of node.uses) {
    w.u64(u.deal).id(u.shop);
    writeSpend(w, u);
  }
  w.u32(node.children.length);
  const seen = new Set<string>();
  for (const c of node.children) {
    const key = `${c.terminal}/${c.n}`;
    if (seen.has(key)) fail('E_MALFORMED', `child ${key} twice`);
    seen.add(key);
    w.id(c.terminal).u32(c.n);
    writeNode(w, c.node, depth + 1);
  }
}
function readNode(r: R, depth: number): BagNode {
  if (depth > MAX_BAG_DEPTH) fail('E_MALFORMED', 'bag deeper than 8');
  const uses: Use[] = [];
  // A count only announces: items are pushed as they are read, never preallocated.
  for (let i = r.u32(); i > 0; i--) {
    const deal = r.u64();
    const shop = r.id();
    const s = readSpend(r);
    uses.push({ deal, shop, ticket: s.ticket, amount: s.amount, S: s.S });
  }
  const children: BagChild[] = [];
  const seen = new Set<string>();
  for (let i = r.u32(); i > 0; i--) {
    const terminal = r.id();
    const n = r.u32();
    const key = `${terminal}/${n}`;
    if (seen.has(key)) fail('E_MALFORMED', `child ${key} twice`);
    seen.add(key);
    children.push({ terminal, n, node: readNode(r, depth + 1) });
  }
  return { uses, children };
}
export function writeReturnItems(w: Writer, m: Pick<Return, 'collector' | 'origin' | 'items'>): Writer {
  w.id(m.collector).fixed(m.origin, 32).u32(m.items.length);
  for (const it of m.items) {
    w.id(it.shop).fixed(it.chal, 32);
    writeSpend(w, it);
  }
  return w;
}
export function writeReclaimFields(w: Writer, m: Omit<Reclaim, 'P'>): Writer {
  writeTicket(w, m.ticket);
  return w.fixed(m.to, 32);
}
export function writeAllocationHead(w: Writer, a: Omit<Allocation, 'A' | 'path'>): Writer {
  return w.id(a.collector).id(a.to).num(a.root).u32(a.issued).u32(a.due);
}

// --- per-type bodies ------------------------------------------------------------------------

type Codec<T> = { write(w: Writer, m: T): void; read(r: R): T };

const codecs: { [T in MessageType]: Codec<MessageTypes[T]> } = {
  Ticket: { write: writeTicket, read: readTicket },
  Challenge: {
    write: (w, m) => w.id(m.shop).fixed(m.chal, 32).unit(m.unit).u64(m.amount).u32(m.expires).text(m.label),
    read: (r) => ({
      shop: r.id(),
      chal: r.bytes(32),
      unit: r.unit(),
      amount: r.u64(),
      expires: r.u32(),
      label: r.text(),
    }),
  },
  Payment: {
    write: (w, m) => {
      const k = m.items.length;
      if (k < 1 || k > MAX_PAYMENT_ITEMS) fail('E_FIELD', `a payment has 1..8 tickets, not ${k}`);
      w.id(m.shop).fixed(m.chal, 32).u8(k);
      for (const s of m.items) writeSpend(w, s);
    },
    read: (r) => {
      const shop = r.id();
      const chal = r.bytes(32);
      const k = r.u8();
      if (k < 1 || k > MAX_PAYMENT_ITEMS) fail('E_FIELD', `a payment has 1..8 tickets, not ${k}`);
      const items: Spend[] = [];
      for (let i = 0; i < k; i++) items.push(readSpend(r));
      return { shop, chal, items };
    },
  },
  Allocation: {
    write: (w, m) => {
      if (m.path.length > MAX_PATH) fail('E_FIELD', 'an allocation path has at most 7 steps');
      writeAllocationHead(w, m).fixed(m.A, 64).u8(m.path.length);
      for (const p of m.path) w.id(p.terminal).u32(p.n);
    },
    read: (r) => {
      const collector = r.id();
      const to = r.id();
      const root = r.num();
      const issued = r.u32();
      const due = r.u32();
      const A = r.bytes(64);
      const d = r.u8();
      if (d > MAX_PATH) fail('E_FIELD', 'an allocation path has at most 7 steps');
      const path: PathStep[] = [];
      for (let i = 0; i < d; i++) path.push({ terminal: r.id(), n: r.u32() });
      return { collector, to, root, issued, due, A, path };
    },
  },
  Bag: {
    write: (w, m) => {
      w.id(m.collector).id(m.to).num(m.root);
      writeNode(w, m.node, 1);
    },
    read: (r) => ({ collector: r.id(), to: r.id(), root: r.num(), node: readNode(r, 1) }),
  },
  Receipt: {
    write: (w, m) => w.id(m.collector).fixed(m.S, 64).u64(m.received_ms).fixed(m.R, 64),
    read: (r) => ({ collector: r.id(), S: r.bytes(64), received_ms: r.u64(), R: r.bytes(64) }),
  },
  HolderKey: {
    write: (w, m) => w.fixed(m.holder, 32).text(m.label),
    read: (r) => ({ holder: r.bytes(32), label: r.text() }),
  },
  DirectPayment: {
    write: (w, m) => {
      w.id(m.collector).id(m.shop).u64(m.time_ms);
      writeSpend(w, m);
    },
    read: (r) => {
      const collector = r.id();
      const shop = r.id();
      const time_ms = r.u64();
      return { collector, shop, time_ms, ...readSpend(r) };
    },
  },
  Report: {
    write: (w, m) =>
      w
        .id(m.collector)
        .num(m.root)
        .fixed(m.bag_digest, 32)
        .u32(m.accepted_count)
        .u32(m.rejected_count)
        .fixed(m.K, 64),
    read: (r) => ({
      collector: r.id(),
      root: r.num(),
      bag_digest: r.bytes(32),
      accepted_count: r.u32(),
      rejected_count: r.u32(),
      K: r.bytes(64),
    }),
  },
  Return: {
    write: (w, m) => writeReturnItems(w, m).fixed(m.Q, 64),
    read: (r) => {
      const collector = r.id();
      const origin = r.bytes(32);
      const items: ReturnItem[] = [];
      for (let k = r.u32(); k > 0; k--) {
        const shop = r.id();
        const chal = r.bytes(32);
        items.push({ shop, chal, ...readSpend(r) });
      }
      return { collector, origin, items, Q: r.bytes(64) };
    },
  },
  Frame: {
    write: (w, m) => {
      if (m.count < 2 || m.index >= m.count) fail('E_FIELD', 'frame index/count out of range');
      w.u8(m.index).u8(m.count).fixed(m.whole, 16).raw(m.chunk);
    },
    read: (r) => {
      const index = r.u8();
      const count = r.u8();
      if (count < 2 || index >= count) fail('E_FIELD', 'frame index/count out of range');
      return { index, count, whole: r.bytes(16), chunk: r.bytes(r.left) };
    },
  },
  Reclaim: {
    write: (w, m) => writeReclaimFields(w, m).fixed(m.P, 64),
    read: (r) => ({ ticket: readTicket(r), to: r.bytes(32), P: r.bytes(64) }),
  },
};

// --- the envelope ---------------------------------------------------------------------------

/** Encode a message, envelope included. Throws E_FIELD/E_RANGE/E_MALFORMED on a value outside the rules. */
export function encode(m: Message): Uint8Array {
  const code = TYPE_CODES[m.type];
  if (code === undefined) fail('E_TYPE');
  const w = new Writer().u8(MAGIC).u8(VERSION).u8(code);
  (codecs[m.type] as Codec<Message>).write(w, m);
  return w.finish();
}

/** The type named by a message's envelope, after checking magic and version. */
export function peekType(bytes: Uint8Array): MessageType {
  const r = new Reader(bytes);
  if (r.u8() !== MAGIC) fail('E_MAGIC');
  if (r.u8() !== VERSION) fail('E_VERSION');
  const type = TYPE_NAMES[r.u8()];
  if (!type) fail('E_TYPE');
  return type;
}

/**
 * Decode a whole message. With `expected`, any other type is E_TYPE. Byte fields are fresh copies (safe to
 * keep, e.g. in IndexedDB, which would otherwise store the whole input behind each view).
 */
export function decode<T extends MessageType>(bytes: Uint8Array, expected: T): MessageOf<T>;
export function decode(bytes: Uint8Array): Message;
export function decode(bytes: Uint8Array, expected?: MessageType): Message {
  return decodeMessage(bytes, expected, false);
}

/** As decode, with byte fields as views into `bytes`: for a hot path that does not keep them (a bag check). */
export function decodeViews<T extends MessageType>(bytes: Uint8Array, expected: T): MessageOf<T> {
  return decodeMessage(bytes, expected, true) as unknown as MessageOf<T>;
}

function decodeMessage(bytes: Uint8Array, expected: MessageType | undefined, views: boolean): Message {
  if (!(bytes instanceof Uint8Array)) fail('E_TRUNCATED', 'not bytes');
  const type = peekType(bytes);
  if (expected && type !== expected) fail('E_TYPE', `expected a ${expected}, got a ${type}`);
  const r = new Reader(bytes, views);
  r.pos = ENVELOPE_LENGTH;
  const fields = codecs[type].read(r);
  r.end();
  return { type, ...fields } as Message;
}
