import t from 'tap';
import type { ServiceRequest } from 'fhir/r4.js';
import type { Action, Card, CdsResponse, Suggestion } from '../src/protocol/types.js';
import type { Decision } from '../src/engine/types.js';
import { renderResponse, type RenderOptions } from '../src/cards/render.js';
import { escapeMarkdown, escapeTableCell, fitSummary } from '../src/cards/markdown.js';
import { displayDate } from '../src/cards/detail.js';
import { MAX_ORDER_SUGGESTIONS, replacementRegion } from '../src/cards/suggestions.js';
import { decide } from '../src/engine/decide.js';
import { RECOGNITION_NOTES as N } from '../src/guideline/order-codes.js';
import { ratingFor, rowsForVariant } from '../src/guideline/ratings.js';
import { VARIANT_IDS, type VariantId } from '../src/guideline/types.js';
import type { HookRequest } from '../src/protocol/types.js';
import { FIXTURE_NOW, fixturePatient } from './fixtures/record.js';
import { checkResponse } from '../src/protocol/response-rules.js';
import { PROCEDURES } from '../src/guideline/procedures.js';
import { usuallyAppropriate } from '../src/guideline/ratings.js';
import { AFTER_MYELOGRAPHY, NO_IMAGING_MANAGEMENT, PITFALLS, REMOVE_ORDER_CAVEAT } from '../src/guideline/advice.js';
import type { ProcedureId } from '../src/guideline/types.js';
import {
  SEED_EVIDENCE,
  SEED_PATIENT_ID,
  afterMyelographyStep,
  determined,
  draftOrder,
  orderDecision,
  orderImagingStep,
  patientView,
  plantedDecision,
  rated,
  seedOrdering,
  sequentialUuids,
  undeterminedDecision,
  withOutcome,
} from './fixtures/decisions.js';

const RATING_URL = 'http://fhir.org/argonaut/Extension/pama-rating';
const CONSULT_URL = 'http://fhir.org/argonaut/Extension/pama-rating-consult-id';
const QCDSM_URL = 'http://fhir.org/argonaut/Extension/pama-rating-qcdsm-consulted';

function render(decision: Decision, opts: Partial<RenderOptions> = {}): CdsResponse {
  const resp = renderResponse(decision, { mirrorSystemActions: true, newUuid: sequentialUuids(), ...opts });
  // Every response the renderer makes must obey the CDS Hooks rules.
  const violations = checkResponse(JSON.parse(JSON.stringify(resp)));
  if (violations.length > 0) throw new Error(`response breaks CDS Hooks rules:\n${violations.join('\n')}`);
  return resp;
}

function ratingOf(resource: ServiceRequest | undefined): { code?: string; text?: string } {
  const ext = resource?.extension?.filter((e) => e.url === RATING_URL) ?? [];
  if (ext.length !== 1) throw new Error(`expected exactly one pama-rating, got ${ext.length}`);
  return { code: ext[0]!.valueCodeableConcept?.coding?.[0]?.code, text: ext[0]!.valueCodeableConcept?.text };
}

function updated(s: Suggestion | undefined): ServiceRequest {
  const action = s?.actions?.[0];
  if (action?.type !== 'update') throw new Error('expected an update action');
  return action.resource as ServiceRequest;
}

function createdOf(s: Suggestion | undefined): ServiceRequest {
  const action = s?.actions?.[0];
  if (action?.type !== 'create') throw new Error('expected a create action');
  return action.resource as ServiceRequest;
}

function only<T>(items: T[] | undefined, what: string): T {
  if (items?.length !== 1) throw new Error(`expected one ${what}, got ${items?.length ?? 0}`);
  return items[0]!;
}

