/**
 * Missing data is said, not guessed: answers that rest on something NOT being in the record become
 * undetermined when that part of the record could not be read; answers on positive evidence keep their
 * variant with a caution; children are outside the (adult) topic.
 */
import t from 'tap';
import type { DataGap, PatientRecord } from '../src/fhir/record.js';
import { decide } from '../src/engine/decide.js';
import { ageInYears } from '../src/engine/data-sufficiency.js';
import { FIXTURE_NOW, fixturePatient, fixtureRequest } from './fixtures/record.js';

function withGaps(record: PatientRecord, gaps: DataGap[]): PatientRecord {
  const out: PatientRecord = { ...record, gaps, resources: { ...record.resources } };
  for (const g of gaps) if (g.resourceType !== 'Patient') (out.resources as any)[g.resourceType] = [];
  return out;
}

const view = fixtureRequest('patient-view-v5');
const run = (record: PatientRecord) => decide({ ...view, context: { ...view.context, patientId: record.patientId } }, record, { now: FIXTURE_NOW });

t.test('no gaps: the fixtures decide as before', async (t) => {
  t.match(run(fixturePatient('v1-new-orthostatic')).variant, { status: 'determined', variant: 1 });
  t.match(run(fixturePatient('v5-chronic-negative-mri')).variant, { status: 'determined', variant: 5 });
  t.match(run(fixturePatient('not-applicable-migraine')).variant, { status: 'not-applicable' });
});

t.test('variant 1 with unread imaging reports is undetermined between 1 and 5', async (t) => {
  const d = run(withGaps(fixturePatient('v1-new-orthostatic'), [{ resourceType: 'DiagnosticReport', reason: 'timeout' }]));
  t.equal(d.variant.status, 'undetermined');
  if (d.variant.status !== 'undetermined') return;
  t.same(d.variant.candidates, [1, 5]);
  t.match(d.variant.missing.join(' '), /imaging reports \(the FHIR server was too slow\)/);
  t.same(d.nextSteps, [], 'no next step suggested on an undetermined variant');
});

t.test('nothing suggests SIH, but the conditions were not read: undetermined, not "not applicable"', async (t) => {
  const d = run(withGaps(fixturePatient('not-applicable-migraine'), [{ resourceType: 'Condition', reason: 'fetch-failed' }]));
  t.equal(d.variant.status, 'undetermined');
  if (d.variant.status === 'undetermined') t.match(d.variant.missing[0], /conditions \(the FHIR server failed\)/);
});

t.test('variant 5 rests on positive evidence: kept, with a caution naming what was not read', async (t) => {
  const d = run(withGaps(fixturePatient('v5-chronic-negative-mri'), [{ resourceType: 'Procedure', reason: 'not-available' }]));
  t.equal(d.variant.status, 'determined');
  if (d.variant.status !== 'determined') return;
  t.equal(d.variant.variant, 5);
  t.match(d.variant.cautions.join(' '), /procedures \(not provided\).*dural puncture/);
});

t.test('a gap of a type the answer does not depend on changes nothing', async (t) => {
  const base = run(fixturePatient('v5-chronic-negative-mri'));
  const d = run(withGaps(fixturePatient('v5-chronic-negative-mri'), [{ resourceType: 'ServiceRequest', reason: 'timeout' }]));
  t.same(d.variant, base.variant);
});

t.test('children are outside the adult topic', async (t) => {
  const record = fixturePatient('v5-chronic-negative-mri');
  const child = { ...record, patient: { resourceType: 'Patient' as const, id: record.patientId, birthDate: '2012-03-04' } };
  const d = run(child);
  t.equal(d.variant.status, 'not-applicable');
  const adult = { ...record, patient: { resourceType: 'Patient' as const, id: record.patientId, birthDate: '2008-11-26' } };
  t.equal(run(adult).variant.status, 'determined', 'eighteen today counts as adult');
});

t.test('age from partial FHIR dates never rounds an adult down to a child', async (t) => {
  const now = new Date('2026-11-26T12:00:00Z');
  t.equal(ageInYears('2008-11-26', now), 18);
  t.equal(ageInYears('2008-11-27', now), 17);
  t.equal(ageInYears('2008', now), 18);
  t.equal(ageInYears('2008-12', now), 17);
  t.equal(ageInYears(undefined, now), undefined);
  t.equal(ageInYears('unknown', now), undefined);
});
