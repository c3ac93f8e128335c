/**
 * Cards for order-select and order-sign: one card per draft order that is not Usually Appropriate, and one
 * card for the whole call when the variant could not be determined. Usually Appropriate orders get no card,
 * only the rating (system action): keeping cards few is the point (checklist §F 58) — except when the rating
 * rests on an assumption about the order (a lumbar MRI rated as complete-spine MRI, a myelogram rated as DSM),
 * which an `info` card says, the rating kept.
 */
import type { Card, Suggestion } from '../protocol/types.js';
import type { Decision, RatedOrder, VariantChoice } from '../engine/types.js';
import type { Category, ProcedureId, VariantId } from '../guideline/types.js';
import { ASSUMPTION_CARD_LEAD, NO_IMAGING_MANAGEMENT, REMOVE_ORDER_CAVEAT } from '../guideline/advice.js';
import { ASSUMPTION_PHRASES } from '../guideline/order-codes.js';
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
import {
  MAX_ORDER_SUGGESTIONS,
  alternativeSuggestions,
  rankAlternatives,
  removeSuggestion,
  replacementRegion,
} from './suggestions.js';

type Determined = Extract<VariantChoice, { status: 'determined' }>;

function procedureOf(rated: RatedOrder): ProcedureId | undefined {
  return rated.recognition.kind === 'procedure' ? rated.recognition.procedure : undefined;
}

/** Notes on the order (recognition assumptions, then the engine's, e.g. on the order's indication), once each. */
function orderNotes(rated: RatedOrder): string[] {
  const fromRecognition = rated.recognition.kind === 'procedure' ? rated.recognition.notes : [];
  return [...new Set([...fromRecognition, ...rated.notes])];
}

const ORDER_NOTES_TITLE = 'Notes on the order';

/** The sections every order card ends with: why this variant, notes, pitfalls, gaps, source. */
function commonTail(decision: Decision, choice: Determined, rated: RatedOrder, withNotes = true): string[] {
  return [
    evidenceSection('Why this scenario', choice.evidence),
    listSection('Reasoning', choice.rationale),
    listSection('Please check', choice.cautions),
    withNotes ? listSection(ORDER_NOTES_TITLE, orderNotes(rated)) : '',
    pitfallsSection(decision.pitfalls),
    gapsSection(decision.gaps),
    sourceSection(),
  ];
}

function names(procedures: readonly ProcedureId[]): string {
  return procedures.map((p) => PROCEDURES[p].acrName).join('; ');
}

/**
 * "Usually Appropriate instead: A; B.", which of them could replace the order (same region) and which are
 * offered as new orders (another region), and why the recommended suggestion is recommended; or nothing.
 */
