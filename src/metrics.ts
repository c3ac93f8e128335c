/**
 * Prometheus metrics (prom-client), on a registry of our own (not the global one, so several apps in one
 * process, as in tests, never share counters). Labels are bounded sets only: route patterns (never raw
 * URLs), status codes, variant keys, order outcomes, card indicators, FHIR resource types and gap reasons,
 * auth failure categories. No patient, client or token value ever becomes a label.
 *
 * What is counted where: HTTP latency in an onResponse hook; decisions, cards and FHIR reads from the
 * decision event after the answer is sent; audit and store figures read from their owners at scrape time.
 */
import { timingSafeEqual } from 'node:crypto';
import client from 'prom-client';
import type { DecisionEvent } from './advisor.js';
import type { AuditWriter } from './store/audit-writer.js';
import type { Store } from './store/store.js';
import type { Limiter } from './fhir/limiter.js';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

/** Auth failure reasons (free text with token fields, for the log) reduced to a few categories. */
const AUTH_CATEGORIES: Array<[RegExp, string]> = [
  [/no bearer token/, 'no-token'],
  [/malformed/, 'malformed'],
  [/replay cache quota/, 'replay-quota-full'],
  [/replay cache unavailable/, 'replay-cache-unavailable'],
  [/already used/, 'replay'],
  [/alg /, 'algorithm'],
  [/claim "exp"|JWTExpired|expired/, 'expired'],
  [/claim "aud"/, 'audience'],
  [/tenant/, 'tenant'],
  [/signature/i, 'signature'],
  [/kid|issuer|jku|key/i, 'issuer-or-key'],
];

export function authFailureCategory(reason: string): string {
  for (const [re, category] of AUTH_CATEGORIES) if (re.test(reason)) return category;
  return 'claims';
}

export class Metrics {
  readonly registry = new client.Registry();
  readonly httpDuration = new client.Histogram({
    name: 'cds_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly refused = new client.Counter({
    name: 'cds_http_refused_total',
    help: 'Requests refused with 429 (rate limit) or 503 (shedding, storage unavailable, closing)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new client.Counter({
    name: 'cds_rate_limited_total',
    help: 'Requests refused by a rate limit, by kind (address before authentication, client after)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly decisions = new client.Counter({
    name: 'cds_decisions_total',
    help: 'Hook decisions by service, variant and order outcome (one per order; "none" without orders)',
    labelNames: ['service', 'variant', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly cards = new client.Counter({
    name: 'cds_cards_total',
    help: 'Cards returned, by indicator',
    labelNames: ['indicator'] as const,
    registers: [this.registry],
  });
  readonly fhirReads = new client.Histogram({
    name: 'cds_fhir_read_duration_seconds',
    help: 'FHIR searches made by the service, by resource type and status (ok, error, timeout, truncated)',
    labelNames: ['resource_type', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly fhirGaps = new client.Counter({
    name: 'cds_fhir_gaps_total',
    help: 'Data the service could not read for a decision, by resource type and reason',
    labelNames: ['resource_type', 'reason'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new client.Counter({
    name: 'cds_auth_failures_total',
    help: 'Client authentication failures (401) by reason category',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly replayFull = new client.Counter({
    name: 'cds_replay_cache_full_total',
    help: 'Tokens refused because their issuer\'s replay-cache quota was full',
    labelNames: ['issuer'] as const,
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    // Process metrics, including nodejs_eventloop_lag_* (event-loop delay from perf_hooks).
    if (opts.defaultMetrics !== false) client.collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
  }

  /** Figures owned elsewhere, read at scrape time. */
  observe(parts: { audit?: AuditWriter; store?: Store; limiter?: Limiter }): void {
    const { audit, store, limiter } = parts;
    if (audit) {
      // Counters whose value lives in the AuditWriter: each scrape adds what happened since the last.
      const seen = { written: 0, failed: 0, dropped: 0 };
      const records = new client.Counter({
        name: 'cds_audit_records_total',
        help: 'Decision audit records by fate: written, failed (write error), dropped (queue full)',
        labelNames: ['state'] as const,
        registers: [this.registry],
        collect() {
          // The writer's `failed` includes drops; here each record has one fate.
          const s = audit.stats;
          const now = { written: s.written, failed: s.failed - s.dropped, dropped: s.dropped };
          for (const state of ['written', 'failed', 'dropped'] as const) {
            const delta = now[state] - seen[state];
            if (delta > 0) records.inc({ state }, delta);
            seen[state] = now[state];
          }
        },
      });
      for (const state of ['written', 'failed', 'dropped'] as const) records.inc({ state }, 0);
      new client.Gauge({
        name: 'cds_audit_queued',
        help: 'Decision audit records waiting to be written',
        registers: [this.registry],
        collect() {
          this.set(audit.stats.queued);
        },
      });
    }
    if (store) {
      new client.Gauge({
        name: 'cds_store_up',
        help: '1 when the store (SQLite or PostgreSQL) answers, 0 when feedback would be refused',
        registers: [this.registry],
        async collect() {
          this.set((await store.health()).ok ? 1 : 0);
        },
      });
    }
    if (limiter) {
      new client.Gauge({
        name: 'cds_fhir_requests_in_flight',
        help: 'Outbound FHIR requests running now (bounded by FHIR_MAX_CONCURRENCY)',
        registers: [this.registry],
        collect() {
          this.set(limiter.inFlight);
        },
      });
    }
  }

  onDecision(event: DecisionEvent): void {
    const v = event.decision.variant;
    const variant = v.status === 'determined' ? `V${v.variant}` : v.status;
    const orders = event.decision.orders;
    if (orders.length === 0) this.decisions.inc({ service: event.serviceId, variant, outcome: 'none' });
    for (const o of orders) this.decisions.inc({ service: event.serviceId, variant, outcome: o.outcome });
    for (const card of event.response.cards) this.cards.inc({ indicator: card.indicator });
    for (const t of event.record.timings) {
      if (t.source === 'fhir') this.fhirReads.observe({ resource_type: t.resourceType, status: t.status }, t.ms / 1000);
    }
    for (const g of event.record.gaps) this.fhirGaps.inc({ resource_type: g.resourceType, reason: g.reason });
  }

  onResponse(route: string | undefined, method: string, status: number, seconds: number): void {
    this.httpDuration.observe({ route: route ?? 'unmatched', method, status: String(status) }, seconds);
    if (status === 429 || status === 503) this.refused.inc({ status: String(status) });
  }

  onAuthFailure(reason: string): void {
    this.authFailures.inc({ reason: authFailureCategory(reason) });
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Constant-time check of `Authorization: Bearer <token>` for the metrics endpoint. */
export function metricsTokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const a = Buffer.from(m[1]);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
