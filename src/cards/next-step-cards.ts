/**
 * Cards for patient-view: one per next step. Usually Appropriate imaging not yet done becomes an `info` card
 * whose suggestions create draft orders; a myelogram on record becomes an `info` card with the seed article's
 * downstream path for its result.
 */
import type { Card, Suggestion } from '../protocol/types.js';
import type { Decision, NextStep } from '../engine/types.js';
import type { ProcedureId, VariantId } from '../guideline/types.js';
import { AFTER_MYELOGRAPHY, MYELOGRAPHY_RESULTS_SHOWN, NEXT_STUDY_NOTES } from '../guideline/advice.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { VARIANTS } from '../guideline/variants.js';
import { makeCard } from './card-base.js';
import {
  evidenceSection,
  gapsSection,
  listSection,
  pitfallsSection,
  ratingSection,
  sourceSection,
  variantSection,
} from './detail.js';
import { blocks, bullets, firstFitting, heading } from './markdown.js';
import type { StampContext } from './pama-rating.js';
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

function orderSuggestions(step: OrderImaging, patientId: string | undefined, ctx: StampContext): Suggestion[] {
  if (!patientId || step.procedures.length === 0) return [];
  if (step.selection === 'all') {
    const chosen = bestPerRegion(step.variant, step.procedures);
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
  const { ordered, recommended } = rankAlternatives(step.variant, step.procedures);
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

/** Evidence, reasoning, pitfalls and gaps of the decision: shown on every patient-view card. */
function decisionTail(decision: Decision): string[] {
  const choice = decision.variant;
  return [
    evidenceSection('Why this scenario', choice.evidence),
    choice.status === 'determined' ? listSection('Reasoning', choice.rationale) : '',
    choice.status === 'determined' ? listSection('Please check', choice.cautions) : '',
    pitfallsSection(decision.pitfalls),
    gapsSection(decision.gaps),
    sourceSection(),
  ];
}

function orderImagingCard(decision: Decision, step: OrderImaging, ctx: StampContext): Card {
  const variant = step.variant;
  const short = VARIANTS[variant].shortName;
  const names = step.procedures.map((p) => PROCEDURES[p].acrName);
  const note = NEXT_STUDY_NOTES[variant];
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
      ? 'These studies are alternatives: one is enough.'
      : 'They are parts of one work-up: the suggestion orders the best-rated study of each region.';
  return makeCard(
    {
      summary,
      indicator: 'info',
      detail: blocks(
        `The ACR rates these studies Usually Appropriate for this scenario and none is on record yet. ${howTo}`,
        note ? `${note.text} (Source: ${note.source}.)` : '',
        decision.patientId ? '' : 'No patient id was available, so no draft order can be suggested.',
        variantSection(variant),
        ratingSection(
          variant,
          step.procedures.map((p) => ({ procedure: p })),
        ),
        ...decisionTail(decision),
      ),
      suggestions: orderSuggestions(step, decision.patientId, ctx),
    },
    ctx.newUuid,
  );
}

const AFTER_SUMMARIES: Record<AfterMyelography['result'], string> = {
  positive: 'Myelogram localised a leak: consider a targeted epidural blood patch or fibrin glue at that level',
  negative: 'Negative myelogram: options are the other myelography modality, a non-targeted patch, or referral',
  indeterminate: 'Indeterminate myelogram: a multidisciplinary review is advised',
  unknown: 'Myelogram on record: next steps depend on its result',
};

function afterMyelographyCard(decision: Decision, step: AfterMyelography, ctx: StampContext): Card {
  const results = step.result === 'unknown' ? MYELOGRAPHY_RESULTS_SHOWN : [step.result];
  const branches = results.map((r) => {
    const b = AFTER_MYELOGRAPHY[r];
    return `${heading(b.heading)}\n\n${bullets(b.steps)}\n\nSource: ${b.source}.`;
  });
  const choice = decision.variant;
  return makeCard(
    {
      summary: AFTER_SUMMARIES[step.result],
      indicator: 'info',
      detail: blocks(
        step.result === 'unknown'
          ? 'A myelogram is on record but its result could not be read; the path depends on the result.'
          : '',
        ...branches,
        evidenceSection('Myelogram on record', step.evidence),
        choice.status === 'determined' ? variantSection(choice.variant) : '',
        ...decisionTail(decision),
      ),
    },
    ctx.newUuid,
  );
}

/** One card per next step, in the engine's order. */
export function nextStepCards(decision: Decision, ctx: StampContext): Card[] {
  return decision.nextSteps.map((step) =>
    step.kind === 'order-imaging'
      ? orderImagingCard(decision, step, ctx)
      : afterMyelographyCard(decision, step, ctx),
  );
}
