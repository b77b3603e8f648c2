// API.md's tables, made from the endpoints and their schemas, so that the reference cannot disagree with
// the code. `shape` writes a schema as a compact JSON-like line.
import type { TSchema } from 'typebox';
import { ENDPOINTS, type Endpoint } from './endpoints.ts';

type S = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: S[];
  items?: S | S[];
  properties?: Record<string, S>;
  patternProperties?: Record<string, S>;
  required?: string[];
  description?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
};

/** A schema as one line: `{"count": int 1..64, "terminal"?: string ≤64}`. */
export function shape(schema: TSchema | S): string {
  const s = schema as S;
  const note = s.description ? ` (${s.description})` : '';
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (s.anyOf) return s.anyOf.map(shape).join(' \\| ');
  if (s.type === 'object' && s.patternProperties)
    return `{<key>: ${shape(Object.values(s.patternProperties)[0])}}${note}`;
  if (s.type === 'object') {
    const req = new Set(s.required ?? []);
    const fields = Object.entries(s.properties ?? {}).map(
      ([k, v]) => `"${k}"${req.has(k) ? '' : '?'}: ${shape(v)}`,
    );
    return `{${fields.join(', ')}}${note}`;
  }
  if (s.type === 'array')
    return Array.isArray(s.items)
      ? `[${s.items.map(shape).join(', ')}]${note}`
      : `[${shape(s.items!)}, …]${note}`;
  const range =
    s.minimum !== undefined || s.maximum !== undefined ? ` ${s.minimum ?? ''}..${s.maximum ?? ''}` : '';
  const max = s.maxLength !== undefined ? ` ≤${s.maxLength} chars` : '';
  // A described string reads as an example: "<base64url>".
  if (s.type === 'string' && s.description && range === '' && max === '') return `"<${s.description}>"`;
  const name = s.type === 'integer' ? 'int' : (s.type ?? 'any');
  return `${name}${range}${max}${note}`;
}

const cell = (t: string) => t.replace(/\n/g, ' ');

const authOf = (e: Endpoint) =>
  e.auth === null
    ? '–'
    : e.auth === 'any'
      ? 'any token'
      : e.auth === 'relay operator'
        ? "the relay's operator"
        : e.auth.join(' or ');

const bodyOf = (e: Endpoint) =>
  e.body === undefined ? '' : 'raw' in e.body ? `raw ${e.body.raw}` : `\`${shape(e.body as TSchema)}\``;

function table(list: Record<string, Endpoint>): string {
  const rows = Object.values(list).map((e) => {
    const query = e.query
      ? `?${Object.keys((e.query as S).properties ?? {})
          .map((k) => `${k}=…`)
          .join('&')}`
      : '';
    const url = e.url.replace(/:(\w+)/g, '<$1>');
    const answer = `${e.summary}: \`${shape(e.answer)}\`${e.refusals ? `; ${e.refusals}` : ''}`;
    return `| \`${e.method} ${url}${query}\` | ${authOf(e)} | ${bodyOf(e)} | ${cell(answer)} |`;
  });
  return ['| method and path | auth | body | answer |', '|---|---|---|---|', ...rows].join('\n');
}

/** The generated part of API.md. */
export function endpointsMarkdown(): string {
  return [
    '## Protocol endpoints (section 7)',
    table(ENDPOINTS.protocol),
    '## Every service',
    table(ENDPOINTS.service),
    "## Registration (an own operator's token; what `moneybag` calls while the service runs)",
    table(ENDPOINTS.registration),
    '## Collector admin',
    table(ENDPOINTS.collectorAdmin),
    '## Issuer admin',
    table(ENDPOINTS.issuerAdmin),
    "## Relay admin (a relay's operator token, `DIR/keys/operator.token`)",
    table(ENDPOINTS.relayAdmin),
  ].join('\n\n');
}
