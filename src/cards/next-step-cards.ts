/**
 * Cards for patient-view: one per next step. Usually Appropriate imaging not yet done becomes an `info` card
 * whose suggestions create draft orders; a myelogram on record becomes an `info` card with the seed article's
 * downstream path for its result.
 */
import type { Card, Suggestion } from '../protocol/types.js';
import type { NextStep } from '../engine/types.js';
import type { ProcedureId, VariantId } from '../guideline/types.js';
import { AFTER_MYELOGRAPHY, MYELOGRAPHY_RESULTS_SHOWN, NEXT_STUDY_NOTES, WHY_PREFERRED } from '../guideline/advice.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { VARIANTS } from '../guideline/variants.js';
import { cardLinks, makeCard } from './card-base.js';
import { listBlock, studiesTable, type CardView } from './detail.js';
import { evidenceBlock, keyEvidence } from './evidence.js';
import { blocks, bullets, firstFitting } from './markdown.js';
import { createOrderAction, rankAlternatives } from './suggestions.js';
type OrderImaging = Extract<NextStep, { kind: 'order-imaging' }>;
type AfterMyelography = Extract<NextStep, { kind: 'after-myelography' }>;

/**
 * For 'all' (parts of one work-up, V1 head and spine): the best study of each region, because the ACR's
 * Usually Appropriate list holds alternatives within a region (MRI head with or without contrast) and the
 * clinician needs one of each, not all four.
 */
export function bestPerRegion(variant: VariantId, procedures: readonly ProcedureId[]): ProcedureId[] {
  const { ordered } = rankAlternatives(variant, procedures);
  const seen = new Set<string>();
  return ordered.filter((p) => {
    const region = PROCEDURES[p].region;
    if (seen.has(region)) return false;
    seen.add(region);
    return true;
  });
}

function orderSuggestions(step: OrderImaging, patientId: string | undefined, ctx: CardView): Suggestion[] {
  // Never a study already ordered or done (Decision.alreadyHave). A local list, not `{ ...step, procedures }`:
  // a spread followed by more properties is V8's slow path on Node 20.
  const procedures = step.procedures.filter((p) => !ctx.have.has(p));
  if (!patientId || procedures.length === 0) return [];
  if (step.selection === 'all') {
    const chosen = bestPerRegion(step.variant, procedures);
    const names = chosen.map((p) => PROCEDURES[p].acrName);
    return [
      {
        label: `Order ${names.join(' and ')}`,
        uuid: ctx.newUuid(),
        isRecommended: true,
        actions: chosen.map((p) => createOrderAction(patientId, step.variant, p, ctx)),
      },
    ];
  }
  const { ordered, recommended } = rankAlternatives(step.variant, procedures);
  return ordered.map((p) => {
    const suggestion: Suggestion = {
      label: `Order ${PROCEDURES[p].acrName}`,
      uuid: ctx.newUuid(),
      actions: [createOrderAction(patientId, step.variant, p, ctx)],
    };
    if (p === recommended) suggestion.isRecommended = true;
    return suggestion;
  });
}

function orderImagingCard(view: CardView, step: OrderImaging): Card {
  const decision = view.decision;
  const variant = step.variant;
  const short = VARIANTS[variant].shortName;
  const names = step.procedures.map((p) => PROCEDURES[p].acrName);
  const reason = NEXT_STUDY_NOTES[variant]?.text ?? WHY_PREFERRED[variant]?.text;
  const summary =
    step.selection === 'one-of'
      ? firstFitting(
          `Consider ${names.join(' or ')} (ACR Usually Appropriate)`,
          `Consider one of ${names.length} ACR Usually Appropriate studies (${short})`,
          `Consider one of ${names.length} ACR Usually Appropriate studies`,
        )
      : firstFitting(
          `ACR Usually Appropriate imaging not yet done: ${names.join(' and ')}`,
          `ACR Usually Appropriate imaging not yet done (${short})`,
          'ACR Usually Appropriate imaging not yet done',
        );
  const howTo =
    step.selection === 'one-of'
      ? 'They are alternatives: one is enough.'
      : 'They are parts of one work-up: the suggestion orders the best-rated study of each region.';
  return makeCard(
    {
      summary,
      indicator: 'info',
      detail: blocks(
        view.redFlags,
        reason ? `${reason} ${howTo}` : `None is on record yet. ${howTo}`,
        studiesTable(variant, step.procedures.map((p) => ({ procedure: p }))),
        decision.patientId ? '' : 'No patient id was available, so no draft order can be suggested.',
        // The heading names the variant: this card's summary is about the next study, not the scenario.
        evidenceBlock(`Why ACR ${short}`, view.evidence),
        decision.variant.status === 'determined' ? listBlock('Please check', decision.variant.cautions) : '',
        view.gaps,
      ),
      links: cardLinks(view.baseUrl, variant),
      suggestions: orderSuggestions(step, decision.patientId, view),
    },
    view.newUuid,
  );
}

const AFTER_SUMMARIES: Record<AfterMyelography['result'], string> = {
  positive: 'Myelogram localised a leak: consider a targeted epidural blood patch or fibrin glue at that level',
  negative: 'Negative myelogram: options are the other myelography modality, a non-targeted patch, or referral',
  indeterminate: 'Indeterminate myelogram: a multidisciplinary review is advised',
  unknown: 'Myelogram on record: next steps depend on its result',
};

function afterMyelographyCard(view: CardView, step: AfterMyelography): Card {
  const results = step.result === 'unknown' ? MYELOGRAPHY_RESULTS_SHOWN : [step.result];
  const branches = results.map((r) => {
    const b = AFTER_MYELOGRAPHY[r];
    return `**${b.heading}**\n\n${bullets(b.steps)}`;
  });
  const choice = view.decision.variant;
  return makeCard(
    {
      summary: AFTER_SUMMARIES[step.result],
      indicator: 'info',
      detail: blocks(
        view.redFlags,
        step.result === 'unknown'
          ? 'A myelogram is on record but its result could not be read; the path depends on the result.'
          : '',
        ...branches,
        evidenceBlock('Myelogram on record', keyEvidence(step.evidence, view.timeZone)),
        view.gaps,
      ),
      links: cardLinks(view.baseUrl, choice.status === 'determined' ? choice.variant : undefined),
    },
    view.newUuid,
  );
}

/** One card per next step, in the engine's order. */
export function nextStepCards(view: CardView): Card[] {
  return view.decision.nextSteps.map((step) =>
    step.kind === 'order-imaging' ? orderImagingCard(view, step) : afterMyelographyCard(view, step),
  );
}
