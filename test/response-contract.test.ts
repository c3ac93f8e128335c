/**
 * Every response the service can produce follows the CDS Hooks 2.0.1 rules: every fixture patient, on
 * every hook, ordering each of the topic's 18 procedures (plus an out-of-topic and an empty order), with
 * ratings mirrored and not, each passes `checkResponse`.
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import type { ServiceRequest } from 'fhir/r4.js';
import { decide } from '../src/engine/decide.js';
import { renderResponse } from '../src/cards/render.js';
import { checkResponse } from '../src/protocol/response-rules.js';
import { orderCodeableConcept } from '../src/guideline/procedures.js';
import { PROCEDURE_IDS } from '../src/guideline/types.js';
import type { HookName, HookRequest } from '../src/protocol/types.js';
import { FIXTURE_NOW, fixturePatient } from './fixtures/record.js';

const patients = readdirSync(new URL('../fixtures/patients/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));

const REASON = { coding: [{ system: 'http://snomed.info/sct', code: '445511002', display: 'Orthostatic headache' }] };
const codes = [
  ...PROCEDURE_IDS.map((p) => ({ label: p, code: orderCodeableConcept(p) })),
  { label: 'knee MRI', code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '73721' }] } },
  { label: 'empty', code: { coding: [{}] } },
];

function request(hook: HookName, patientId: string, orders: ServiceRequest[]): HookRequest {
  const context: HookRequest['context'] = { patientId, userId: 'Practitioner/1' };
  if (hook !== 'patient-view') {
    context.draftOrders = { resourceType: 'Bundle', type: 'collection', entry: orders.map((resource) => ({ resource })) };
    if (hook === 'order-select') context.selections = orders.map((o) => `ServiceRequest/${o.id}`);
  }
  return { hook, hookInstance: `contract-${hook}-${patientId}`, context };
}

t.test('every response for every fixture, hook and procedure follows the spec rules', async (t) => {
  let responses = 0;
  let violations = 0;
  for (const name of patients) {
    const record = fixturePatient(name);
    const orders: ServiceRequest[] = codes.map((c, i) => ({
      resourceType: 'ServiceRequest',
      id: `order-${i}`,
      status: 'draft',
      intent: 'order',
      subject: { reference: `Patient/${record.patientId}` },
      code: c.code as ServiceRequest['code'],
      reasonCode: [REASON],
    }));
    const calls: Array<[HookName, ServiceRequest[]]> = [
      ['patient-view', []],
      ['order-sign', orders],
      ...orders.map((o): [HookName, ServiceRequest[]] => ['order-select', [o]]),
    ];
    for (const [hook, hookOrders] of calls) {
      for (const mirror of [true, false]) {
        const decision = decide(request(hook, record.patientId, hookOrders), record, { now: FIXTURE_NOW });
        const response = renderResponse(decision, { mirrorSystemActions: mirror });
        const problems = checkResponse(JSON.parse(JSON.stringify(response)));
        responses++;
        if (problems.length > 0) {
          violations++;
          t.fail(`${name} ${hook} ${hookOrders.map((o) => o.id).join(',')}: ${problems.join('; ')}`);
        }
      }
    }
  }
  t.equal(violations, 0, `${responses} responses checked`);
  t.ok(responses >= patients.length * 40, `${responses} responses`);
});
