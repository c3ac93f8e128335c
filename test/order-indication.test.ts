/**
 * The draft order's own indication (review finding 1): an order whose reasonCode names another indication
 * (seizure, head injury) is outside this topic whatever the patient's ACR scenario: no card, the PAMA rating
 * of any outside-topic order. Orders with no reasonCode keep being rated against the patient's scenario.
 */
import t from 'tap';
import fc from 'fast-check';
import type { CodeableConcept, ServiceRequest } from 'fhir/r4.js';
import { decide } from '../src/engine/decide.js';
import { orderIndication, rateOrder, recogniseOrder } from '../src/engine/orders.js';
import type { Decision, VariantChoice } from '../src/engine/types.js';
import { renderResponse } from '../src/cards/render.js';
import { checkResponse } from '../src/protocol/response-rules.js';
import { INDICATION_NOTES, ORDER_INDICATION_SETS } from '../src/guideline/order-codes.js';
import { VALUE_SETS } from '../src/guideline/valuesets.js';
import type { VariantId } from '../src/guideline/types.js';
import type { DraftOrder, HookRequest } from '../src/protocol/types.js';
import { FIXTURE_NOW, fixturePatient } from './fixtures/record.js';
import { sequentialUuids } from './fixtures/decisions.js';

const SNOMED = 'http://snomed.info/sct';
const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
const CPT = 'http://www.ama-assn.org/go/cpt';
const RATING_URL = 'http://fhir.org/argonaut/Extension/pama-rating';

const SEIZURE: CodeableConcept = { coding: [{ system: SNOMED, code: '91175000', display: 'Seizure' }], text: 'Seizure' };
const HEAD_INJURY: CodeableConcept = { coding: [{ system: SNOMED, code: '82271004', display: 'Injury of head' }] };
const ORTHOSTATIC: CodeableConcept = { coding: [{ system: SNOMED, code: '445511002', display: 'Orthostatic headache' }] };
const POST_LP: CodeableConcept = { coding: [{ system: ICD10CM, code: 'G97.1', display: 'Other reaction to spinal and lumbar puncture' }] };
const CT_HEAD = { coding: [{ system: CPT, code: '70450', display: 'CT head or brain; without contrast material' }] };

function serviceRequest(code: ServiceRequest['code'], reasonCode?: unknown): ServiceRequest {
  const sr: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: 'draft-1',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/p' },
    code,
  };
  if (reasonCode !== undefined) (sr as unknown as Record<string, unknown>)['reasonCode'] = reasonCode;
  return sr;
}
const draft = (resource: ServiceRequest): DraftOrder => ({ resource, reference: 'ServiceRequest/draft-1', selected: true });
const determined = (variant: VariantId): VariantChoice => ({ status: 'determined', variant, evidence: [], rationale: [], cautions: [] });

function rate(reasonCode: unknown, variant: VariantChoice, code: ServiceRequest['code'] = CT_HEAD) {
  const sr = serviceRequest(code, reasonCode);
  return rateOrder(draft(sr), recogniseOrder(sr), variant);
}

t.test('the topic indication value sets exist', async (t) => {
  for (const id of ORDER_INDICATION_SETS) t.ok(VALUE_SETS[id], id);
  t.notOk(ORDER_INDICATION_SETS.includes('sih-brain-features'), 'a subdural haematoma is another indication for an order');
});

