import t from 'tap';
import { extractFacts, sihSuspected } from '../src/engine/facts.js';
import {
  BLOOD_PATCH,
  CPT,
  FIXTURE_NOW,
  ICD10,
  ICD10CM,
  LOINC,
  LUMBAR_PUNCTURE,
  MRI_BRAIN,
  MRI_SPINE,
  ORTHOSTATIC,
  SCT,
  code,
  condition,
  fixturePatient,
  observation,
  procedure,
  recordOf,
  report,
  study,
  text,
} from './fixtures/record.js';

const facts = (...resources: Parameters<typeof recordOf>[0]) => extractFacts(recordOf(resources), [], FIXTURE_NOW);

t.test('SIH suspicion is recognised in each code system', async (t) => {
  const cases: Array<[string, ReturnType<typeof code>]> = [
    ['SNOMED orthostatic headache', code(SCT, '445511002')],
    ['SNOMED CSF leak', code(SCT, '230744007')],
    ['ICD-10-CM spontaneous intracranial hypotension (child of G96.81)', code(ICD10CM, 'G96.811')],
    ['international ICD-10 system (Argonaut PAMA guide)', code(ICD10, 'G96.02')],
    ['ICD code without its dot', code(ICD10CM, 'G96811')],
    ['ICD-10-CM orthostatic headache', code(ICD10CM, 'R51.0')],
  ];
  for (const [name, concept] of cases) {
    const f = facts(condition(concept));
    t.equal(f.sihSuspicion.length, 1, name);
    t.notOk(f.sihSuspicion[0]?.evidence.textMatch, `${name}: a code match, not text`);
  }
  t.equal(facts(condition(code(ICD10CM, 'R51.9'))).sihSuspicion.length, 0, 'plain headache is not SIH suspicion');
  t.equal(facts(condition(code(ICD10CM, 'G96.1'))).sihSuspicion.length, 0, 'a sibling ICD code does not match');
});

t.test('text-only codings match as flagged evidence carrying our term, never the patient text', async (t) => {
  const f = facts(condition(text('Orthostatic headache since the fall at Mrs Smith house')));
  t.equal(f.sihSuspicion.length, 1);
  const ev = f.sihSuspicion[0]!.evidence;
  t.equal(ev.textMatch, true);
  t.equal(ev.display, 'orthostatic headache');
  t.notMatch(JSON.stringify(f), /Smith/, 'no patient free text anywhere in the facts');
});

t.test('negated text does not match', async (t) => {
  t.equal(facts(condition(text('No orthostatic headache'))).sihSuspicion.length, 0);
  const neg = facts(
    report(MRI_BRAIN, { conclusion: 'No pachymeningeal enhancement, no brain sagging. Normal study.' }),
  );
  t.equal(neg.brainMri.status, 'negative');
  t.equal(neg.brainFeatures.length, 0);
  const pos = facts(report(MRI_BRAIN, { conclusion: 'Normal ventricles. Diffuse pachymeningeal enhancement.' }));
  t.equal(pos.brainMri.status, 'positive', 'a negation in another sentence does not hide the finding');
  t.equal(pos.brainFeatures[0]?.textMatch, true);
});

