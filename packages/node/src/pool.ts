// A Verifier that spreads OpenSSL's Ed25519 checks over worker threads, one per core. The checks of
// section 1 that OpenSSL does not make (1 and 3) are made here by makeVerifier, so every provider agrees.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { makeVerifier, type Verifier } from '@moneybag/protocol';
import { nativeVerifyRaw } from './native.ts';

interface Pending {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  resolve(ok: boolean): void;
}

export interface PoolVerifier extends Verifier {
  readonly threads: number;
  close(): Promise<void>;
}

/**
 * `threads` workers (default: all cores); batches below `minBatch` checks are verified in this thread,
 * where posting them would cost more than it saves.
 */
export function poolVerifier(opts: { threads?: number; minBatch?: number } = {}): PoolVerifier {
  const threads = Math.max(1, opts.threads ?? availableParallelism());
  const minBatch = opts.minBatch ?? 64;
  const workers: Worker[] = [];
  const waiting = new Map<number, { worker: number; done: (out: Uint8Array) => void }>();
  let nextId = 0;
  let busy = 0;
  let queue: Pending[] = [];

  const worker = (i: number): Worker => {
    if (!workers[i]) {
      const w = new Worker(new URL('./pool-worker.mjs', import.meta.url));
      w.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
        waiting.get(id)?.done(out);
        waiting.delete(id);
        if (--busy === 0) for (const x of workers) x?.unref();
      });
      w.on('error', () => {
        // A dead worker answers "not verified" for what it held; the next batch starts a new one.
        workers[i] = undefined as unknown as Worker;
        for (const [id, x] of waiting)
          if (x.worker === i) {
            waiting.delete(id);
            busy--;
            x.done(new Uint8Array(0));
          }
      });
      w.unref();
      workers[i] = w;
    }
    return workers[i];
  };

  const send = (i: number, batch: Pending[]) => {
    let size = 0;
    for (const c of batch) size += 100 + c.message.length;
    const buf = new Uint8Array(size);
    const view = new DataView(buf.buffer);
    let o = 0;
    for (const c of batch) {
      buf.set(c.publicKey, o);
      buf.set(c.signature, o + 32);
      view.setUint32(o + 96, c.message.length);
      buf.set(c.message, o + 100);
      o += 100 + c.message.length;
    }
    const id = nextId++;
    const w = worker(i);
    waiting.set(id, {
      worker: i,
      done: (out) => {
        for (const [k, c] of batch.entries()) c.resolve(out[k] === 1);
      },
    });
    busy++;
    w.ref();
    w.postMessage({ id, buf: buf.buffer, count: batch.length }, [buf.buffer]);
  };

  const flush = () => {
    const all = queue;
    queue = [];
    if (all.length < minBatch) {
      for (const c of all) c.resolve(nativeVerifyRaw(c.publicKey, c.message, c.signature));
      return;
    }
    const per = Math.ceil(all.length / threads);
    for (let i = 0; i < threads; i++) {
      const batch = all.slice(i * per, (i + 1) * per);
      if (batch.length) send(i, batch);
    }
  };

  // makeVerifier calls this once per check, synchronously for a whole batch: gather, then flush once.
  const raw = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) =>
    new Promise<boolean>((resolve) => {
      if (queue.length === 0) queueMicrotask(flush);
      queue.push({ publicKey, message, signature, resolve });
    });

  const v = makeVerifier('node-pool', raw);
  return {
    name: v.name,
    threads,
    verify: (checks) => v.verify(checks),
    async close() {
      await Promise.all(workers.filter(Boolean).map((w) => w.terminate()));
      workers.length = 0;
    },
  };
}
