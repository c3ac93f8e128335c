/**
 * Site-defined facts in FHIRPath: the file is compiled and checked at start-up (a bad one names file, key and
 * error), findings join the facts like a coded finding marked site-defined, and they change the variant.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import type { Observation } from 'fhir/r4.js';
import { decide } from '../src/engine/decide.js';
import { evaluateSiteFacts, loadSiteFacts, parseSiteFacts, SiteFactsError, type SiteFacts } from '../src/engine/site-facts.js';
import type { HookRequest } from '../src/protocol/types.js';
import type { Decision } from '../src/engine/types.js';
import type { PatientRecord } from '../src/fhir/record.js';
import { FIXTURE_NOW, fixturePatient, recordOf } from './fixtures/record.js';

const EXAMPLE = fileURLToPath(new URL('../fixtures/site-facts.example.json', import.meta.url));
const FLOW = 'http://northbridge.example.org/fhir/CodeSystem/flowsheet-rows';
const example = loadSiteFacts(EXAMPLE);

const view = (patientId: string): HookRequest => ({ hook: 'patient-view', hookInstance: '00000000-0000-4000-8000-000000000015', context: { patientId } });
const run = (record: PatientRecord, siteFacts?: SiteFacts): Decision =>
  decide(view(record.patientId), record, { now: FIXTURE_NOW, ...(siteFacts ? { siteFacts } : {}) });
const variantOf = (d: Decision): number | string => (d.variant.status === 'determined' ? d.variant.variant : d.variant.status);

function flowsheet(id: string, code: string, value: Partial<Observation>, when = '2026-11-25T08:00:00Z'): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system: FLOW, code, display: 'local row' }] },
    effectiveDateTime: when,
    ...value,
  };
}

t.test('the example file compiles; each expression is evaluated on the type it starts with', async (t) => {
  t.same(
    example.defs.map((d) => [d.key, d.fact, d.types]),
    [
      ['facts.orthostatic-headache[0]', 'orthostatic-headache', ['Observation']],
      ['facts.gcs[0]', 'gcs', ['Observation']],
      ['facts.decreased-consciousness[0]', 'decreased-consciousness', ['Observation']],
      ['facts.spinal-intervention[0]', 'spinal-intervention', ['Procedure']],
      ['facts.negative-whole-spine-mri[0]', 'negative-whole-spine-mri', ['DiagnosticReport']],
    ],
  );
  t.equal(example.budgetMs, 100, 'the default budget');
});

t.test('a bad file is refused naming the file, the key and the error', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [{ facts: { gcs: [{ label: 'x', expression: 'Observation.where(', value: 'value' }] } }, /^site facts file f\.json: facts\.gcs\[0\]\.expression: .+/],
    [{ facts: { headache: { label: 'x', expression: 'Observation.nosuchfunction()' } } }, /facts\.headache\[0\]\.expression: .*nosuchfunction/],
    [{ facts: { headache: { label: 'x', expression: 'true', date: 'effective.ofType(' } } }, /facts\.headache\[0\]\.date: /],
    [{ facts: { 'migraine-aura': { label: 'x', expression: 'true' } } }, /facts\.migraine-aura: not an engine fact/],
    [{ facts: { gcs: { label: 'x', expression: 'Observation' } } }, /facts\.gcs\[0\]\.value: required for gcs/],
    [{ facts: { headache: { label: 'x', expression: 'true', value: '1' } } }, /facts\.headache\[0\]\.value: only gcs takes a value/],
    [{ facts: { headache: { label: 'x', expression: 'Patient.where(gender = \'male\')' } } }, /starts with Patient, which the service does not read/],
    [{ facts: { headache: { label: '', expression: 'true' } } }, /facts\.headache/],
    [{ facts: {}, extra: 1 }, /^site facts file f\.json: \(root\)|extra/],
  ];
  for (const [json, message] of cases) {
    t.throws(() => parseSiteFacts(json, 'f.json'), SiteFactsError);
    try {
      parseSiteFacts(json, 'f.json');
    } catch (err) {
      t.match((err as Error).message, message, JSON.stringify(json).slice(0, 80));
    }
  }
  t.throws(() => loadSiteFacts('/nonexistent/site-facts.json'), /site facts file \/nonexistent\/site-facts\.json: cannot be read/);
});

t.test('a GCS under a local code makes the positive-brain-MRI patient variant 4, evidence marked site-defined', async (t) => {
  const record = fixturePatient('undetermined-positive-brain-mri');
  t.equal(variantOf(run(record)), 'undetermined', 'without the site facts');
  const d = run(record, example);
  t.equal(variantOf(d), 4, 'with them');
  const gcs = d.variant.evidence.find((e) => e.siteDefined);
  t.match(gcs, { fact: 'gcs', resourceType: 'Observation', id: 'sih-posmri-o3', display: 'GCS total (Northbridge neuro flowsheet) (site-defined)', siteDefined: true });
});

t.test('a flowsheet row for an orthostatic headache makes the topic apply (variant 1)', async (t) => {
  const record = recordOf([flowsheet('fs-1', 'NB-NEURO-0212', { valueBoolean: true })], 'p-flow');
  t.equal(variantOf(run(record)), 'not-applicable', 'the engine cannot read the local row');
  t.equal(variantOf(run(record, example)), 1);
  const no = recordOf([flowsheet('fs-2', 'NB-NEURO-0212', { valueBoolean: false })], 'p-flow');
  t.equal(variantOf(run(no, example)), 'not-applicable', 'the row answered "no" is not a finding');
});

t.test('a normal later GCS under the site code outranks an older low coded one', async (t) => {
  const record = fixturePatient('undetermined-positive-brain-mri');
  const lowThenNormal = { ...record, resources: { ...record.resources, Observation: [
    flowsheet('gcs-old', 'NB-NEURO-0107', { valueInteger: 7 }, '2026-11-24T08:00:00Z'),
    flowsheet('gcs-new', 'NB-NEURO-0107', { valueInteger: 15 }, '2026-11-26T08:00:00Z'),
  ] } };
  const d = run(lowThenNormal, example);
  t.equal(variantOf(d), 'undetermined', 'the latest GCS (15) is not obtundation');
});

t.test('a structured "no leak" whole-spine result completes the negative work-up (variant 5)', async (t) => {
  const record = fixturePatient('v1-chronic-no-spine');
  t.equal(variantOf(run(record)), 1);
  const withReport = {
    ...record,
    resources: {
      ...record.resources,
      DiagnosticReport: [
        ...record.resources.DiagnosticReport,
        {
          resourceType: 'DiagnosticReport' as const,
          id: 'nb-wspine',
          status: 'final' as const,
          code: { coding: [{ system: 'http://northbridge.example.org/fhir/CodeSystem/radiology-exams', code: 'NB-MR-WSPINE-CSF' }] },
          effectiveDateTime: '2026-11-20',
          conclusionCode: [{ coding: [{ system: 'http://northbridge.example.org/fhir/CodeSystem/radiology-results', code: 'no-leak' }] }],
        },
      ],
    },
  };
  t.equal(variantOf(run(withReport, example)), 5);
});

t.test('the time budget stops evaluation and the unevaluated types become data gaps', async (t) => {
  const record = fixturePatient('undetermined-positive-brain-mri');
  let now = 0;
  // Each clock reading advances 60 ms: the 100 ms budget runs out after the first evaluation.
  const evaluation = evaluateSiteFacts(example, record, () => (now += 60));
  t.equal(evaluation.complete, false);
  t.ok(evaluation.gaps.length > 0);
  t.ok(evaluation.gaps.every((g) => g.reason === 'truncated' && /site-defined facts/.test(g.detail ?? '')));
  const full = evaluateSiteFacts(example, record);
  t.equal(full.complete, true);
  t.same(full.gaps, []);
});

t.test('an expression that throws on odd data is counted, never thrown', async (t) => {
  const strict = parseSiteFacts({ facts: { headache: { label: 'x', expression: "Observation.where(code.coding.code.single() = 'A')" } } });
  const record = recordOf([
    { resourceType: 'Observation', id: 'o1', status: 'final', code: { coding: [{ code: 'A' }, { code: 'B' }] } },
    { resourceType: 'Observation', id: 'o2', status: 'final', code: { coding: [{ code: 'A' }] } },
  ], 'p');
  const evaluation = evaluateSiteFacts(strict, record);
  t.same(evaluation.findings.map((f) => f.id), ['o2']);
  t.equal(evaluation.errors, 1, 'single() on two codings throws inside fhirpath: counted as no finding');
});

t.test('the codes prefilter: only resources carrying a listed coding are evaluated', async (t) => {
  const withCodes = parseSiteFacts({
    facts: { headache: { label: 'x', expression: 'Observation.where(value.ofType(boolean) = true)', codes: [{ system: FLOW, code: 'NB-NEURO-0212' }] } },
  });
  const record = recordOf([
    flowsheet('yes', 'NB-NEURO-0212', { valueBoolean: true }),
    flowsheet('other-row', 'NB-NEURO-9999', { valueBoolean: true }),
  ], 'p');
  t.same(evaluateSiteFacts(withCodes, record).findings.map((f) => f.id), ['yes'], 'the other row is never evaluated');
  const without = parseSiteFacts({ facts: { headache: { label: 'x', expression: 'Observation.where(value.ofType(boolean) = true)' } } });
  t.same(evaluateSiteFacts(without, record).findings.map((f) => f.id), ['yes', 'other-row'], 'without codes every Observation is');
});