// The seed patient (V5) ordering a May Be Appropriate study: a warning whose suggestions swap the whole order.
const MAY_BE: ReadonlyArray<[ProcedureId, string]> = [
  ['mr-myelography', 'May Be Appropriate (5)'],
  ['dtpa-cisternography', 'May Be Appropriate (5)'],
];
for (const [procedure, rating] of MAY_BE) t.test(`seed patient (V5) ordering ${procedure}: warning, DSM or dynamic CTM`, async (t) => {
  const decision = seedOrdering(procedure);
  const draft = decision.orders[0]!.order.resource;
  const resp = render(decision);
  const card = only(resp.cards, 'card');
  t.equal(card.indicator, 'warning');
  t.match(card.summary, rating);
  t.match(card.summary, PROCEDURES[procedure].acrName);
  t.equal(card.selectionBehavior, 'at-most-one');
  const [dsm, dctm] = card.suggestions ?? [];
  t.equal(card.suggestions?.length, 2);
  t.equal(dsm?.isRecommended, true, 'DSM (☢☢☢☢) is recommended over dynamic CTM (☢☢☢☢☢)');
  t.notOk(dctm?.isRecommended);
  for (const [s, p] of [
    [dsm, 'dsm'],
    [dctm, 'ct-myelography-dynamic'],
  ] as const) {
    const sr = updated(s);
    t.equal(sr.id, draft.id, 'same order');
    t.same(
      { status: sr.status, intent: sr.intent, subject: sr.subject, reasonCode: sr.reasonCode },
      { status: draft.status, intent: draft.intent, subject: draft.subject, reasonCode: draft.reasonCode },
      'the whole ServiceRequest is kept',
    );
    t.same(sr.code?.coding, PROCEDURES[p].orderCodes, 'code replaced by the standard codes');
    t.equal(sr.code?.text, PROCEDURES[p].acrName);
    t.same(ratingOf(sr), { code: 'appropriate', text: 'Usually Appropriate (8)' });
    t.ok(sr.extension?.some((e) => e.url.endsWith('ordering-site')), 'foreign extension kept');
  }
  const action = only(resp.systemActions, 'system action');
  t.equal(action.type, 'update');
  t.same(ratingOf(action.resource as ServiceRequest), { code: 'appropriate', text: rating });
});

t.test('Usually Appropriate orders get no card, only the rating', async (t) => {
  for (const p of ['dsm', 'ct-myelography-dynamic'] as const) {
    const resp = render(seedOrdering(p));
    t.same(resp.cards, [], p);
    const sr = only(resp.systemActions, 'system action').resource as ServiceRequest;
    t.same(ratingOf(sr), { code: 'appropriate', text: 'Usually Appropriate (8)' }, p);
    t.equal(sr.code?.text, PROCEDURES[p].acrName, 'the order itself is not changed');
    t.match(sr.extension?.find((e) => e.url === CONSULT_URL)?.valueUri, /^urn:uuid:/);
    t.notOk(sr.extension?.some((e) => e.url === QCDSM_URL), 'no qCDSM extension unless configured');
    t.ok(sr.extension?.some((e) => e.url.endsWith('ordering-site')), 'other extensions kept');
  }
});

t.test('V1 ordering DSM: Usually Not Appropriate warning with the V1 studies', async (t) => {
  const resp = render(orderDecision(determined(1), [rated(1, 'dsm')]));
  const card = only(resp.cards, 'card');
  t.equal(card.indicator, 'warning');
  t.match(card.summary, 'Usually Not Appropriate (2)');
  // Changed (review finding 4): at most two suggestions, best first; the spine MRI replaces the myelogram
  // (same region, recommended); the top-rated head MRI is a new order, not a replacement of a spine study.
  const [head, spine] = card.suggestions ?? [];
  t.equal(card.suggestions?.length, 2);
  t.equal(createdOf(head).code?.text, PROCEDURES['mri-head-wo-w'].acrName, 'the top-rated (9) study, as a new order');
  t.notOk(head?.isRecommended, 'another region is never recommended');
  t.equal(updated(spine).code?.text, PROCEDURES['mri-spine-wo'].acrName, 'the best spine study replaces the order');
  t.equal(spine?.isRecommended, true);
  for (const p of usuallyAppropriate(1)) t.match(card.detail, PROCEDURES[p].acrName, 'every alternative is named');
  t.same(ratingOf(only(resp.systemActions, 'action').resource as ServiceRequest).code, 'not-appropriate');
});

