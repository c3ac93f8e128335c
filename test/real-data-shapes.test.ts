import t from 'tap';
import type { FhirResource } from 'fhir/r4.js';
import { decide } from '../src/engine/decide.js';
import { extractFacts } from '../src/engine/facts.js';
import type { HookRequest } from '../src/protocol/types.js';
import { evaluate } from '../src/cli/evaluate.js';
import { FIXTURE_NOW, recordOf } from './fixtures/record.js';
import { asTransaction, syntheaPatient } from './fixtures/synthea-like.js';
import { startLocalFhir } from './fixtures/local-fhir.js';
import { startService } from './fixtures/service.js';

/**
 * Records shaped like public-sandbox data (Synthea): hundreds of resources of background, and the
 * SIH-relevant records in their messy real shapes. The engine must find the needles, and the FHIR reads
 * must page through the haystack.
 */

const patientView = (patientId: string, fhirServer?: string): HookRequest => ({
  hook: 'patient-view',
  hookInstance: `rds-${patientId}`,
  ...(fhirServer ? { fhirServer } : {}),
  context: { patientId, userId: 'Practitioner/rds' },
});

const count = (resources: FhirResource[], type: string) => resources.filter((r) => r.resourceType === type).length;

t.test('the generator is deterministic and Synthea-sized', async (t) => {
  const a = syntheaPatient({ seed: 7, patientId: 'syn-a', scenario: 'v5' });
  const b = syntheaPatient({ seed: 7, patientId: 'syn-a', scenario: 'v5' });
  t.equal(JSON.stringify(a), JSON.stringify(b), 'same seed, same bytes');
  t.not(JSON.stringify(syntheaPatient({ seed: 8, patientId: 'syn-a', scenario: 'v5' })), JSON.stringify(a), 'another seed differs');
  t.ok(a.resources.length > 300, `hundreds of resources (${a.resources.length})`);
  t.ok(count(a.resources, 'Observation') > 250, 'encounters worth of vital signs and labs');
  t.ok(count(a.resources, 'Encounter') >= 40);
  t.equal(new Set(a.resources.map((r) => `${r.resourceType}/${r.id}`)).size, a.resources.length, 'ids are unique');
});

t.test('V5 from real shapes: multi-system codings, text-only, onsetPeriod, recordedDate, uncoded reports', async (t) => {
  const syn = syntheaPatient({ seed: 11, patientId: 'syn-v5', scenario: 'v5' });
  const record = recordOf(syn.resources, syn.patientId);

  const facts = extractFacts(record, [], FIXTURE_NOW);
  t.ok(facts.sihSuspicion.some((s) => s.evidence.id === syn.planted['orthostatic'] && s.evidence.code === '445511002'),
    'SNOMED found on the second coding, behind a local code');
  t.equal(facts.chronic.status, 'chronic', 'chronic');
  t.equal(facts.brainMri.status, 'negative', 'brain MRI negative: a study with only series.modality + procedureCode, an uncoded report');
  t.ok(facts.brainMri.evidence.some((e) => e.id === syn.planted['brainReport']), 'the uncoded report, reached through imagingStudy');
  t.equal(facts.spineMri.status, 'negative');
  t.same(facts.spinalInterventions, [], 'routine Synthea procedures are not spinal interventions');
  t.same(facts.decreasedConsciousness, [], 'vital signs are not a GCS');

  const d = decide(patientView(syn.patientId), record, { now: FIXTURE_NOW });
  t.equal(d.variant.status === 'determined' && d.variant.variant, 5);
  const evidenceIds = new Set(d.variant.evidence.map((e) => e.id));
  for (const bg of syn.resources.filter((r) => r.resourceType === 'Observation' || r.resourceType === 'Encounter')) {
    if (evidenceIds.has(bg.id)) t.fail(`background ${bg.resourceType}/${bg.id} taken as evidence`);
  }
  t.notOk(d.variant.evidence.some((e) => e.code === '59621000'), 'hypertension is not evidence');
  t.same(d.nextSteps.map((s) => (s.kind === 'order-imaging' ? s.procedures : s.result)), [['dsm', 'ct-myelography-dynamic']]);
});

