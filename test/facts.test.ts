import t from 'tap';
import { extractFacts, sihSuspected } from '../src/engine/facts.js';
import { matchText } from '../src/engine/facts-match.js';
import { THRESHOLDS } from '../src/guideline/thresholds.js';
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
  // Dated within the recency window (7 days before the fixtures' now): see the recency test below.
  const recent = { onsetDateTime: '2026-11-25' };
  t.equal(facts(condition(code(ICD10, 'R40.1'), recent)).decreasedConsciousness.length, 1, 'stupor');
  t.equal(facts(condition(code(ICD10CM, 'R40.2421'), recent)).decreasedConsciousness.length, 1, 'GCS 9-12 with 7th character');
  t.equal(facts(condition(code(ICD10CM, 'R40.2411'), recent)).decreasedConsciousness.length, 0, 'GCS 13-15 does not count');
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
  t.equal(
    facts(observation(code(LOINC, '9269-2'), { effectiveDateTime: '2026-11-26T06:00:00Z', valueInteger: 13 })).decreasedConsciousness.length,
    1,
    'at the threshold counts',
  );
});

t.test('decreased consciousness counts only within the recency window (finding E)', async (t) => {
  t.equal(THRESHOLDS['decreased-consciousness-recent']?.value, 7);
  const old = facts(condition(code(ICD10, 'R40.1'), { onsetDateTime: '2026-11-01' }));
  t.equal(old.decreasedConsciousness.length, 0, 'stupor 25 days ago is not obtundation now');
  t.equal(old.staleConsciousness.length, 1, 'but it is kept, to be named');
  t.equal(facts(condition(code(ICD10, 'R40.1'))).decreasedConsciousness.length, 0, 'undated: not counted');
  t.equal(
    facts(condition(code(ICD10, 'R40.1'), { onsetDateTime: '2026-10-01', recordedDate: '2026-11-24' })).decreasedConsciousness.length,
    1,
    'a Condition is judged by the later of its onset and recorded date',
  );
  const oldGcs = facts(observation(code(LOINC, '9269-2'), { effectiveDateTime: '2026-11-10T08:00:00Z', valueInteger: 8 }));
  t.equal(oldGcs.decreasedConsciousness.length, 0, 'a GCS of 8 sixteen days ago is not obtundation now');
  t.equal(oldGcs.latestGcs?.value, 8);
  t.equal(facts(observation(code(LOINC, '9269-2'), { valueInteger: 8 })).decreasedConsciousness.length, 0, 'undated GCS: not counted');
  const reason = extractFacts(recordOf([]), [code(ICD10, 'R40.1')], FIXTURE_NOW);
  t.equal(reason.decreasedConsciousness.length, 1, "a draft order's reason describes the patient now");
});

