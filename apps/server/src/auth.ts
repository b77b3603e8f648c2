// One way to authenticate: a route names the roles it admits (`config: { auth: [...] }`), and one onRequest
// hook reads the bearer token and decorates the request with its party, before the body is read or
// validated, so that a stranger gets 401/403 rather than a verdict on a body it had no right to send.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { refuse } from './http.ts';
import type { PartyOfToken, Role, Service } from './service.ts';
import { touchTerminal } from './storage/terminals.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The roles admitted: any party's token for `'any'`; no token needed when absent. */
    auth?: readonly Role[] | 'any';
    /**
     * Admits the tokens of issuers and collectors registered from elsewhere (a collector's on POST
     * /v1/returns). Elsewhere an issuer's or collector's token must be this service's own operator's.
     */
    peers?: boolean;
  }
  interface FastifyRequest {
    /** The party of the bearer token, on routes with `config.auth` (with its terminal, a terminal's token). */
    party: PartyOfToken | null;
  }
}

/** Installs the hook on the root instance (so every plugin's routes go through it). */
export function installAuth(app: FastifyInstance, s: Service): void {
  app.decorateRequest('party', null);
  app.addHook('onRequest', async (req) => {
    const roles = req.routeOptions.config?.auth;
    if (!roles) return;
    const party = await partyOfBearer(s, req, roles === 'any' ? [] : roles);
    if (party.role !== 'shop' && !s.isOwn(party.id) && !req.routeOptions.config?.peers)
      refuse(403, 'E_FORBIDDEN', `${party.id} is registered here, not this service's operator`);
    req.party = party;
  });
}

/** The party named by the bearer token: 401 if missing or unknown, 403 if not one of `roles` (any if empty). */
async function partyOfBearer(s: Service, req: FastifyRequest, roles: readonly Role[]): Promise<PartyOfToken> {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
  if (!m) return refuse(401, 'E_AUTH', 'send Authorization: Bearer <token>');
  const party = await s.partyOfToken(m[1]);
  if (!party) return refuse(401, 'E_AUTH', 'unknown token');
  if (party.revoked)
    return refuse(
      401,
      'E_AUTH',
      `the collector revoked this terminal (${party.terminal} of ${party.id}): pair it again with a new code`,
    );
  // The collector's page shows when each terminal was last seen.
  if (party.terminal)
    await touchTerminal(s.db, { shop: party.id, id: party.terminal, lastSeen: party.lastSeen }, Date.now());
  if (roles.length && !roles.includes(party.role))
    return refuse(403, 'E_FORBIDDEN', `this needs the token of a ${roles.join(' or ')}`);
  return party;
}

/** The party the hook authenticated (a route without `config.auth` has none: a programming error). */
export function partyOf(req: FastifyRequest): PartyOfToken {
  if (!req.party) throw new Error(`${req.routeOptions.url} has no config.auth`);
  return req.party;
}
