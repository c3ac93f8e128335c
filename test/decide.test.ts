import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { decide } from '../src/engine/decide.js';
import { fixedClock } from '../src/engine/clock.js';
import type { HookRequest } from '../src/protocol/types.js';
import type { Decision, NextStep } from '../src/engine/types.js';
import { FIXTURE_NOW, fixturePatient, fixtureRequest, recordFromPrefetch, recordOf } from './fixtures/record.js';

/** Every fixture patient and what decide must make of it on patient-view (also the table in fixtures/README.md). */
const EXPECTED: Record<string, { variant: number | 'undetermined' | 'not-applicable'; pitfalls: string[]; steps: Array<string[] | string> }> = {
  'v1-new-orthostatic': { variant: 1, pitfalls: [], steps: [['mri-head-wo-w', 'mri-spine-wo']] },
  'v1-chronic-no-spine': { variant: 1, pitfalls: [], steps: [['mri-spine-wo']] },
  'v2-post-lp-24h': { variant: 2, pitfalls: [], steps: [] },
  'v3-post-lp-5d': { variant: 3, pitfalls: [], steps: [] },
  'v4-obtunded': { variant: 4, pitfalls: [], steps: [['mri-spine-wo']] },
  'v5-chronic-negative-mri': { variant: 5, pitfalls: ['premature-end'], steps: [['dsm', 'ct-myelography-dynamic']] },
  'v5-text-only': { variant: 5, pitfalls: ['premature-end', 'text-only-evidence'], steps: [['dsm', 'ct-myelography-dynamic']] },
  'v5-entered-in-error': { variant: 5, pitfalls: ['premature-end'], steps: [['dsm', 'ct-myelography-dynamic']] },
  // The rebound character (worse lying down) is in the text only: flagged.
  'v6-rebound-after-patch': { variant: 6, pitfalls: ['text-only-evidence'], steps: [] },
  'after-myelogram-negative': {
    variant: 5,
    pitfalls: ['premature-end', 'post-puncture-confounding', 'csf-venous-fistula'],
    steps: ['negative'],
  },
  'undetermined-undated-lp': { variant: 'undetermined', pitfalls: [], steps: [] },
  'undetermined-brain-mri-no-report': { variant: 'undetermined', pitfalls: [], steps: [] },
  // Positive initial imaging without obtundation: localisation, which no variant of the topic covers.
  'undetermined-positive-brain-mri': { variant: 'undetermined', pitfalls: [], steps: [] },
  'not-applicable-migraine': { variant: 'not-applicable', pitfalls: [], steps: [] },
};

const variantOf = (d: Decision): number | string => (d.variant.status === 'determined' ? d.variant.variant : d.variant.status);
const stepOf = (s: NextStep): string[] | string => (s.kind === 'order-imaging' ? s.procedures : s.result);

function patientView(patientId: string): HookRequest {
  return { hook: 'patient-view', hookInstance: '00000000-0000-4000-8000-000000000001', context: { patientId } };
}

t.test('every fixture patient gives its expected variant, pitfalls and next steps', async (t) => {
  const files = readdirSync(new URL('../fixtures/patients/', import.meta.url)).map((f) => f.replace(/\.json$/, ''));
  t.same(files.sort(), Object.keys(EXPECTED).sort(), 'the table covers every fixture');
  for (const [name, want] of Object.entries(EXPECTED)) {
    const record = fixturePatient(name);
    const d = decide(patientView(record.patientId), record, { now: FIXTURE_NOW });
    t.equal(variantOf(d), want.variant, `${name}: variant`);
    t.same(d.pitfalls, want.pitfalls, `${name}: pitfalls`);
    t.same(d.nextSteps.map(stepOf), want.steps, `${name}: next steps`);
    t.equal(d.orders.length, 0, `${name}: no orders on patient-view`);
  }
});

t.test('fixture bundles keep to the loading rules', async (t) => {
  for (const f of readdirSync(new URL('../fixtures/patients/', import.meta.url))) {
    const bundle = JSON.parse(readFileSync(new URL(`../fixtures/patients/${f}`, import.meta.url), 'utf8')) as {
      type: string;
      entry: Array<{ resource: { resourceType: string; id: string }; request: { method: string; url: string } }>;
    };
    t.equal(bundle.type, 'transaction', f);
    t.ok(bundle.entry.length <= 50, `${f}: at most 50 entries`);
    t.ok(
      bundle.entry.every((e) => e.request.method === 'PUT' && e.request.url === `${e.resource.resourceType}/${e.resource.id}`),
      `${f}: idempotent PUT entries`,
    );
    t.ok(bundle.entry.every((e) => e.resource.id.startsWith('sih-')), `${f}: ids prefixed sih-`);
  }
});

t.test('the injected clock moves the same patient from V2 to V3 to V1', async (t) => {
  const record = fixturePatient('v2-post-lp-24h');
  const later = decide(patientView(record.patientId), record, { now: fixedClock('2026-12-01T12:00:00Z').now() });
  t.equal(variantOf(later), 3, 'six days after the puncture, still active: V3');
  const muchLater = decide(patientView(record.patientId), record, { now: fixedClock('2027-02-01T12:00:00Z').now() });
  t.equal(variantOf(muchLater), 1, 'beyond the 30-day look-back: no recent intervention');
});

