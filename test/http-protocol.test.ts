/**
 * The CDS Hooks contract over real HTTP: discovery, CORS, status codes with OperationOutcome bodies,
 * the seed scenario end to end from prefetch, and the reference sandbox client's traffic replayed.
 */
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import { startService, fixtureRequest } from './fixtures/service.js';
import { checkResponse } from '../src/protocol/response-rules.js';

const PAMA = 'http://fhir.org/argonaut/Extension/pama-rating';
const traffic = (name: string): any =>
  JSON.parse(readFileSync(new URL(`./fixtures/sandbox-traffic/${name}`, import.meta.url), 'utf8'));

function ratingOf(action: any): { code?: string; text?: string } {
  const ext = action.resource.extension.find((e: any) => e.url === PAMA);
  return { code: ext?.valueCodeableConcept?.coding?.[0]?.code, text: ext?.valueCodeableConcept?.text };
}

function isOperationOutcome(t: Test, json: any, field?: string): void {
  t.equal(json?.resourceType, 'OperationOutcome');
  t.ok(json?.issue?.[0]?.diagnostics, 'has diagnostics');
  if (field) t.ok(json.issue.some((i: any) => (i.expression ?? []).includes(field)), `names ${field}`);
}

t.test('discovery and CORS', async (t) => {
  const svc = await startService(t);
  const res = await fetch(`${svc.url}/cds-services`, { headers: { origin: 'http://127.0.0.1:8080' } });
  t.equal(res.status, 200);
  t.equal(res.headers.get('access-control-allow-origin'), '*');
  const body = (await res.json()) as any;
  t.same(body.services.map((s: any) => s.id).sort(), ['sih-imaging-order-select', 'sih-imaging-order-sign', 'sih-imaging-patient-view']);

  // The sandbox's preflights on all three route shapes (captured traffic 01, 03, 07, plus feedback).
  for (const file of ['01-OPTIONS-cds-services.json', '03-OPTIONS-cds-services_probe-view.json']) {
    const pre = traffic(file);
    const url = pre.url.replace('probe-view', 'sih-imaging-patient-view');
    const r = await fetch(`${svc.url}${url}`, { method: 'OPTIONS', headers: pre.headers });
    t.equal(r.status, 204, `${file} preflight`);
    t.equal(r.headers.get('access-control-allow-origin'), '*');
    t.match(r.headers.get('access-control-allow-headers') ?? '', /authorization/i);
    t.notOk(r.headers.get('access-control-allow-credentials'), 'no credentials with *');
  }
  const fb = await fetch(`${svc.url}/cds-services/sih-imaging-order-select/feedback`, {
    method: 'OPTIONS',
    headers: { origin: 'http://127.0.0.1:8080', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  t.equal(fb.status, 204, 'feedback preflight');
});

t.test('CORS origin allow-list reflects only listed origins', async (t) => {
  const svc = await startService(t, { CORS_ORIGINS: 'http://ehr.example' });
  const ok = await fetch(`${svc.url}/cds-services`, { headers: { origin: 'http://ehr.example' } });
  t.equal(ok.headers.get('access-control-allow-origin'), 'http://ehr.example');
  const bad = await fetch(`${svc.url}/cds-services`, { headers: { origin: 'http://evil.example' } });
  t.notOk(bad.headers.get('access-control-allow-origin'));
});

t.test('bad requests get 4xx OperationOutcomes that name the problem', async (t) => {
  const svc = await startService(t, { BODY_LIMIT_BYTES: '20000' });
  const good = fixtureRequest('order-select-v5-dsm.json');

  let r = await svc.post('/cds-services/no-such-service', good);
  t.equal(r.status, 404);
  isOperationOutcome(t, r.json, 'id');

  r = await svc.post('/cds-services/sih-imaging-order-select', '{"hook": "order-select", ');
  t.equal(r.status, 400, 'malformed JSON');
  isOperationOutcome(t, r.json);

  r = await svc.post('/cds-services/sih-imaging-order-select', { ...good, context: { ...good.context, patientId: undefined } });
  t.equal(r.status, 400, 'missing patientId');
  isOperationOutcome(t, r.json, 'context.patientId');

  r = await svc.post('/cds-services/sih-imaging-order-select', JSON.stringify(good), { 'content-type': 'text/plain' });
  t.equal(r.status, 415, 'not JSON');
  isOperationOutcome(t, r.json);

  r = await svc.post('/cds-services/sih-imaging-order-select', { ...good, padding: 'x'.repeat(30000) });
  t.equal(r.status, 413, 'too large');
  isOperationOutcome(t, r.json);

  r = await svc.post('/cds-services/sih-imaging-order-select', '{"__proto__": {"polluted": true}, "hook": "x"}');
  t.equal(r.status, 400, 'prototype poisoning refused');
  isOperationOutcome(t, r.json);

  const get = await fetch(`${svc.url}/nowhere`);
  t.equal(get.status, 404);
  isOperationOutcome(t, await get.json());
});

t.test('application/fhir+json is accepted as JSON', async (t) => {
  const svc = await startService(t);
  const r = await svc.post('/cds-services/sih-imaging-order-select', fixtureRequest('order-select-v5-dsm.json'), {
    'content-type': 'application/fhir+json; charset=utf-8',
  });
  t.equal(r.status, 200);
});

t.test('the seed scenario: V5 patient, full prefetch', async (t) => {
  const svc = await startService(t);
  for (const [file, label] of [
    ['order-select-v5-mr-myelography.json', 'MR myelography'],
    ['order-select-v5-dtpa.json', 'DTPA cisternography'],
  ] as const) {
    const r = await svc.post('/cds-services/sih-imaging-order-select', fixtureRequest(file));
    t.equal(r.status, 200, label);
    t.same(checkResponse(r.json), [], `${label}: response follows the spec rules`);
    t.equal(r.json.cards.length, 1, `${label}: one card`);
    const card = r.json.cards[0];
    t.equal(card.indicator, 'warning');
    t.match(card.summary, /May Be Appropriate/);
    t.match(card.detail, /variant 5/i);
    t.match(card.detail, /☢☢☢☢/);
    t.equal(card.selectionBehavior, 'at-most-one');
    const [first, second] = card.suggestions;
    t.match(first.label, /Digital Subtraction/i);
    t.equal(first.isRecommended, true, 'DSM is recommended');
    t.match(second.label, /CT Myelography Dynamic/i);
    t.notOk(second.isRecommended);
    t.equal(first.actions[0].type, 'update');
    t.equal(first.actions[0].resource.resourceType, 'ServiceRequest');
    t.equal(ratingOf(r.json.systemActions[0]).code, 'appropriate');
    t.equal(ratingOf(r.json.systemActions[0]).text, 'May Be Appropriate (5)');
    t.same(r.json.extension.systemActions, r.json.systemActions, 'mirrored for the sandbox');
  }
  for (const file of ['order-select-v5-dsm.json', 'order-select-v5-dynamic-ctm.json']) {
    const r = await svc.post('/cds-services/sih-imaging-order-select', fixtureRequest(file));
    t.equal(r.status, 200);
    t.same(r.json.cards, [], `${file}: no warning for a Usually Appropriate study`);
    // Changed by issue 10 (class 6): DSM (fluoroscopy) is not advanced diagnostic imaging: no PAMA stamp.
    if (file.includes('dsm')) {
      t.same(r.json.systemActions ?? [], [], `${file}: no PAMA stamp on a fluoroscopic myelogram`);
      continue;
    }
    t.equal(ratingOf(r.json.systemActions[0]).code, 'appropriate');
    t.equal(ratingOf(r.json.systemActions[0]).text, 'Usually Appropriate (8)');
  }
  const sign = await svc.post('/cds-services/sih-imaging-order-sign', fixtureRequest('order-sign-v5-two-orders.json'));
  t.equal(sign.status, 200);
  t.same(checkResponse(sign.json), []);
  // Changed by issue 10 (class 6): of the two drafts (DSM, CT myelogram) only the CT myelogram is advanced imaging.
  t.equal(sign.json.systemActions.length, 1, 'order-sign stamps every advanced-imaging draft order');

  const view = await svc.post('/cds-services/sih-imaging-patient-view', fixtureRequest('patient-view-v5.json'));
  t.equal(view.status, 200);
  t.same(checkResponse(view.json), []);
  const labels = view.json.cards.flatMap((c: any) => (c.suggestions ?? []).map((s: any) => s.label)).join(' | ');
  t.match(labels, /Digital Subtraction/i, 'patient-view suggests DSM');
  t.match(labels, /Dynamic/i, 'and dynamic CT myelography');
});

t.test('mirroring into extension.systemActions can be turned off', async (t) => {
  const svc = await startService(t, { MIRROR_SYSTEM_ACTIONS: 'false' });
  const r = await svc.post('/cds-services/sih-imaging-order-select', fixtureRequest('order-select-v5-dynamic-ctm.json'));
  t.ok(r.json.systemActions);
  t.notOk(r.json.extension);
});

t.test('patient-view with no prefetch and no fhirServer is 412', async (t) => {
  const svc = await startService(t);
  const req = fixtureRequest('patient-view-v5.json');
  delete req.prefetch;
  delete req.fhirServer;
  const r = await svc.post('/cds-services/sih-imaging-patient-view', req);
  t.equal(r.status, 412);
  isOperationOutcome(t, r.json);
  t.match(r.json.issue[0].diagnostics, /Condition/);
});

t.test('the reference sandbox client traffic is answered', async (t) => {
  const svc = await startService(t, { FHIR_DEADLINE_MS: '500' });
  // 09: the PAMA tab's first call, before a study is picked: coding [{}], reasonCode [].
  let r = await svc.post('/cds-services/sih-imaging-order-select', traffic('09-POST-order-select-pama-initial-empty-order.body.json'));
  t.equal(r.status, 200);
  t.same(r.json.cards, []);
  t.notOk(r.json.systemActions, 'no rating for an empty order');
  // 10: head CT for headache and optic disc edema; nothing suggests intracranial hypotension.
  r = await svc.post('/cds-services/sih-imaging-order-select', traffic('10-POST-order-select-pama-head-ct-headache.body.json'));
  t.equal(r.status, 200);
  t.same(checkResponse(r.json), []);
  t.equal(r.json.cards.filter((c: any) => c.indicator === 'warning').length, 0, 'no warning outside the topic');
  // 08: Rx Sign's order-sign with an R4-invalid MedicationRequest: not an imaging order.
  r = await svc.post('/cds-services/sih-imaging-order-sign', traffic('08-POST-cds-services_probe-sign.json').body);
  t.equal(r.status, 200);
  t.same(r.json, { cards: [] });
  // 04: patient-view with only a Patient prefetch; its fhirServer is not running here, so the Conditions
  // cannot be read: 412 with an OperationOutcome (CDS Hooks 2.0.1: "… or the FHIR call failed").
  r = await svc.post('/cds-services/sih-imaging-patient-view', traffic('04-POST-cds-services_probe-view.json').body);
  t.equal(r.status, 412);
  t.equal(r.json.resourceType, 'OperationOutcome');
});

t.test('health probes', async (t) => {
  const svc = await startService(t);
  t.equal((await fetch(`${svc.url}/healthz`)).status, 200);
  t.equal((await fetch(`${svc.url}/readyz`)).status, 200);
});
