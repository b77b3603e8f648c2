// The collector's durable outbox: each Return stays in a table until its issuer answers; retried with backoff.
import { fromText } from '@moneybag/protocol';
import type { Service } from './service.ts';

const BASE_MS = 1000;
const MAX_MS = 5 * 60_000;

/** Where an issuer is reached: its url in the parties table, or this process for a local issuer. */
async function issuerUrl(s: Service, issuer: string): Promise<string | undefined> {
  const p = await s.party(issuer);
  if (p?.url) return p.url;
  return issuer === s.issuer && s.roles.includes('issuer') ? s.selfUrl : undefined;
}

/**
 * One pass: sends every Return that is due. Returns how many the issuers answered. `pause()` true stops
 * the pass between Returns (the rest stay due for the next pass).
 */
export async function deliverDue(
  s: Service,
  limit = 20,
  pause: () => boolean = () => false,
): Promise<number> {
  const { rows } = await s.db.query<{ id: string; issuer: string; message: string; attempts: number }>(
    "SELECT id, issuer, message, attempts FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2",
    [Date.now(), limit],
  );
  let answered = 0;
  for (const row of rows) {
    if (pause()) break;
    const attempts = Number(row.attempts) + 1;
    let error: string;
    try {
      const url = await issuerUrl(s, row.issuer);
      if (!url) throw new Error(`no url known for issuer ${row.issuer}`);
      const res = await fetch(`${url}/v1/returns`, {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.moneybag',
          authorization: `Bearer ${s.outgoingToken(s.collector)}`,
        },
        body: Buffer.from(fromText(row.message)),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      // A 2xx settles it; a 4xx other than auth is the issuer's final word on it. Anything else: retry.
      if (res.ok || (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429)) {
        await s.db.query(
          'UPDATE outbox SET state = $1, attempts = $2, answer = $3, last_error = $4 WHERE id = $5',
          [res.ok ? 'delivered' : 'refused', attempts, text, res.ok ? null : `${res.status}`, row.id],
        );
        answered++;
        continue;
      }
      error = `${res.status} ${text.slice(0, 200)}`;
    } catch (e) {
      error = String((e as Error)?.message ?? e);
    }
    const delay = Math.min(MAX_MS, BASE_MS * 2 ** Math.min(attempts, 20));
    await s.db.query('UPDATE outbox SET attempts = $1, next_attempt_at = $2, last_error = $3 WHERE id = $4', [
      attempts,
      Date.now() + delay,
      error,
      row.id,
    ]);
  }
  return answered;
}

/** How long the outbox yields to bags being received before it sends anyway (so it never starves). */
export const MAX_YIELD_MS = 10_000;

/**
 * Runs deliverDue until stopped; `poke()` runs it soon (after a bag is stored). While a bag is being
 * received (`hold()` until its release), the outbox waits, up to `maxYieldMs`: a Return is asynchronous
 * and durable, a shop waits for its bag's answer, and settling a Return at a local issuer verifies every
 * use again on the same cores.
 */
export function startOutbox(s: Service, everyMs = 1000, maxYieldMs = MAX_YIELD_MS) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  let holds = 0;
  let heldSince = 0;
  let deferred = false;
  const yielding = () => holds > 0 && Date.now() - heldSince < maxYieldMs;
  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  const run = () => {
    if (stopped || running) return;
    if (yielding()) {
      deferred = true;
      return schedule(everyMs);
    }
    running = deliverDue(s, 20, yielding)
      .catch(() => {})
      .finally(() => {
        running = undefined;
        if (!stopped) schedule(everyMs);
      });
  };
  const poke = () => {
    if (running || stopped) return;
    schedule(10);
  };
  schedule(10);
  return {
    poke,
    /** A bag is being received: the outbox waits until every hold is released. */
    hold(): () => void {
      if (holds++ === 0) heldSince = Date.now();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        if (--holds === 0 && deferred) {
          deferred = false;
          poke();
        }
      };
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