t.test('orderIndication: codes first, text as a flagged fallback', async (t) => {
  const kind = (reasons: unknown) => orderIndication(serviceRequest(CT_HEAD, reasons));
  // No usable reason: rated as before.
  for (const reasons of [undefined, [], [{}], [{ coding: [{}] }], [{ text: '   ' }], [null, 3, 'x'], {}]) {
    t.same(kind(reasons), { kind: 'none' }, JSON.stringify(reasons));
  }
  t.same(kind([SEIZURE]), { kind: 'other' }, 'seizure (SNOMED)');
  t.same(kind([HEAD_INJURY]), { kind: 'other' }, 'head injury (SNOMED, display only)');
  t.same(kind([{ coding: [{ system: ICD10CM, code: 'S09.90XA' }] }]), { kind: 'other' }, 'head injury (ICD-10-CM, no display)');
  t.same(kind([{ text: 'first seizure' }]), { kind: 'other' }, 'seizure (text only)');
  t.same(kind([{ text: 'no headache; witnessed seizure' }]), { kind: 'other' }, 'a negated headache is no headache');
  t.same(kind([ORTHOSTATIC]), { kind: 'topic' });
  t.same(kind([POST_LP]), { kind: 'topic' }, 'post-dural-puncture (ICD-10-CM G97.1)');
  t.same(kind([{ coding: [{ system: ICD10CM, code: 'R40.20' }] }]), { kind: 'topic' }, 'decreased consciousness (V4)');
  t.same(kind([{ coding: [{ system: SNOMED, code: '230744007' }] }]), { kind: 'topic' }, 'CSF leak');
  t.same(kind([SEIZURE, ORTHOSTATIC]), { kind: 'topic' }, 'one topic reason is enough');
  const byText = kind([{ text: 'headache worse upright' }]);
  t.equal(byText.kind, 'topic', 'text only: a topic reason');
  t.type(byText.kind === 'topic' ? byText.fromText : undefined, 'string', 'text only: flagged with our term');
  t.same(kind([{ text: 'headache' }, ORTHOSTATIC]), { kind: 'topic' }, 'a code match wins over an earlier text match');
  t.same(kind([{ coding: [{ system: 'http://hospital.example.org/reasons', code: 'R12' }] }]), { kind: 'unreadable' });
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.anything(), (reasons) => {
        const r = orderIndication({ reasonCode: reasons });
        return ['none', 'unreadable', 'topic', 'other'].includes(r.kind);
      }),
      { numRuns: 300 },
    ),
  );
  t.same(orderIndication(null), { kind: 'none' });
});

t.test('rateOrder: an order for another indication is outside the topic, whatever the scenario', async (t) => {
  for (const [what, reasons, variant] of [
    ['V2 CT head for seizure', [SEIZURE], determined(2)],
    ['V5 CT head for head injury', [HEAD_INJURY], determined(5)],
    ['V1 CT head for seizure', [SEIZURE], determined(1)],
    ['undetermined scenario', [SEIZURE], { status: 'undetermined', missing: [], conflicts: [], candidates: [1, 2], evidence: [] }],
    ['not-applicable scenario', [SEIZURE], { status: 'not-applicable', evidence: [] }],
  ] as const) {
    const r = rate(reasons, variant as VariantChoice);
    t.equal(r.outcome, 'outside-topic', what);
    t.same(r.notes, [INDICATION_NOTES.otherIndication], `${what}: noted`);
    t.notOk(r.row, `${what}: no rating row`);
    t.notOk(r.category);
  }
  // Orders with no reasonCode keep today's behaviour.
  const plain = rate(undefined, determined(2));
  t.equal(plain.outcome, 'rated');
  t.equal(plain.category, 'Usually Not Appropriate');
  t.same(plain.notes, []);
  // A topic reason: rated; from text only: rated, with a note.
  t.equal(rate([POST_LP], determined(2)).category, 'Usually Not Appropriate');
  const byText = rate([{ text: 'orthostatic headache' }], determined(2));
  t.equal(byText.outcome, 'rated');
  t.ok(byText.notes.includes(INDICATION_NOTES.fromText));
  const unreadable = rate([{ coding: [{ system: 'http://hospital.example.org/reasons', code: 'R12' }] }], determined(2));
  t.equal(unreadable.outcome, 'rated');
  t.ok(unreadable.notes.includes(INDICATION_NOTES.unreadable));
  // Empty and outside-topic recognitions are unchanged by the reasons.
  t.equal(rate([SEIZURE], determined(2), { coding: [{}] }).outcome, 'empty');
  t.same(rate([ORTHOSTATIC], determined(2), { coding: [{ system: CPT, code: '73721' }] }).notes, []);
});

