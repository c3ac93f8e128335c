/**
 * decide: one hook call in, one Decision out. Pure: the time comes in `opts.now`, nothing is read or written.
 *
 *   draft orders → reasons → facts → variant → rated orders (selected only) → next steps (patient-view)
 *   → pitfalls (the seed article's) → Decision
 *
 * The reasons of EVERY draft order feed the facts, not only the selected ones: they are the clinician's stated
 * indication for the session, which is what the record may not yet hold. Each order's own reasons also decide
 * whether that order belongs to this topic at all (rateOrder: an order for seizure or head injury is outside
 * the topic, whatever the patient's scenario).
 */
import type { CodeableConcept } from 'fhir/r4.js';
import type { HookRequest } from '../protocol/types.js';
import type { PatientRecord } from '../fhir/record.js';
import type { PitfallId } from '../guideline/types.js';
import type { SiteCodeMap } from '../guideline/site-codes.js';
import type { Decision, RatedOrder, VariantChoice } from './types.js';
import { draftOrdersOf } from '../protocol/draft-orders.js';
import { RECOGNITION_NOTES } from '../guideline/order-codes.js';
import { thresholdMs } from '../guideline/thresholds.js';
import { extractFacts, type ClinicalFacts, type DraftReason } from './facts.js';
import { chooseVariant, restsOnText } from './variant.js';
import { nextSteps } from './next-steps.js';
import { qualifyVariant } from './data-sufficiency.js';
import { rateOrder, recogniseOrder } from './orders.js';
import { evaluateSiteFacts, type SiteFacts } from './site-facts.js';
import { mergeSiteFindings } from './site-facts-merge.js';

export interface DecideOptions {
  now: Date;
  siteCodes?: SiteCodeMap;
  /** Site-defined facts in FHIRPath (SITE_FACTS_PATH), compiled at start-up. */
  siteFacts?: SiteFacts;
}

export function decide(request: HookRequest, record: PatientRecord, opts: DecideOptions): Decision {
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
  const orders = drafts
    .filter((d) => d.selected)
    .map((d) => rateOrder(d, recogniseOrder(d.resource, opts.siteCodes), variant));
  return {
    hook: request.hook,
    variant,
    orders,
    nextSteps: request.hook === 'patient-view' ? nextSteps(variant, facts, record, opts.siteCodes) : [],
    gaps: [...gaps],
    pitfalls: pitfallsFor(variant, facts, orders),
    ...(request.context.patientId ? { patientId: request.context.patientId } : {}),
  };
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
