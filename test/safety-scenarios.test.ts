/**
 * Issue 10: clinical safety at the edges of the topic. Scenarios in the shapes EHRs really send (multi-coding,
 * ICD-10-CM + SNOMED, text only, onsetPeriod, recordedDate only, clinical/verification status, presentedForm,
 * local codes), grouped by the eight classes. Each expectation was written from the guideline (the ACR
 * table in /work/shared/clinical and src/guideline) before the run.
 *
 * Two invariants are checked on EVERY scenario: an order carrying a red flag is never discouraged (no warning,
 * no delete / replace suggestion, no PAMA not-appropriate), and a record outside the border gets no SIH card.
 */
import t from 'tap';
import type { CodeableConcept, FhirResource, Patient, ServiceRequest } from 'fhir/r4.js';
import { decide } from '../src/engine/decide.js';
import { renderResponse } from '../src/cards/render.js';
import { checkResponse } from '../src/protocol/response-rules.js';
import type { CdsResponse, HookRequest } from '../src/protocol/types.js';
import type { Decision, RatedOrder } from '../src/engine/types.js';
import type { RedFlagId } from '../src/guideline/red-flags.js';
import type { ProcedureId, VariantId } from '../src/guideline/types.js';
import {
  CPT,
  FIXTURE_NOW,
  ICD10,
  ICD10CM,
  LOINC,
  ORTHOSTATIC,
  SCT,
  code,
  condition,
  observation,
  procedure,
  recordOf,
  report,
  serviceRequest,
  text,
} from './fixtures/record.js';

// ---- Harness ----

const RATING_URL = 'http://fhir.org/argonaut/Extension/pama-rating';

interface Draft {
  code: CodeableConcept;
  reason?: CodeableConcept[];
  selected?: boolean;
}

function request(hook: HookRequest['hook'], drafts: Draft[]): HookRequest {
  const entries = drafts.map((d, i) => {
    const resource: ServiceRequest = {
      resourceType: 'ServiceRequest',
      id: `draft-${i + 1}`,
      status: 'draft',
      intent: 'order',
      subject: { reference: 'Patient/t' },
      code: d.code,
      ...(d.reason ? { reasonCode: d.reason } : {}),
    };
    return { resource };
  });
  const selections = drafts.flatMap((d, i) => (d.selected === false ? [] : [`ServiceRequest/draft-${i + 1}`]));
  return {
    hook,
    hookInstance: '00000000-0000-4000-8000-0000000000aa',
    context: {
      patientId: 't',
      ...(hook === 'patient-view' ? {} : { draftOrders: { resourceType: 'Bundle', type: 'collection', entry: entries } }),
      ...(hook === 'order-select' ? { selections } : {}),
    },
  } as HookRequest;
}

interface Run {
  decision: Decision;
  response: CdsResponse;
}

let uuid = 0;
function run(resources: FhirResource[], hook: HookRequest['hook'], drafts: Draft[] = []): Run {
  const decision = decide(request(hook, drafts), recordOf(resources, 't'), { now: FIXTURE_NOW });
  const response = renderResponse(decision, { mirrorSystemActions: true, newUuid: () => `00000000-0000-4000-8000-${String(++uuid).padStart(12, '0')}` });
  const violations = checkResponse(JSON.parse(JSON.stringify(response)));
  if (violations.length > 0) throw new Error(`response breaks CDS Hooks rules: ${violations.join('; ')}`);
  assertInvariants(decision, response);
  return { decision, response };
}

function stampOf(response: CdsResponse, orderId: string): string | undefined {
  const action = (response.systemActions ?? []).find((a) => a.type === 'update' && (a.resource as ServiceRequest).id === orderId);
  const ext = (action?.resource as ServiceRequest | undefined)?.extension?.find((e) => e.url === RATING_URL);
  return ext?.valueCodeableConcept?.coding?.[0]?.code;
}