t.test('seed scenario: order-select for the V5 patient rates each study', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['order-select-v5-mr-myelography', 'mr-myelography', 'May Be Appropriate'],
    ['order-select-v5-dtpa', 'dtpa-cisternography', 'May Be Appropriate'],
    ['order-select-v5-dsm', 'dsm', 'Usually Appropriate'],
    ['order-select-v5-dynamic-ctm', 'ct-myelography-dynamic', 'Usually Appropriate'],
  ];
  for (const [name, procedure, category] of cases) {
    const req = fixtureRequest(name);
    const d = decide(req, recordFromPrefetch(req), { now: FIXTURE_NOW });
    t.equal(variantOf(d), 5, `${name}: variant`);
    t.equal(d.orders.length, 1, `${name}: one selected order`);
    const o = d.orders[0]!;
    t.equal(o.recognition.kind === 'procedure' ? o.recognition.procedure : o.recognition.kind, procedure, `${name}: recognised`);
    t.equal(o.category, category, `${name}: category`);
    t.same(d.nextSteps, [], `${name}: next steps only on patient-view`);
    t.equal(d.patientId, 'sih-v5');
  }
});

t.test('order-sign with two orders rates both, and a non-dynamic CT myelogram raises the pitfall', async (t) => {
  const req = fixtureRequest('order-sign-v5-two-orders');
  const d = decide(req, recordFromPrefetch(req), { now: FIXTURE_NOW });
  t.same(
    d.orders.map((o) => [o.order.reference, o.outcome, o.category ?? null]),
    [
      ['ServiceRequest/sih-v5-draft-dsm', 'rated', 'Usually Appropriate'],
      ['ServiceRequest/sih-v5-draft-ctm', 'not-listed', null],
    ],
  );
  t.same(d.pitfalls, ['premature-end', 'non-dynamic-ctm']);
});

t.test('patient-view request for the V5 patient proposes DSM or dynamic CTM', async (t) => {
  const req = fixtureRequest('patient-view-v5');
  const d = decide(req, recordFromPrefetch(req), { now: FIXTURE_NOW });
  t.same(d.nextSteps, [{ kind: 'order-imaging', variant: 5, procedures: ['dsm', 'ct-myelography-dynamic'], selection: 'one-of' }]);
});

t.test('order-select rates only the selections; other drafts still give their reasons', async (t) => {
  const req = fixtureRequest('order-select-v5-dsm');
  const other = { ...req.context.draftOrders!.entry![0]!.resource!, id: 'other-draft' };
  req.context.draftOrders!.entry!.push({ resource: other });
  const d = decide(req, recordOf([]), { now: FIXTURE_NOW });
  t.equal(d.orders.length, 1, 'the unselected draft is not rated');
  t.equal(variantOf(d), 1, 'an empty record with an SIH reason on the orders: initial imaging');
  t.ok(d.variant.evidence.some((e) => e.resourceType === 'ServiceRequest' && e.id === 'other-draft'));
});

t.test("the sandbox's PAMA order-select (head CT, headache + optic disc edema) is not applicable", async (t) => {
  const body = JSON.parse(
    readFileSync('/work/shared/spec/sandbox-client-traffic/10-POST-order-select-pama-head-ct-headache.body.json', 'utf8'),
  ) as HookRequest;
  const d = decide(body, recordOf([], body.context.patientId), { now: FIXTURE_NOW });
  t.equal(d.variant.status, 'not-applicable');
  t.equal(d.orders.length, 1);
  t.equal(d.orders[0]?.outcome, 'not-applicable');
  t.same(d.pitfalls, []);
});

t.test('gaps are copied from the record', async (t) => {
  const record = fixturePatient('v1-new-orthostatic');
  record.gaps.push({ resourceType: 'ImagingStudy', reason: 'timeout' });
  const d = decide(patientView(record.patientId), record, { now: FIXTURE_NOW });
  t.same(d.gaps, [{ resourceType: 'ImagingStudy', reason: 'timeout' }]);
  t.not(d.gaps, record.gaps, 'a copy, not the record array');
});

t.test('next steps skip what is already ordered in the record', async (t) => {
  const record = fixturePatient('v1-new-orthostatic');
  record.resources.ServiceRequest.push({
    resourceType: 'ServiceRequest',
    id: 'pending-head',
    status: 'active',
    intent: 'order',
    subject: { reference: 'Patient/sih-v1' },
    code: { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '70553' }] },
  });
  record.resources.ServiceRequest.push({
    resourceType: 'ServiceRequest',
    id: 'revoked-spine',
    status: 'revoked',
    intent: 'order',
    subject: { reference: 'Patient/sih-v1' },
    code: { coding: [{ system: 'http://loinc.org', code: '30854-4' }] },
  });
  const d = decide(patientView(record.patientId), record, { now: FIXTURE_NOW });
  t.same(d.nextSteps.map(stepOf), [['mri-spine-wo']], 'head MRI already ordered; the revoked spine order does not count');
});