t.test('V2 ordering MRI head: remove the order, say why, and the management', async (t) => {
  const resp = render(orderDecision(determined(2), [rated(2, 'mri-head-wo')]));
  const card = only(resp.cards, 'card');
  t.equal(card.indicator, 'warning');
  const suggestion = only(card.suggestions, 'suggestion');
  const action = only(suggestion.actions, 'action');
  t.equal(action.type, 'delete');
  t.equal(action.resourceId, 'ServiceRequest/sr-mri-head-wo');
  t.notOk(action.resource);
  const advice = NO_IMAGING_MANAGEMENT[2]!;
  t.ok(card.detail?.includes(advice.why), 'why no imaging');
  for (const step of advice.steps) t.ok(card.detail?.includes(step), 'management step');
  t.same(ratingOf(only(resp.systemActions, 'action').resource as ServiceRequest).code, 'not-appropriate');
});

t.test('not-listed: info card with the Usually Appropriate studies, rating no-criteria-apply', async (t) => {
  const resp = render(orderDecision(determined(5), [withOutcome('mri-head-wo', 'not-listed')]));
  const card = only(resp.cards, 'card');
  t.equal(card.indicator, 'info');
  // Changed (review finding 4): a head MRI is not replaced by an invasive myelogram; DSM and dynamic CTM are
  // offered as new orders, and none is marked recommended.
  t.same(
    (card.suggestions ?? []).map((s) => createdOf(s).code?.text),
    [PROCEDURES.dsm.acrName, PROCEDURES['ct-myelography-dynamic'].acrName],
  );
  t.notOk(card.suggestions?.some((s) => s.isRecommended), 'nothing recommended across regions');
  t.same(ratingOf(only(resp.systemActions, 'action').resource as ServiceRequest).code, 'no-criteria-apply');

  // A variant with no Usually Appropriate study: the card says so with no suggestions at all.
  const none = render(orderDecision(determined(6), [withOutcome('mri-head-wo', 'not-listed')]));
  const noneCard = only(none.cards, 'card');
  t.notOk(noneCard.suggestions);
  t.notOk(noneCard.selectionBehavior);
});

t.test('undetermined: one info card for the call, saying what is missing; no rating', async (t) => {
  const decision = undeterminedDecision();
  const resp = render(decision);
  const card = only(resp.cards, 'card');
  t.equal(card.indicator, 'info');
  t.notOk(card.suggestions);
  if (decision.variant.status !== 'undetermined') throw new Error('fixture');
  for (const text of [...decision.variant.missing, ...decision.variant.conflicts]) {
    t.ok(card.detail?.includes(escapeMarkdown(text)), text);
  }
  t.match(card.detail, PROCEDURES.dsm.acrName);
  t.match(card.detail, 'did not answer in time', 'the gap is said');
  t.notOk(resp.systemActions, 'no rating when undetermined');
  t.notOk(resp.extension, 'no empty extension');
});

t.test('outside-topic, not-applicable and empty orders: no card', async (t) => {
  for (const outcome of ['outside-topic', 'not-applicable'] as const) {
    const resp = render(orderDecision(determined(5), [withOutcome('dsm', outcome)]));
    t.same(resp.cards, [], outcome);
    const sr = only(resp.systemActions, 'action').resource as ServiceRequest;
    t.same(ratingOf(sr).code, 'no-criteria-apply', outcome);
  }
  const empty = render(orderDecision(determined(5), [withOutcome('dsm', 'empty')]));
  t.same(empty, { cards: [] }, 'nothing at all for an empty order');
});