/** The two invariants of the issue, checked on every scenario. */
function assertInvariants(decision: Decision, response: CdsResponse): void {
  for (const o of decision.orders) {
    if ((o.redFlags ?? []).length === 0) continue;
    const id = o.order.resource.id!;
    if (o.outcome !== 'outside-topic') throw new Error(`red-flag order ${id} is rated (${o.outcome})`);
    if (stampOf(response, id) === 'not-appropriate') throw new Error(`red-flag order ${id} stamped not-appropriate`);
    for (const card of response.cards) {
      if (card.indicator === 'warning') throw new Error(`warning card beside red-flag order ${id}: ${card.summary}`);
      for (const s of card.suggestions ?? []) {
        for (const a of s.actions ?? []) {
          if (a.type === 'delete' && a.resourceId === `ServiceRequest/${id}`) throw new Error(`removal of red-flag order ${id}`);
          if (a.type === 'update' && (a.resource as ServiceRequest).id === id) throw new Error(`replacement of red-flag order ${id}`);
        }
      }
    }
  }
  if (decision.variant.status === 'not-applicable' && response.cards.length > 0) {
    throw new Error(`not-applicable record got ${response.cards.length} card(s)`);
  }
}

const variantOf = (d: Decision): VariantId | 'undetermined' | 'not-applicable' =>
  d.variant.status === 'determined' ? d.variant.variant : d.variant.status;
const flagsOf = (o: RatedOrder | undefined): RedFlagId[] => (o?.redFlags ?? []).map((f) => f.flag);
const procedureOf = (o: RatedOrder | undefined): ProcedureId | undefined =>
  o?.recognition.kind === 'procedure' ? o.recognition.procedure : undefined;

// ---- Building blocks (dates relative to FIXTURE_NOW = 2026-11-26T12:00Z) ----

