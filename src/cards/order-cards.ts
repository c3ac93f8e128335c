/**
 * Cards for order-select and order-sign: one card per draft order that is not Usually Appropriate, and one
 * card for the whole call when the variant could not be determined. Usually Appropriate orders get no card,
 * only the rating (system action): keeping cards few is the point (checklist §F 58).
 */
import type { Card, Suggestion } from '../protocol/types.js';
import type { Decision, RatedOrder, VariantChoice } from '../engine/types.js';
import type { Category, ProcedureId, VariantId } from '../guideline/types.js';
import { NO_IMAGING_MANAGEMENT } from '../guideline/advice.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { usuallyAppropriate } from '../guideline/ratings.js';
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
import { rankAlternatives, removeSuggestion, replaceSuggestions } from './suggestions.js';

type Determined = Extract<VariantChoice, { status: 'determined' }>;

function procedureOf(rated: RatedOrder): ProcedureId | undefined {
  return rated.recognition.kind === 'procedure' ? rated.recognition.procedure : undefined;
}

function techniqueNotes(rated: RatedOrder): string[] {
  const fromRecognition = rated.recognition.kind === 'procedure' ? rated.recognition.notes : [];
  return [...fromRecognition, ...rated.notes];
}

/** The sections every order card ends with: why this variant, notes, pitfalls, gaps, source. */
function commonTail(decision: Decision, choice: Determined, rated: RatedOrder): string[] {
  return [
    evidenceSection('Why this scenario', choice.evidence),
    listSection('Reasoning', choice.rationale),
    listSection('Please check', choice.cautions),
    listSection('Technique notes', techniqueNotes(rated)),
    pitfallsSection(decision.pitfalls),
    gapsSection(decision.gaps),
    sourceSection(),
  ];
}

/** "Usually Appropriate instead: A; B." with the recommended one named, or nothing. */
function alternativesLead(variant: VariantId, alternatives: readonly ProcedureId[]): string {
  if (alternatives.length === 0) return '';
  const { ordered, recommended } = rankAlternatives(variant, alternatives);
  const names = ordered.map((p) => PROCEDURES[p].acrName);
  const rec = recommended
    ? ` The suggestion marked recommended (${PROCEDURES[recommended].acrName}) has the best rating and, ` +
      'among equals, the lowest radiation.'
    : '';
  return `Usually Appropriate instead: ${names.join('; ')}.${rec}`;
}

/** A May Be or Usually Not Appropriate order: warn, and offer the variant's Usually Appropriate studies. */
function ratedOrderCard(
  decision: Decision,
  choice: Determined,
  rated: RatedOrder,
  procedure: ProcedureId,
  category: Exclude<Category, 'Usually Appropriate'>,
  ctx: StampContext,
): Card {
  const variant = choice.variant;
  const name = PROCEDURES[procedure].acrName;
  const rating = rated.row ? `${category} (${rated.row.rating})` : category;
  const alternatives = usuallyAppropriate(variant);
  const noImaging = category === 'Usually Not Appropriate' && alternatives.length === 0;

  if (noImaging) {
    const advice = NO_IMAGING_MANAGEMENT[variant];
    const remove = removeSuggestion(rated.order, ctx);
    const suggestions: Suggestion[] = remove ? [remove] : [];
    const management = advice
      ? blocks(
          `${heading('Why no imaging')}\n\n${advice.why}`,
          `${heading('Instead')}\n\n${bullets(advice.steps)}`,
          `Source: ${advice.source}.`,
        )
      : '';
    return makeCard(
      {
        summary: firstFitting(
          `Imaging not advised (${VARIANTS[variant].shortName}): ${name} is ${rating}`,
          `Imaging not advised in ACR variant ${variant}: ${name} is ${rating}`,
        ),
        indicator: 'warning',
        detail: blocks(
          `The ACR rates **${name}** ${rating} for this scenario, and rates no imaging study as appropriate.`,
          variantSection(variant),
          ratingSection(variant, [{ procedure, role: 'ordered' }]),
          management,
          ...commonTail(decision, choice, rated),
        ),
        suggestions,
      },
      ctx.newUuid,
    );
  }

  return makeCard(
    {
      summary: firstFitting(
        `${name} is ${rating} in ACR ${VARIANTS[variant].shortName}`,
        `${name} is ${rating} in ACR variant ${variant}`,
      ),
      indicator: 'warning',
      detail: blocks(
        `The ACR rates **${name}** ${rating} for this scenario. ${alternativesLead(variant, alternatives)}`,
        variantSection(variant),
        ratingSection(variant, [
          { procedure, role: 'ordered' },
          ...alternatives.map((p) => ({ procedure: p, role: 'suggested' })),
        ]),
        ...commonTail(decision, choice, rated),
      ),
      suggestions: replaceSuggestions(rated.order, variant, alternatives, ctx),
    },
    ctx.newUuid,
  );
}

