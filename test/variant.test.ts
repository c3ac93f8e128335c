import t from 'tap';
import type { FhirResource } from 'fhir/r4.js';
import { extractFacts } from '../src/engine/facts.js';
import { chooseVariant, restsOnText } from '../src/engine/variant.js';
import { VARIANT_PRECEDENCE } from '../src/guideline/precedence.js';
import { THRESHOLDS } from '../src/guideline/thresholds.js';
import type { VariantChoice } from '../src/engine/types.js';
import {
  BLOOD_PATCH,
  CPT,
  FIXTURE_NOW,
  ICD10CM,
  LOINC,
  LUMBAR_PUNCTURE,
  MRI_BRAIN,
  MRI_SPINE,
  ORTHOSTATIC,
  SCT,
  code,
  condition,
  observation,
  procedure,
  recordOf,
  report,
  study,
  text,
} from './fixtures/record.js';

const choose = (...resources: FhirResource[]): VariantChoice =>
  chooseVariant(extractFacts(recordOf(resources), [], FIXTURE_NOW));

const variantOf = (c: VariantChoice): number | string => (c.status === 'determined' ? c.variant : c.status);

const CHRONIC_ORTHO = condition(ORTHOSTATIC, { onsetDateTime: '2026-01-01' });
const BRAIN_NEG = report(MRI_BRAIN, { conclusion: 'Normal brain MRI.' });
const SPINE_NEG = report(MRI_SPINE, { conclusion: 'Unremarkable.' });

// Changed by issue 10 (class 1): obtundation with brain features (V4) now comes before V6 and V2/V3.
t.test('the documented precedence: V4, V6, V2, V3, V5, V1', async (t) => {
  t.same(
    VARIANT_PRECEDENCE.map((r) => r.variant),
    [4, 6, 2, 3, 5, 1],
  );
  t.same(
    VARIANT_PRECEDENCE.map((r) => r.rank),
    [1, 2, 3, 4, 5, 6],
  );
  t.equal(THRESHOLDS['dural-puncture-early']?.value, 72);
  t.equal(THRESHOLDS['dural-puncture-early']?.unit, 'hours');
});

t.test('no SIH suspicion: not applicable', async (t) => {
  t.equal(choose(condition(code(ICD10CM, 'R51.9'))).status, 'not-applicable');
  t.equal(choose().status, 'not-applicable');
});

t.test('V1: new orthostatic headache, nothing else', async (t) => {
  t.equal(variantOf(choose(condition(ORTHOSTATIC, { onsetDateTime: '2026-11-10' }))), 1);
});

