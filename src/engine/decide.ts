/**
 * decide: one hook call in, one Decision out. Pure: the time comes in `opts.now`, nothing is read or written.
 *
 *   draft orders → reasons → facts → variant → red flags → rated orders (selected only) → next steps
 *   (patient-view) → pitfalls (the seed article's) → work-up and basket → Decision
 *
 * The reasons of EVERY draft order feed the facts, not only the selected ones: they are the clinician's stated
 * indication for the session, which is what the record may not yet hold. Each order's own reasons also decide
 * whether that order belongs to this topic at all (rateOrder: an order for seizure or head injury is outside
 * the topic, whatever the patient's scenario). A red flag anywhere in the session or the recent record stops
 * every order from being discouraged (src/guideline/red-flags.ts).
 */
import type { CodeableConcept } from 'fhir/r4.js';
import type { PatientRecord } from '../fhir/record.js';
import type { PitfallId, ProcedureId } from '../guideline/types.js';
import type { SiteCodeMap } from '../guideline/site-codes.js';
import type { AlreadyHave, Decision, DraftOrder, HookInput, OrderRecognition, RatedOrder, VariantChoice, Workup } from './types.js';
import { draftOrdersOf } from './draft-orders.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { RECOGNITION_NOTES } from '../guideline/order-codes.js';
import { usuallyAppropriate } from '../guideline/ratings.js';
import { thresholdMs } from '../guideline/thresholds.js';
import { extractFacts, type ClinicalFacts, type DraftReason } from './facts.js';
import { withMatchMemo } from './facts-match.js';
import { chooseVariant, restsOnText } from './variant.js';
import { nextSteps, orderedProcedures } from './next-steps.js';
import { qualifyVariant } from './data-sufficiency.js';
import { rateOrder, recogniseOrder, spineRegionsOfOrder, WHOLE_SPINE_BITS } from './orders.js';
import { findRedFlags } from './red-flags.js';
import { evaluateSiteFacts, type SiteFacts } from './site-facts.js';
import { mergeSiteFindings } from './site-facts-merge.js';

export interface DecideOptions {
  now: Date;
  siteCodes?: SiteCodeMap;
  /** Site-defined facts in FHIRPath (SITE_FACTS_PATH), compiled at start-up. */
  siteFacts?: SiteFacts;
}

export function decide(request: HookInput, record: PatientRecord, opts: DecideOptions): Decision {
  // One text memo for the whole call: the draft orders' reasons are read for the facts and again to rate each
  // order (rateOrder), and next steps read the record's orders again; each text is scanned once.
  return withMatchMemo(() => decideOnce(request, record, opts));
}

function decideOnce(request: HookInput, record: PatientRecord, opts: DecideOptions): Decision {
  const drafts = draftOrdersOf(request);
  const reasons: DraftReason[] = [];
  for (const d of drafts) {
    for (const concept of d.resource.reasonCode ?? []) {
      if (concept) reasons.push({ concept: concept as CodeableConcept, ...(d.resource.id ? { orderId: d.resource.id } : {}) });
    }
  }
  const facts = extractFacts(record, reasons, opts.now);
  // The one place site-defined findings join the facts; what the budget left unevaluated is a data gap.
  const site = opts.siteFacts ? evaluateSiteFacts(opts.siteFacts, record) : undefined;
  if (site) mergeSiteFindings(facts, site.findings);
  const gaps = site && site.gaps.length > 0 ? [...record.gaps, ...site.gaps] : record.gaps;
  const variant = qualifyVariant(chooseVariant(facts), gaps, record.patient, opts.now);
  const redFlags = variant.status === 'not-applicable' && variant.because !== 'no-suspicion' ? [] : findRedFlags(facts, variant);
  const recognised = drafts.map((d) => ({ draft: d, recognition: recogniseOrder(d.resource, opts.siteCodes) }));
  const basket = withBasketCoverage(recognised);
  const orders = basket
    .filter((r) => r.draft.selected)
    .map((r) => rateOrder(r.draft, r.recognition, variant, { redFlags }));
  const uncovered = redFlags.some((f) => !f.coveredByVariant);
  let steps = request.hook === 'patient-view' ? nextSteps(variant, facts, record, opts.siteCodes) : [];
  // With an uncovered red flag the picture is not plain SIH: propose no imaging from this topic.
  if (uncovered) steps = steps.filter((s) => s.kind !== 'order-imaging');
  const ordered = orderedProcedures(record.resources.ServiceRequest, opts.siteCodes);
  const workup = variant.status === 'not-applicable' ? undefined : workupOf(facts, ordered, basket);
  return {
    hook: request.hook,
    variant,
    orders,
    nextSteps: steps,
    gaps: [...gaps],
    pitfalls: pitfallsFor(variant, facts, orders),
    redFlags,
    ...(workup ? { workup } : {}),
    alreadyHave: alreadyHave(facts, ordered, basket),
    ...(request.context.patientId ? { patientId: request.context.patientId } : {}),
  };
}

interface Recognised {
  draft: DraftOrder;
  recognition: OrderRecognition;
}

/**
 * Spine orders of one session that together cover cervical, thoracic and lumbar spine (e.g. three regional
 * MRIs, or a dynamic CT myelogram coded per region) are a complete-spine study: the "does not cover the
 * complete spine" note is dropped from each (issue 10, class 8).
 */
