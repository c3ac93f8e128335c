/**
 * Bounded answers (issue 11): 100 selected orders over a record of 6,000 prefetched Conditions answer in at
 * most 64 KB, through the real HTTP route; each card shows at most 5 evidence rows and says how many more; the
 * most urgent cards come first and one last card says what was left out.
 */
import t from 'tap';
import type { Bundle, Condition, FhirResource, ServiceRequest } from 'fhir/r4.js';
import { startService } from './fixtures/service.js';
import { readJson } from './fixtures/record.js';
import { orderCodeableConcept } from '../src/guideline/procedures.js';
import { MAX_RESPONSE_BYTES, renderResponse } from '../src/cards/render.js';
import { decide } from '../src/engine/decide.js';
import { recordFromBundle } from '../src/cli/evaluate-fixtures.js';
import { MAX_EVIDENCE_ROWS } from '../src/cards/evidence.js';
import { SCENARIO_NOW } from '../src/cli/card-scenarios.js';

const fixture = readJson<Bundle<FhirResource>>('patients/v5-chronic-negative-mri.json');
const patientId = fixture.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource!.id!;

function conditions(n: number): Condition[] {
  const out: Condition[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      resourceType: 'Condition',
      id: `bulk-${i}`,
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { coding: [{ system: 'http://snomed.info/sct', code: '445511002', display: 'Orthostatic headache' }], text: 'Orthostatic headache' },
      subject: { reference: `Patient/${patientId}` },
      onsetDateTime: `2026-0${1 + (i % 5)}-1${i % 10}T08:00:00Z`,
      recordedDate: '2026-06-01',
    });
  }
  return out;
}

function drafts(n: number): ServiceRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    resourceType: 'ServiceRequest' as const,
    id: `draft-${i}`,
    status: 'draft' as const,
    intent: 'order' as const,
    subject: { reference: `Patient/${patientId}` },
    code: orderCodeableConcept(i % 2 === 0 ? 'mr-myelography' : 'dsm'),
    reasonCode: [{ coding: [{ system: 'http://snomed.info/sct', code: '445511002', display: 'Orthostatic headache' }] }],
  }));
}

t.test('100 orders x 6,000 Conditions: one answer under 64 KB, over HTTP', async (t) => {
  const svc = await startService(t);
  const orders = drafts(100);
  const body = {
    hook: 'order-select',
    hookInstance: '00000000-0000-4000-8000-000000000640',
    context: {
      patientId,
      userId: 'Practitioner/1',
      selections: orders.map((o) => `ServiceRequest/${o.id}`),
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: orders.map((resource) => ({ resource })) },
    },
    prefetch: {
      patient: fixture.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource,
      conditions: {
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [...fixture.entry!.filter((e) => e.resource?.resourceType === 'Condition').map((e) => ({ resource: e.resource })), ...conditions(6000).map((resource) => ({ resource }))],
      },
      ...Object.fromEntries(
        ([['observations', 'Observation'], ['imagingStudies', 'ImagingStudy'], ['diagnosticReports', 'DiagnosticReport'], ['procedures', 'Procedure'], ['serviceRequests', 'ServiceRequest']] as const).map(([key, type]) => [
          key,
          { resourceType: 'Bundle', type: 'searchset', entry: fixture.entry!.filter((e) => e.resource?.resourceType === type).map((e) => ({ resource: e.resource })) },
        ]),
      ),
    },
  };
  const res = await fetch(`${svc.url}/cds-services/sih-imaging-order-select`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  t.equal(res.status, 200, text.slice(0, 300));
  const bytes = Buffer.byteLength(text);
  t.ok(bytes <= MAX_RESPONSE_BYTES, `response ${bytes} bytes <= ${MAX_RESPONSE_BYTES}`);
  const json = JSON.parse(text) as { cards: Array<{ indicator: string; summary: string; detail?: string }> };
  t.ok(json.cards.length > 5, `several cards fit (${json.cards.length})`);
  const last = json.cards.at(-1)!;
  t.match(last.summary, /left out/, 'the last card says what was left out');
  for (const card of json.cards.slice(0, -1)) {
    const rows = (card.detail ?? '').split('\n').filter((l) => l.startsWith('- ') && /Orthostatic|headache|MRI/i.test(l));
    t.ok(rows.length <= MAX_EVIDENCE_ROWS + 1, 'at most 5 evidence rows (plus "and N more")');
  }
  t.match(json.cards[0]!.detail, /- and \d+ more/, 'the rest of the evidence is counted, not listed');
  t.equal(json.cards[0]!.indicator, 'warning', 'the most urgent cards first');
});

t.test('a single huge draft order: the answer stays bounded, the card without its suggestions', async (t) => {
  const record = recordFromBundle(fixture);
  const draft = { ...drafts(1)[0]!, note: [{ text: 'x'.repeat(200_000) }] };
  const decision = decide(
    { hook: 'order-select', hookInstance: 'h', context: { patientId, selections: [`ServiceRequest/${draft.id}`], draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] } } },
    record,
    { now: SCENARIO_NOW },
  );
  const response = renderResponse(decision, { mirrorSystemActions: true });
  t.ok(Buffer.byteLength(JSON.stringify(response)) <= MAX_RESPONSE_BYTES);
  t.equal(response.cards[0]?.indicator, 'warning', 'the warning is still given');
  t.notOk(response.cards[0]?.suggestions, 'its suggestions (whole copies of the draft) did not fit');
  t.match(response.cards.at(-1)?.summary, /rating of 1 more order left out/);
});
