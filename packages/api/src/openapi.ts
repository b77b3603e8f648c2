// The endpoints as an OpenAPI 3.1 document (served at /v1/openapi.json).
import type { TSchema } from 'typebox';
import { Refusal } from './bodies.ts';
import { ENDPOINTS, type Endpoint } from './endpoints.ts';

export const RAW_TYPE = 'application/vnd.moneybag';

/** A schema as plain JSON (TypeBox's own markers are not enumerable; this drops anything else). */
const plain = (s: TSchema): object => JSON.parse(JSON.stringify(s));

export const allEndpoints = (): [group: string, name: string, e: Endpoint][] =>
  Object.entries(ENDPOINTS).flatMap(([group, list]) =>
    Object.entries(list).map(([name, e]) => [group, name, e as Endpoint] as [string, string, Endpoint]),
  );

export function openapi(): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const [group, name, e] of allEndpoints()) {
    const path = e.url.replace(/:(\w+)/g, '{$1}');
    const parameters = [
      ...Object.keys((e.params as { properties?: object })?.properties ?? {}).map((n) => ({
        name: n,
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...Object.entries((e.query as { properties?: Record<string, TSchema> })?.properties ?? {}).map(
        ([n, s]) => ({ name: n, in: 'query', required: false, schema: plain(s) }),
      ),
    ];
    const body =
      e.body === undefined
        ? undefined
        : 'raw' in e.body
          ? { required: true, content: { [RAW_TYPE]: { schema: { description: `a ${e.body.raw}, raw` } } } }
          : { required: true, content: { 'application/json': { schema: plain(e.body as TSchema) } } };
    paths[path] ??= {};
    paths[path][e.method.toLowerCase()] = {
      operationId: `${group}.${name}`,
      tags: [group],
      summary: e.summary,
      ...(e.auth && { security: [{ bearer: typeof e.auth === 'string' ? [] : [...e.auth] }] }),
      ...(parameters.length && { parameters }),
      ...(body && { requestBody: body }),
      responses: {
        200: { description: 'done', content: { 'application/json': { schema: plain(e.answer) } } },
        '4XX': {
          description: e.refusals ?? 'a refusal; nothing stored',
          content: { 'application/json': { schema: plain(Refusal) } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Moneybag service', version: '1' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}