function orderSelect(patientId: string, reasonCode?: CodeableConcept[], code: ServiceRequest['code'] = CT_HEAD): HookRequest {
  const resource = serviceRequest(code, reasonCode);
  resource.subject = { reference: `Patient/${patientId}` };
  return {
    hook: 'order-select',
    hookInstance: '00000000-0000-4000-8000-0000000000bb',
    context: {
      patientId,
      userId: 'Practitioner/1',
      selections: ['ServiceRequest/draft-1'],
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource }] },
    },
  };
}

function run(patient: string, reasons?: CodeableConcept[], code?: ServiceRequest['code']) {
  const record = fixturePatient(patient);
  const decision = decide(orderSelect(record.patientId, reasons, code), record, { now: FIXTURE_NOW });
  const response = renderResponse(decision, { mirrorSystemActions: true, newUuid: sequentialUuids() });
  return { decision, response, problems: checkResponse(JSON.parse(JSON.stringify(response))) };
}

const variantOf = (d: Decision) => (d.variant.status === 'determined' ? d.variant.variant : d.variant.status);

function stampOf(response: ReturnType<typeof run>['response']): { code?: string; text?: string } {
  const actions = response.systemActions ?? [];
  if (actions.length !== 1) throw new Error(`expected one rating, got ${actions.length}`);
  const ext = (actions[0]!.resource as ServiceRequest).extension?.find((e) => e.url === RATING_URL);
  return { code: ext?.valueCodeableConcept?.coding?.[0]?.code, text: ext?.valueCodeableConcept?.text };
}

t.test('end to end: V2 patient (recent LP), CT head for seizure: no card, no-criteria-apply', async (t) => {
  const forSeizure = run('v2-post-lp-24h', [SEIZURE]);
  t.equal(variantOf(forSeizure.decision), 2, 'precondition: the fixture is V2');
  t.same(forSeizure.problems, []);
  t.same(forSeizure.response.cards, [], 'no "Imaging not advised … Remove" card');
  t.same(stampOf(forSeizure.response), { code: 'no-criteria-apply', text: 'No ACR criteria apply: outside this ACR topic' });
  t.equal(forSeizure.decision.orders[0]?.outcome, 'outside-topic');

  // Control: the same order for the post-LP headache is still advised against, with the remove suggestion.
  const forHeadache = run('v2-post-lp-24h', [POST_LP]);
  t.equal(forHeadache.response.cards.length, 1);
  t.equal(forHeadache.response.cards[0]?.suggestions?.[0]?.actions?.[0]?.type, 'delete');
  t.equal(stampOf(forHeadache.response).code, 'not-appropriate');
  // And with no reason at all: today's behaviour.
  t.equal(stampOf(run('v2-post-lp-24h').response).code, 'not-appropriate');
});

t.test('end to end: V5 patient, CT head for head injury: no "replace with DSM" card', async (t) => {
  const injury = run('v5-chronic-negative-mri', [HEAD_INJURY]);
  t.equal(variantOf(injury.decision), 5, 'precondition: the fixture is V5');
  t.same(injury.problems, []);
  t.same(injury.response.cards, []);
  t.equal(stampOf(injury.response).code, 'no-criteria-apply');

  const plain = run('v5-chronic-negative-mri');
  t.equal(plain.response.cards.length, 1, 'control: without a reason the head CT gets its V5 card');
});

t.test('an order for another indication raises no pitfall of the work-up', async (t) => {
  const ctm = { coding: [{ system: SNOMED, code: '241589001', display: 'Computed tomography myelogram' }] };
  const spinalStenosis: CodeableConcept = { coding: [{ system: SNOMED, code: '18347007', display: 'Spinal stenosis' }] };
  const other = run('v5-chronic-negative-mri', [spinalStenosis], ctm);
  t.equal(variantOf(other.decision), 5);
  t.notOk(other.decision.pitfalls.includes('non-dynamic-ctm'));
  const same = run('v5-chronic-negative-mri', [ORTHOSTATIC], ctm);
  t.ok(same.decision.pitfalls.includes('non-dynamic-ctm'), 'control: for the headache it does');
});
