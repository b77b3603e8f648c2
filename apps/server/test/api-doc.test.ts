// The HTTP reference is made from the schemas: the committed API.md must be what `npm run api-doc` makes.
import { readFileSync } from 'node:fs';
import { allEndpoints, openapi } from '@moneybag/api';
import { expect, it } from 'vitest';
import { API_MD, apiDoc } from '../src/api-doc.ts';

it('API.md is made from packages/api (run npm run api-doc)', () => {
  const committed = readFileSync(API_MD, 'utf8');
  expect(committed).toBe(apiDoc(committed));
});

it('the OpenAPI document has every endpoint, with its body and answer', () => {
  const doc = openapi() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
  for (const [, , e] of allEndpoints()) {
    const op = doc.paths[e.url.replace(/:(\w+)/g, '{$1}')]?.[e.method.toLowerCase()];
    expect(op, `${e.method} ${e.url}`).toBeDefined();
    expect(op.responses[200]).toBeDefined();
  }
});