function alternativesLead(
  variant: VariantId,
  procedure: ProcedureId,
  alternatives: readonly ProcedureId[],
  recommended: ProcedureId | undefined,
): string {
  if (alternatives.length === 0) return '';
  const { ordered } = rankAlternatives(variant, alternatives);
  const region = replacementRegion(procedure);
  const same = ordered.filter((p) => replacementRegion(p) === region);
  const other = ordered.filter((p) => replacementRegion(p) !== region);
  const parts = [`Usually Appropriate instead: ${names(ordered)}.`];
  if (other.length > 0) {
    parts.push(
      same.length > 0
        ? `Of these, the same region as this order (may replace it): ${names(same)}. Another region (offered ` +
            `as a new order, not as a replacement): ${names(other)}.`
        : 'They image another region, so they are offered as new orders, not as replacements of this one.',
    );
  }
  if (ordered.length > MAX_ORDER_SUGGESTIONS) {
    parts.push(`The suggestions offer the best ${MAX_ORDER_SUGGESTIONS}.`);
  }
  if (recommended) {
    parts.push(
      `The suggestion marked recommended (${PROCEDURES[recommended].acrName}) has the best rating of the ` +
        'studies of the same region and, among equals, the lowest radiation.',
    );
  }
  return parts.join(' ');
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
    const caveat = `${heading(REMOVE_ORDER_CAVEAT.heading)}\n\n${REMOVE_ORDER_CAVEAT.text}\n\nSource: ${REMOVE_ORDER_CAVEAT.source}.`;
    return makeCard(
      {
        summary: firstFitting(
          `Imaging not advised (${VARIANTS[variant].shortName}): ${name} is ${rating}`,
          `Imaging not advised in ACR variant ${variant}: ${name} is ${rating}`,
        ),
        indicator: 'warning',
        detail: blocks(
          `The ACR rates **${name}** ${rating} for this scenario, and rates no imaging study as appropriate.`,
          caveat,
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

  return alternativesCard(decision, choice, rated, procedure, alternatives, ctx, {
    summaries: [`${name} is ${rating} in ACR ${VARIANTS[variant].shortName}`, `${name} is ${rating} in ACR variant ${variant}`],
    indicator: 'warning',
    lead: `The ACR rates **${name}** ${rating} for this scenario. `,
  });
}

/**
 * The card body shared by a lower-rated order and a not-listed one: the verdict, the variant, the ordered
 * study's row beside the suggested alternatives, and the common tail; suggestions from the alternatives.
 */
function alternativesCard(
  decision: Decision,
  choice: Determined,
  rated: RatedOrder,
  procedure: ProcedureId,
  alternatives: ProcedureId[],
  ctx: StampContext,
  text: { summaries: [string, string]; indicator: Card['indicator']; lead: string },
): Card {
  const variant = choice.variant;
  // Never suggest a study already in the basket, already ordered or done (Decision.alreadyHave, issue 10).
  // A same-region MRI exclusion comes from another order: it never stops this order's own replacement.
  const own = rated.order.resource.id ?? '';
  const have = new Set(
    (decision.alreadyHave ?? []).filter((h) => h.sameRegionAs === undefined || h.sameRegionAs !== own || own === '').map((h) => h.procedure),
  );
  alternatives = alternatives.filter((p) => !have.has(p));
  const { suggestions, recommended } = alternativeSuggestions(
    rated.order,
    procedure,
    variant,
    alternatives,
    ctx,
    decision.patientId,
  );
  return makeCard(
    {
      summary: firstFitting(...text.summaries),
      indicator: text.indicator,
      detail: blocks(
        text.lead + alternativesLead(variant, procedure, alternatives, recommended),
        variantSection(variant),
        ratingSection(variant, [
          { procedure, role: 'ordered' },
          ...alternatives.map((p) => ({ procedure: p, role: 'suggested' })),
        ]),
        ...commonTail(decision, choice, rated),
      ),
      suggestions,
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
  return alternativesCard(decision, choice, rated, procedure, usuallyAppropriate(variant), ctx, {
    summaries: [`${name} is not rated by the ACR for ${VARIANTS[variant].shortName}`, `${name} is not rated in ACR variant ${variant}`],
    indicator: 'info',
    lead: `The ACR does not list **${name}** for this scenario, so it has no rating here. `,
  });
}

/**
 * A Usually Appropriate order whose rating rests on an assumption (its notes): an `info` card that says what
 * the rating assumed. No suggestion: the rating stands, and the order is the clinician's to adjust.
 */
function assumptionCard(
  decision: Decision,
  choice: Determined,
  rated: RatedOrder,
  procedure: ProcedureId,
  notes: readonly string[],
  ctx: StampContext,
): Card {
  const variant = choice.variant;
  const name = PROCEDURES[procedure].acrName;
  const rating = rated.row ? `${rated.row.category} (${rated.row.rating})` : 'Usually Appropriate';
  const phrases = [...new Set(notes.map((n) => ASSUMPTION_PHRASES[n] ?? 'rated on an assumption'))];
  return makeCard(
    {
      summary: firstFitting(
        `${name} is ${rating}, ${phrases.join('; ')}: check the order`,
        `${name} is ${rating}, ${phrases.join('; ')}`,
        `${rating} in ACR variant ${variant}, ${phrases.join('; ')}: check the order`,
        `${name} is ${rating}, rated on assumptions: check the order`,
        `${rating} in ACR variant ${variant}, rated on assumptions: check the order`,
      ),
      indicator: 'info',
      detail: blocks(
        `The ACR rates **${name}** ${rating} for this scenario, and the order carries that rating. ` +
          ASSUMPTION_CARD_LEAD,
        listSection('The rating assumed', notes),
        variantSection(variant),
        ratingSection(variant, [{ procedure, role: 'as rated' }]),
        ...commonTail(decision, choice, rated, false),
      ),
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
        candidates.length > 0
          ? 'The record does not show which ACR scenario applies, so the service gives no appropriateness ' +
              'rating. Recording the facts below would allow one.'
          : 'None of the ACR scenarios of this topic fits what the record shows (see below), so the service ' +
              "gives no appropriateness rating; the choice of study is the clinician's.",
        names.length > 0 ? `${heading('Orders not rated')}\n\n${bullets(names)}` : '',
        listSection('Missing to decide', choice?.missing ?? []),
        listSection('Conflicting findings', choice?.conflicts ?? []),
        candidates.length > 0 ? `${heading('Scenarios still possible')}\n\n${bullets(candidates)}` : '',
        evidenceSection('Found in the record', decision.variant.evidence),
        listSection(ORDER_NOTES_TITLE, orders.flatMap(orderNotes)),
        pitfallsSection(decision.pitfalls),
        gapsSection(decision.gaps),
        sourceSection(),
      ),
    },
    ctx.newUuid,
  );
}

/**
 * An order rated although the variant is open, because every still-possible variant rates it the same
 * (issue 10 class 5). Without this card the order would carry a PAMA "not-appropriate" with no word of why.
 * The card names the possible variants and what would decide between them; it offers removal only when no
 * possible variant rates any study as appropriate, and never a replacement (the variants disagree on those).
 */
function sharedRatingCard(
  decision: Decision,
  rated: RatedOrder,
  procedure: ProcedureId,
  category: Exclude<Category, 'Usually Appropriate'>,
  ctx: StampContext,
): Card {
  const open = decision.variant.status === 'undetermined' ? decision.variant : undefined;
  const variants = rated.possibleVariants ?? [];
  const name = PROCEDURES[procedure].acrName;
  const rating = rated.row ? `${category} (${rated.row.rating})` : category;
  const noImaging = category === 'Usually Not Appropriate' && variants.every((v) => usuallyAppropriate(v).length === 0);
  const remove = noImaging ? removeSuggestion(rated.order, ctx) : undefined;
  const which = variants.map((v) => `${v}`).join(' or ');
  return makeCard(
    {
      summary: firstFitting(
        `${name} is ${rating} in every possible ACR scenario (variant ${which})`,
        `${name} is ${rating} in ACR variant ${which}`,
      ),
      indicator: 'warning',
      detail: blocks(
        `The record does not show which of ACR variants ${which} applies, but each rates **${name}** ${rating}, ` +
          'so the rating does not depend on it.',
        noImaging ? `${heading(REMOVE_ORDER_CAVEAT.heading)}\n\n${REMOVE_ORDER_CAVEAT.text}\n\nSource: ${REMOVE_ORDER_CAVEAT.source}.` : '',
        `${heading('Scenarios still possible')}\n\n${bullets(variants.map((v) => `ACR variant ${v}: ${VARIANTS[v].text}`))}`,
        ...variants.map((v) => ratingSection(v, [{ procedure, role: 'ordered' }])),
        listSection('Missing to decide', open?.missing ?? []),
        evidenceSection('Found in the record', decision.variant.evidence),
        listSection(ORDER_NOTES_TITLE, orderNotes(rated)),
        pitfallsSection(decision.pitfalls),
        gapsSection(decision.gaps),
        sourceSection(),
      ),
      suggestions: remove ? [remove] : [],
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
    if (!choice && procedure && rated.outcome === 'rated' && (rated.possibleVariants ?? []).length > 0) {
      const category = rated.category ?? rated.row?.category;
      if (category === 'May Be Appropriate' || category === 'Usually Not Appropriate') {
        cards.push(sharedRatingCard(decision, rated, procedure, category, ctx));
      }
      continue;
    }
    if (!choice || !procedure) continue;
    if (rated.outcome === 'not-listed') {
      cards.push(notListedCard(decision, choice, rated, procedure, ctx));
    } else if (rated.outcome === 'rated') {
      const category = rated.category ?? rated.row?.category;
      if (category === 'May Be Appropriate' || category === 'Usually Not Appropriate') {
        cards.push(ratedOrderCard(decision, choice, rated, procedure, category, ctx));
      } else if (category === 'Usually Appropriate') {
        const notes = orderNotes(rated);
        if (notes.length > 0) cards.push(assumptionCard(decision, choice, rated, procedure, notes, ctx));
      }
    }
  }
  if (undetermined.length > 0) cards.push(undeterminedCard(decision, undetermined, ctx));
  return cards;
}