t.test('V1 and not-applicable from the same background', async (t) => {
  const v1 = syntheaPatient({ seed: 21, patientId: 'syn-v1', scenario: 'v1' });
  const d1 = decide(patientView(v1.patientId), recordOf(v1.resources, v1.patientId), { now: FIXTURE_NOW });
  t.equal(d1.variant.status === 'determined' && d1.variant.variant, 1, 'new orthostatic headache with onsetPeriod: V1');
  t.ok(d1.variant.evidence.some((e) => e.id === v1.planted['orthostatic']));

  for (const seed of [31, 32, 33]) {
    const none = syntheaPatient({ seed, patientId: `syn-none-${seed}`, scenario: 'none' });
    const d = decide(patientView(none.patientId), recordOf(none.resources, none.patientId), { now: FIXTURE_NOW });
    t.equal(d.variant.status, 'not-applicable', `seed ${seed}: hypertension, prediabetes and vitals suggest nothing`);
  }
});

t.test('over HTTP, paging through a real FHIR server with a small page size', async (t) => {
  const fhir = await startLocalFhir(t);
  const v5 = syntheaPatient({ seed: 41, patientId: 'syn-http-v5', scenario: 'v5' });
  const other = syntheaPatient({ seed: 42, patientId: 'syn-http-none', scenario: 'none' });
  await fhir.load(asTransaction(v5.resources));
  await fhir.load(asTransaction(other.resources));
  const observations = count(v5.resources, 'Observation');

  const service = await startService(t, { FHIR_PAGE_SIZE: '50', FHIR_MAX_PAGES: '20', FHIR_DEADLINE_MS: '20000' });
  fhir.requests.length = 0;
  const res = await service.post('/cds-services/sih-imaging-patient-view', patientView(v5.patientId, fhir.baseUrl));
  t.equal(res.status, 200);
  t.equal(res.json.cards.length, 1);
  t.match(res.json.cards[0].summary, /Myelography Digital Subtraction/);

  const obsPages = fhir.requests.filter((r) => r.url.includes('/Observation?'));
  t.ok(obsPages.length >= Math.ceil(observations / 50), `Observation read in ${obsPages.length} pages of 50 (${observations} resources)`);
  t.ok(obsPages.some((r) => /[?&]_offset=\d+/.test(r.url)), 'next links (_offset) were followed');
  t.ok(obsPages.every((r) => r.url.includes(`patient=${v5.patientId}`)), 'only this patient was searched');
  const answered = service.logs.map((l) => JSON.parse(l) as { msg?: string; gaps?: string[]; variant?: unknown }).find((l) => l.msg === 'hook answered');
  t.same(answered?.gaps, [], 'nothing truncated or missing');
  t.equal(answered?.variant, 5);
  t.notMatch(service.logs.join('\n'), /Synthetic41|Chronic daily headache|pachymeningeal/, 'no name or free text in the logs');

  // The CLI reads the same way and reports the pages.
  const out: string[] = [];
  const err: string[] = [];
  const code = await evaluate(
    ['--fhir', fhir.baseUrl, '--patient', v5.patientId, '--now', '2026-11-26T12:00:00Z', '--deadline-ms', '20000'],
    { out: (s) => out.push(s), err: (s) => err.push(s), env: { FHIR_PAGE_SIZE: '50', FHIR_MAX_PAGES: '20' } },
  );
  t.equal(code, 0);
  const text = out.join('');
  t.match(text, /^Result: Variant 5$/m);
  const pages = new RegExp(`^ {2}Observation\\s+${observations} found\\s+(\\d+) pages`, 'm').exec(text);
  t.ok(pages && Number(pages[1]) > 1, `the report counts every Observation over ${pages?.[1]} pages`);
});
