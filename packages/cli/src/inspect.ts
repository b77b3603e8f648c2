// `moneybag inspect`: print a protocol message as JSON, for operators and for debugging.
import { existsSync, readFileSync } from 'node:fs';
import {
  decode,
  encode,
  fromHex,
  isProtocolError,
  type Message,
  readContent,
  toHex,
} from '@moneybag/protocol';

/** Bytes as hex, everything else as it is. */
const jsonOf = (v: unknown): unknown =>
  v instanceof Uint8Array
    ? toHex(v)
    : Array.isArray(v)
      ? v.map(jsonOf)
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonOf(x)]))
        : v;

/** A message given as hex (it starts 4d01), a text form, a URL with #m=, or raw bytes. */
export function messageBytes(input: string | Uint8Array): Uint8Array {
  if (typeof input === 'string') {
    const s = input.trim();
    if (/^4d01([0-9a-f]{2})*$/i.test(s)) return fromHex(s);
    return readContent(s);
  }
  return readContent(input);
}

export function inspectOne(input: string | Uint8Array): { ok: boolean; json: unknown } {
  try {
    const { type, ...fields } = decode(messageBytes(input)) as Message;
    const hex = toHex(encode({ type, ...fields } as Message));
    return { ok: true, json: { type, hex, fields: jsonOf(fields) } };
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    return { ok: false, json: { error: e.code, message: e.message } };
  }
}

async function* stdinLines(): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of process.stdin) {
    rest += chunk;
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    yield* lines;
  }
  if (rest) yield rest;
}

export async function inspect(args: string[]): Promise<number> {
  if (args[0] === '--lines') {
    for await (const line of stdinLines()) {
      if (line.trim() === '') continue;
      process.stdout.write(`${JSON.stringify(inspectOne(line).json)}\n`);
    }
    return 0;
  }
  const [arg] = args;
  if (arg === undefined) {
    process.stderr.write(
      'usage: moneybag inspect <hex | text form | URL | file>\n       moneybag inspect --lines < messages\n',
    );
    return 2;
  }
  const input = existsSync(arg) ? readFileSync(arg) : arg;
  const { ok, json } = inspectOne(input instanceof Buffer ? fileContent(input) : input);
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  return ok ? 0 : 1;
}

/** A file holds a raw message, or its hex or text form on one line. */
const fileContent = (b: Buffer): string | Uint8Array =>
  b[0] === 0x4d && b[1] === 1 ? new Uint8Array(b) : b.toString('utf8');
