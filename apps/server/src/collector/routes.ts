// The collector's endpoints as a Fastify plugin: section 7's allocations, bags and direct payments, and the
// admin JSON of its page. Each handler reads the request and hands it to the logic; the endpoints, with
// their bodies and answers, are @moneybag/api's.
import {
  type AllocationRequestJson,
  collectorAdmin as admin,
  type NewShopRequestJson,
  type PairRequestJson,
  protocol,
} from '@moneybag/api';
import { decodeViews, isId } from '@moneybag/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { partyOf } from '../auth.ts';
import { jsonBody, rawBody, refuse, route } from '../http.ts';
import type { Metrics } from '../metrics.ts';
import type { Service } from '../service.ts';
import { resendOutbox } from '../storage/collector.ts';
import {
  addShop,
  allocateFor,
  allocationsView,
  bagsView,
  directView,
  outboxView,
  pairingCode,
  pairShop,
  receiveBag,
  receiveDirect,
  redeemPairingCode,
  refusedBagsView,
  revokeTerminal,
  shopsView,
  storedBag,
  terminalsView,
  totalsView,
} from './logic.ts';

/** The default largest bag (`--bag-limit`): ~100,000 uses. */
export const BAG_LIMIT = 32 * 1024 * 1024;

export interface CollectorOptions {
  service: Service;
  /** The largest bag in bytes (413 E_TOO_LARGE above). */
  bagLimit: number;
  metrics?: Metrics;
  /** The route config of an endpoint anyone can call (its rate limit). */
  limited?: object;
  /** A bag or direct payment was stored (the outbox may send its Returns). */
  onBag?: () => void;
  /** A bag is being received until the returned function is called (the outbox waits). */
  holdOutbox?: () => () => void;
}

export const collectorRoutes: FastifyPluginAsync<CollectorOptions> = async (
  app,
  { service: s, bagLimit, metrics, limited, ...opts },
) => {
  if (opts.holdOutbox) {
    const hold = opts.holdOutbox;
    // The raw response's close comes once, whether answered, refused or cut off.
    app.addHook('onRequest', async (req, reply) => {
      if (req.method === 'POST' && req.routeOptions.url === protocol.bag.url) reply.raw.once('close', hold());
    });
  }
  if (opts.onBag) {
    const onBag = opts.onBag;
    app.addHook('onResponse', async (req, reply) => {
      if (
        req.method === 'POST' &&
        reply.statusCode === 200 &&
        (req.url === protocol.bag.url || req.url === protocol.direct.url)
      )
        onBag();
    });
  }

  route(app, protocol.allocations, async (req) => {
    const body = jsonBody<AllocationRequestJson>(req);
    if (body.terminal !== undefined && !isId(body.terminal))
      refuse(400, 'E_REQUEST', 'terminal must be an id (lowercase letters, digits, . _ : -)');
    // A paired terminal's token gets numbers for that terminal only.
    const { id, terminal } = partyOf(req);
    if (terminal && body.terminal !== undefined && body.terminal !== terminal)
      refuse(403, 'E_FORBIDDEN', `this token is the terminal ${terminal}'s`);
    return { allocations: await allocateFor(s, id, { ...body, terminal: terminal ?? body.terminal }) };
  });

  route(
    app,
    protocol.bag,
    async (req) => {
      const answer = await receiveBag(s, partyOf(req).id, rawBody(req));
      metrics?.bag(answer);
      return answer;
    },
    { bodyLimit: bagLimit },
  );

  route(app, protocol.bagAnswer, async (req) => {
    const { digest } = req.params as { digest: string };
    const found = /^[0-9a-f]{64}$/.test(digest) ? await storedBag(s, digest) : undefined;
    if (!found) return refuse(404, 'E_NOT_FOUND', 'no bag with this digest');
    if (found.party !== partyOf(req).id) return refuse(403, 'E_FORBIDDEN', "another party's bag");
    return found.answer;
  });

  route(app, protocol.direct, async (req) => receiveDirect(s, rawBody(req)), { config: limited });

  // The code is the credential: rate-limited like every endpoint anyone can call.
  route(
    app,
    protocol.pairings,
    async (req) => {
      const { code, label } = jsonBody<PairRequestJson>(req);
      return redeemPairingCode(s, code, label);
    },
    { config: limited },
  );

  // --- admin JSON for the collector's page ---------------------------------------------------

  // A bag handed in by hand (a file a shop exported): the operator collects it as the party it names, so
  // every check of 5.2 applies as if that party had sent it (E_UNKNOWN_BAG if the root is not its own).
  route(
    app,
    admin.handIn,
    async (req) => {
      const message = rawBody(req);
      // One that does not decode is refused with the decoder's code before any sender is compared: noted
      // as the operator's, who handed it in.
      let to = partyOf(req).id;
      try {
        to = decodeViews(message, 'Bag').to;
      } catch {}
      const answer = await receiveBag(s, to, message);
      metrics?.bag(answer);
      return answer;
    },
    { bodyLimit: bagLimit },
  );

  route(app, admin.shops, async () => shopsView(s));

  route(app, admin.addShop, async (req) => {
    const { id, label } = jsonBody<NewShopRequestJson>(req);
    if (!isId(id)) refuse(400, 'E_REQUEST', 'a shop id is lowercase letters, digits, . _ : - (1..64)');
    return addShop(s, id, label);
  });

  route(app, admin.pairShop, async (req) => pairShop(s, (req.params as { id: string }).id));
  route(app, admin.pairingCode, async (req) => pairingCode(s, (req.params as { id: string }).id));
  route(app, admin.terminals, async (req) => terminalsView(s, (req.params as { id: string }).id));
  route(app, admin.revokeTerminal, async (req) => {
    const { id, terminal } = req.params as { id: string; terminal: string };
    return revokeTerminal(s, id, terminal);
  });

  route(app, admin.allocations, async (req) => {
    const { shop } = req.query as { shop?: unknown };
    return allocationsView(s, typeof shop === 'string' ? shop : null);
  });

  route(app, admin.bags, async () => bagsView(s));
  route(app, admin.refusedBags, async () => refusedBagsView(s));
  route(app, admin.totals, async () => totalsView(s));
  route(app, admin.direct, async () => directView(s));
  route(app, admin.outbox, async () => outboxView(s));

  // The operator fixed the cause (the issuer's url, the collector's registration there, a limit): the Returns
  // are due again, sent at once.
  const resent = (ids: number[]) => {
    if (ids.length) opts.onBag?.();
    return { resent: ids };
  };
  route(app, admin.resend, async (req) => {
    const { id } = req.params as { id: string };
    const ids = /^\d{1,15}$/.test(id) ? await resendOutbox(s.db, Number(id)) : [];
    if (!ids.length) refuse(404, 'E_NOT_FOUND', `no Return ${id} waiting (unknown, or delivered)`);
    return resent(ids);
  });
  route(app, admin.resendAll, async () => resent(await resendOutbox(s.db, 'attention')));
};