t.test('patient-view V5: create suggestions for DSM (recommended) or dynamic CTM', async (t) => {
  const resp = render(patientView([orderImagingStep(5, 'one-of')], 5));
  const card = only(resp.cards, 'card');
  t.equal(card.indicator, 'info');
  t.equal(card.selectionBehavior, 'at-most-one');
  const suggestions = card.suggestions ?? [];
  t.equal(suggestions.length, 2);
  const created = suggestions.map((s) => only(s.actions, 'action'));
  for (const a of created) {
    t.equal(a.type, 'create');
    const sr = a.resource as ServiceRequest;
    t.same(
      { status: sr.status, intent: sr.intent, subject: sr.subject },
      { status: 'draft', intent: 'order', subject: { reference: `Patient/${SEED_PATIENT_ID}` } },
    );
    t.notOk(sr.id, 'a new order has no id yet');
  }
  t.equal((created[0]!.resource as ServiceRequest).code?.text, PROCEDURES.dsm.acrName);
  t.equal(suggestions[0]!.isRecommended, true);
  t.notOk(suggestions[1]!.isRecommended);
  t.notOk(resp.systemActions, 'patient-view has no ratings');
});

t.test('patient-view V1: one suggestion ordering the best head and the best spine study', async (t) => {
  const resp = render(patientView([orderImagingStep(1, 'all')], 1));
  const suggestion = only(only(resp.cards, 'card').suggestions, 'suggestion');
  t.same(
    (suggestion.actions ?? []).map((a: Action) => (a.resource as ServiceRequest).code?.text),
    [PROCEDURES['mri-head-wo-w'].acrName, PROCEDURES['mri-spine-wo'].acrName],
  );
});

t.test('patient-view without a patient id: the card, but nothing to create', async (t) => {
  const decision = patientView([orderImagingStep(5, 'one-of')], 5);
  delete decision.patientId;
  const card = only(render(decision).cards, 'card');
  t.notOk(card.suggestions);
  t.notOk(card.selectionBehavior);
});

t.test('after a negative myelogram: the seed downstream path, no suggestions', async (t) => {
  const card = only(render(patientView([afterMyelographyStep('negative')], 5)).cards, 'card');
  t.equal(card.indicator, 'info');
  t.notOk(card.suggestions);
  for (const step of AFTER_MYELOGRAPHY.negative.steps) t.ok(card.detail?.includes(step));
  t.notOk(card.detail?.includes(AFTER_MYELOGRAPHY.positive.steps[0]!), 'only the negative branch');
  // Changed (review finding 6): a hyphen needs no escape inside a table cell.
  t.match(card.detail, '| Procedure/proc-dsm |', 'the myelogram on record');
  t.match(card.detail, '| 2026-04-01 |', 'its date, as a date');

  const unknown = only(render(patientView([afterMyelographyStep('unknown')], 5)).cards, 'card');
  for (const b of Object.values(AFTER_MYELOGRAPHY)) t.ok(unknown.detail?.includes(b.heading), b.heading);
});

t.test('systemActions mirrored into extension only when asked', async (t) => {
  const on = render(seedOrdering('dsm'), { mirrorSystemActions: true });
  t.same(on.extension?.systemActions, on.systemActions);
  const off = render(seedOrdering('dsm'), { mirrorSystemActions: false });
  t.ok(off.systemActions);
  t.notOk(off.extension);
});

t.test('qCDSM code configured: the consulted extension is added', async (t) => {
  const resp = render(seedOrdering('dsm'), { qcdsmCode: 'G1011' });
  const sr = only(resp.systemActions, 'action').resource as ServiceRequest;
  t.equal(sr.extension?.find((e) => e.url === QCDSM_URL)?.valueString, 'G1011');
});

