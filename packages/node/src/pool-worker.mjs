// Worker thread of the verifier pool: OpenSSL's Ed25519 (checks 2-4) over packed checks. Plain JS so that
// it starts without a TypeScript loader; checks 1 and 3 were made in the calling thread (pool.ts).
import { createPublicKey, verify } from 'node:crypto';
import { parentPort } from 'node:worker_threads';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
// A bag repeats one holder key for many uses in a row: the last key is kept apart from the map.
let lastRaw = Buffer.alloc(0);
let lastKey;
function keyOf(raw) {
  if (raw.equals(lastRaw)) return lastKey;
  const hex = raw.toString('hex');
  let k = keys.get(hex);
  if (!k) {
    if (keys.size > 50_000) keys.clear();
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    keys.set(hex, k);
  }
  lastRaw = Buffer.from(raw);
  lastKey = k;
  return k;
}

// Each check: 32-byte key, 64-byte signature, u32 message length, message.
parentPort.on('message', ({ id, buf, count }) => {
  const b = Buffer.from(buf);
  const out = new Uint8Array(count);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const key = b.subarray(o, o + 32);
    const sig = b.subarray(o + 32, o + 96);
    const len = b.readUInt32BE(o + 96);
    const msg = b.subarray(o + 100, o + 100 + len);
    o += 100 + len;
    try {
      out[i] = verify(null, msg, keyOf(key), sig) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
