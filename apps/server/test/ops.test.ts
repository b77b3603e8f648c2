// What an operator watches and what protects the service at its edge: one structured log line per request,
// GET /metrics in Prometheus' text format moving with traffic, 429 after the rate limit, security headers,
// and a failure of ours answered 500 E_INTERNAL (logged), never a 400.
// @ts-expect-error: the parser ships no types; its output is typed below.
import parsePrometheus from 'parse-prometheus-text-format';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  allocations,
  bagOf,
  call,
  holder,
  issue,
  type Server,
  serverForFile,
  usesFor,
  waitFor,
} from './helpers.ts';

interface Family {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; count?: string }[];
}
const LIMIT = 5;

let server: Server;
let db: pg.Client;
serverForFile(
  (s, d) => {
    server = s;
    db = d;
  },
  ['--rate-limit', String(LIMIT)],
);

/** The parsed families, and the raw text (the parser folds a labelled histogram's series into one). */
async function scrape(): Promise<Family[] & { text: string }> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return Object.assign(parsePrometheus(text) as Family[], { text });
}
/** A histogram's observation count for one route, from its `_count` sample. */
const observed = (scraped: { text: string }, name: string, route: string) =>
  Number(new RegExp(`^${name}_count\\{route="${route}"\\} (\\S+)$`, 'm').exec(scraped.text)?.[1] ?? 0);
/** The value of one series (0 when it does not exist yet). */
const value = (families: Family[], name: string, labels: Record<string, string> = {}) => {
  const f = families.find((x) => x.name === name);
  const m = f?.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return Number(m?.value ?? m?.count ?? 0);
};

describe('GET /metrics', () => {
  it('counts requests, bags, uses by result and code, signatures, the outbox and the deny list', async () => {
    // The Returns of this test wait: the issuer's url is wrong (they need attention).
    await db.query("UPDATE parties SET url = $1 WHERE id = 'city-transit'", [`${server.url}/typo`]);
    const before = await scrape();
    const h = holder(91);
    const t = await issue(server, h, 100);
    const [a] = await allocations(server);
    const uses = await usesFor(a, [
      { ticket: t, amount: 5, signer: h },
      { ticket: t, amount: 6, signer: h },
    ]);
    uses[1].S = uses[1].S.map((b, i) => (i === 0 ? b ^ 1 : b));
    const bag = await call(server, 'POST', '/v1/bags', {
      token: server.demo.shops[0].token,
      raw: bagOf(a, uses),
    });
    expect([bag.status, bag.body.accepted, bag.body.rejected[0].code]).toEqual([200, 1, 'E_USE_SIGNATURE']);
    const again = await call(server, 'POST', '/v1/bags', {
      token: server.demo.shops[0].token,
      raw: bagOf(a, uses.slice(0, 1)),
    });
    expect(again.body.code).toBe('E_BAG_REUSED');
    expect((await call(server, 'POST', '/v1/direct', { raw: new Uint8Array([9]) })).status).toBe(422);
    await waitFor(async () =>
      (
        await call(server, 'GET', '/v1/admin/collector/outbox', { token: server.demo.collector.token })
      ).body.outbox.some((r: { state: string }) => r.state === 'needs attention'),
    );

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) =>
      value(after, name, labels) - value(before, name, labels);
    expect(moved('moneybag_http_requests_total', { route: '/v1/bags', status: '200', code: '' })).toBe(1);
    expect(
      moved('moneybag_http_requests_total', { route: '/v1/bags', status: '409', code: 'E_BAG_REUSED' }),
    ).toBe(1);
    expect(moved('moneybag_bags_total', { result: 'collected' })).toBe(1);
    expect(moved('moneybag_bags_total', { result: 'refused', code: 'E_BAG_REUSED' })).toBe(1);
    expect(moved('moneybag_uses_total', { kind: 'bag', result: 'accepted' })).toBe(1);
    expect(moved('moneybag_uses_total', { kind: 'bag', result: 'refused', code: 'E_USE_SIGNATURE' })).toBe(1);
    expect(moved('moneybag_uses_total', { kind: 'direct', result: 'refused' })).toBe(1);
    expect(moved('moneybag_signatures_verified_total')).toBeGreaterThanOrEqual(2);
    const latency = 'moneybag_http_request_duration_seconds';
    expect(observed(after, latency, '/v1/bags') - observed(before, latency, '/v1/bags')).toBe(2);
    expect(value(after, 'moneybag_outbox_returns', { state: 'needs attention' })).toBe(1);
    expect(
      value(after, 'moneybag_outbox_oldest_age_seconds', { state: 'needs attention' }),
    ).toBeGreaterThanOrEqual(0);
    expect(after.find((f) => f.name === 'moneybag_outbox_oldest_age_seconds')?.type).toBe('GAUGE');
    expect(after.find((f) => f.name === 'moneybag_denylist_holders')?.type).toBe('GAUGE');
    expect(after.find((f) => f.name === 'moneybag_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
  });
});

describe('logs', () => {
  it('one JSON line per request: party, route, status, code, duration; never a token', async () => {
    await call(server, 'GET', '/v1/me', { token: server.demo.shops[0].token });
    await call(server, 'GET', '/v1/me', { token: 'not-a-token' });
    const lines = await waitFor(async () => {
      const got = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l))
        .filter((l) => l.msg === 'request' && l.route === '/v1/me');
      return got.length >= 2 && got;
    });
    expect(lines.at(-2)).toMatchObject({
      level: 'info',
      method: 'GET',
      status: 200,
      code: null,
      party: 'acme-coffee',
    });
    expect(lines.at(-1)).toMatchObject({ status: 401, code: 'E_AUTH', party: null });
    expect(typeof lines.at(-1).ms).toBe('number');
    for (const token of [
      server.demo.shops[0].token,
      server.demo.collector.token,
      server.demo.issuer.token,
      'not-a-token',
    ])
      expect(server.output()).not.toContain(token);
  });

  it('a failure of ours is 500 E_INTERNAL, logged with its cause', async () => {
    await db.query('ALTER TABLE bags RENAME TO bags_away');
    try {
      const r = await call(server, 'GET', '/v1/admin/collector/bags', { token: server.demo.collector.token });
      expect([r.status, r.body.code]).toEqual([500, 'E_INTERNAL']);
    } finally {
      await db.query('ALTER TABLE bags_away RENAME TO bags');
    }
    await waitFor(async () => /"level":"error","msg":"internal error".*bags/.test(server.output()));
  });
});

describe('the edge', () => {
  it(`answers 429 with Retry-After after ${LIMIT} requests a minute on a public endpoint`, async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i <= LIMIT; i++) {
      last = await fetch(`${server.url}/v1/denylist`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await last!.json()).code).toBe('E_RATE_LIMIT');
    // The limit is per endpoint: the health probe is not limited.
    expect((await fetch(`${server.url}/v1/health`)).status).toBe(200);
  });

  it('sends security headers and a Content-Security-Policy', async () => {
    const res = await fetch(`${server.url}/wallet/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