t.test('the input Decision and its ServiceRequests are not changed', async (t) => {
  for (const decision of [seedOrdering('mr-myelography'), seedOrdering('dsm'), undeterminedDecision()]) {
    const before = structuredClone(decision);
    render(decision);
    t.same(decision, before);
  }
});

t.test('empty JSON from the client is not echoed back (reasonCode: [])', async (t) => {
  const decision = seedOrdering('mr-myelography');
  decision.orders[0]!.order.resource.reasonCode = [];
  const resp = render(decision); // render() fails on any empty array
  t.notOk(updated(resp.cards[0]!.suggestions?.[0]).reasonCode);
});

t.test('an order without an id: the card, but no update or rating it could not target', async (t) => {
  const order = rated(5, 'mr-myelography');
  order.order = draftOrder(undefined, 'mr-myelography');
  const resp = render(orderDecision(determined(5), [order]));
  t.notOk(only(resp.cards, 'card').suggestions);
  t.notOk(resp.systemActions);
});

t.test('pitfalls: texts for known ids, unknown ids ignored; technique notes shown', async (t) => {
  const decision = orderDecision(determined(5), [withOutcome('ct-myelography', 'not-listed')], {
    pitfalls: ['non-dynamic-ctm', 'no-such-pitfall'],
  });
  decision.orders[0]!.notes.push('The order does not say dynamic');
  const card = only(render(decision).cards, 'card');
  t.ok(card.detail?.includes(PITFALLS['non-dynamic-ctm']));
  t.notOk(card.detail?.includes('no\\-such\\-pitfall'));
  t.ok(card.detail?.includes(escapeMarkdown('The order does not say dynamic')));
});

t.test('every card carries source, links, override reasons and a short summary', async (t) => {
  const cards: Card[] = [
    ...render(seedOrdering('mr-myelography')).cards,
    ...render(undeterminedDecision()).cards,
    ...render(patientView([orderImagingStep(5, 'one-of'), afterMyelographyStep('positive')], 5)).cards,
  ];
  t.equal(cards.length, 4);
  for (const card of cards) {
    t.equal(card.source.label, 'ACR Appropriateness Criteria: Imaging of Suspected Intracranial Hypotension (2024)');
    t.ok(card.links?.every((l) => l.type === 'absolute'));
    t.ok(card.overrideReasons?.every((r) => r.display));
    t.ok(card.summary.length < 140);
    t.match(card.detail, 'ACR variant 5', 'names the variant');
  }
});

