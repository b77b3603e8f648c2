// The collector's durable outbox: each Return stays in a table until its issuer answers; retried with backoff.
import type { ReturnAnswerJson } from '@moneybag/api';
import { refreshDenylists } from './denylists.ts';
import { errorText, log } from './log.ts';
import type { Service } from './service.ts';
import { claimDue, outboxAnswered, outboxRetryAt } from './storage/collector.ts';

const BASE_MS = 1000;
const MAX_MS = 5 * 60_000;
/** How long a request to an issuer may take. */
const SEND_TIMEOUT_MS = 60_000;
/** How long a claimed Return is this process's: longer than a send may take. */
const LEASE_MS = 2 * SEND_TIMEOUT_MS;
/**
 * Returns a process sends at once: an issuer verifies one while it stores the other, so that its workers
 * do not wait for its database.
 */
const SENDERS = 2;

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
 * One pass: sends up to `limit` Returns that are due, each claimed first (several processes may share the
 * outbox). Returns how many the issuers answered. `pause()` true stops the pass between Returns (the rest
 * stay due for the next pass).
 */
export async function deliverDue(
  s: Service,
  limit = 20,
  pause: () => boolean = () => false,
): Promise<number> {
  let answered = 0;
  let claimed = 0;
  const sender = async () => {
    while (claimed < limit && !pause()) {
      claimed++;
      const row = await claimDue(s.db, Date.now(), LEASE_MS);
      if (!row) return;
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
          body: Buffer.from(row.message),
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
        });
        const text = await res.text();
        if (res.ok) {
          await outboxAnswered(s.db, row.id, { state: 'delivered', attempts, answer: text, error: null });
          answered++;
          // An overspending caught puts a holder on that issuer's deny list: fetch it now, not in a minute.
          if (caughtOverspending(text)) await refreshDenylists(s, row.issuer).catch(() => {});
          continue;
        }
        // A 4xx (but a timeout or a rate limit) will not change by itself: a wrong url (404), a collector the
        // issuer has not registered or whose token it does not know (422 E_COLLECTOR, 401, 403), a limit
        // (413). The Return waits, with the issuer's answer, until the operator fixes the cause and re-sends
        // (registering the issuer again with `moneybag add-issuer` re-sends its Returns).
        if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
          const error = `${res.status} ${res.statusText}`.trim();
          await outboxAnswered(s.db, row.id, { state: 'needs attention', attempts, answer: text, error });
          log('warn', 'outbox: a Return needs attention', {
            id: row.id,
            issuer: row.issuer,
            uses: row.uses,
            status: res.status,
            answer: text.slice(0, 300),
          });
          answered++;
          continue;
        }
        error = `${res.status} ${text.slice(0, 200)}`;
      } catch (e) {
        error = String((e as Error)?.message ?? e);
      }
      const delay = Math.min(MAX_MS, BASE_MS * 2 ** Math.min(attempts, 20));
      await outboxRetryAt(s.db, row.id, { attempts, at: Date.now() + delay, error });
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
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
      // The rows stay due: the next pass tries again; the operator sees why.
      .catch((e) => log('error', 'outbox: a pass failed', { error: errorText(e) }))
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
