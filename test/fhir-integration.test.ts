/**
 * The service over HTTP against a real FHIR R4 server on loopback (Medplum's in-memory router, loaded
 * with the fixture patients): no prefetch, partial prefetch and full prefetch give the same decision,
 * the bearer token reaches the FHIR server on every read, and servers off the allow-list are never called.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { startLocalFhir } from './fixtures/local-fhir.js';
import { startService, fixtureRequest } from './fixtures/service.js';
import { checkResponse } from '../src/protocol/response-rules.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/patients', import.meta.url));
const TOKEN = 'integration-test-token-5f1c';

function suggestionLabels(json: any): string {
  return json.cards.flatMap((c: any) => (c.suggestions ?? []).map((s: any) => s.label)).join(' | ');
}

t.test('patient-view reads everything from the FHIR server with the token', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: FIXTURES });
  const svc = await startService(t);
  const req = fixtureRequest('patient-view-v5.json');
  delete req.prefetch;
  req.fhirServer = fhir.baseUrl;
  req.fhirAuthorization = { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'sih-cds' };

  const before = fhir.requests.length;
  const r = await svc.post('/cds-services/sih-imaging-patient-view', req);
  t.equal(r.status, 200);
  t.same(checkResponse(r.json), []);
  t.match(suggestionLabels(r.json), /Digital Subtraction/i, 'V5 from FHIR data: DSM suggested');

  const calls = fhir.requests.slice(before);
  const types = new Set(calls.map((c) => c.url.replace(/^\/fhir\/R4\//, '').split(/[/?]/)[0]));
  t.same([...types].sort(), ['Condition', 'DiagnosticReport', 'ImagingStudy', 'Observation', 'Patient', 'Procedure', 'ServiceRequest']);
  t.ok(calls.length >= 7);
  t.ok(calls.every((c) => c.authorization === `Bearer ${TOKEN}`), 'the token reached the FHIR server on every read');
  t.notOk(svc.logs.join('\n').includes(TOKEN), 'the token is not logged');
});

t.test('no, partial and full prefetch give the same cards; only missing data is fetched', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: FIXTURES });
  const svc = await startService(t);
  const full = fixtureRequest('order-select-v5-mr-myelography.json');
  const strip = (r: any) => r.json.cards.map((c: any) => [c.indicator, c.summary, (c.suggestions ?? []).map((s: any) => s.label)]);

  let before = fhir.requests.length;
  const fullAnswer = await svc.post('/cds-services/sih-imaging-order-select', { ...full, fhirServer: fhir.baseUrl });
  t.equal(fullAnswer.status, 200);
  t.equal(fhir.requests.length - before, 0, 'full prefetch: no FHIR reads');

  const partial = structuredClone(full);
  partial.fhirServer = fhir.baseUrl;
  partial.fhirAuthorization = { access_token: TOKEN, token_type: 'Bearer' };
  for (const key of ['observations', 'imagingStudies', 'diagnosticReports']) delete partial.prefetch[key];
  before = fhir.requests.length;
  const partialAnswer = await svc.post('/cds-services/sih-imaging-order-select', partial);
  const partialCalls = fhir.requests.slice(before).map((c) => c.url.replace(/^\/fhir\/R4\//, '').split('?')[0]);
  t.same(partialCalls.sort(), ['DiagnosticReport', 'ImagingStudy', 'Observation'], 'partial prefetch: only the missing types are read');
  t.same(strip(partialAnswer), strip(fullAnswer));

  const none = structuredClone(full);
  delete none.prefetch;
  none.fhirServer = fhir.baseUrl;
  none.fhirAuthorization = { access_token: TOKEN, token_type: 'Bearer' };
  const noneAnswer = await svc.post('/cds-services/sih-imaging-order-select', none);
  t.equal(noneAnswer.status, 200);
  t.same(strip(noneAnswer), strip(fullAnswer), 'no prefetch: the same answer from the FHIR server');
  t.match(noneAnswer.json.cards[0].summary, /May Be Appropriate/);
});

t.test('a patient-view without prefetch: 412 with no fhirServer, 200 with the local server', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: FIXTURES });
  const svc = await startService(t);
  const req = fixtureRequest('patient-view-v5.json');
  delete req.prefetch;
  delete req.fhirServer;
  t.equal((await svc.post('/cds-services/sih-imaging-patient-view', req)).status, 412);
  req.fhirServer = fhir.baseUrl;
  req.fhirAuthorization = { access_token: TOKEN, token_type: 'Bearer' };
  const before = fhir.requests.length;
  t.equal((await svc.post('/cds-services/sih-imaging-patient-view', req)).status, 200);
  t.ok(fhir.requests.slice(before).some((c) => c.authorization === `Bearer ${TOKEN}`), 'the FHIR server saw the token');
});

t.test('a fhirServer off the allow-list is never contacted', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: FIXTURES });
  // Only a different prefix is allowed: the local server's URL is refused.
  const svc = await startService(t, { FHIR_SERVER_ALLOWLIST: 'https://fhir.example.org/R4' });
  const req = fixtureRequest('patient-view-v5.json');
  delete req.prefetch;
  req.fhirServer = fhir.baseUrl;
  req.fhirAuthorization = { access_token: TOKEN, token_type: 'Bearer' };
  const before = fhir.requests.length;
  const view = await svc.post('/cds-services/sih-imaging-patient-view', req);
  t.equal(view.status, 412, 'patient-view: Conditions not obtainable');
  t.match(view.json.issue[0].diagnostics, /allow-list/);

  const order = fixtureRequest('order-select-v5-mr-myelography.json');
  delete order.prefetch;
  order.fhirServer = fhir.baseUrl;
  const sel = await svc.post('/cds-services/sih-imaging-order-select', order);
  t.equal(sel.status, 200, 'order-select: degraded, not refused');
  t.equal(fhir.requests.length, before, 'no request reached the refused server');
});

t.test('paging: next links are followed up to the cap', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: FIXTURES });
  const svc = await startService(t, { FHIR_PAGE_SIZE: '1' });
  const req = fixtureRequest('patient-view-v5.json');
  delete req.prefetch;
  req.fhirServer = fhir.baseUrl;
  const before = fhir.requests.length;
  const r = await svc.post('/cds-services/sih-imaging-patient-view', req);
  t.equal(r.status, 200);
  const conditionPages = fhir.requests.slice(before).filter((c) => c.url.includes('Condition'));
  t.ok(conditionPages.length > 1, `Condition read in ${conditionPages.length} pages`);
  t.ok(conditionPages.some((c) => c.url.includes('_offset=')), 'next links followed');
  t.match(suggestionLabels(r.json), /Digital Subtraction/i, 'the same decision from paged data');
});