t.test('GCS: the total by LOINC 9269-2 only, never a subscore or text (finding E)', async (t) => {
  const at = { effectiveDateTime: '2026-11-26T08:00:00Z' };
  const eye = facts(observation(text('Glasgow coma score eye opening'), { ...at, valueInteger: 4 }));
  t.equal(eye.decreasedConsciousness.length, 0, 'eye-opening subscore 4 by text: not obtundation');
  t.notOk(eye.latestGcs, 'and not a GCS total');
  const eyeCoded = facts(observation(code(LOINC, '9267-6', 'Glasgow coma score eye opening'), { ...at, valueInteger: 2 }));
  t.equal(eyeCoded.decreasedConsciousness.length, 0, 'a coded subscore with a GCS display: not obtundation');
  t.equal(facts(observation(text('GCS total'), { ...at, valueInteger: 6 })).decreasedConsciousness.length, 0, 'a total by text only does not count');
  t.equal(facts(condition(text('Glasgow coma scale 14'), { onsetDateTime: '2026-11-25' })).decreasedConsciousness.length, 0);
  t.equal(facts(condition(text('Comatose since yesterday'), { onsetDateTime: '2026-11-25' })).decreasedConsciousness.length, 1, 'coma itself still counts');
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
  // Deliberately changed (finding C): a lumbar-only MRI is not a negative spine work-up.
  t.equal(linked.spineMri.status, 'partial', 'read through its study, negative, but lumbar only');

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

t.test('only a suspicion of SIH makes the topic apply: brain features with obtundation do not (finding E)', async (t) => {
  const features = report(MRI_BRAIN, { conclusionCode: [code(SCT, '281864001')] });
  t.notOk(sihSuspected(facts(features)));
  // Deliberately changed: a subdural collection in an obtunded patient (e.g. after trauma) is not SIH suspicion.
  t.notOk(sihSuspected(facts(features, condition(code(ICD10CM, 'R40.1'), { onsetDateTime: '2026-11-25' }))));
  t.ok(sihSuspected(facts(features, condition(code(ICD10CM, 'R40.1'), { onsetDateTime: '2026-11-25' }), condition(ORTHOSTATIC))));
});

t.test('fixture facts: the V5 patient', async (t) => {
  const f = extractFacts(fixturePatient('v5-chronic-negative-mri'), [], FIXTURE_NOW);
  t.equal(f.chronic.status, 'chronic');
  t.equal(f.brainMri.status, 'negative');
  t.equal(f.spineMri.status, 'negative');
  t.equal(f.sihSuspicion.length, 1, 'the refuted migraine and nothing else');
});

t.test('negation after the term, inside it, and the "non-" prefix (finding F)', async (t) => {
  const sih = (s: string) => facts(condition(text(s))).sihSuspicion.length;
  t.equal(sih('Headache, not orthostatic'), 0, 'a cue inside the matched words');
  t.equal(sih('Non-orthostatic headache'), 0, '"non-" prefix');
  t.equal(sih('non orthostatic headache'), 0, '"non " prefix');
  t.equal(sih('h/o SIH ruled out'), 0, '"ruled out" after the term');
  t.equal(sih('Intracranial hypotension was excluded'), 0, '"excluded" after the term, with an auxiliary');
  t.equal(sih('CSF leak not confirmed'), 0, '"not confirmed" after the term');
  t.equal(sih('Orthostatic headache, not relieved by analgesics'), 1, 'a "not" after the term about something else');
  t.equal(sih('Orthostatic headache, CSF leak ruled out'), 1, 'a cue about the next term does not negate this one');
  t.equal(sih('Orthostatic headache since May'), 1);
  // "cannot be excluded" keeps the finding (it is equivocal, not negative).
  const leak = facts(report(MRI_SPINE, { conclusion: 'Ventral epidural fluid collection cannot be excluded.' }));
  t.equal(leak.spineMri.status, 'positive');
  t.equal(matchText('Pachymeningeal enhancement has resolved.', 'sih-brain-features'), undefined);
  t.equal(matchText('Brain sagging is not seen.', 'sih-brain-features'), undefined);
});

t.test('bare "SIH" and "LP" are not enough (finding F)', async (t) => {
  const sih = (s: string) => facts(condition(text(s))).sihSuspicion.length;
  t.equal(sih('SIH'), 0, 'the bare acronym (also stress-induced hyperglycaemia, self-inflicted harm)');
  t.equal(sih('Stress-induced hyperglycemia (SIH)'), 0);
  t.equal(sih('Suspected SIH'), 1, 'in a clinical phrase');
  t.equal(sih('? SIH'), 1);
  t.equal(sih('r/o SIH'), 1, 'rule out = suspected, on an order');
  const lp = (s: string) => facts(procedure(text(s), { performedDateTime: '2026-11-25' })).spinalInterventions.length;
  t.equal(lp('LP'), 1, 'a procedure named just "LP"');
  t.equal(lp('Diagnostic LP'), 1);
  t.equal(lp('LP with opening pressure'), 1);
  t.equal(lp('s/p LP'), 1);
  t.equal(lp('Lp(a) measurement'), 0, 'lipoprotein(a)');
  t.equal(lp('Review by LP nurse'), 0, 'LP as a person');
  t.equal(lp('lp'), 0, 'lowercase is not the abbreviation');
});

t.test('a negative study must say so; no conclusion or unknown findings is "result unknown" (finding C)', async (t) => {
  t.equal(facts(report(MRI_BRAIN, {})).brainMri.status, 'done-unknown', 'final report, no conclusion, no codes');
  t.equal(facts(report(MRI_BRAIN, { conclusion: 'Small pineal cyst.' })).brainMri.status, 'done-unknown', 'a finding we do not recognise');
  t.equal(facts(report(MRI_BRAIN, { conclusion: 'Normal ventricles. Chiari I malformation.' })).brainMri.status, 'done-unknown', '"normal" about one structure');
  t.equal(facts(report(MRI_BRAIN, { conclusion: 'Not normal.' })).brainMri.status, 'done-unknown');
  for (const c of ['Normal study.', 'Unremarkable MRI of the brain.', 'No acute intracranial abnormality.', 'No evidence of intracranial hypotension.', 'Small pineal cyst, otherwise unremarkable.', 'The brain is normal.']) {
    t.equal(facts(report(MRI_BRAIN, { conclusion: c })).brainMri.status, 'negative', c);
  }
  t.equal(facts(report(MRI_SPINE, {})).spineMri.status, 'done-unknown', 'complete-spine report without a conclusion');
  t.equal(facts(report(MRI_SPINE, { conclusion: 'Mild degenerative change.' })).spineMri.status, 'done-unknown');
  t.equal(facts(report(MRI_SPINE, { conclusion: 'Unremarkable.' })).spineMri.status, 'negative');
  const mixed = facts(report(MRI_BRAIN, { conclusion: 'Normal study apart from mild diffuse pachymeningeal thickening.' }));
  t.equal(mixed.brainMri.status, 'positive', 'an SIH feature wins over "normal"');
});

t.test('more SIH feature terms on brain and spine MRI (finding C)', async (t) => {
  for (const c of [
    'Smooth pachymeningeal thickening.',
    'Engorged venous sinuses.',
    'Positive venous distension sign.',
    'Tonsillar ectopia of 6 mm.',
    'Descent of the cerebellar tonsils.',
    'Brain sag.',
    'Bilateral subdural hygromas.',
    'Pituitary enlargement.',
    'Enlarged pituitary gland.',
    'Findings consistent with SIH.',
  ]) {
    const f = facts(report(MRI_BRAIN, { conclusion: c }));
    t.equal(f.brainMri.status, 'positive', c);
    t.equal(f.brainFeatures[0]?.textMatch, true, `${c}: flagged text`);
    t.notMatch(JSON.stringify(f), new RegExp(c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), `${c}: not copied into the facts`);
  }
  for (const c of ['SLEC from C7 to T10.', 'Spinal longitudinal extradural CSF collection.', 'Dorsal epidural fluid at T2.', 'Extradural collection ventral to the cord.']) {
    t.equal(facts(report(MRI_SPINE, { conclusion: c })).spineMri.status, 'positive', c);
  }
  const tonsils = facts(report(MRI_SPINE, { conclusion: 'No extradural collection. Low-lying cerebellar tonsils.' }));
  t.not(tonsils.spineMri.status, 'negative', 'a brain sign of SIH on a spine study: not negative');
  t.equal(tonsils.brainFeatures.length, 1, 'and it is a feature');
});

t.test('spine MRI must cover the whole spine to be a negative work-up (finding C)', async (t) => {
  const lumbar = facts(report(code(CPT, '72148'), { conclusion: 'Unremarkable MRI of the lumbar spine.' }));
  t.equal(lumbar.spineMri.status, 'partial', 'lumbar only');
  const unsaid = facts(report(code(SCT, '241645008'), { conclusion: 'Normal spine.' }));
  t.equal(unsaid.spineMri.status, 'partial', 'a spine MRI that does not say its regions');
  const ctl = facts(
    report(code(CPT, '72141'), { conclusion: 'Normal study.' }),
    report(code(CPT, '72146'), { conclusion: 'Normal study.' }),
    report(code(CPT, '72148'), { conclusion: 'Normal study.' }),
  );
  t.equal(ctl.spineMri.status, 'negative', 'cervical AND thoracic AND lumbar');
  t.equal(facts(report(text('MRI whole spine'), { conclusion: 'Normal study.' })).spineMri.status, 'negative', 'by text');
  const pending = facts(report(code(CPT, '72148'), { conclusion: 'Normal study.' }), study({ procedureCode: [MRI_SPINE] }));
  t.equal(pending.spineMri.status, 'done-unknown', 'a complete-spine study without its report could still complete it');
});

t.test('MR angiography / venography is not a brain MRI (finding C)', async (t) => {
  t.equal(facts(report(text('MR angiography of the head'), { conclusion: 'Normal study.' })).brainMri.status, 'none');
  t.equal(facts(report(text('MRA head without contrast'), { conclusion: 'Normal study.' })).brainMri.status, 'none');
  t.equal(facts(report(text('MRV brain'), { conclusion: 'Normal study.' })).brainMri.status, 'none');
  const mra = study({ description: 'MR angiography head', series: [{ uid: '1', modality: { code: 'MR' }, bodySite: { display: 'Head' } }] });
  t.equal(facts(mra).brainMri.status, 'none', 'an MR study of the head described as angiography');
  const headStudy = study({ series: [{ uid: '2', modality: { code: 'MR' }, bodySite: { display: 'Head' } }] });
  const mraReport = report(text('MRA circle of Willis'), { imagingStudy: [{ reference: `ImagingStudy/${headStudy.id}` }], conclusion: 'Normal study.' });
  t.equal(facts(headStudy, mraReport).brainMri.status, 'done-unknown', 'an MRA report does not read an MR head study as negative');
  t.equal(facts(report(text('MRI brain'), { conclusion: 'Normal study.' })).brainMri.status, 'negative');
});

t.test('only imaging of this headache counts: not a study from before its onset (finding C)', async (t) => {
  const old = report(MRI_BRAIN, { effectiveDateTime: '2019-03-01', conclusion: 'Normal study.' });
  const f = facts(condition(ORTHOSTATIC, { onsetDateTime: '2026-01-10' }), old);
  t.equal(f.brainMri.status, 'none', 'a 2019 MRI (for migraine) is not part of a 2026 work-up');
  t.equal(f.imagingNotCounted.length, 1);
  t.notOk(f.imagingDatingUncertain);
  const oldFeatures = facts(condition(ORTHOSTATIC, { onsetDateTime: '2026-01-10' }), report(MRI_BRAIN, { effectiveDateTime: '2019-03-01', conclusion: 'Subdural hygroma.' }));
  t.equal(oldFeatures.brainFeatures.length, 0, 'nor its findings');
  const sameDay = facts(condition(ORTHOSTATIC, { onsetDateTime: '2026-01-10' }), report(MRI_BRAIN, { effectiveDateTime: '2026-01-10T15:00:00Z', conclusion: 'Normal study.' }));
  t.equal(sameDay.brainMri.status, 'negative', 'on the day of onset counts');
  const unknownOnset = facts(condition(ORTHOSTATIC), old);
  t.equal(unknownOnset.brainMri.status, 'negative', 'onset unknown: counted');
  t.ok(unknownOnset.imagingDatingUncertain, 'with a caution');
  const chronicOnset = facts(condition(code(SCT, '431237007'), { onsetDateTime: '2025-06-01' }), condition(ORTHOSTATIC), old);
  t.equal(chronicOnset.brainMri.status, 'none', "the chronic headache's onset dates the work-up when the SIH record has none");
  const myelo = facts(condition(ORTHOSTATIC, { onsetDateTime: '2026-01-10' }), report(code(CPT, '62305'), { effectiveDateTime: '2020-05-01', conclusion: 'No CSF leak.' }));
  t.equal(myelo.myelography.done, false, 'an old myelogram is not this work-up');
  t.equal(myelo.spinalInterventions.length, 1, 'but it was a dural puncture');
});

t.test('recorded headaches carry their character; draft reasons are not recorded headaches (finding A)', async (t) => {
  const f = extractFacts(
    recordOf([
      condition(text('Rebound headache, worse lying down'), { onsetDateTime: '2026-11-22' }),
      condition(ORTHOSTATIC, { onsetDateTime: '2026-11-22' }),
      condition(code(SCT, '25064002'), { onsetDateTime: '2026-11-22' }),
      condition(code(ICD10CM, 'G93.2'), { onsetDateTime: '2026-11-22' }),
      condition(text('Headache worse lying down, better sitting up'), { onsetDateTime: '2026-11-22' }),
    ]),
    [{ concept: ORTHOSTATIC, orderId: 'draft-1' }],
    FIXTURE_NOW,
  );
  t.same(f.headache.map((h) => h.character), ['rebound', 'orthostatic', 'unspecified', 'rebound', 'rebound']);
  t.notOk(f.headache.some((h) => h.evidence.resourceType === 'ServiceRequest'), "a draft order's reason is not a recorded headache");
  t.ok(f.sihSuspicion.some((d) => d.evidence.resourceType === 'ServiceRequest'), 'it still says SIH is suspected');
  t.equal(f.sihSuspicion.filter((d) => d.evidence.resourceType === 'Condition').length, 1, '"worse lying down, better sitting up" is not orthostatic');
  t.equal(facts(condition(text('Analgesic rebound headache'), { onsetDateTime: '2026-11-22' })).headache[0]?.character, 'unspecified', 'medication overuse');
});

t.test('explicit denials of SIH signs are negative reports; posture wording both ways (findings A, C)', async (t) => {
  t.equal(facts(report(MRI_SPINE, { conclusion: 'No spinal longitudinal extradural CSF collection.' })).spineMri.status, 'negative');
  t.equal(facts(report(MRI_SPINE, { conclusion: 'No epidural fluid collection.' })).spineMri.status, 'negative');
  t.equal(facts(report(MRI_BRAIN, { conclusion: 'No pachymeningeal enhancement, no brain sagging.' })).brainMri.status, 'negative');
  const sih = (s: string) => facts(condition(text(s))).sihSuspicion.length;
  t.equal(sih('Headache worse in the upright position'), 1);
  t.equal(sih('Headache worse with standing'), 1);
  t.equal(facts(condition(text('Headache worse in the supine position'))).headache[0]?.character, 'rebound');
});