t.test('V2 and V3 around the 72-hour mark', async (t) => {
  // The headache began after the puncture (finding B: one that began before it is not V2/V3).
  const ortho = condition(ORTHOSTATIC, { onsetDateTime: '2026-11-24' });
  t.equal(variantOf(choose(ortho, procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-11-23T13:00:00Z' }))), 2, '71 h');
  t.equal(variantOf(choose(ortho, procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-11-23T11:00:00Z' }))), 3, '73 h');
  // A date-only value could be 60 or 84 hours ago: not a silent guess.
  const straddle = choose(ortho, procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-11-23' }));
  t.equal(straddle.status, 'undetermined');
  if (straddle.status === 'undetermined') t.same(straddle.candidates, [2, 3]);
  t.equal(
    variantOf(choose(ortho, procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-10-01' }))),
    1,
    'more than 30 days ago is not recent',
  );
});

t.test('V3 needs the headache to persist beyond 72 hours', async (t) => {
  const lp = procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-11-20T10:00:00Z' });
  // Observations of a post-puncture headache: an Observation of an orthostatic headache would not say when
  // it began (finding B).
  const PDPH = code(SCT, '398987004', 'Headache following lumbar puncture');
  const earlyObservation = observation(PDPH, { effectiveDateTime: '2026-11-21T10:00:00Z' });
  const c = choose(lp, earlyObservation);
  t.equal(c.status, 'undetermined');
  if (c.status === 'undetermined') t.match(c.missing[0], /improved/);
  t.equal(variantOf(choose(lp, observation(PDPH, { effectiveDateTime: '2026-11-25T10:00:00Z' }))), 3);
});

t.test('orthostatic headache + undated spinal intervention: undetermined between V1, V2, V3', async (t) => {
  const c = choose(condition(ORTHOSTATIC, { onsetDateTime: '2026-11-15' }), procedure(LUMBAR_PUNCTURE));
  t.equal(c.status, 'undetermined');
  if (c.status !== 'undetermined') return;
  t.same(c.candidates, [1, 2, 3]);
  t.same(c.missing, ['date of the dural puncture or spinal intervention']);
  t.ok(c.evidence.some((e) => e.fact === 'spinal-intervention'), 'the undated procedure is shown as evidence');
});

t.test('a chronic headache predates a recent puncture: not V2/V3, it stays V5', async (t) => {
  const lp = procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-11-25T10:00:00Z' });
  const c = choose(CHRONIC_ORTHO, BRAIN_NEG, SPINE_NEG, lp);
  t.equal(variantOf(c), 5);
  if (c.status === 'determined') t.match(c.cautions.join(' '), /post-puncture/);
});

t.test('V6: a headache after a patch, within the rebound window', async (t) => {
  const patch = procedure(BLOOD_PATCH, { performedDateTime: '2026-11-20T10:00:00Z' });
  const base = condition(code(ICD10CM, 'G96.811'), { onsetDateTime: '2026-10-01' });
  const rebound = condition(text('Rebound headache, worse lying down'), { onsetDateTime: '2026-11-22' });
  t.equal(variantOf(choose(base, patch, rebound)), 6);
  t.equal(
    variantOf(choose(base, procedure(BLOOD_PATCH, { performedDateTime: '2026-10-20' }), rebound)),
    1,
    'a headache 33 days after the patch is not a rebound',
  );
  const undated = choose(base, procedure(BLOOD_PATCH), condition(code(SCT, '25064002'), { onsetDateTime: '2026-11-22' }));
  t.equal(undated.status, 'undetermined');
  if (undated.status === 'undetermined') {
    t.ok(undated.candidates.includes(6));
    t.match(undated.missing[0], /date of the epidural blood/);
  }
});

t.test('V6 is a rebound (worse lying down), not a recurrence (orthostatic) nor a draft reason (finding A)', async (t) => {
  const patch = procedure(BLOOD_PATCH, { performedDateTime: '2026-11-20T10:00:00Z' });
  const base = condition(code(ICD10CM, 'G96.811'), { onsetDateTime: '2026-10-01' });
  // A draft order's reason is not the headache after the patch.
  const withReason = chooseVariant(extractFacts(recordOf([base, patch]), [{ concept: ORTHOSTATIC, orderId: 'draft' }], FIXTURE_NOW));
  t.not(variantOf(withReason), 6, "a draft order's reason (dated now) is not a headache after the patch");
  // A returning orthostatic headache: the patch failed; not V6, on through the precedence with a caution.
  const recurrence = choose(base, patch, condition(ORTHOSTATIC, { onsetDateTime: '2026-11-22' }));
  t.equal(variantOf(recurrence), 1);
  if (recurrence.status === 'determined') t.match(recurrence.cautions.join(' '), /orthostatic: recurrence rather than rebound/);
  // Coded as intracranial hypertension, or worded as a rebound: V6.
  t.equal(variantOf(choose(base, patch, condition(code(ICD10CM, 'G93.2'), { onsetDateTime: '2026-11-22' }))), 6);
  t.equal(variantOf(choose(base, patch, observation(text('Headache worse when supine'), { effectiveDateTime: '2026-11-23T09:00:00Z' }))), 6);
  // A plain headache after the patch: which kind is it?
  const plain = choose(base, patch, condition(code(SCT, '25064002'), { onsetDateTime: '2026-11-22' }));
  t.equal(plain.status, 'undetermined');
  if (plain.status === 'undetermined') {
    t.same(plain.missing, ['whether the headache after the patch is orthostatic (recurrence) or worse lying down (rebound)']);
    t.ok(plain.candidates.includes(6));
    t.ok(plain.evidence.some((e) => e.fact === 'headache-after-patch' && e.code === '25064002'), 'the headache in question is shown');
  }
  const both = choose(base, patch, condition(ORTHOSTATIC, { onsetDateTime: '2026-11-22' }), condition(text('Rebound headache'), { onsetDateTime: '2026-11-23' }));
  t.equal(both.status, 'undetermined', 'rebound and recurrence both recorded: a conflict');
  if (both.status === 'undetermined') t.equal(both.conflicts.length, 1);
});

t.test('V4 needs obtundation AND brain features', async (t) => {
  const stupor = condition(code(ICD10CM, 'R40.1'), { onsetDateTime: '2026-11-25' });
  const features = report(MRI_BRAIN, { conclusionCode: [code(SCT, '281864001')] });
  const ortho = condition(ORTHOSTATIC);
  t.equal(variantOf(choose(stupor, features, ortho)), 4);
  t.equal(variantOf(choose(stupor, ortho)), 1, 'obtunded, no brain imaging yet: initial imaging');
  const unread = choose(stupor, ortho, study({ procedureCode: [MRI_BRAIN] }));
  t.equal(unread.status, 'undetermined');
  if (unread.status === 'undetermined') t.same(unread.missing, ['a brain MRI report']);
  const gcs = observation(code(LOINC, '9269-2'), { effectiveDateTime: '2026-11-26T08:00:00Z', valueInteger: 9 });
  t.equal(variantOf(choose(gcs, features, ortho)), 4, 'a low GCS counts as obtundation');
});

t.test('V4: only with SIH suspicion, a recent obtundation and a GCS total (finding E)', async (t) => {
  const features = report(MRI_BRAIN, { conclusionCode: [code(SCT, '281864001')] });
  const ortho = condition(ORTHOSTATIC);
  // Deliberately changed: obtundation + a subdural collection (e.g. traumatic) without SIH suspicion.
  t.equal(choose(condition(code(ICD10CM, 'R40.1'), { onsetDateTime: '2026-11-25' }), features).status, 'not-applicable');
  const eye = observation(text('Glasgow coma score eye opening'), { effectiveDateTime: '2026-11-26T08:00:00Z', valueInteger: 4 });
  t.not(variantOf(choose(eye, features, ortho)), 4, 'an eye-opening subscore of 4 is not obtundation');
  const old = choose(condition(code(ICD10CM, 'R40.1'), { onsetDateTime: '2026-10-20' }), features, ortho);
  t.equal(old.status, 'undetermined', 'stupor five weeks ago is not obtundation now');
  if (old.status === 'undetermined') {
    t.same(old.candidates, [4]);
    t.match(old.missing[0], /obtunded now/);
  }
});

t.test('positive initial imaging without obtundation: undetermined, no variant covers localisation (finding D)', async (t) => {
  // Deliberately changed: this was V1 ("initial imaging"), which the patient has already had.
  const c = choose(condition(ORTHOSTATIC), report(MRI_BRAIN, { conclusionCode: [code(SCT, '281864001')] }));
  t.equal(c.status, 'undetermined');
  if (c.status === 'undetermined') {
    t.same(c.candidates, []);
    t.match(c.conflicts.join(' '), /no ACR variant of this topic covers localisation/);
  }
  const spine = choose(CHRONIC_ORTHO, BRAIN_NEG, report(code(CPT, '72148'), { conclusion: 'SLEC from T10 to L2.' }));
  t.equal(spine.status, 'undetermined', 'a spine MRI with an extradural collection, even lumbar only');
  if (spine.status === 'undetermined') t.match(spine.conflicts[0], /extradural CSF collection on spine MRI/);
});

t.test('V5 and the incomplete or unread work-up', async (t) => {
  t.equal(variantOf(choose(CHRONIC_ORTHO, BRAIN_NEG, SPINE_NEG)), 5);
  t.equal(variantOf(choose(CHRONIC_ORTHO, BRAIN_NEG)), 1, 'no spine MRI yet: the initial work-up is incomplete');
  const spineUnread = choose(CHRONIC_ORTHO, BRAIN_NEG, study({ procedureCode: [MRI_SPINE] }));
  t.equal(spineUnread.status, 'undetermined');
  if (spineUnread.status === 'undetermined') {
    t.same(spineUnread.missing, ['a spine MRI report']);
    t.same(spineUnread.candidates, [1, 5]);
  }
  const onsetUnknown = choose(condition(ORTHOSTATIC), BRAIN_NEG, SPINE_NEG);
  t.equal(onsetUnknown.status, 'undetermined');
  if (onsetUnknown.status === 'undetermined') t.match(onsetUnknown.missing[0], /when the headache began/);
  const recent = choose(condition(ORTHOSTATIC, { onsetDateTime: '2026-11-01' }), BRAIN_NEG, SPINE_NEG);
  t.equal(variantOf(recent), 1, 'negative imaging but not yet chronic');
  const conflict = choose(condition(code(SCT, '431237007')), condition(ORTHOSTATIC, { onsetDateTime: '2026-11-01' }), BRAIN_NEG, SPINE_NEG);
  t.equal(conflict.status, 'undetermined');
  if (conflict.status === 'undetermined') t.equal(conflict.conflicts.length, 1);
  // Deliberately changed (finding D): a leak on spine MRI is positive initial imaging, not V1.
  t.equal(choose(CHRONIC_ORTHO, BRAIN_NEG, report(MRI_SPINE, { conclusion: 'CSF leak at T4.' })).status, 'undetermined', 'spine MRI shows a leak: not V5');
});

t.test('V5 needs the whole spine, imaging of this headache, and reports that say negative (finding C)', async (t) => {
  const lumbar = report(code(CPT, '72148'), { conclusion: 'Unremarkable lumbar spine MRI.' });
  const partial = choose(CHRONIC_ORTHO, BRAIN_NEG, lumbar);
  // Changed by issue 10 (class 4): a regional spine MRI leaves the initial work-up incomplete, so this is V1
  // (whose missing study, MRI complete spine, patient-view proposes), no longer "undetermined".
  t.equal(variantOf(partial), 1, 'lumbar-only MRI is not a negative spine work-up: initial imaging');
  if (partial.status === 'determined') t.match(partial.cautions.join(' '), /only part of the spine/);
  const ctl = [code(CPT, '72141'), code(CPT, '72146'), code(CPT, '72148')].map((cc) => report(cc, { conclusion: 'Normal study.' }));
  t.equal(variantOf(choose(CHRONIC_ORTHO, BRAIN_NEG, ...ctl)), 5, 'cervical + thoracic + lumbar');
  const lumbarOnlyNoBrain = choose(CHRONIC_ORTHO, lumbar);
  t.equal(variantOf(lumbarOnlyNoBrain), 1);
  if (lumbarOnlyNoBrain.status === 'determined') t.match(lumbarOnlyNoBrain.cautions.join(' '), /only part of the spine/);
  // A 2019 brain MRI (migraine) does not count for a headache that began in January 2026.
  const oldBrain = report(MRI_BRAIN, { effectiveDateTime: '2019-03-01', conclusion: 'Normal brain MRI.' });
  const old = choose(CHRONIC_ORTHO, oldBrain, SPINE_NEG);
  t.equal(variantOf(old), 1, 'no brain MRI of this headache: initial imaging');
  if (old.status === 'determined') t.match(old.cautions.join(' '), /before the headache began/);
  // Onset unknown (chronic by code): counted, with a caution.
  const unknown = choose(condition(code(SCT, '431237007')), condition(ORTHOSTATIC), BRAIN_NEG, SPINE_NEG);
  t.equal(variantOf(unknown), 5);
  if (unknown.status === 'determined') t.match(unknown.cautions.join(' '), /may predate the headache/);
  // A final report with no conclusion is not negative.
  const silent = choose(CHRONIC_ORTHO, report(MRI_BRAIN, {}), SPINE_NEG);
  t.equal(silent.status, 'undetermined');
  if (silent.status === 'undetermined') t.same(silent.missing, ['a brain MRI report']);
  // An MR angiogram of the head is not the brain MRI.
  t.equal(variantOf(choose(CHRONIC_ORTHO, report(text('MRA head'), { conclusion: 'Normal study.' }), SPINE_NEG)), 1);
});

t.test('text-only evidence is flagged: cautions and restsOnText', async (t) => {
  const c = choose(
    condition(text('orthostatic headache'), { onsetDateTime: '2026-01-01' }),
    report(text('MRI brain'), { conclusion: 'Normal.' }),
    // The whole spine (finding C: a lumbar-only MRI is not a negative spine work-up).
    report(text('MRI complete spine'), { conclusion: 'Normal.' }),
  );
  t.equal(variantOf(c), 5);
  t.ok(restsOnText(c));
  if (c.status === 'determined') t.match(c.cautions.join(' '), /free text/);
  t.notOk(restsOnText(choose(CHRONIC_ORTHO, BRAIN_NEG, SPINE_NEG)), 'coded evidence does not rest on text');
});

t.test('the 72-hour clock runs from the puncture, not from the post-puncture headache', async (t) => {
  // Lumbar puncture 80 h before now; the headache it caused began 70 h before now and is still active.
  const lp = procedure(LUMBAR_PUNCTURE, { status: 'completed', performedDateTime: '2026-11-23T04:00:00Z' });
  const postLp = condition(code(SCT, '398987004', 'Headache following lumbar puncture'), { onsetDateTime: '2026-11-23T14:00:00Z' });
  const choice = choose(lp, postLp);
  t.equal(variantOf(choice), 3, 'beyond 72 h of the puncture: variant 3, although the headache began within 72 h');
  if (choice.status === 'determined') {
    t.ok(choice.evidence.some((e) => e.resourceType === 'Procedure'), 'the procedure is evidence');
    t.ok(choice.evidence.some((e) => e.resourceType === 'Condition'), 'and so is the headache');
  }
  // Without the procedure, the headache's onset is the only date there is.
  t.equal(variantOf(choose(postLp)), 2);
});

t.test('V2/V3 only for a headache that began at or after the puncture (finding B)', async (t) => {
  const lp = procedure(LUMBAR_PUNCTURE, { performedDateTime: '2026-11-24T10:00:00Z' });
  // Headache for five weeks, then an opening-pressure lumbar puncture two days ago.
  const before = choose(condition(ORTHOSTATIC, { onsetDateTime: '2026-10-22' }), lp);
  t.equal(variantOf(before), 1, 'not V2: the puncture did not cause it');
  if (before.status === 'determined') t.match(before.cautions.join(' '), /began before the dural puncture.*may add a post-puncture headache/);
  const plainBefore = choose(condition(code(SCT, '25064002'), { onsetDateTime: '2026-10-22' }), condition(ORTHOSTATIC), lp);
  t.equal(variantOf(plainBefore), 1, 'any recorded headache that predates the puncture');
  const unknown = choose(condition(ORTHOSTATIC), lp);
  t.equal(unknown.status, 'undetermined', 'onset unknown, no post-puncture headache coded');
  if (unknown.status === 'undetermined') {
    t.match(unknown.missing[0], /when the headache began relative to the dural puncture/);
    t.same(unknown.candidates, [1, 2]);
  }
  const observedOnly = choose(observation(ORTHOSTATIC, { effectiveDateTime: '2026-11-25T10:00:00Z' }), lp);
  t.equal(observedOnly.status, 'undetermined', 'an Observation after the puncture does not say when it began');
  t.equal(variantOf(choose(condition(ORTHOSTATIC, { onsetDateTime: '2026-11-24T20:00:00Z' }), lp)), 2, 'began after the puncture');
  t.equal(variantOf(choose(condition(ORTHOSTATIC), condition(code(SCT, '398987004'), { onsetDateTime: '2026-11-25' }), lp)), 2, 'a post-puncture headache is coded');
  const draftOnly = chooseVariant(extractFacts(recordOf([lp]), [{ concept: ORTHOSTATIC, orderId: 'd' }], FIXTURE_NOW));
  t.equal(draftOnly.status, 'undetermined', "a draft order's reason does not date the headache");
  // Kept: a chronic headache skips V2/V3.
  t.equal(variantOf(choose(CHRONIC_ORTHO, BRAIN_NEG, SPINE_NEG, lp)), 5);
});
