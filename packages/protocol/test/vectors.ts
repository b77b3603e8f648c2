// Reads spec/vectors/v1.json and v1-reclaim.json (the repository's copies of ../shared, checked by
// scripts/spec-check.sh) and converts their JSON fields to messages.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fromHex, type Message, type MessageType, toHex } from '../src/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: the vectors files are untyped JSON
const load = (name: string): any =>
  JSON.parse(readFileSync(fileURLToPath(new URL(`../../../spec/vectors/${name}`, import.meta.url)), 'utf8'));
export const V = load('v1.json');
/** The vectors of 3.8 and 5.4. */
export const VR = load('v1-reclaim.json');

const BYTE_FIELDS = new Set([
  'holder',
  'serial',
  'C',
  'chal',
  'root',
  'A',
  'S',
  'R',
  'K',
  'Q',
  'origin',
  'bag_digest',
  'whole',
  'chunk',
]);

/** JSON fields (hex strings for bytes) -> message fields (Uint8Array). */
// biome-ignore lint/suspicious/noExplicitAny: walks untyped JSON
export function fromJson(v: any): any {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v && typeof v === 'object') {
    // biome-ignore lint/suspicious/noExplicitAny: walks untyped JSON
    const o: any = {};
    for (const [k, x] of Object.entries(v))
      o[k] = BYTE_FIELDS.has(k) && typeof x === 'string' ? fromHex(x) : fromJson(x);
    return o;
  }
  return v;
}

/** Message fields -> JSON (bytes as hex), as in the vectors. */
// biome-ignore lint/suspicious/noExplicitAny: walks untyped JSON
export function toJson(v: any): any {
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}

/** A message from a vector's type and fields. The vectors name the Bag's tree `node`, as we do. */
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON fields
export const messageOf = (type: MessageType, fields: any): Message =>
  ({ type, ...fromJson(fields) }) as Message;

export const hex = toHex;
export const bytes = fromHex;

/** Vector cases as it.each rows named by their descriptions (v1.json) or names (v1-reclaim.json). */
// biome-ignore lint/suspicious/noExplicitAny: untyped JSON cases
export const cases = (list: any[]): [string, any][] => list.map((c) => [c.description ?? c.name, c]);