/** A topic procedure the variant does not list: say so, and offer the Usually Appropriate studies. */
function notListedCard(
  decision: Decision,
  choice: Determined,
  rated: RatedOrder,
  procedure: ProcedureId,
  ctx: StampContext,
): Card {
  const variant = choice.variant;
  const name = PROCEDURES[procedure].acrName;
  const alternatives = usuallyAppropriate(variant);
  return makeCard(
    {
      summary: firstFitting(
        `${name} is not rated by the ACR for ${VARIANTS[variant].shortName}`,
        `${name} is not rated in ACR variant ${variant}`,
      ),
      indicator: 'info',
      detail: blocks(
        `The ACR does not list **${name}** for this scenario, so it has no rating here. ` +
          alternativesLead(variant, alternatives),
        variantSection(variant),
        ratingSection(variant, [
          { procedure, role: 'ordered' },
          ...alternatives.map((p) => ({ procedure: p, role: 'suggested' })),
        ]),
        ...commonTail(decision, choice, rated),
      ),
      suggestions: replaceSuggestions(rated.order, variant, alternatives, ctx),
    },
    ctx.newUuid,
  );
}

/** One card for all orders of the call whose variant could not be determined: what is missing, no rating. */
function undeterminedCard(decision: Decision, orders: readonly RatedOrder[], ctx: StampContext): Card {
  const choice = decision.variant.status === 'undetermined' ? decision.variant : undefined;
  const names = [
    ...new Set(orders.map(procedureOf).filter((p): p is ProcedureId => p !== undefined)),
  ].map((p) => PROCEDURES[p].acrName);
  const candidates = (choice?.candidates ?? []).map(
    (v) => `ACR variant ${v}: ${VARIANTS[v].text}`,
  );
  return makeCard(
    {
      summary: 'ACR scenario for suspected intracranial hypotension not determined: imaging order not rated',
      indicator: 'info',
      detail: blocks(
        'The record does not show which ACR scenario applies, so the service gives no appropriateness ' +
          'rating. Recording the facts below would allow one.',
        names.length > 0 ? `${heading('Orders not rated')}\n\n${bullets(names)}` : '',
        listSection('Missing to decide', choice?.missing ?? []),
        listSection('Conflicting findings', choice?.conflicts ?? []),
        candidates.length > 0 ? `${heading('Scenarios still possible')}\n\n${bullets(candidates)}` : '',
        evidenceSection('Found in the record', decision.variant.evidence),
        listSection('Technique notes', orders.flatMap(techniqueNotes)),
        pitfallsSection(decision.pitfalls),
        gapsSection(decision.gaps),
        sourceSection(),
      ),
    },
    ctx.newUuid,
  );
}

/** Cards for the rated orders of an order-select / order-sign call, in order; undetermined card last. */
export function orderCards(decision: Decision, ctx: StampContext): Card[] {
  const cards: Card[] = [];
  const undetermined: RatedOrder[] = [];
  const choice = decision.variant.status === 'determined' ? decision.variant : undefined;
  for (const rated of decision.orders) {
    const procedure = procedureOf(rated);
    if (rated.outcome === 'undetermined') {
      undetermined.push(rated);
      continue;
    }
    // 'not-applicable', 'outside-topic', 'empty': no card (the rating alone, or nothing).
    if (!choice || !procedure) continue;
    if (rated.outcome === 'not-listed') {
      cards.push(notListedCard(decision, choice, rated, procedure, ctx));
    } else if (rated.outcome === 'rated') {
      const category = rated.category ?? rated.row?.category;
      if (category === 'May Be Appropriate' || category === 'Usually Not Appropriate') {
        cards.push(ratedOrderCard(decision, choice, rated, procedure, category, ctx));
      }
    }
  }
  if (undetermined.length > 0) cards.push(undeterminedCard(decision, undetermined, ctx));
  return cards;
}
