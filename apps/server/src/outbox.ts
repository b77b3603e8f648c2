// The collector's durable outbox: each Return stays in a table until its issuer answers; retried with backoff.
import type { ReturnAnswerJson } from '@moneybag/api';
import { fromText } from '@moneybag/protocol';
import { refreshDenylists } from './denylists.ts';
import type { Service } from './service.ts';
import { dueOutbox, outboxAnswered, outboxRetryAt } from './storage/collector.ts';

const BASE_MS = 1000;
const MAX_MS = 5 * 60_000;

/** Where an issuer is reached: its url in the parties table, or this process for a local issuer. */
async function issuerUrl(s: Service, issuer: string): Promise<string | undefined> {
  const p = await s.party(issuer);
  if (p?.url) return p.url;
  return issuer === s.issuer && s.serves('issuer') ? s.selfUrl : undefined;
}

/** Whether an issuer's answer to a Return names an overspending (its holder is on its deny list now). */
function caughtOverspending(answer: string): boolean {
  try {
    return (JSON.parse(answer) as ReturnAnswerJson).rejected.some((r) => r.code === 'E_OVERSPENT');
  } catch {
    return false;
  }
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
  const rows = await dueOutbox(s.db, Date.now(), limit);
  let answered = 0;
  for (const row of rows) {
    if (pause()) break;
    const attempts = row.attempts + 1;
    let error: string;
    try {
      const url = await issuerUrl(s, row.issuer);
      if (!url) throw new Error(`no url known for issuer ${row.issuer}`);
      const token = s.returnsToken(row.issuer);
      if (!token)
        throw new Error(`no token for issuer ${row.issuer}: moneybag add-issuer ${row.issuer} --token`);
      const res = await fetch(`${url}/v1/returns`, {
        method: 'POST',
        headers: {
          'content-type': 'application/vnd.moneybag',
          authorization: `Bearer ${token}`,
        },
        body: Buffer.from(fromText(row.message)),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      // A 2xx settles it; a 4xx other than auth is the issuer's final word on it. Anything else (an issuer
      // that does not know this collector yet among them): retry, until its operator has fixed it.
      const retry = [401, 403, 429].includes(res.status);
      if (res.ok || (res.status >= 400 && res.status < 500 && !retry)) {
        await outboxAnswered(s.db, row.id, {
          state: res.ok ? 'delivered' : 'refused',
          attempts,
          answer: text,
          error: res.ok ? null : `${res.status}`,
        });
        answered++;
        // An overspending caught puts a holder on that issuer's deny list: fetch it now, not in a minute.
        if (res.ok && caughtOverspending(text)) await refreshDenylists(s, row.issuer).catch(() => {});
        continue;
      }
      error = `${res.status} ${text.slice(0, 200)}`;
    } catch (e) {
      error = String((e as Error)?.message ?? e);
    }
    const delay = Math.min(MAX_MS, BASE_MS * 2 ** Math.min(attempts, 20));
    await outboxRetryAt(s.db, row.id, { attempts, at: Date.now() + delay, error });
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