function withBasketCoverage(list: Recognised[]): Recognised[] {
  const bitsBy = new Map<ProcedureId, number>();
  const regions = list.map((r) => (r.recognition.kind === 'procedure' && PROCEDURES[r.recognition.procedure].region === 'spine' ? spineRegionsOfOrder(r.draft.resource) : 0));
  list.forEach((r, i) => {
    if (r.recognition.kind !== 'procedure') return;
    bitsBy.set(r.recognition.procedure, (bitsBy.get(r.recognition.procedure) ?? 0) | regions[i]!);
  });
  return list.map((r) => {
    if (r.recognition.kind !== 'procedure' || (bitsBy.get(r.recognition.procedure) ?? 0) !== WHOLE_SPINE_BITS) return r;
    if (!r.recognition.notes.includes(RECOGNITION_NOTES.singleRegion)) return r;
    return { ...r, recognition: { ...r.recognition, notes: r.recognition.notes.filter((n) => n !== RECOGNITION_NOTES.singleRegion) } };
  });
}

const isMri = (p: ProcedureId, region: 'head' | 'spine'): boolean =>
  PROCEDURES[p].modality === 'MR' && PROCEDURES[p].region === region && p !== 'mr-myelography';

/** The initial work-up (V1: MRI head AND MRI complete spine): what is done and what is still missing. */
function workupOf(facts: ClinicalFacts, ordered: Set<ProcedureId>, basket: Recognised[]): Workup {
  const pending = new Set<ProcedureId>(ordered);
  for (const r of basket) if (r.recognition.kind === 'procedure') pending.add(r.recognition.procedure);
  const missing: ProcedureId[] = [];
  for (const region of ['head', 'spine'] as const) {
    const status = (region === 'head' ? facts.brainMri : facts.spineMri).status;
    if (status !== 'none' && status !== 'partial') continue;
    if ([...pending].some((p) => isMri(p, region))) continue;
    const best = usuallyAppropriate(1).find((p) => isMri(p, region));
    if (best) missing.push(best);
  }
  return { brainMri: facts.brainMri.status, spineMri: facts.spineMri.status, missing, spinePartial: facts.spineMri.status === 'partial' };
}

/** Studies never to suggest: in the basket, already ordered, or (MRI of a region) already done. */
function alreadyHave(facts: ClinicalFacts, ordered: Set<ProcedureId>, basket: Recognised[]): AlreadyHave[] {
  const out = new Map<ProcedureId, AlreadyHave['why']>();
  for (const r of basket) if (r.recognition.kind === 'procedure') out.set(r.recognition.procedure, 'in-basket');
  for (const p of ordered) if (!out.has(p)) out.set(p, 'ordered');
  const done = (status: string): boolean => status !== 'none' && status !== 'partial';
  for (const p of Object.keys(PROCEDURES) as ProcedureId[]) {
    if (out.has(p)) continue;
    if ((isMri(p, 'head') && done(facts.brainMri.status)) || (isMri(p, 'spine') && done(facts.spineMri.status))) out.set(p, 'done');
  }
  const list: AlreadyHave[] = [...out].map(([procedure, why]) => ({ procedure, why }));
  // Another MRI protocol of a region already being imaged is a duplicate (head w/o beside head w/wo): our reading.
  const regionOf = (p: ProcedureId): 'head' | 'spine' | undefined => (isMri(p, 'head') ? 'head' : isMri(p, 'spine') ? 'spine' : undefined);
  const holders: { region: 'head' | 'spine'; why: AlreadyHave['why']; id: string }[] = [];
  for (const r of basket) {
    const region = r.recognition.kind === 'procedure' ? regionOf(r.recognition.procedure) : undefined;
    if (region) holders.push({ region, why: 'in-basket', id: r.draft.resource.id ?? '' });
  }
  for (const p of ordered) {
    const region = regionOf(p);
    if (region) holders.push({ region, why: 'ordered', id: '' });
  }
  for (const h of holders) {
    for (const p of Object.keys(PROCEDURES) as ProcedureId[]) {
      if (!out.has(p) && regionOf(p) === h.region) list.push({ procedure: p, why: h.why, sameRegionAs: h.id });
    }
  }
  return list;
}

/** Notes from order recognition that mean "non-dynamic CT myelography or incomplete spine coverage". */
const SUBOPTIMAL_TECHNIQUE_NOTES: ReadonlySet<string> = new Set([RECOGNITION_NOTES.ctmNotDynamic, RECOGNITION_NOTES.singleRegion]);

/** Whether a dural puncture or spinal intervention happened within the recent window (30 days). */
function recentPuncture(facts: ClinicalFacts): boolean {
  const limit = facts.now.getTime() - thresholdMs('recent-spinal-intervention');
  return facts.spinalInterventions.some((d) => d.when !== undefined && d.when.end >= limit);
}

/** The seed article's pitfalls that apply to this decision (texts in src/guideline/advice.ts). */
export function pitfallsFor(variant: VariantChoice, facts: ClinicalFacts, orders: RatedOrder[]): PitfallId[] {
  const out: PitfallId[] = [];
  const v = variant.status === 'determined' ? variant.variant : undefined;
  if (v === 5) out.push('premature-end');
  if (
    v === 5 &&
    orders.some(
      (o) =>
        // An order for another indication (outcome 'outside-topic') is not part of this work-up.
        o.outcome !== 'outside-topic' &&
        o.recognition.kind === 'procedure' &&
        (o.recognition.procedure === 'ct-myelography' || o.recognition.notes.some((n) => SUBOPTIMAL_TECHNIQUE_NOTES.has(n))),
    )
  ) {
    out.push('non-dynamic-ctm');
  }
  if ((v === 5 || v === 1) && recentPuncture(facts)) out.push('post-puncture-confounding');
  if (v === 5 && facts.myelography.done && facts.myelography.result === 'negative') out.push('csf-venous-fistula');
  if (restsOnText(variant)) out.push('text-only-evidence');
  return out;
}