t.test('planted markdown and HTML in FHIR data are escaped in the detail', async (t) => {
  const card = only(render(plantedDecision()).cards, 'card');
  const detail = card.detail ?? '';
  t.notOk(detail.includes('<img'), 'no raw HTML');
  t.ok(detail.includes('&lt;img'), 'shown as text');
  t.notOk(detail.includes('](javascript'), 'no link');
  t.notOk(detail.includes('**pwned**'), 'no bold');
  t.notOk(/(?<!\\)`/.test(detail), 'no unescaped backtick (code span)');
  t.notOk(/^# heading/m.test(detail), 'a newline in data cannot start a heading');
  const evidenceRow = detail.split('\n').find((l) => l.includes('Condition/'));
  // An unescaped pipe would split the row: exactly 5 separators for 4 cells.
  t.equal(evidenceRow?.match(/(?<!\\)\|/g)?.length, 5);
});

// ---- Review findings (radiologist's review): each test below failed before its fix ----

/** An order-select call for a fixture patient with one draft order. */
function orderSelect(patientId: string, code: ServiceRequest['code'], reasonCode?: ServiceRequest['reasonCode']): HookRequest {
  const resource: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id: 'draft-1',
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    code,
  };
  if (reasonCode) resource.reasonCode = reasonCode;
  return {
    hook: 'order-select',
    hookInstance: '00000000-0000-4000-8000-0000000000aa',
    context: {
      patientId,
      userId: 'Practitioner/1',
      selections: ['ServiceRequest/draft-1'],
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource }] },
    },
  };
}

function variantNumber(d: Decision): number | string {
  return d.variant.status === 'determined' ? d.variant.variant : d.variant.status;
}

t.test('finding 2: a Usually Appropriate order rated on an assumption gets an info card; the rating stays', async (t) => {
  const cases: Array<[VariantId, ProcedureId, string, RegExp]> = [
    [1, 'mri-spine-wo', N.singleRegion, /rated as complete-spine imaging/],
    [5, 'dsm', N.myelogramTechnique, /rated as digital subtraction myelography/],
    [1, 'mri-head-wo', N.contrastUnspecified, /rated as without IV contrast/],
  ];
  for (const [variant, procedure, note, phrase] of cases) {
    const resp = render(orderDecision(determined(variant), [rated(variant, procedure, `sr-${procedure}`, [note])]));
    const card = only(resp.cards, `card for ${procedure}`);
    t.equal(card.indicator, 'info', procedure);
    t.match(card.summary, phrase, procedure);
    t.match(card.summary, `Usually Appropriate (${ratingFor(variant, procedure)!.rating})`);
    t.ok(card.detail?.includes(escapeMarkdown(note)), `${procedure}: the assumption in full`);
    t.notOk(card.suggestions, 'the rating stands: nothing to replace');
    const stamp = ratingOf(only(resp.systemActions, 'action').resource as ServiceRequest);
    t.same(stamp, { code: 'appropriate', text: `Usually Appropriate (${ratingFor(variant, procedure)!.rating})` });
  }
});

t.test('finding 2, end to end: lumbar MRI in V1, a myelogram in V5, "MR Brain" in V1', async (t) => {
  const REASON = [{ coding: [{ system: 'http://snomed.info/sct', code: '445511002', display: 'Orthostatic headache' }] }];
  const cases: Array<[string, ServiceRequest['code'], number, RegExp]> = [
    ['v1-new-orthostatic', { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '72148' }] }, 1, /complete-spine/],
    ['v5-chronic-negative-mri', { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '62305' }], text: 'Myelogram' }, 5, /digital subtraction/],
    ['v1-new-orthostatic', { coding: [{ system: 'http://loinc.org', code: '24590-2', display: 'MR Brain' }] }, 1, /without IV contrast/],
  ];
  for (const [patient, code, variant, phrase] of cases) {
    const record = fixturePatient(patient);
    const decision = decide(orderSelect(record.patientId, code, REASON), record, { now: FIXTURE_NOW });
    t.equal(variantNumber(decision), variant, `${patient}: precondition, the fixture's variant`);
    const o = only(decision.orders, 'order');
    t.equal(o.category, 'Usually Appropriate');
    const resp = render(decision);
    const card = only(resp.cards, 'card');
    t.equal(card.indicator, 'info');
    t.match(card.summary, phrase);
    // Changed by issue 10 (class 6): a fluoroscopic myelogram (DSM) is not advanced diagnostic imaging, so it
    // carries no PAMA stamp; the CT / MR orders still do.
    if (o.advancedImaging) t.equal(ratingOf(only(resp.systemActions, 'action').resource as ServiceRequest).code, 'appropriate');
    else t.same(resp.systemActions ?? [], [], `${patient}: no PAMA stamp on a fluoroscopic myelogram`);
  }
});