const CT_HEAD = code(CPT, '70450', 'CT head or brain; without contrast material');
const MRI_HEAD_W = code(CPT, '70552', 'MRI brain; with contrast material(s)');
const MRI_HEAD_WO_W = code(CPT, '70553', 'MRI brain; without contrast, followed by contrast');
const MRI_LUMBAR = code(CPT, '72148', 'MRI lumbar spine without contrast');
const MRI_COMPLETE_SPINE = code(LOINC, '30854-4', 'MR Cervical and thoracic and lumbar spine WO contrast');
const DSM = { coding: [{ system: CPT, code: '62305', display: 'Myelography via lumbar injection; 2 or more regions' }], text: 'DSM myelogram' };
const KNEE_MRI = code(CPT, '73721', 'MRI lower extremity joint; without contrast');
const CHEST_XR = code(CPT, '71046', 'Radiologic examination, chest; 2 views');
const CBC = code(LOINC, '58410-2', 'CBC panel - Blood by Automated count');
const ortho = (onset = '2026-11-20') => condition(ORTHOSTATIC, { onsetDateTime: onset, clinicalStatus: code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active') });
const chronicOrtho = () =>
  condition({ coding: [{ system: ICD10CM, code: 'R51.0' }, { system: SCT, code: '445511002', display: 'Orthostatic headache' }] }, { onsetPeriod: { start: '2026-01-10' } });
const brainNegative = () => report(code(CPT, '70553', 'MRI brain w/wo'), { effectiveDateTime: '2026-03-01', conclusion: 'Normal MRI of the brain.' });
const spineNegative = () => report(MRI_COMPLETE_SPINE, { effectiveDateTime: '2026-03-02', conclusion: 'Unremarkable study. No epidural fluid collection.' });
const lp = (when: string) => procedure(code(SCT, '277762005', 'Lumbar puncture'), { performedDateTime: when });
const pdph = (onset: string) => condition(code(SCT, '398987004', 'Headache following lumbar puncture'), { onsetDateTime: onset });
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

// ======================================================================================================
t.test('class 1: red flags are never discouraged; V4 wins where it covers the picture', async (t) => {
  t.test('CT head for somnolence (ICD-10-CM R40.0 reason) in an orthostatic-headache patient', async (t) => {
    const { decision, response } = run([ortho()], 'order-select', [{ code: CT_HEAD, reason: [code(ICD10CM, 'R40.0', 'Somnolence')] }]);
    const o = decision.orders[0];
    t.equal(o?.outcome, 'outside-topic');
    t.same(flagsOf(o), ['decreased-consciousness']);
    t.equal(stampOf(response, 'draft-1'), 'no-criteria-apply');
    t.equal(response.cards.length, 0);
  });
  t.test('thunderclap headache after a lumbar puncture (text reason), puncture yesterday', async (t) => {
    const { decision, response } = run([lp('2026-11-25T09:00:00Z')], 'order-select', [
      { code: CT_HEAD, reason: [text('Thunderclap headache 1 day after lumbar puncture')] },
    ]);
    t.ok(flagsOf(decision.orders[0]).includes('thunderclap-headache'));
    t.equal(stampOf(response, 'draft-1'), 'no-criteria-apply');
    t.equal(response.cards.length, 0);
  });
  t.test('coma by GCS total 7 (LOINC 9269-2) today, CT head without reason', async (t) => {
    const gcs = observation(code(LOINC, '9269-2', 'Glasgow coma score total'), { effectiveDateTime: '2026-11-26T08:00:00Z', valueQuantity: { value: 7 } });
    const { decision } = run([ortho(), gcs], 'order-select', [{ code: CT_HEAD }]);
    t.same(flagsOf(decision.orders[0]), ['decreased-consciousness']);
  });
  t.test('V4: obtunded with brain features — complete-spine MRI rated 8, a CT head (not in V4) is not discouraged', async (t) => {
    const obtunded = condition(code(SCT, '443371007', 'Decreased level of consciousness'), { recordedDate: '2026-11-25' });
    const brain = report(code(CPT, '70553', 'MRI brain w/wo'), { effectiveDateTime: '2026-11-24', conclusion: 'Diffuse pachymeningeal enhancement and brain sagging.' });
    const { decision, response } = run([ortho('2026-11-10'), obtunded, brain, lp('2026-11-24T10:00:00Z')], 'order-sign', [
      { code: MRI_COMPLETE_SPINE },
      { code: CT_HEAD },
    ]);
    t.equal(variantOf(decision), 4, 'V4 wins over the puncture two days ago (V2)');
    t.equal(decision.orders[0]?.row?.rating, 8);
    t.same(flagsOf(decision.orders[0]), [], 'the covered red flag does not block the study V4 rates');
    t.same(flagsOf(decision.orders[1]), ['decreased-consciousness']);
    t.equal(stampOf(response, 'draft-2'), 'no-criteria-apply');
    t.ok(decision.redFlags?.some((f) => f.flag === 'decreased-consciousness' && f.coveredByVariant));
  });
  t.test('recent seizure (ICD-10-CM R56.9, onset yesterday): MRI head with contrast not rated 2', async (t) => {
    const { decision, response } = run([ortho(), condition(code(ICD10CM, 'R56.9', 'Unspecified convulsions'), { onsetDateTime: '2026-11-25' })], 'order-select', [{ code: MRI_HEAD_W }]);
    t.same(flagsOf(decision.orders[0]), ['seizure']);
    t.equal(response.cards.length, 0);
  });
  t.test('fever (SNOMED, recordedDate only) after a puncture: V2 imaging not advised against', async (t) => {
    const fever = condition(code(SCT, '386661006', 'Fever'), { recordedDate: '2026-11-26' });
    const { decision, response } = run([lp('2026-11-25T08:00:00Z'), pdph('2026-11-25T20:00:00Z'), fever], 'order-select', [{ code: MRI_HEAD_WO_W }]);
    t.equal(variantOf(decision), 2);
    t.same(flagsOf(decision.orders[0]), ['fever-meningism']);
    t.equal(response.cards.length, 0, 'no "imaging not advised" card, no removal');
  });
  t.test('fever by vital sign: body temperature 101.8 [degF] this morning (LOINC 8310-5)', async (t) => {
    const temp = observation(code(LOINC, '8310-5', 'Body temperature'), { effectiveDateTime: '2026-11-26T07:00:00-05:00', valueQuantity: { value: 101.8, unit: '[degF]', code: '[degF]' } });
    const normal = observation(code(LOINC, '8310-5', 'Body temperature'), { effectiveDateTime: '2026-11-26T07:00:00Z', valueQuantity: { value: 36.9, unit: 'Cel', code: 'Cel' } });
    t.same(flagsOf(run([ortho(), temp], 'order-select', [{ code: CT_HEAD }]).decision.orders[0]), ['fever-meningism']);
    t.same(flagsOf(run([ortho(), normal], 'order-select', [{ code: CT_HEAD }]).decision.orders[0]), [], '36.9 °C is no fever');
  });
  t.test('head trauma in the reason text ("fall with head strike")', async (t) => {
    const { decision } = run([ortho()], 'order-select', [{ code: CT_HEAD, reason: [text('Fall with head strike, headache')] }]);
    t.ok(flagsOf(decision.orders[0]).includes('head-trauma'));
  });
  t.test('anticoagulated, new leg weakness after a puncture: spinal haematoma flag', async (t) => {
    const { decision } = run(
      [lp('2026-11-24T08:00:00Z'), pdph('2026-11-24T20:00:00Z'), condition(code(ICD10CM, 'Z79.01'), { recordedDate: '2020-01-01' }), condition(text('New left leg weakness'), { onsetDateTime: '2026-11-26' })],
      'order-select',
      [{ code: MRI_LUMBAR }],
    );
    const flags = flagsOf(decision.orders[0]);
    t.ok(flags.includes('focal-deficit') && flags.includes('anticoagulation-deficit-after-puncture'), flags.join());
  });
  t.test('negated red flags do not count: "orthostatic headache, no fever, no focal deficit"', async (t) => {
    const { decision, response } = run([], 'order-select', [{ code: CT_HEAD, reason: [text('Orthostatic headache, no fever, no focal deficit')] }]);
    t.same(flagsOf(decision.orders[0]), []);
    t.equal(decision.orders[0]?.row?.rating, 1, 'V1 CT head is Usually Not Appropriate (1)');
    t.equal(response.cards[0]?.indicator, 'warning');
  });
  t.test('an old seizure (2019) and a resolved head injury are not recent red flags', async (t) => {
    const { decision } = run(
      [
        ortho(),
        condition(code(ICD10CM, 'R56.9'), { onsetDateTime: '2019-05-01' }),
        condition(code(SCT, '82271004', 'Injury of head'), { onsetDateTime: '2026-11-25', clinicalStatus: code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'resolved') }),
      ],
      'order-select',
      [{ code: CT_HEAD }],
    );
    t.same(flagsOf(decision.orders[0]), []);
    t.equal(decision.orders[0]?.outcome, 'rated');
  });
  t.test('a remove suggestion is never recommended and its caveat names the red flags', async (t) => {
    const { response } = run([lp('2026-11-25T08:00:00Z'), pdph('2026-11-25T20:00:00Z')], 'order-select', [{ code: MRI_HEAD_WO_W }]);
    const card = response.cards[0];
    const remove = card?.suggestions?.find((s) => s.actions?.some((a) => a.type === 'delete'));
    t.ok(remove, 'V2: removal offered');
    t.notOk(remove?.isRecommended);
    t.match(card?.detail ?? '', /decreased consciousness/);
    t.match(card?.detail ?? '', /thunderclap/);
  });
});

// ======================================================================================================
t.test('class 2: CSF disorders outside the topic get no SIH card', async (t) => {
  const shunt = () => condition(code(ICD10CM, 'G97.2', 'Intracranial hypotension following ventricular shunting'), { onsetDateTime: '2026-11-01' });
  t.test('G97.2 shunt over-drainage: its display text does not bring it back in', async (t) => {
    const { decision, response } = run([shunt()], 'order-select', [{ code: CT_HEAD, reason: [code(ICD10CM, 'G97.2', 'Intracranial hypotension following ventricular shunting')] }]);
    t.equal(variantOf(decision), 'not-applicable');
    t.equal(decision.orders[0]?.outcome, 'outside-topic');
    t.equal(response.cards.length, 0);
  });
  t.test('G97.2 in the record, "low pressure headache" text reason: still outside (no in-topic code)', async (t) => {
    const { decision, response } = run([shunt()], 'order-select', [{ code: MRI_HEAD_WO_W, reason: [text('Low pressure headache')] }]);
    t.equal(variantOf(decision), 'not-applicable');
    t.equal(decision.variant.status === 'not-applicable' && decision.variant.because, 'outside-border');
    t.equal(response.cards.length, 0);
  });
  t.test('G96.01 cranial CSF leak (rhinorrhoea), CT cisternogram ordered for it', async (t) => {
    const leak = condition({ coding: [{ system: ICD10CM, code: 'G96.01', display: 'Cranial cerebrospinal fluid leak, spontaneous' }, { system: SCT, code: '230744007', display: 'Cerebrospinal fluid leak' }] }, { onsetDateTime: '2026-10-01' });
    const { decision, response } = run([leak], 'order-select', [{ code: code(LOINC, '24734-6', 'CT Cerebral cisterns W contrast IT'), reason: [text('CSF rhinorrhoea')] }]);
    t.equal(variantOf(decision), 'not-applicable');
    t.equal(response.cards.length, 0, 'the right study for a skull-base leak is not called inappropriate');
  });
  t.test('"Orthostatic hypotension with headache" (text only) is not an orthostatic headache', async (t) => {
    const { decision, response } = run([condition(text('Orthostatic hypotension with headache'), { onsetDateTime: '2026-11-20' })], 'patient-view');
    t.equal(variantOf(decision), 'not-applicable');
    t.equal(response.cards.length, 0);
  });
  t.test('POTS (SNOMED) + text-only "orthostatic headache": outside the border', async (t) => {
    const { decision } = run([condition(code(SCT, '371073003', 'Postural orthostatic tachycardia syndrome'), { recordedDate: '2025-01-01' }), condition(text('orthostatic headache'), { onsetDateTime: '2026-11-20' })], 'patient-view');
    t.equal(variantOf(decision), 'not-applicable');
  });
  t.test('POTS + a CODED orthostatic headache: the code decides, in the topic (V1)', async (t) => {
    const { decision } = run([condition(code(SCT, '371073003'), { recordedDate: '2025-01-01' }), ortho()], 'patient-view');
    t.equal(variantOf(decision), 1);
  });
  t.test('G96.02 spinal CSF leak (international ICD-10 system) is inside the topic', async (t) => {
    const { decision } = run([condition(code(ICD10, 'G96.02', 'Spinal cerebrospinal fluid leak, spontaneous'), { onsetDateTime: '2026-11-01' })], 'patient-view');
    t.equal(variantOf(decision), 1);
  });
  t.test('migraine and IIH reasons: the order is outside the topic, 0 cards', async (t) => {
    for (const reason of [code(ICD10CM, 'G43.909', 'Migraine, unspecified'), text('Idiopathic intracranial hypertension follow-up'), text('Tension-type headache')]) {
      const { decision, response } = run([ortho()], 'order-select', [{ code: MRI_HEAD_W, reason: [reason] }]);
      t.equal(decision.orders[0]?.outcome, 'outside-topic');
      t.equal(response.cards.length, 0);
    }
  });
});

// ======================================================================================================
t.test('class 3: every spinal intervention that can leak CSF', async (t) => {
  const afterIt = (p: FhirResource) => run([p, ortho('2026-11-25T20:00:00Z')], 'order-select', [{ code: MRI_HEAD_WO_W }]).decision;
  t.test('CPT 62323 with its own descriptor: an epidural steroid injection → V2, MRI head w/wo rated 1 (not 9)', async (t) => {
    const esi = procedure(
      code(CPT, '62323', 'Injection(s), of diagnostic or therapeutic substance(s), interlaminar epidural or subarachnoid, lumbar or sacral (caudal); with imaging guidance'),
      { performedDateTime: '2026-11-25T08:00:00Z' },
    );
    const d = afterIt(esi);
    t.equal(variantOf(d), 2);
    t.equal(d.orders[0]?.row?.rating, 1);
  });
  t.test('text only, any word order: "Anesthesia, spinal" (6 days ago) → V3', async (t) => {
    const d = run([procedure(text('Anesthesia, spinal'), { performedDateTime: '2026-11-20T08:00:00Z' }), ortho('2026-11-20T20:00:00Z')], 'order-select', [{ code: MRI_HEAD_WO_W }]).decision;
    t.equal(variantOf(d), 3);
  });
  t.test('SNOMED 18946005 epidural anaesthesia → V2', async (t) => {
    t.equal(variantOf(afterIt(procedure(code(SCT, '18946005', 'Epidural anesthesia'), { performedDateTime: '2026-11-25T08:00:00Z' }))), 2);
  });
  t.test('intrathecal pump (CPT 62362) and a lumbar drain (text) → V2', async (t) => {
    t.equal(variantOf(afterIt(procedure(code(CPT, '62362'), { performedDateTime: '2026-11-25T08:00:00Z' }))), 2);
    t.equal(variantOf(afterIt(procedure(text('External lumbar drain placement'), { performedDateTime: '2026-11-25T08:00:00Z' }))), 2);
  });
  t.test('spinal surgery: laminectomy by CPT 63047 and "ACDF" by text → V2', async (t) => {
    t.equal(variantOf(afterIt(procedure(code(CPT, '63047'), { performedDateTime: '2026-11-25T08:00:00Z' }))), 2);
    t.equal(variantOf(afterIt(procedure(text('C5-6 ACDF'), { performedDateTime: '2026-11-25T08:00:00Z' }))), 2);
  });
  t.test('a knee arthroscopy is not a spinal intervention → V1', async (t) => {
    t.equal(variantOf(afterIt(procedure(code(CPT, '29881', 'Arthroscopy, knee'), { performedDateTime: '2026-11-25T08:00:00Z' }))), 1);
  });
});

// ======================================================================================================
t.test('class 4: an incomplete work-up is V1, with the complete-spine MRI as its next step', async (t) => {
  const lumbarOnly = () => report(MRI_LUMBAR, { effectiveDateTime: '2026-03-02', conclusion: 'Unremarkable lumbar spine MRI.' });
  t.test('negative brain + lumbar-only spine MRI, DSM ordered: rated under V1 (2), not undetermined', async (t) => {
    const { decision } = run([chronicOrtho(), brainNegative(), lumbarOnly()], 'order-select', [{ code: DSM }]);
    t.equal(variantOf(decision), 1);
    t.equal(decision.orders[0]?.row?.rating, 2);
    t.equal(decision.workup?.spinePartial, true);
  });
  t.test('patient-view proposes the missing complete-spine MRI', async (t) => {
    const { decision } = run([chronicOrtho(), brainNegative(), lumbarOnly()], 'patient-view');
    t.same(decision.nextSteps.map((s) => (s.kind === 'order-imaging' ? s.procedures : [])), [['mri-spine-wo']]);
    t.same(decision.workup?.missing, ['mri-spine-wo']);
  });
  t.test('cervical + thoracic + lumbar reports of one day make the complete spine → V5', async (t) => {
    const regions = ['72141', '72146', '72148'].map((c) => report(code(CPT, c), { effectiveDateTime: '2026-03-02', conclusion: 'Normal study.' }));
    t.equal(variantOf(run([chronicOrtho(), brainNegative(), ...regions], 'patient-view').decision), 5);
  });
  t.test('negative brain MRI, no spine MRI: V1, spine missing', async (t) => {
    const { decision } = run([chronicOrtho(), brainNegative()], 'patient-view');
    t.equal(variantOf(decision), 1);
    t.same(decision.workup?.missing, ['mri-spine-wo']);
  });
});

// ======================================================================================================
t.test('class 5: an unanswerable question does not block an answer that does not depend on it', async (t) => {
  const dateOnly = () => [lp('2026-11-23'), pdph('2026-11-23')];
  t.test('puncture dated by day only (V2 or V3): MRI head w/wo rated 1, possible variants named', async (t) => {
    const { decision, response } = run(dateOnly(), 'order-select', [{ code: MRI_HEAD_WO_W }]);
    t.equal(variantOf(decision), 'undetermined');
    const o = decision.orders[0];
    t.equal(o?.outcome, 'rated');
    t.equal(o?.row?.rating, 1);
    t.ok(o?.possibleVariants?.includes(2) && o.possibleVariants.includes(3), String(o?.possibleVariants));
    t.equal(stampOf(response, 'draft-1'), 'not-appropriate');
  });
  t.test('same record, DSM: rated 1 too', async (t) => {
    t.equal(run(dateOnly(), 'order-select', [{ code: DSM }]).decision.orders[0]?.row?.rating, 1);
  });
  t.test('undated puncture (V1, V2 or V3): CT head is 1 in all three, MRI head w/wo is not (9 vs 1)', async (t) => {
    const rec = [procedure(code(SCT, '277762005')), ortho()];
    const { decision } = run(rec, 'order-sign', [{ code: CT_HEAD }, { code: MRI_HEAD_WO_W }]);
    t.equal(variantOf(decision), 'undetermined');
    t.equal(decision.orders[0]?.outcome, 'rated');
    t.equal(decision.orders[0]?.row?.rating, 1);
    t.equal(decision.orders[1]?.outcome, 'undetermined');
  });
});

// ======================================================================================================
t.test('class 6: order-sign looks at the whole basket', async (t) => {
  t.test('never suggests a study already in the basket', async (t) => {
    const { decision, response } = run([ortho()], 'order-sign', [{ code: MRI_HEAD_W }, { code: MRI_HEAD_WO_W }]);
    t.ok(decision.alreadyHave?.some((h) => h.procedure === 'mri-head-wo-w' && h.why === 'in-basket'));
    const codes = response.cards.flatMap((c) => c.suggestions ?? []).flatMap((s) => s.actions ?? []).flatMap((a) => ((a.resource as ServiceRequest | undefined)?.code?.coding ?? []).map((c) => c.code));
    t.notOk(codes.includes('70553'), 'MRI head w/wo is not offered again');
  });
  t.test('no PAMA stamp on a blood count or a chest radiograph; a knee MRI is advanced imaging', async (t) => {
    const { decision, response } = run([ortho()], 'order-sign', [{ code: CBC }, { code: CHEST_XR }, { code: KNEE_MRI }]);
    t.same(decision.orders.map((o) => o.advancedImaging), [false, false, true]);
    t.equal(stampOf(response, 'draft-1'), undefined);
    t.equal(stampOf(response, 'draft-2'), undefined);
    t.equal(stampOf(response, 'draft-3'), 'no-criteria-apply');
    t.equal(response.cards.length, 0, 'irrelevant orders: 0 cards');
  });
  t.test('DSM is fluoroscopy: rated Usually Appropriate in V5 but no PAMA stamp', async (t) => {
    const { decision, response } = run([chronicOrtho(), brainNegative(), spineNegative()], 'order-sign', [{ code: DSM }]);
    t.equal(decision.orders[0]?.category, 'Usually Appropriate');
    t.equal(stampOf(response, 'draft-1'), undefined);
  });
  t.test('an order already in the record is not suggested again', async (t) => {
    const pending = serviceRequest(code(CPT, '70553'), { status: 'active' });
    const { decision } = run([ortho(), pending], 'order-select', [{ code: CT_HEAD }]);
    t.ok(decision.alreadyHave?.some((h) => h.procedure === 'mri-head-wo-w' && h.why === 'ordered'));
  });
  t.test('cervical + thoracic + lumbar MRI orders of one basket: no "does not cover the complete spine"', async (t) => {
    const { decision, response } = run([ortho()], 'order-sign', ['72141', '72146', '72148'].map((c) => ({ code: code(CPT, c) })));
    t.ok(decision.orders.every((o) => o.notes.every((n) => !/complete spine/.test(n))));
    t.notOk(JSON.stringify(response.cards).includes('does not cover the complete spine'));
  });
});

// ======================================================================================================
t.test('class 7: data that is there is read', async (t) => {
  t.test('brain MRI impression only in presentedForm (text/plain, base64) → V5', async (t) => {
    const brain = report(code(CPT, '70553'), {
      effectiveDateTime: '2026-03-01',
      presentedForm: [{ contentType: 'text/plain; charset=utf-8', data: b64('CLINICAL HISTORY: ? CSF leak.\nFINDINGS: No abnormality.\nIMPRESSION: Normal MRI of the brain.') }],
    });
    t.equal(variantOf(run([chronicOrtho(), brain, spineNegative()], 'patient-view').decision), 5);
  });
  t.test('text/html impression naming SIH signs: positive initial imaging (undetermined), not negative', async (t) => {
    const brain = report(code(CPT, '70553'), {
      effectiveDateTime: '2026-11-22',
      presentedForm: [{ contentType: 'text/html', data: b64('<p><b>Findings:</b> see below</p><p><b>Impression:</b> Diffuse pachymeningeal enhancement and brain sagging.</p>') }],
    });
    const d = run([ortho('2026-11-10'), brain], 'patient-view').decision;
    t.equal(variantOf(d), 'undetermined');
    t.equal(d.workup?.brainMri, 'positive');
  });
  t.test('the clinical history of a presentedForm is not its result', async (t) => {
    const spine = report(MRI_COMPLETE_SPINE, {
      effectiveDateTime: '2026-03-02',
      presentedForm: [{ contentType: 'text/plain', data: b64('Clinical history: suspected CSF leak.\nImpression: No CSF leak. Unremarkable study.') }],
    });
    t.equal(variantOf(run([chronicOrtho(), brainNegative(), spine], 'patient-view').decision), 5);
  });
  t.test('a url-only attachment is not fetched: brain MRI result unknown → undetermined', async (t) => {
    const brain = report(code(CPT, '70553'), { effectiveDateTime: '2026-03-01', presentedForm: [{ contentType: 'application/pdf', url: 'Binary/1' }] });
    t.equal(variantOf(run([chronicOrtho(), brain, spineNegative()], 'patient-view').decision), 'undetermined');
  });
  t.test('SPECT radionuclide cisternography (CPT 78647) is the cisternography row: V5 May Be Appropriate (5)', async (t) => {
    const { decision } = run([chronicOrtho(), brainNegative(), spineNegative()], 'order-select', [{ code: code(CPT, '78647', 'CSF flow imaging; tomographic (SPECT)') }]);
    t.equal(procedureOf(decision.orders[0]), 'dtpa-cisternography');
    t.equal(decision.orders[0]?.row?.rating, 5);
  });
  t.test('SPECT cisternogram by text only', async (t) => {
    const { decision } = run([chronicOrtho(), brainNegative(), spineNegative()], 'order-select', [{ code: text('SPECT cisternogram') }]);
    t.equal(procedureOf(decision.orders[0]), 'dtpa-cisternography');
  });
});

// ======================================================================================================
t.test('class 8: every card sentence is true of the record', async (t) => {
  t.test('a dynamic CT myelogram coded per region does not fire the "not dynamic" pitfall', async (t) => {
    const drafts = ['72126', '72129', '72132'].map((c) => ({ code: { coding: [{ system: CPT, code: c }], text: 'Dynamic CT myelogram' } }));
    const { decision, response } = run([chronicOrtho(), brainNegative(), spineNegative()], 'order-sign', drafts);
    t.notOk(decision.pitfalls.includes('non-dynamic-ctm'), decision.pitfalls.join());
    t.notOk(JSON.stringify(response.cards).includes('does not cover the complete spine'));
  });
  t.test('the no-imaging card (V2) never says "consider imaging the whole spine"', async (t) => {
    const { response } = run([lp('2026-11-25T08:00:00Z'), pdph('2026-11-25T20:00:00Z')], 'order-select', [{ code: MRI_LUMBAR }]);
    t.ok(response.cards.length > 0);
    t.notOk(/imaging the whole spine/i.test(JSON.stringify(response.cards)));
  });
  t.test('a child: the stamp says the topic is adult-only, not that the record lacks anything', async (t) => {
    const child: Patient = { resourceType: 'Patient', id: 't', birthDate: '2014-05-01' };
    const { decision, response } = run([child, ortho()], 'order-select', [{ code: CT_HEAD }]);
    t.equal(variantOf(decision), 'not-applicable');
    const action = response.systemActions?.[0]?.resource as ServiceRequest | undefined;
    const textOf = action?.extension?.find((e) => e.url === RATING_URL)?.valueCodeableConcept?.text ?? '';
    t.match(textOf, /adults only/);
    t.notMatch(textOf, /record does not suggest/);
  });
  t.test('the V5 pitfall does not call a contrast brain MRI "non-contrast"', async (t) => {
    const { response } = run([chronicOrtho(), brainNegative(), spineNegative()], 'order-select', [{ code: code(CPT, '62284', 'Injection procedure for myelography'), reason: [ORTHOSTATIC] }]);
    t.notOk(/non-contrast brain MRI/.test(JSON.stringify(response.cards)));
  });
  t.test('an irrelevant order (knee MRI) in an SIH patient: 0 cards', async (t) => {
    t.equal(run([chronicOrtho(), brainNegative(), spineNegative()], 'order-select', [{ code: KNEE_MRI }]).response.cards.length, 0);
  });
});
