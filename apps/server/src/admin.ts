// The operators' registration endpoints (what `moneybag add-collector`, `add-issuer`, `token`, `parties` and
// `remove-…` call while the service runs): a Fastify plugin over ./registry.ts, on @moneybag/api's
// `registration` endpoints. Only this service's own operator tokens are admitted (the auth hook refuses a
// registered party's).
import { type AddCollectorRequestJson, type AddIssuerRequestJson, registration as r } from '@moneybag/api';
import { isId } from '@moneybag/protocol';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { fetchedDenylists, refreshDenylists } from './denylists.ts';
import { jsonBody, refuse, route } from './http.ts';
import { addCollector, addIssuer, fingerprintOf, partiesView, removeParty, tokenFor } from './registry.ts';
import type { Service } from './service.ts';
import { collectorsOfIssuer, issuersOfCollector } from './storage/parties.ts';

function idBody<T extends { id: string }>(req: FastifyRequest): T {
  const b = jsonBody<T>(req);
  if (!isId(b.id)) refuse(400, 'E_REQUEST', `${b.id} is not an id (lowercase letters, digits, . _ : -)`);
  return b;
}
const idParam = (req: FastifyRequest) => (req.params as { id: string }).id;

export const adminRoutes: FastifyPluginAsync<{ service: Service; onIssuers?: () => void }> = async (
  app,
  { service: s, onIssuers },
) => {
  route(app, r.parties, async () => partiesView(s));
  route(app, r.token, async (req) => tokenFor(s, idParam(req)));

  if (s.serves('issuer')) {
    route(app, r.addCollector, async (req) => addCollector(s, idBody<AddCollectorRequestJson>(req)));
    route(app, r.removeCollector, async (req) => removeParty(s, idParam(req), 'collector'));
    route(app, r.collectors, async () => ({
      collectors: (await collectorsOfIssuer(s.db)).map((c) => ({
        ...c,
        fingerprint: fingerprintOf(c.publicKey),
        own: s.isOwn(c.id),
      })),
    }));
  }

  if (s.serves('collector')) {
    route(app, r.addIssuer, async (req) => {
      const out = await addIssuer(s, idBody<AddIssuerRequestJson>(req));
      onIssuers?.();
      return out;
    });
    route(app, r.removeIssuer, async (req) => removeParty(s, idParam(req), 'issuer'));
    route(app, r.removeShop, async (req) => removeParty(s, idParam(req), 'shop'));
    route(app, r.issuers, async () => {
      const lists = new Map((await fetchedDenylists(s)).map((d) => [d.issuer, d]));
      return {
        issuers: (await issuersOfCollector(s.db)).map((i) => {
          const d = lists.get(i.id);
          return {
            ...i,
            fingerprint: fingerprintOf(i.publicKey),
            own: s.isOwn(i.id),
            denylist: d?.fetchedAt
              ? { holders: d.holders?.length ?? 0, updated: d.updated ?? 0, fetchedAt: d.fetchedAt }
              : null,
          };
        }),
      };
    });
    route(app, r.refreshDenylists, async (req) =>
      refreshDenylists(s, (req.query as { issuer?: string }).issuer),
    );
  }
};
