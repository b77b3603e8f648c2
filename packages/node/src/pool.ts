// A Verifier that spreads OpenSSL's Ed25519 checks over worker threads, one per core, while the calling
// thread (which also runs the HTTP server) only packs and unpacks. Checks 1 and 3 of section 1,
// which OpenSSL does not make, are made here with the protocol's own functions, as makeVerifier does.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { precheck, type SignatureCheck, type Verifier } from '@moneybag/protocol';
import { nativeVerifyRaw } from './native.ts';

export interface PoolVerifier extends Verifier {
  readonly threads: number;
  close(): Promise<void>;
}

/** Packed checks for one worker message; `done` gets one byte (1 = verified) per check. */
interface Chunk {
  buf: ArrayBuffer;
  count: number;
  done(out: Uint8Array): void;
  fail(e: unknown): void;
}

/** Checks per message: small enough that a worker slowed by other load leaves the rest to the others. */
const CHUNK = 512;
/** Messages a worker holds at once: one to verify, one waiting, so it never idles between them. */
const DEPTH = 2;

/** Each check: 32-byte key, 64-byte signature, u32 message length, message (what pool-worker.mjs reads). */
function pack(checks: SignatureCheck[], idx: Int32Array, from: number, to: number): ArrayBuffer {
  let size = 0;
  for (let k = from; k < to; k++) size += 100 + checks[idx[k]].message.length;
  const buf = new Uint8Array(size);
  const view = new DataView(buf.buffer);
  let o = 0;
  for (let k = from; k < to; k++) {
    const c = checks[idx[k]];
    buf.set(c.publicKey, o);
    buf.set(c.signature, o + 32);
    view.setUint32(o + 96, c.message.length);
    buf.set(c.message, o + 100);
    o += 100 + c.message.length;
  }
  return buf.buffer;
}

/**
 * `threads` workers (default: all cores); batches below `minBatch` checks are verified in this thread,
 * where posting them would cost more than it saves. A worker that dies fails the batches it held (the
 * request fails and stores nothing) rather than answering "not verified" for valid signatures.
 */
export function poolVerifier(opts: { threads?: number; minBatch?: number } = {}): PoolVerifier {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const minBatch = opts.minBatch ?? 64;
  const workers: (Worker | undefined)[] = [];
  const held: Map<number, Chunk>[] = Array.from({ length: threads }, () => new Map());
  const queue: Chunk[] = [];
  let nextId = 0;
  let closed = false;

  const start = (i: number): Worker => {
    const w = new Worker(new URL('./pool-worker.mjs', import.meta.url));
    w.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
      const chunk = held[i].get(id);
      held[i].delete(id);
      chunk?.done(out);
      pump();
    });
    const lost = (e: unknown) => {
      if (workers[i] !== w) return;
      workers[i] = undefined;
      for (const chunk of held[i].values()) chunk.fail(e);
      held[i].clear();
      if (!closed) pump();
    };
    w.on('error', lost);
    w.on('exit', (code) => lost(new Error(`a verifier worker exited (${code})`)));
    workers[i] = w;
    return w;
  };

  // Started now, not at the first bag: a thread's start (and its loader) would count against that bag.
  for (let i = 0; i < threads; i++) start(i).unref();

  // Hands queued chunks to the workers with room; a worker with nothing to do does not hold the process.
  function pump() {
    for (let round = 0; round < DEPTH && queue.length > 0; round++)
      for (let i = 0; i < threads && queue.length > 0; i++) {
        if (held[i].size >= DEPTH) continue;
        const chunk = queue.shift()!;
        const w = workers[i] ?? start(i);
        const id = nextId++;
        held[i].set(id, chunk);
        w.ref();
        w.postMessage({ id, buf: chunk.buf, count: chunk.count }, [chunk.buf]);
      }
    for (let i = 0; i < threads; i++) if (held[i].size === 0) workers[i]?.unref();
  }

  async function verify(checks: SignatureCheck[]): Promise<boolean[]> {
    if (closed) throw new Error('the verifier pool is closed');
    const out: boolean[] = new Array(checks.length).fill(false);
    const idx = new Int32Array(checks.length);
    let n = 0;
    for (let i = 0; i < checks.length; i++) if (precheck(checks[i])) idx[n++] = i;
    if (n < minBatch) {
      for (let k = 0; k < n; k++) {
        const c = checks[idx[k]];
        out[idx[k]] = nativeVerifyRaw(c.publicKey, c.message, c.signature);
      }
      return out;
    }
    // Even chunks of at most CHUNK checks, so that every worker gets a share even of a middle-sized batch.
    const count = Math.max(Math.ceil(n / CHUNK), Math.min(threads, Math.floor(n / minBatch)));
    const per = Math.ceil(n / count);
    const parts: Promise<void>[] = [];
    for (let from = 0; from < n; from += per) {
      const to = Math.min(n, from + per);
      parts.push(
        new Promise<void>((resolve, reject) => {
          queue.push({
            buf: pack(checks, idx, from, to),
            count: to - from,
            done: (res) => {
              for (let k = from; k < to; k++) out[idx[k]] = res[k - from] === 1;
              resolve();
            },
            fail: reject,
          });
        }),
      );
    }
    pump();
    await Promise.all(parts);
    return out;
  }

  return {
    name: 'node-pool',
    threads,
    verify,
    async close() {
      closed = true;
      const gone = new Error('the verifier pool is closed');
      for (const chunk of queue.splice(0)) chunk.fail(gone);
      for (const h of held) {
        for (const chunk of h.values()) chunk.fail(gone);
        h.clear();
      }
      const all = workers.filter((w): w is Worker => !!w);
      workers.length = 0;
      await Promise.all(all.map((w) => w.terminate()));
    },
  };
}
