import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseHookRequest } from '../src/protocol/request-schema.js';
import { draftOrdersOf } from '../src/protocol/draft-orders.js';

const traffic = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/sandbox-traffic/${name}`, import.meta.url), 'utf8'));

const base = {
  hook: 'order-select',
  hookInstance: 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea',
  context: {
    patientId: 'p1',
    userId: 'Practitioner/1',
    selections: ['ServiceRequest/a'],
    draftOrders: {
      resourceType: 'Bundle',
      entry: [
        { resource: { resourceType: 'ServiceRequest', id: 'a', status: 'draft', intent: 'order', code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '62305' }] } } },
        { resource: { resourceType: 'ServiceRequest', id: 'b', status: 'draft', intent: 'order' } },
        { resource: { resourceType: 'MedicationRequest', id: 'm', status: 'draft', intent: 'order' } },
      ],
    },
  },
};

t.test('a well-formed order-select is accepted; only selections are judged', async (t) => {
  const r = parseHookRequest(base, 'order-select');
  t.ok(r.ok);
  if (!r.ok) return;
  const orders = draftOrdersOf(r.request);
  t.same(orders.map((o) => [o.reference, o.selected]), [['ServiceRequest/a', true], ['ServiceRequest/b', false]]);
});

t.test('order-sign judges every ServiceRequest, with or without selections', async (t) => {
  for (const selections of [undefined, ['ServiceRequest/a']]) {
    const body = { ...base, hook: 'order-sign', context: { ...base.context, selections } };
    const r = parseHookRequest(body, 'order-sign');
    t.ok(r.ok);
    if (r.ok) t.same(draftOrdersOf(r.request).map((o) => o.selected), [true, true]);
  }
});

t.test('a hook that differs from the service hook is accepted and remembered', async (t) => {
  const r = parseHookRequest({ ...base, hook: 'order-sign' }, 'order-select');
  t.ok(r.ok);
  if (r.ok) {
    t.equal(r.request.hook, 'order-select');
    t.equal(r.request.hookAsSent, 'order-sign');
  }
});

t.test('reasonCode and coding sent as objects are wrapped into arrays', async (t) => {
  const body = structuredClone(base) as any;
  body.context.draftOrders.entry[0].resource.reasonCode = { coding: { system: 'http://snomed.info/sct', code: '445511002' } };
  body.context.draftOrders.entry[0].resource.code = { coding: { system: 'http://www.ama-assn.org/go/cpt', code: '62305' } };
  const r = parseHookRequest(body, 'order-select');
  t.ok(r.ok);
  if (!r.ok) return;
  const sr = draftOrdersOf(r.request)[0]!.resource;
  t.ok(Array.isArray(sr.reasonCode));
  t.same(sr.reasonCode?.[0]?.coding, [{ system: 'http://snomed.info/sct', code: '445511002' }]);
  t.same(sr.code?.coding, [{ system: 'http://www.ama-assn.org/go/cpt', code: '62305' }]);
  // The caller's object is not mutated by normalisation.
  t.notOk(Array.isArray(body.context.draftOrders.entry[0].resource.reasonCode));
});

t.test('the sandbox PAMA first call (coding [{}], reasonCode []) is accepted', async (t) => {
  const r = parseHookRequest(traffic('09-POST-order-select-pama-initial-empty-order.body.json'), 'order-select');
  t.ok(r.ok);
});

t.test('the sandbox Rx Sign order-sign (MedicationRequest, no intent) is accepted with nothing to judge', async (t) => {
  const r = parseHookRequest((traffic('08-POST-cds-services_probe-sign.json') as { body: unknown }).body, 'order-sign');
  t.ok(r.ok);
  if (r.ok) t.same(draftOrdersOf(r.request), []);
});

t.test('the sandbox patient-view with a Patient prefetch is accepted', async (t) => {
  const r = parseHookRequest((traffic('04-POST-cds-services_probe-view.json') as { body: unknown }).body, 'patient-view');
  t.ok(r.ok);
  if (r.ok) t.equal(r.request.prefetch?.['patient']?.resourceType, 'Patient');
});

t.test('genuinely bad input is refused with the field named', async (t) => {
  const cases: Array<[unknown, string]> = [
    [{ ...base, hookInstance: undefined }, 'hookInstance'],
    [{ ...base, context: { ...base.context, patientId: '' } }, 'context.patientId'],
    [{ ...base, context: { ...base.context, patientId: 42 } }, 'context.patientId'],
    [{ ...base, context: undefined }, 'context'],
    [{ ...base, fhirServer: 'not a url' }, 'fhirServer'],
    [{ ...base, fhirServer: 'file:///etc/passwd' }, 'fhirServer'],
    [{ ...base, fhirAuthorization: { token_type: 'Bearer' } }, 'fhirAuthorization.access_token'],
    [{ ...base, prefetch: { conditions: 'x' } }, 'prefetch.conditions'],
    [{ ...base, context: { ...base.context, draftOrders: undefined } }, 'context.draftOrders'],
    [{ ...base, context: { ...base.context, draftOrders: { resourceType: 'Patient' } } }, 'context.draftOrders.resourceType'],
    [{ ...base, context: { ...base.context, selections: 'ServiceRequest/a' } }, 'context.selections'],
  ];
  for (const [body, field] of cases) {
    const r = parseHookRequest(body, 'order-select');
    t.notOk(r.ok, `refused when ${field} is bad`);
    if (!r.ok) t.ok(r.issues.some((i) => i.expression?.includes(field)), `names ${field}: ${JSON.stringify(r.issues)}`);
  }
  for (const body of [null, [], 'text', 3]) {
    const r = parseHookRequest(body, 'patient-view');
    t.notOk(r.ok);
  }
});

t.test('trailing slashes on fhirServer are removed', async (t) => {
  const r = parseHookRequest({ ...base, fhirServer: 'http://127.0.0.1:8090/fhir/R4/' }, 'order-select');
  t.ok(r.ok);
  if (r.ok) t.equal(r.request.fhirServer, 'http://127.0.0.1:8090/fhir/R4');
});

t.test('order-select without selections is refused: the hook requires them', async (t) => {
  const r = parseHookRequest({ ...base, context: { ...base.context, selections: undefined } }, 'order-select');
  t.notOk(r.ok);
  if (!r.ok) t.same(r.issues[0]?.expression, ['context.selections']);
});
