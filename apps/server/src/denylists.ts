// GET /v1/denylist?issuer=ID at any service: an issuer answers its own list; a collector answers each
// issuer it registered as it last fetched it (every minute or so, and on demand), so that a POS reaches
// every list it needs through the one service it is paired with.
import { type DenyListJson, protocol } from '@moneybag/api';
import type { FastifyPluginAsync } from 'fastify';
import { refuse, route } from './http.ts';
import { denylist as ownDenylist } from './issuer/logic.ts';
import type { Service } from './service.ts';
import { listParties } from './storage/parties.ts';
import { int } from './storage/sql.ts';

export const REFRESH_MS = 60_000;

/** The issuers whose lists this service answers: its own (if it serves one) and those its collector registered. */
async function knownIssuers(
  s: Service,
): Promise<{ own?: string; registered: { id: string; url: string }[] }> {
  const registered = s.serves('collector')
    ? (await listParties(s.db))
        .filter((p) => p.role === 'issuer' && !s.isOwn(p.id) && p.url)
        .map((p) => ({ id: p.id, url: p.url! }))
    : [];
  return { own: s.serves('issuer') ? s.issuer : undefined, registered };
}

async function fetched(
  s: Service,
  issuer: string,
): Promise<(DenyListJson & { fetchedAt: number }) | undefined> {
  const { rows } = await s.db.query<Record<string, unknown>>(
    'SELECT holders, updated, fetched_at FROM fetched_denylists WHERE issuer = $1',
    [issuer],
  );
  const r = rows[0];
  return (
    r && {
      issuer,
      holders: JSON.parse(r.holders as string),
      updated: int(r.updated),
      fetchedAt: int(r.fetched_at),
    }
  );
}

/** Fetches one registered issuer's list from its url and keeps it; throws when the issuer does not answer well. */
export async function refreshDenylist(
  s: Service,
  issuer: { id: string; url: string },
): Promise<DenyListJson> {
  const res = await fetch(`${issuer.url}/v1/denylist?issuer=${encodeURIComponent(issuer.id)}`, {
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`${issuer.id} answered ${res.status}`);
  const d = (await res.json()) as Partial<DenyListJson>;
  if (
    d?.issuer !== issuer.id ||
    !Array.isArray(d.holders) ||
    !d.holders.every((h) => typeof h === 'string' && /^[A-Za-z0-9_-]{43}$/.test(h)) ||
    !Number.isSafeInteger(d.updated)
  )
    throw new Error(`${issuer.id} answered a malformed deny list`);
  const list = { issuer: issuer.id, holders: d.holders as string[], updated: d.updated as number };
  await s.db.query(
    `INSERT INTO fetched_denylists (issuer, holders, updated, fetched_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (issuer) DO UPDATE SET holders = $2, updated = $3, fetched_at = $4`,
    [list.issuer, JSON.stringify(list.holders), list.updated, Date.now()],
  );
  return list;
}

/** Refreshes every registered issuer's list (or one); what failed is reported, the last copy stays. */
export async function refreshDenylists(
  s: Service,
  only?: string,
): Promise<{ refreshed: string[]; failed: { issuer: string; error: string }[] }> {
  const { registered } = await knownIssuers(s);
  const out = { refreshed: [] as string[], failed: [] as { issuer: string; error: string }[] };
  for (const issuer of registered.filter((i) => !only || i.id === only)) {
    try {
      await refreshDenylist(s, issuer);
      out.refreshed.push(issuer.id);
    } catch (e) {
      out.failed.push({ issuer: issuer.id, error: (e as Error).message });
    }
  }
  return out;
}

/** The list of `issuer` (or of the single issuer this service knows) as this service answers it. */
export async function denylistOf(s: Service, issuer: string | undefined): Promise<DenyListJson> {
  const known = await knownIssuers(s);
  const all = [...(known.own ? [known.own] : []), ...known.registered.map((i) => i.id)];
  if (issuer === undefined) {
    if (all.length !== 1)
      refuse(
        all.length ? 400 : 404,
        all.length ? 'E_REQUEST' : 'E_NOT_FOUND',
        all.length
          ? `this service knows several issuers (${all.join(', ')}): ask with ?issuer=ID`
          : 'no issuer here',
      );
    issuer = all[0];
  }
  if (issuer === known.own) return ownDenylist(s);
  const reg = known.registered.find((i) => i.id === issuer);
  if (!reg) return refuse(404, 'E_NOT_FOUND', `no issuer ${issuer} here`);
  const copy = await fetched(s, issuer);
  if (copy) return { issuer, holders: copy.holders, updated: copy.updated };
  // Never fetched yet (just registered): fetch it now rather than answer an empty list that is not the issuer's.
  try {
    return await refreshDenylist(s, reg);
  } catch (e) {
    return refuse(
      503,
      'E_REQUEST',
      `the deny list of ${issuer} was not fetched yet: ${(e as Error).message}`,
    );
  }
}

/** Each registered issuer's list state, for the collector's page. */
export async function fetchedDenylists(s: Service) {
  const { registered } = await knownIssuers(s);
  return Promise.all(registered.map(async (i) => ({ issuer: i.id, ...(await fetched(s, i.id)) })));
}

/** Refreshes every registered issuer's list every `everyMs` until stopped; `poke()` refreshes soon. */
export function startDenylistRefresh(s: Service, everyMs = REFRESH_MS) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const run = () => {
    if (stopped || running) return;
    running = refreshDenylists(s)
      .catch(() => {})
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(run, everyMs);
      });
  };
  timer = setTimeout(run, 10);
  return {
    poke() {
      if (running || stopped) return;
      clearTimeout(timer);
      timer = setTimeout(run, 10);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** GET /v1/denylist, rate-limited like the other endpoints anyone may call (`limited`: app.ts's config). */
export const denylistRoutes: FastifyPluginAsync<{ service: Service; limited: object }> = async (
  app,
  { service: s, limited },
) => {
  route(app, protocol.denylist, async (req) => denylistOf(s, (req.query as { issuer?: string }).issuer), {
    config: limited,
  });
};
