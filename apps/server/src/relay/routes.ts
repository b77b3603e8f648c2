// The relay's HTTP (7.1): downward what a collector serves a shop, so a POS or a lower relay pairs with it
// as with a collector; and its operator's admin JSON (children, roots), behind the operator's token.
import {
  type AllocationRequestJson,
  type MeJson,
  type NewTerminalJson,
  type NewTerminalRequestJson,
  protocol,
  type RevokedTerminalJson,
  relayAdmin,
  service,
  type WellKnownJson,
} from '@moneybag/api';
import { type BagAnswerJson, isId, pairingLink } from '@moneybag/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BAG_LIMIT } from '../collector/routes.ts';
import { jsonBody, rawBody, refuse, route } from '../http.ts';
import { hashToken } from '../storage/parties.ts';
import type { Child, RelayStore } from '../storage/relay.ts';
import type { Relay } from './logic.ts';
import { RELAY_PAGE, RELAY_SCRIPT } from './page.ts';

const bearer = (req: FastifyRequest) => {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  return m ? m[1] : refuse(401, 'E_AUTH', 'send Authorization: Bearer <token>');
};

export interface RelayRoutesOptions {
  relay: Relay;
  /** Where children reach this relay (pairing links). */
  origin: () => string;
}

/** Adds a child: its id, its shop (null: the relay's own) and label. */
export async function addTerminal(
  store: RelayStore,
  origin: string,
  body: NewTerminalRequestJson,
): Promise<NewTerminalJson> {
  if (!isId(body.id)) refuse(400, 'E_REQUEST', 'a terminal id is lowercase letters, digits, . _ : - (1..64)');
  if (body.shop != null && !isId(body.shop)) refuse(400, 'E_REQUEST', 'a shop id is an id');
  if (await store.child(body.id)) refuse(409, 'E_REQUEST', `${body.id} exists already`);
  const token = await store.addChild(body.id, body.shop ?? null, body.label ?? body.id);
  // The relay's own shop, as its parent named it (known once the relay has reached its parent; until then the
  // link names the terminal, and the POS takes the shop from GET /v1/me when it pairs).
  const me = JSON.parse((await store.get('me')) ?? '{}') as Partial<MeJson>;
  const shop = body.shop ?? me.party ?? body.id;
  return { terminal: body.id, token, pairing: pairingLink(origin, shop, token, body.id) };
}

/** Revokes a child's token (what it brought back stays). */
export async function revokeTerminal(store: RelayStore, id: string): Promise<RevokedTerminalJson> {
  if (!(await store.revokeChild(id))) refuse(404, 'E_NOT_FOUND', `no terminal ${id} with a working token`);
  return { terminal: id, revoked: true };
}

export async function relayRoutes(app: FastifyInstance, opts: RelayRoutesOptions): Promise<void> {
  const { relay } = opts;
  const children = new WeakMap<FastifyRequest, Child>();
  const child = (req: FastifyRequest) => children.get(req)!;
  /** A child's token, checked before the body is read: a stranger gets 401 and no verdict. */
  const asChild = async (req: FastifyRequest) => {
    const c = await relay.store.childOfToken(bearer(req));
    if (!c) refuse(401, 'E_AUTH', 'unknown token');
    children.set(req, c!);
  };
  const asOperator = async (req: FastifyRequest) => {
    if (hashToken(bearer(req)) !== (await relay.store.get('operator')))
      refuse(403, 'E_FORBIDDEN', "this needs the relay operator's token");
  };
  // 202 is the relay's own answer (7.1); a 200 is written with the endpoint's schema.
  const send = (reply: FastifyReply, r: { status: number; body: unknown }) =>
    r.status === 200 ? (r.body as BagAnswerJson) : reply.code(r.status).send(r.body);
  const fromParent = async (key: 'well-known') =>
    (await relay.stored(key)) ?? refuse(503, 'E_NOT_FOUND', 'not yet received from the parent');

  // The endpoints of section 7 a shop calls, on @moneybag/api's schemas; a child's token instead of a party's.
  route(app, protocol.wellKnown, async () => (await fromParent('well-known')) as WellKnownJson);
  route(
    app,
    protocol.denylist,
    async (req) => (await relay.denylist((req.query as { issuer?: string }).issuer)) as never,
  );
  route(app, service.health, async () => ({
    ok: true as const,
    roles: ['relay'],
    db: await relay.store.db.info(),
  }));
  route(
    app,
    service.me,
    async (req) => {
      const c = child(req);
      return {
        party: c.shop ?? (await relay.ownShop()),
        role: 'shop' as const,
        label: c.label,
        terminal: c.terminal,
      };
    },
    { onRequest: asChild },
  );
  route(
    app,
    protocol.allocations,
    async (req) => {
      const body = jsonBody<AllocationRequestJson>(req);
      const c = child(req);
      if (body.terminal !== undefined && body.terminal !== c.terminal)
        refuse(403, 'E_FORBIDDEN', `this token is the terminal ${c.terminal}'s`);
      return { allocations: await relay.allocate(c, body.count) };
    },
    { onRequest: asChild },
  );
  route(
    app,
    protocol.bag,
    async (req, reply) => send(reply, await relay.receiveBag(child(req), rawBody(req))),
    {
      bodyLimit: BAG_LIMIT,
      onRequest: asChild,
    },
  );
  route(
    app,
    protocol.bagAnswer,
    async (req, reply) => {
      const { digest } = req.params as { digest: string };
      if (!/^[0-9a-f]{64}$/.test(digest)) refuse(404, 'E_NOT_FOUND', 'no bag with this digest');
      return send(reply, await relay.answerFor(child(req), digest));
    },
    { onRequest: asChild },
  );

  // --- the operator --------------------------------------------------------------------------

  app.get('/relay', (_req, reply) => reply.redirect('/relay/'));
  app.get('/relay/', (_req, reply) => reply.type('text/html; charset=utf-8').send(RELAY_PAGE));
  app.get('/relay/page.js', (_req, reply) => reply.type('text/javascript; charset=utf-8').send(RELAY_SCRIPT));

  route(
    app,
    relayAdmin.state,
    async () => ({
      upstream: relay.config.upstream,
      shop: ((await relay.stored('me')) as MeJson | undefined)?.party ?? null,
      children: await relay.store.children(),
      late: relay.late,
      roots: (await relay.store.roots(['open', 'merged', 'forwarded', 'answered', 'refused', 'empty'])).map(
        (r) => ({
          root: r.root,
          issued: r.issued,
          due: r.due,
          state: r.state,
          merged: r.merged_digest,
          attempts: r.attempts,
          lastError: r.last_error,
          answer: r.answer ? JSON.parse(r.answer) : null,
        }),
      ),
    }),
    { onRequest: asOperator },
  );
  route(
    app,
    relayAdmin.addTerminal,
    async (req) => addTerminal(relay.store, opts.origin(), jsonBody<NewTerminalRequestJson>(req)),
    { onRequest: asOperator },
  );
  route(
    app,
    relayAdmin.revokeTerminal,
    async (req) => revokeTerminal(relay.store, (req.params as { id: string }).id),
    { onRequest: asOperator },
  );
}
