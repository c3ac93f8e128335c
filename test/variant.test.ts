import t from 'tap';
import type { FhirResource } from 'fhir/r4.js';
import { extractFacts } from '../src/engine/facts.js';
import { chooseVariant, restsOnText } from '../src/engine/variant.js';
import { VARIANT_PRECEDENCE } from '../src/guideline/precedence.js';
import { THRESHOLDS } from '../src/guideline/thresholds.js';
import type { VariantChoice } from '../src/engine/types.js';
import {
  BLOOD_PATCH,
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

t.test('the documented precedence: V6, V2, V3, V4, V5, V1', async (t) => {
  t.same(
    VARIANT_PRECEDENCE.map((r) => r.variant),
    [6, 2, 3, 4, 5, 1],
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
  const ortho = condition(ORTHOSTATIC, { onsetDateTime: '2026-11-20' });
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
  const earlyObservation = observation(ORTHOSTATIC, { effectiveDateTime: '2026-11-21T10:00:00Z' });
  const c = choose(lp, earlyObservation);
  t.equal(c.status, 'undetermined');
  if (c.status === 'undetermined') t.match(c.missing[0], /improved/);
  t.equal(variantOf(choose(lp, observation(ORTHOSTATIC, { effectiveDateTime: '2026-11-25T10:00:00Z' }))), 3);
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
  t.equal(variantOf(choose(base, patch, condition(code(SCT, '25064002'), { onsetDateTime: '2026-11-22' }))), 6);
  t.equal(
    variantOf(choose(base, procedure(BLOOD_PATCH, { performedDateTime: '2026-10-20' }), condition(code(SCT, '25064002'), { onsetDateTime: '2026-11-22' }))),
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

t.test('V4 needs obtundation AND brain features', async (t) => {
  const stupor = condition(code(ICD10CM, 'R40.1'));
  const features = report(MRI_BRAIN, { conclusionCode: [code(SCT, '281864001')] });
  t.equal(variantOf(choose(stupor, features)), 4);
  t.equal(variantOf(choose(stupor, condition(ORTHOSTATIC))), 1, 'obtunded, no brain imaging yet: initial imaging');
  const unread = choose(stupor, condition(ORTHOSTATIC), study({ procedureCode: [MRI_BRAIN] }));
  t.equal(unread.status, 'undetermined');
  if (unread.status === 'undetermined') t.same(unread.missing, ['a brain MRI report']);
  const gcs = observation(code(LOINC, '9269-2'), { effectiveDateTime: '2026-11-26T08:00:00Z', valueInteger: 9 });
  t.equal(variantOf(choose(gcs, features)), 4, 'a low GCS counts as obtundation');
});

t.test('brain features without obtundation: V1 (no classic-findings variant), documented caution', async (t) => {
  const c = choose(condition(ORTHOSTATIC), report(MRI_BRAIN, { conclusionCode: [code(SCT, '281864001')] }));
  t.equal(variantOf(c), 1);
  if (c.status === 'determined') t.match(c.cautions.join(' '), /where the leak is/);
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
  t.equal(variantOf(choose(CHRONIC_ORTHO, BRAIN_NEG, report(MRI_SPINE, { conclusion: 'CSF leak at T4.' }))), 1, 'spine MRI shows a leak: not V5');
});

t.test('text-only evidence is flagged: cautions and restsOnText', async (t) => {
  const c = choose(
    condition(text('orthostatic headache'), { onsetDateTime: '2026-01-01' }),
    report(text('MRI brain'), { conclusion: 'Normal.' }),
    report(text('MRI lumbar spine'), { conclusion: 'Normal.' }),
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
