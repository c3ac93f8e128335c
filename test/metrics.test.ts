/**
 * GET /metrics is scraped and every metric moves when its event happens: HTTP latency by route and
 * status, decisions by variant and outcome, cards by indicator, FHIR reads by type (latency, status,
 * gaps), FHIR requests in flight, audit written/failed/dropped/queued, store health, auth failures by
 * reason, 429 and 503, event-loop delay. Real service, real fake-FHIR server, real HTTP.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type RunningService } from './fixtures/service.js';
import { startFaultFhir } from './fixtures/fault-fhir.js';
import { makeIssuer, signToken, staticIssuerConfig } from './fixtures/jwt.js';
import { Metrics, authFailureCategory } from '../src/metrics.js';
import { AuditWriter } from '../src/store/audit-writer.js';
import type { Store } from '../src/store/store.js';
import { makeAuditInput, HASH_KEY } from './fixtures/audit-fixtures.js';

const METRICS_TOKEN = 'metrics-token-0123456789';

/** Sum of the samples of `name` whose labels include every given pair. */
function value(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => have.includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

async function scrape(svc: RunningService, token: string | undefined = METRICS_TOKEN): Promise<string> {
  const res = await fetch(`${svc.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  t.equal(res.status, 200, 'scraped');
  t.match(res.headers.get('content-type') ?? '', /text\/plain/);
  return res.text();
}

t.test('hook calls: latency, decisions, cards, FHIR reads and gaps, in-flight, audit written', async (t) => {
  const svc = await startService(t, { FHIR_DEADLINE_MS: '1500', LOG_LEVEL: 'warn' });
  const fhir = await startFaultFhir({
    types: { Observation: { kind: 'delay', ms: 5000 }, Procedure: { kind: 'status', status: 500 }, Condition: { kind: 'ok', resources: [] } },
    patients: [{ resourceType: 'Patient', id: 'm1', birthDate: '1980-01-01' }],
  });
  t.teardown(() => fhir.close());
  const before = await scrape(svc, undefined);
  const call = svc.post('/cds-services/sih-imaging-patient-view', {
    hook: 'patient-view',
    hookInstance: randomUUID(),
    fhirServer: fhir.baseUrl,
    context: { userId: 'Practitioner/1', patientId: 'm1' },
  });
  await new Promise((r) => setTimeout(r, 400));
  const during = await scrape(svc, undefined);
  t.ok(value(during, 'cds_fhir_requests_in_flight') >= 1, 'a slow FHIR read is in flight');
  const answer = await call;
  t.equal(answer.status, 200, JSON.stringify(answer.json).slice(0, 300));
  await new Promise((r) => setTimeout(r, 50)); // the decision sink runs after the answer is sent
  await svc.audit.flush();
  const after = await scrape(svc, undefined);
  const route = { route: '/cds-services/:id', status: '200' };
  t.equal(value(after, 'cds_http_request_duration_seconds_count', route) - value(before, 'cds_http_request_duration_seconds_count', route), 1);
  t.ok(value(after, 'cds_decisions_total', { service: 'sih-imaging-patient-view', outcome: 'none' }) >= 1, 'decision counted by variant and outcome');
  t.equal(value(after, 'cds_fhir_read_duration_seconds_count', { resource_type: 'Observation', status: 'timeout' }), 1, 'timed-out read');
  t.equal(value(after, 'cds_fhir_read_duration_seconds_count', { resource_type: 'Procedure', status: 'error' }), 1, 'failed read');
  t.ok(value(after, 'cds_fhir_gaps_total', { resource_type: 'Observation' }) >= 1, 'gap by type');
  t.equal(value(after, 'cds_audit_records_total', { state: 'written' }), 1, 'audit written');
  t.equal(value(after, 'cds_store_up'), 1);
  t.equal(value(after, 'cds_fhir_requests_in_flight'), 0);
  if (answer.json.cards.length > 0) {
    t.equal(value(after, 'cds_cards_total') - value(before, 'cds_cards_total'), answer.json.cards.length, 'cards by indicator');
  }
});

t.test('cards by indicator on an order with a rated alternative', async (t) => {
  const svc = await startService(t, { LOG_LEVEL: 'warn' });
  const { fixtureRequest } = await import('./fixtures/service.js');
  const res = await svc.post('/cds-services/sih-imaging-order-select', fixtureRequest('order-select-v5-dtpa.json'));
  t.equal(res.status, 200);
  await new Promise((r) => setImmediate(r));
  const text = await scrape(svc, undefined);
  const byIndicator = new Map<string, number>();
  for (const c of res.json.cards) byIndicator.set(c.indicator, (byIndicator.get(c.indicator) ?? 0) + 1);
  t.ok(byIndicator.size > 0, 'the fixture yields cards');
  for (const [indicator, n] of byIndicator) t.equal(value(text, 'cds_cards_total', { indicator }), n, `${indicator} cards`);
  t.ok(value(text, 'cds_decisions_total', { variant: 'V5' }) >= 1, 'decision by variant');
});

t.test('auth failures by reason, 429 and 503, store health, metrics token', async (t) => {
  const issuer = await makeIssuer();
  const dir = mkdtempSync(join(tmpdir(), 'metrics-'));
  const file = join(dir, 'issuers.json');
  writeFileSync(file, JSON.stringify([staticIssuerConfig(issuer)]));
  const svc = await startService(t, {
    AUTH_MODE: 'required',
    PUBLIC_BASE_URL: 'https://cds.example.org',
    AUTH_ISSUERS_FILE: file,
    METRICS_TOKEN,
    RATE_LIMIT_MAX: '6',
    LOG_LEVEL: 'warn',
  });
  t.equal((await fetch(`${svc.url}/metrics`)).status, 401, 'no token, no metrics');
  t.equal((await fetch(`${svc.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
  const base = await scrape(svc);
  await fetch(`${svc.url}/cds-services`);
  const tok = await signToken(issuer, { aud: 'https://cds.example.org/cds-services' });
  await fetch(`${svc.url}/cds-services`, { headers: { authorization: `Bearer ${tok}` } });
  await fetch(`${svc.url}/cds-services`, { headers: { authorization: `Bearer ${tok}` } });
  let text = await scrape(svc);
  t.equal(value(text, 'cds_auth_failures_total', { reason: 'no-token' }) - value(base, 'cds_auth_failures_total', { reason: 'no-token' }), 1);
  t.equal(value(text, 'cds_auth_failures_total', { reason: 'replay' }), 1);
  // 503: feedback that cannot be stored.
  const fb = await signToken(issuer, { aud: 'https://cds.example.org/cds-services/sih-imaging-order-sign/feedback' });
  await svc.store.close();
  const refused = await svc.post(
    '/cds-services/sih-imaging-order-sign/feedback',
    { feedback: [{ card: 'c', outcome: 'accepted', acceptedSuggestions: [], outcomeTimestamp: '2026-11-03T10:00:00Z' }] },
    { authorization: `Bearer ${fb}` },
  );
  t.equal(refused.status, 503);
  // 429: the address limit (6 per window; scrapes are exempt).
  for (let i = 0; i < 4; i++) await fetch(`${svc.url}/cds-services`);
  text = await scrape(svc);
  t.ok(value(text, 'cds_http_refused_total', { status: '503' }) >= 1, '503 counted');
  t.ok(value(text, 'cds_http_refused_total', { status: '429' }) >= 1, '429 counted');
  t.ok(value(text, 'cds_rate_limited_total', { kind: 'address' }) >= 1);
  t.equal(value(text, 'cds_store_up'), 0, 'store down');
});

t.test('audit failed and dropped, event-loop delay', async (t) => {
  const metrics = new Metrics();
  const failing = {
    recordDecisions: async () => {
      throw new Error('disk full');
    },
    health: async () => ({ ok: false, checkedAt: new Date().toISOString() }),
  } as unknown as Store;
  const audit = new AuditWriter(failing, HASH_KEY, { error: () => undefined }, { batchMs: 0, maxQueue: 1 });
  metrics.observe({ audit, store: failing });
  const { hashKey: _k, ...call } = makeAuditInput();
  audit.record(call);
  audit.record(call); // queue of one: dropped
  let text = await metrics.text();
  t.equal(value(text, 'cds_audit_queued'), 1, 'queued');
  t.equal(value(text, 'cds_audit_records_total', { state: 'dropped' }), 1, 'dropped');
  await audit.flush();
  text = await metrics.text();
  t.equal(value(text, 'cds_audit_records_total', { state: 'failed' }), 1, 'failed');
  t.equal(value(text, 'cds_audit_queued'), 0);
  const lagBefore = value(text, 'nodejs_eventloop_lag_max_seconds');
  await new Promise((r) => setTimeout(r, 100)); // the delay monitor samples every 20 ms
  const until = Date.now() + 300;
  while (Date.now() < until) {
    /* block the event loop */
  }
  await new Promise((r) => setTimeout(r, 50));
  text = await metrics.text();
  t.ok(value(text, 'nodejs_eventloop_lag_max_seconds') >= 0.2, `event-loop delay seen (before ${lagBefore})`);
});

t.test('auth failure reasons map to few categories', async (t) => {
  t.equal(authFailureCategory('no bearer token'), 'no-token');
  t.equal(authFailureCategory('jti already used (replay)'), 'replay');
  t.equal(authFailureCategory("replay cache quota of this issuer is full of unexpired tokens; refusing this issuer's new tokens rather than skipping the replay check"), 'replay-quota-full');
  t.equal(authFailureCategory('claim "aud" rejected: unexpected "aud" claim value'), 'audience');
  t.equal(authFailureCategory('ERR_JWS_SIGNATURE_VERIFICATION_FAILED: signature verification failed'), 'signature');
});
