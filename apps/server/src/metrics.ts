// What the operator watches, as `GET /metrics` in Prometheus' text format (prom-client): requests and their
// latencies by route, status and code; bags; uses accepted and refused by code; signatures verified; the
// outbox's depth and the age of its oldest Return by state; the deny list's size; the process itself.
import type { BagAnswerJson, Verifier } from '@moneybag/protocol';
import client from 'prom-client';
import type { Service } from './service.ts';
import { outboxDepth } from './storage/collector.ts';

export class Metrics {
  readonly registry = new client.Registry();
  private readonly registers = [this.registry];

  readonly requests = new client.Counter({
    name: 'moneybag_http_requests_total',
    help: 'HTTP requests answered, by method, route, status and code (empty when not a refusal)',
    labelNames: ['method', 'route', 'status', 'code'] as const,
    registers: this.registers,
  });
  readonly latency = new client.Histogram({
    name: 'moneybag_http_request_duration_seconds',
    help: 'time from the request to its answer, by route',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
    registers: this.registers,
  });
  readonly bags = new client.Counter({
    name: 'moneybag_bags_total',
    help: 'bags answered: collected, or refused whole (by code)',
    labelNames: ['result', 'code'] as const,
    registers: this.registers,
  });
  readonly uses = new client.Counter({
    name: 'moneybag_uses_total',
    help: 'uses received in bags and direct payments: accepted, or refused (by code)',
    labelNames: ['kind', 'result', 'code'] as const,
    registers: this.registers,
  });
  readonly verified = new client.Counter({
    name: 'moneybag_signatures_verified_total',
    help: 'Ed25519 signatures verified (the verify rate is its rate())',
    registers: this.registers,
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'moneybag_' });
  }

  /** The gauges read from the database at each scrape: the outbox (collector) and the deny list (issuer). */
  watch(s: Service): void {
    if (s.serves('collector')) {
      const byState = async (
        f: (row?: { count: number; oldest: number | null }) => number,
        g: client.Gauge<'state'>,
      ) => {
        const rows = await outboxDepth(s.db);
        for (const state of ['pending', 'needs attention'] as const)
          g.set({ state }, f(rows.find((r) => r.state === state)));
      };
      new client.Gauge({
        name: 'moneybag_outbox_returns',
        help: 'Returns not delivered yet, by state (pending, needs attention)',
        labelNames: ['state'] as const,
        registers: this.registers,
        async collect() {
          await byState((row) => row?.count ?? 0, this);
        },
      });
      new client.Gauge({
        name: 'moneybag_outbox_oldest_age_seconds',
        help: 'age of the oldest Return not delivered, by state (alert on it)',
        labelNames: ['state'] as const,
        registers: this.registers,
        async collect() {
          const now = Date.now();
          await byState((row) => (row?.oldest ? (now - row.oldest) / 1000 : 0), this);
        },
      });
    }
    if (s.serves('issuer'))
      new client.Gauge({
        name: 'moneybag_denylist_holders',
        help: 'holder keys on the deny list',
        registers: this.registers,
        async collect() {
          const { rows } = await s.db.query<{ n: string }>('SELECT count(*) AS n FROM denylist');
          this.set(Number(rows[0].n));
        },
      });
  }

  /** A collected bag: its uses accepted, and refused by code. */
  bag(answer: Pick<BagAnswerJson, 'accepted' | 'rejected'>): void {
    this.bags.inc({ result: 'collected', code: '' });
    this.uses.inc({ kind: 'bag', result: 'accepted', code: '' }, answer.accepted);
    for (const r of answer.rejected) this.uses.inc({ kind: 'bag', result: 'refused', code: r.code });
  }

  /** Counts every signature the verifier checks. */
  counting(v: Verifier): Verifier {
    return {
      name: v.name,
      verify: (checks) => {
        this.verified.inc(checks.length);
        return v.verify(checks);
      },
    };
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
