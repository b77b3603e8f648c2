// The operators' registration endpoints (what `moneybag add-collector`, `add-issuer`, `token`, `parties` and
// `remove-…` call while the service runs): a Fastify plugin over ./registry.ts. Only this service's own
// operator tokens are admitted (the auth hook refuses a registered party's).
import { isId } from '@moneybag/protocol';
import type { FastifyPluginAsync } from 'fastify';
import { fetchedDenylists, refreshDenylists } from './denylists.ts';
import { jsonBody, refuse } from './http.ts';
import { addCollector, addIssuer, fingerprintOf, partiesView, removeParty, tokenFor } from './registry.ts';
import type { Service } from './service.ts';
import { collectorsOfIssuer, issuersOfCollector } from './storage/parties.ts';

const id = { type: 'string', maxLength: 64 };
const url = { type: 'string', pattern: '^https?://', maxLength: 500 };
const collectorSchema = {
  body: {
    type: 'object',
    required: ['id', 'url'],
    properties: { id, url, label: { type: 'string', maxLength: 200 }, force: { type: 'boolean' } },
  },
};
const issuerSchema = {
  body: {
    type: 'object',
    required: ['id', 'url', 'token'],
    properties: {
      id,
      url,
      token: { type: 'string', minLength: 1, maxLength: 200 },
      label: { type: 'string', maxLength: 200 },
      force: { type: 'boolean' },
    },
  },
};

const checkId = (v: string) => {
  if (!isId(v)) refuse(400, 'E_REQUEST', `${v} is not an id (lowercase letters, digits, . _ : -)`);
};

export const adminRoutes: FastifyPluginAsync<{ service: Service; onIssuers?: () => void }> = async (
  app,
  { service: s, onIssuers },
) => {
  const operator = { auth: ['issuer', 'collector'] } as const;
  app.get('/v1/admin/parties', { config: operator }, async () => partiesView(s));
  app.post<{ Params: { id: string } }>('/v1/admin/parties/:id/token', { config: operator }, async (req) =>
    tokenFor(s, req.params.id),
  );

  if (s.serves('issuer')) {
    const issuer = { auth: ['issuer'] } as const;
    app.post('/v1/admin/issuer/collectors', { schema: collectorSchema, config: issuer }, async (req) => {
      const b = jsonBody<{ id: string; url: string; label?: string; force?: boolean }>(req);
      checkId(b.id);
      return addCollector(s, b);
    });
    app.delete<{ Params: { id: string } }>(
      '/v1/admin/issuer/collectors/:id',
      { config: issuer },
      async (req) => removeParty(s, req.params.id, 'collector'),
    );
    // The issuer's page: each collector with its key's fingerprint and what it returned.
    app.get('/v1/admin/issuer/collectors', { config: issuer }, async () => ({
      collectors: (await collectorsOfIssuer(s.db)).map((c) => ({
        ...c,
        fingerprint: fingerprintOf(c.publicKey),
        own: s.isOwn(c.id),
      })),
    }));
  }

  if (s.serves('collector')) {
    const collector = { auth: ['collector'] } as const;
    app.post('/v1/admin/collector/issuers', { schema: issuerSchema, config: collector }, async (req) => {
      const b = jsonBody<{ id: string; url: string; token: string; label?: string; force?: boolean }>(req);
      checkId(b.id);
      const out = await addIssuer(s, b);
      onIssuers?.();
      return out;
    });
    app.delete<{ Params: { id: string } }>(
      '/v1/admin/collector/issuers/:id',
      { config: collector },
      async (req) => removeParty(s, req.params.id, 'issuer'),
    );
    app.delete<{ Params: { id: string } }>(
      '/v1/admin/collector/shops/:id',
      { config: collector },
      async (req) => removeParty(s, req.params.id, 'shop'),
    );
    // The collector's page: each issuer with its key's fingerprint, its outbox and its deny list's copy.
    app.get('/v1/admin/collector/issuers', { config: collector }, async () => {
      const lists = new Map((await fetchedDenylists(s)).map((d) => [d.issuer, d]));
      return {
        issuers: (await issuersOfCollector(s.db)).map((i) => {
          const d = lists.get(i.id);
          return {
            ...i,
            fingerprint: fingerprintOf(i.publicKey),
            own: s.isOwn(i.id),
            denylist: d?.fetchedAt
              ? { holders: d.holders?.length ?? 0, updated: d.updated, fetchedAt: d.fetchedAt }
              : null,
          };
        }),
      };
    });
    // On demand: fetch every registered issuer's deny list now (or one, ?issuer=ID).
    app.post<{ Querystring: { issuer?: string } }>(
      '/v1/admin/collector/denylists/refresh',
      { config: collector },
      async (req) => refreshDenylists(s, typeof req.query.issuer === 'string' ? req.query.issuer : undefined),
    );
  }
};