t.test('records that do not count are ignored', async (t) => {
  const f = facts(
    condition(ORTHOSTATIC, { verificationStatus: code('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'refuted') }),
    condition(ORTHOSTATIC, { verificationStatus: code('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'entered-in-error') }),
    condition(ORTHOSTATIC, { clinicalStatus: code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'resolved') }),
    condition(ORTHOSTATIC, { clinicalStatus: code('http://terminology.hl7.org/CodeSystem/condition-clinical', 'inactive') }),
    observation(code(LOINC, '9269-2'), { status: 'entered-in-error', valueInteger: 6 }),
    observation(ORTHOSTATIC, { status: 'cancelled' }),
    procedure(LUMBAR_PUNCTURE, { status: 'not-done', performedDateTime: '2026-11-25' }),
    procedure(LUMBAR_PUNCTURE, { status: 'entered-in-error', performedDateTime: '2026-11-25' }),
    study({ status: 'cancelled', procedureCode: [MRI_BRAIN] }),
    study({ status: 'entered-in-error', procedureCode: [MRI_SPINE] }),
    report(MRI_BRAIN, { status: 'entered-in-error', conclusion: 'Brain sagging.' }),
    report(MRI_BRAIN, { status: 'cancelled', conclusion: 'Brain sagging.' }),
  );
  t.equal(f.sihSuspicion.length, 0);
  t.equal(f.decreasedConsciousness.length, 0);
  t.equal(f.spinalInterventions.length, 0);
  t.equal(f.brainMri.status, 'none');
  t.equal(f.spineMri.status, 'none');
  t.equal(f.brainFeatures.length, 0);
  t.notOk(f.latestGcs);
});

t.test('chronic headache: coded, by onset, by recordedDate (flagged), or unknown', async (t) => {
  const coded = facts(condition(code(SCT, '431237007')), condition(ORTHOSTATIC));
  t.equal(coded.chronic.status, 'chronic');
  t.equal(coded.chronic.coded, true);

  const byOnset = facts(condition(ORTHOSTATIC, { onsetDateTime: '2026-05-01' }));
  t.equal(byOnset.chronic.status, 'chronic');
  t.equal(byOnset.chronic.coded, false);

  const byPeriod = facts(condition(ORTHOSTATIC, { onsetPeriod: { start: '2026-11-01' } }));
  t.equal(byPeriod.chronic.status, 'not-chronic', 'onsetPeriod.start less than 3 months ago');

  const byRecorded = facts(condition(ORTHOSTATIC, { recordedDate: '2026-01-10' }));
  t.equal(byRecorded.chronic.status, 'chronic');
  t.equal(byRecorded.chronic.fromRecordedDate, true);

  const recentRecorded = facts(condition(ORTHOSTATIC, { recordedDate: '2026-11-20' }));
  t.equal(recentRecorded.chronic.status, 'unknown', 'a recent recordedDate cannot prove a recent onset');

  t.equal(facts(condition(ORTHOSTATIC)).chronic.status, 'unknown', 'no dates at all');

  const conflict = facts(condition(code(SCT, '431237007')), condition(ORTHOSTATIC, { onsetDateTime: '2026-11-01' }));
  t.equal(conflict.chronic.status, 'chronic');
  t.match(conflict.chronic.conflict, /less than 3 months/);
});

t.test('spinal interventions and their dates', async (t) => {
  const f = facts(
    procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-11-25T10:00:00Z' }),
    procedure(code(CPT, '62270'), { performedPeriod: { start: '2026-11-20T10:00:00Z' } }),
    procedure(text('Spinal anaesthesia for knee surgery')),
    condition(code(SCT, '398987004'), { onsetDateTime: '2026-11-24' }),
    procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-12-20' }),
  );
  t.equal(f.spinalInterventions.length, 4, 'the future-dated procedure has not happened yet');
  t.same(
    f.spinalInterventions.map((d) => d.when?.iso ?? null).sort(),
    ['2026-11-20T10:00:00Z', '2026-11-24', '2026-11-25T10:00:00Z', null].sort(),
  );
  t.ok(f.sihSuspicion.some((d) => d.evidence.code === '398987004'), 'a post-puncture headache makes SIH suspected');
  t.equal(f.spinalInterventions.find((d) => !d.when)?.evidence.textMatch, true);
});

t.test('a blood patch is a patch, not a new puncture', async (t) => {
  const f = facts(procedure(BLOOD_PATCH, { performedDateTime: '2026-11-20' }), procedure(text('Epidural blood patch at L2')));
  t.equal(f.patches.length, 2);
  t.equal(f.spinalInterventions.length, 0);
});

t.test('decreased consciousness: codes, and the LATEST GCS against the threshold', async (t) => {
  t.equal(facts(condition(code(ICD10, 'R40.1'))).decreasedConsciousness.length, 1, 'stupor');
  t.equal(facts(condition(code(ICD10CM, 'R40.2421'))).decreasedConsciousness.length, 1, 'GCS 9-12 with 7th character');
  t.equal(facts(condition(code(ICD10CM, 'R40.2411'))).decreasedConsciousness.length, 0, 'GCS 13-15 does not count');
  const low = facts(
    observation(code(LOINC, '9269-2'), { effectiveDateTime: '2026-11-25T08:00:00Z', valueInteger: 15 }),
    observation(code(LOINC, '9269-2'), { effectiveDateTime: '2026-11-26T08:00:00Z', valueQuantity: { value: 12 } }),
  );
  t.equal(low.latestGcs?.value, 12);
  t.equal(low.decreasedConsciousness.length, 1);
  const recovered = facts(
    observation(code(LOINC, '9269-2'), { effectiveDateTime: '2026-11-25T08:00:00Z', valueInteger: 8 }),
    observation(code(LOINC, '9269-2'), { effectiveDateTime: '2026-11-26T08:00:00Z', valueInteger: 15 }),
  );
  t.equal(recovered.decreasedConsciousness.length, 0, 'an older low GCS does not count once a later one is normal');
  t.equal(facts(observation(code(LOINC, '9269-2'), { valueInteger: 13 })).decreasedConsciousness.length, 1, 'at the threshold counts');
});

t.test('brain features from coded conclusions, Observations and the Bern score', async (t) => {
  const coded = facts(report(MRI_BRAIN, { conclusionCode: [code(SCT, '304831001')] }));
  t.equal(coded.brainMri.status, 'positive');
  t.equal(coded.brainFeatures[0]?.code, '304831001');
  t.notOk(coded.brainFeatures[0]?.textMatch);

  t.equal(facts(observation(text('Bern SIH score'), { valueInteger: 5 })).brainFeatures.length, 1);
  t.equal(facts(observation(text('Bern SIH score'), { valueInteger: 2 })).brainFeatures.length, 0, 'low probability');
  t.equal(facts(observation(text('Pachymeningeal enhancement'), { valueBoolean: false })).brainFeatures.length, 0);
  t.equal(facts(observation(text('Pachymeningeal enhancement'), { valueBoolean: true })).brainFeatures.length, 1);
});

t.test('imaging: negative needs a final report; a study without one is done, result unknown', async (t) => {
  const onlyStudy = facts(study({ procedureCode: [MRI_BRAIN] }));
  t.equal(onlyStudy.brainMri.status, 'done-unknown');
  const prelim = facts(report(MRI_BRAIN, { status: 'preliminary', conclusion: 'Normal.' }));
  t.equal(prelim.brainMri.status, 'done-unknown');
  const registered = facts(study({ status: 'registered', procedureCode: [MRI_SPINE] }));
  t.equal(registered.spineMri.status, 'in-progress');

  // An MR study with only series modality and body site; its report has a generic code and names the study.
  const s = study({ series: [{ uid: '1', modality: { code: 'MR' }, bodySite: { display: 'Lumbar spine' } }] });
  const linked = facts(s, report(text('Imaging report'), { imagingStudy: [{ reference: `ImagingStudy/${s.id}` }], conclusion: 'Unremarkable.' }));
  t.equal(linked.spineMri.status, 'negative');

  const leak = facts(report(MRI_SPINE, { conclusion: 'Ventral epidural fluid collection from C7 to T10.' }));
  t.equal(leak.spineMri.status, 'positive');

  const mrMyelo = facts(study({ procedureCode: [code(SCT, '713206003')] }));
  t.equal(mrMyelo.myelography.done, false, 'MR myelography is not an invasive myelogram');
  t.equal(mrMyelo.spinalInterventions.length, 0);
});

t.test('myelography result from coded conclusion or text', async (t) => {
  const myelo = code(CPT, '62305');
  const result = (r: Parameters<typeof report>[1]) => facts(report(myelo, { effectiveDateTime: '2026-11-01', ...r })).myelography;
  t.equal(result({ conclusionCode: [code(SCT, '230744007')] }).result, 'positive');
  t.equal(result({ conclusion: 'CSF-venous fistula at right T6.' }).result, 'positive');
  t.equal(result({ conclusion: 'Possible CSF leak at left T4 nerve root diverticulum.' }).result, 'indeterminate');
  t.equal(result({ conclusion: 'No CSF leak identified.' }).result, 'negative');
  t.equal(result({ status: 'preliminary', conclusion: 'No CSF leak identified.' }).result, 'unknown');
  const m = result({ conclusion: 'No CSF leak identified.' });
  t.equal(m.done, true);
  t.equal(m.when?.iso, '2026-11-01');
  const f = facts(report(myelo, { effectiveDateTime: '2026-11-01', conclusion: 'Negative.' }));
  t.equal(f.spinalInterventions.length, 1, 'a myelogram is a dural puncture');
});

t.test('draft order reasons are evidence of the indication', async (t) => {
  const f = extractFacts(recordOf([]), [{ concept: ORTHOSTATIC, orderId: 'draft-1' }, code(ICD10, 'G96.811')], FIXTURE_NOW);
  t.equal(f.sihSuspicion.length, 2);
  t.same(
    f.sihSuspicion.map((d) => [d.evidence.resourceType, d.evidence.id ?? null]),
    [
      ['ServiceRequest', 'draft-1'],
      ['ServiceRequest', null],
    ],
  );
  t.notOk(f.sihSuspicion[0]!.evidence.date, 'a reason has no date of its own');
  t.ok(sihSuspected(f));
});

t.test('brain features alone do not make the topic apply; with obtundation they do', async (t) => {
  const features = report(MRI_BRAIN, { conclusionCode: [code(SCT, '281864001')] });
  t.notOk(sihSuspected(facts(features)));
  t.ok(sihSuspected(facts(features, condition(code(ICD10CM, 'R40.1')))));
});

t.test('fixture facts: the V5 patient', async (t) => {
  const f = extractFacts(fixturePatient('v5-chronic-negative-mri'), [], FIXTURE_NOW);
  t.equal(f.chronic.status, 'chronic');
  t.equal(f.brainMri.status, 'negative');
  t.equal(f.spineMri.status, 'negative');
  t.equal(f.sihSuspicion.length, 1, 'the refuted migraine and nothing else');
});