t.test('finding 4: V1 CT head: replace by head MRI (recommended), add spine MRI as a new order; two at most', async (t) => {
  const resp = render(orderDecision(determined(1), [rated(1, 'ct-head-wo')]));
  const card = only(resp.cards, 'card');
  const [first, second] = card.suggestions ?? [];
  t.equal(card.suggestions?.length, 2);
  t.equal(updated(first).code?.text, PROCEDURES['mri-head-wo-w'].acrName, 'head replaced by head');
  t.equal(updated(first).id, 'sr-ct-head-wo');
  t.equal(first?.isRecommended, true);
  const created = createdOf(second);
  t.equal(created.code?.text, PROCEDURES['mri-spine-wo'].acrName, 'spine offered as a new order');
  t.notOk(created.id, 'a new order');
  t.same(created.subject, { reference: `Patient/${SEED_PATIENT_ID}` });
  t.same(created.reasonCode, rated(1, 'ct-head-wo').order.resource.reasonCode, 'the reasons of the draft are kept');
  t.same(ratingOf(created), { code: 'appropriate', text: 'Usually Appropriate (8)' });
  t.notOk(second?.isRecommended);
  t.match(card.detail, /Another region \(offered as a new order, not as a replacement\): MRI Complete Spine/);
});

t.test('finding 4: V5 CSF-leak studies are replaced by DSM (recommended) or dynamic CTM; V5 MRI head is not', async (t) => {
  for (const p of ['mr-myelography', 'dtpa-cisternography', 'ct-head-cisternography'] as const) {
    const card = only(render(seedOrdering(p)).cards, p);
    const [dsm, dctm] = card.suggestions ?? [];
    t.equal(updated(dsm).code?.text, PROCEDURES.dsm.acrName, `${p}: DSM replaces`);
    t.equal(dsm?.isRecommended, true, `${p}: DSM recommended`);
    t.equal(updated(dctm).code?.text, PROCEDURES['ct-myelography-dynamic'].acrName, `${p}: dynamic CTM replaces`);
    t.notOk(dctm?.isRecommended);
  }
  const head = only(render(orderDecision(determined(5), [withOutcome('mri-head-wo', 'not-listed')])).cards, 'card');
  t.ok(head.suggestions?.every((s) => s.actions?.[0]?.type === 'create'), 'no one-click replacement by a myelogram');
  t.notOk(head.suggestions?.some((s) => s.isRecommended));
  // Without a patient id nothing can be created: the head card then has no suggestion at all.
  const noPatient = orderDecision(determined(5), [withOutcome('mri-head-wo', 'not-listed')]);
  delete noPatient.patientId;
  t.notOk(only(render(noPatient).cards, 'card').suggestions);
});

t.test('finding 4: every order card in every variant: at most 2 suggestions, updates same-region only', async (t) => {
  let cards = 0;
  for (const variant of VARIANT_IDS) {
    const listed = new Set(rowsForVariant(variant).map((r) => r.procedure));
    for (const procedure of Object.keys(PROCEDURES) as ProcedureId[]) {
      const order = listed.has(procedure) ? rated(variant, procedure) : withOutcome(procedure, 'not-listed');
      for (const card of render(orderDecision(determined(variant), [order])).cards) {
        cards++;
        const what = `V${variant} ${procedure}`;
        const suggestions = card.suggestions ?? [];
        t.ok(suggestions.length <= MAX_ORDER_SUGGESTIONS, `${what}: at most ${MAX_ORDER_SUGGESTIONS}`);
        const ratings: number[] = [];
        for (const s of suggestions) {
          const action = only(s.actions, 'action');
          if (action.type === 'delete') continue;
          const suggested = (Object.keys(PROCEDURES) as ProcedureId[]).find(
            (p) => PROCEDURES[p].acrName === (action.resource as ServiceRequest).code?.text,
          )!;
          ratings.push(ratingFor(variant, suggested)?.rating ?? 0);
          const same = replacementRegion(suggested) === replacementRegion(procedure);
          t.equal(action.type, same ? 'update' : 'create', `${what} → ${suggested}`);
          if (s.isRecommended) t.ok(same, `${what}: only a same-region study is recommended`);
        }
        t.same(ratings, [...ratings].sort((a, b) => b - a), `${what}: best first`);
      }
    }
  }
  t.ok(cards > 40, `${cards} cards checked`);
});

