/**
 * Overload, quotas, retention and the allow-list, end to end on loopback (issue 12, cases 7 and 8):
 * - queue depth past SHED_MAX_IN_FLIGHT gets a fast 503 + Retry-After (before: no 503, seconds of queue);
 * - feedback for unknown cards is capped per client (before: the database grew at 34 MB/s);
 * - AUDIT_RETENTION_DAYS deletes old audit rows (before: no retention);
 * - encoded path tricks in fhirServer never reach the FHIR server (before: accepted, with the token).
 */
import t from 'tap';
import { startService, fixtureRequest } from '../fixtures/service.js';
import { startFaultFhir } from '../fixtures/fault-fhir.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { buildAuditRecord } from '../../src/store/audit-record.js';
import { startRetention } from '../../src/store/retention.js';
import { makeAuditInput, makeCard } from '../fixtures/audit-fixtures.js';
import { feedbackBody, SERVICE } from '../fixtures/fault-harness.js';

t.test('queue depth past SHED_MAX_IN_FLIGHT: fast 503 with Retry-After, probes still answer', async (t) => {
  const fhir = await startFaultFhir({ fallback: { kind: 'delay', ms: 2500 } });
  t.teardown(() => fhir.close());
  const svc = await startService(t, { SHED_MAX_IN_FLIGHT: '2', FHIR_DEADLINE_MS: '3000' });
  const held = fixtureRequest('patient-view-v5.json');
  delete held.prefetch;
  held.fhirServer = fhir.baseUrl;
  const slow = [svc.post('/cds-services/sih-imaging-patient-view', held), svc.post('/cds-services/sih-imaging-patient-view', held)];
  // Wait until both are in flight (their FHIR reads have arrived at the slow server).
  for (let i = 0; i < 100 && fhir.requests.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  const shed = await svc.post('/cds-services/sih-imaging-order-select', fixtureRequest('order-select-v5-mr-myelography.json'));
  t.equal(shed.status, 503, 'the third concurrent call is shed');
  t.ok(shed.headers.get('retry-after'), 'with Retry-After');
  t.equal(shed.json.resourceType, 'OperationOutcome');
  t.equal((await fetch(`${svc.url}/healthz`)).status, 200, 'probes are never shed');
  const done = await Promise.all(slow);
  t.same(done.map((d) => d.status), [200, 200], 'the calls in flight complete');
  const again = await svc.post('/cds-services/sih-imaging-order-select', fixtureRequest('order-select-v5-mr-myelography.json'));
  t.equal(again.status, 200, 'served again once the queue drained');
});

t.test('feedback for unknown cards is capped per client; nothing of a refused POST is stored', async (t) => {
  const svc = await startService(t, { FEEDBACK_UNKNOWN_CARD_MAX: '3' });
  const hook = await svc.post('/cds-services/sih-imaging-order-select', fixtureRequest('order-select-v5-mr-myelography.json'));
  const shownCard: string = hook.json.cards[0].uuid;
  await svc.audit.flush();
  const unknown = (ids: string[]) => ({ feedback: ids.map((id, i) => (feedbackBody(id, i) as { feedback: unknown[] }).feedback[0]) });
  t.equal((await svc.post(`/cds-services/${SERVICE}/feedback`, unknown(['u1', 'u2']))).status, 200, 'within the quota');
  const over = await svc.post(`/cds-services/${SERVICE}/feedback`, unknown(['u3', 'u4']));
  t.equal(over.status, 429, 'past the quota: 429');
  t.ok(over.headers.get('retry-after'), 'with Retry-After');
  t.equal(over.json.resourceType, 'OperationOutcome');
  t.equal((await svc.post(`/cds-services/${SERVICE}/feedback`, feedbackBody(shownCard))).status, 200, 'feedback on a card we showed is still taken');
  const summary = await svc.store.summary({});
  t.equal(summary.unknownCardFeedback, 2, 'only the two within the quota were stored');
});

t.test('AUDIT_RETENTION_DAYS: the pruning job deletes decisions and feedback older than the retention', async (t) => {
  const store = openSqliteStore(':memory:');
  t.teardown(() => store.close());
  const now = Date.parse('2026-11-29T00:00:00Z');
  const old = new Date(now - 401 * 86_400_000);
  const recent = new Date(now - 10 * 86_400_000);
  await store.recordDecisions([
    buildAuditRecord(makeAuditInput({ hookInstance: 'old', receivedAt: old, cards: [makeCard('c-old')] })),
    buildAuditRecord(makeAuditInput({ hookInstance: 'new', receivedAt: recent, cards: [makeCard('c-new')] })),
  ]);
  const item = (card: string) => ({ cardUuid: card, outcome: 'accepted' as const, acceptedSuggestionIds: [], outcomeTimestamp: old.toISOString(), hasUserComment: false });
  await store.recordFeedback(SERVICE, [item('c-old')], old);
  await store.recordFeedback(SERVICE, [item('c-new')], recent);
  const logged: string[] = [];
  const job = startRetention(store, 400, { info: (_o, m) => logged.push(m), error: (_o, m) => logged.push(m) }, { now: () => now });
  t.teardown(() => job.stop());
  t.equal(await job.runNow(), 2, 'one decision and one feedback row deleted');
  const s = await store.summary({});
  t.equal(s.decisions, 1, 'the recent decision stays');
  t.equal(s.totals.accepted, 1, 'its feedback stays');
  t.same(logged, ['audit retention: old records deleted']);
});

t.test('encoded path tricks in fhirServer never reach the FHIR server', async (t) => {
  const fhir = await startFaultFhir();
  t.teardown(() => fhir.close());
  const svc = await startService(t, { FHIR_SERVER_ALLOWLIST: fhir.baseUrl });
  for (const trick of ['/..%2fadmin', '/%2E%2E%2Fadmin', '/..;/admin', '/%2e%2e/%2e%2e/admin']) {
    const req = fixtureRequest('order-select-v5-mr-myelography.json');
    delete req.prefetch;
    req.fhirServer = `${fhir.baseUrl}${trick}`;
    req.fhirAuthorization = { access_token: 'tok-should-not-travel', token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'x' };
    const r = await svc.post('/cds-services/sih-imaging-order-select', req);
    t.ok(r.status === 200 || r.status === 412, `${trick}: answered (${r.status}) without the server`);
  }
  t.same(fhir.requests, [], 'no request (and no token) reached the FHIR server');
});
