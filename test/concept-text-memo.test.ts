/**
 * The cross-call memo of concept texts (src/engine/facts-match.ts) changes no answer: every fixture decided
 * with the memo empty, warm from itself, and warm from every other fixture gives the same Decision; matches of
 * negated and plain texts are the same cold and warm; and the memo stays within its bound.
 */
import t from 'tap';
import { readdirSync } from 'node:fs';
import { decide } from '../src/engine/decide.js';
import { clearConceptTextMemo, conceptTextMemoSize, matchConcept } from '../src/engine/facts-match.js';
import { OBSERVATION_SETS } from '../src/engine/facts.js';
import type { HookRequest } from '../src/protocol/types.js';
import type { PatientRecord } from '../src/fhir/record.js';
import { FIXTURE_NOW, fixturePatient, fixtureRequest, recordFromPrefetch, SCT, text } from './fixtures/record.js';

const names = (dir: string): string[] =>
  readdirSync(new URL(`../fixtures/${dir}/`, import.meta.url)).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));

function cases(): Array<{ name: string; request: HookRequest; record: PatientRecord }> {
  const out: Array<{ name: string; request: HookRequest; record: PatientRecord }> = [];
  for (const name of names('patients')) {
    const record = fixturePatient(name);
    out.push({ name, record, request: { hook: 'patient-view', hookInstance: '00000000-0000-4000-8000-000000000001', context: { patientId: record.patientId } } });
  }
  for (const name of names('requests')) {
    const request = fixtureRequest(name);
    if (request.prefetch) out.push({ name, request, record: recordFromPrefetch(request) });
  }
  return out;
}

t.test('every fixture: the same Decision with the memo empty, warm from itself and warm from all the others', async (t) => {
  const all = cases();
  t.ok(all.length > 10, 'fixtures found');
  const cold = new Map<string, string>();
  for (const c of all) {
    clearConceptTextMemo();
    cold.set(c.name, JSON.stringify(decide(c.request, c.record, { now: FIXTURE_NOW })));
  }
  clearConceptTextMemo();
  for (const c of all) decide(c.request, c.record, { now: FIXTURE_NOW });
  for (const c of [...all].reverse()) {
    t.equal(JSON.stringify(decide(c.request, c.record, { now: FIXTURE_NOW })), cold.get(c.name), `${c.name}: warm = cold`);
  }
});

t.test('concept matches are the same cold and warm, negated or not, text or display', async (t) => {
  const texts = [
    'Orthostatic headache',
    'no orthostatic headache',
    'headache, not orthostatic',
    'non-orthostatic headache',
    'CSF leak ruled out',
    'CSF leak cannot be excluded',
    'Headache',
    'Heart rate',
    'thunderclap headache',
    'GCS 7, obtunded',
  ];
  const concepts = texts.flatMap((x) => [text(x), { coding: [{ system: SCT, code: '000', display: x }] }, { coding: [{ system: SCT, code: '000', display: x }], text: x }]);
  const run = (): string => JSON.stringify(concepts.map((c) => [...matchConcept(c, OBSERVATION_SETS)]));
  clearConceptTextMemo();
  const first = run();
  t.equal(run(), first, 'warm');
  clearConceptTextMemo();
  for (const c of [...concepts].reverse()) matchConcept(c, OBSERVATION_SETS);
  t.equal(run(), first, 'warm in another order');
});

t.test('the memo is bounded in entries and text length', async (t) => {
  clearConceptTextMemo();
  matchConcept(text(`orthostatic headache ${'x'.repeat(500)}`), OBSERVATION_SETS);
  t.equal(conceptTextMemoSize(), 0, 'a long text is not kept across calls');
  for (let i = 0; i < 5000; i++) matchConcept(text(`headache number ${i}`), OBSERVATION_SETS);
  t.ok(conceptTextMemoSize() > 0 && conceptTextMemoSize() <= 2048, `at most 2048 texts (${conceptTextMemoSize()})`);
  clearConceptTextMemo();
});