t.test('finding 5: every "remove the order" card carries our red-flag caveat', async (t) => {
  for (const variant of [2, 3, 6] as const) {
    const card = only(render(orderDecision(determined(variant), [rated(variant, 'ct-head-wo')])).cards, 'card');
    t.equal(only(card.suggestions, 'suggestion').actions?.[0]?.type, 'delete', `V${variant}: remove`);
    t.ok(card.detail?.includes(REMOVE_ORDER_CAVEAT.text), `V${variant}: the caveat`);
    t.ok(card.detail?.includes(REMOVE_ORDER_CAVEAT.heading), `V${variant}: marked as ours, for review`);
    for (const flag of ['seizure', 'focal neurological deficit', 'subdural haematoma', 'venous sinus thrombosis', 'meningism']) {
      t.match(card.detail, flag, `V${variant}: ${flag}`);
    }
  }
  // Not on cards that do not propose removing the order.
  t.notOk(only(render(seedOrdering('mr-myelography')).cards, 'card').detail?.includes(REMOVE_ORDER_CAVEAT.text));
});

t.test('finding 6: evidence dates are shown as dates, and data is still escaped', async (t) => {
  t.equal(displayDate('2026-03-02'), '2026-03-02');
  t.equal(displayDate('2026-03-02T14:30:00Z'), '2026-03-02 14:30');
  t.equal(displayDate('2026-03-02T14:30:15.123+02:00'), '2026-03-02 14:30');
  t.equal(displayDate('2026-03'), '2026-03');
  t.equal(displayDate('2026'), '2026');
  t.equal(displayDate('`rm -rf`'), '\\`rm -rf\\`', 'not a date: escaped');
  t.equal(displayDate('2026-03-02<img src=x>'), '2026-03-02&lt;img src\\=x&gt;');
  t.equal(escapeTableCell('a|b - c: d'), 'a\\|b - c: d');
  t.equal(escapeTableCell('http://x.org'), 'http\\://x\\.org', 'a URL scheme keeps its escape');
  t.equal(escapeTableCell('a\\-b'), 'a\\\\-b', 'a literal backslash stays escaped');

  const evidence = [
    { ...SEED_EVIDENCE[0]!, date: '2026-01-10T08:05:00Z' },
    { ...SEED_EVIDENCE[0]!, id: 'cond-2', date: '2026-01-11' },
  ];
  const detail = only(render(orderDecision(determined(5, evidence), [rated(5, 'mr-myelography')])).cards, 'card').detail ?? '';
  t.ok(detail.includes('| 2026-01-10 08:05 |'), 'date and time');
  t.ok(detail.includes('| 2026-01-11 |'), 'date');
  t.notOk(detail.includes('2026\\-01'), 'no escaped hyphens in dates');
  t.notOk(detail.includes('T08\\:05'), 'no raw ISO strings');
});

t.test('escapeMarkdown', async (t) => {
  t.equal(escapeMarkdown('<img src=x onerror=alert(1)>'), '&lt;img src\\=x onerror\\=alert\\(1\\)&gt;');
  t.equal(escapeMarkdown('[x](javascript:alert(1))'), '\\[x\\]\\(javascript\\:alert\\(1\\)\\)');
  t.equal(escapeMarkdown('**b** `c` a|b'), '\\*\\*b\\*\\* \\`c\\` a\\|b');
  t.equal(escapeMarkdown('line1\n# h\r\n- x'), 'line1 \\# h  \\- x');
  t.equal(escapeMarkdown(`"q" & 'a'`), '&quot;q&quot; &amp; &#39;a&#39;');
  t.equal(escapeMarkdown('plain text 123'), 'plain text 123');
});

t.test('fitSummary keeps summaries under 140 characters', async (t) => {
  t.equal(fitSummary('short'), 'short');
  const long = fitSummary('x'.repeat(300));
  t.ok(long.length < 140);
  t.ok(long.endsWith('…'));
});
