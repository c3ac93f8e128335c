/**
 * Cards for order-select and order-sign. One card per draft order whose rating should change what the
 * clinician does, built in one pass: first what to say (`plan`), then its sections, then its suggestions.
 * Plus one card for the whole call when the variant could not be determined.
 *
 * When an order gets a card:
 * - May Be / Usually Not Appropriate, or a topic study the variant does not list: a card with the reason the
 *   better study is better, and a one-click alternative;
 * - Usually Appropriate: no card (the rating goes in a system action). Notes on how the order was read
 *   ("rated as complete-spine imaging", "rated as digital subtraction myelography", "recognised from the order
 *   text", "rated as without contrast") qualify a card shown for another reason, in its "Check" line; alone
 *   they get no card: in a site's catalogue nearly every order carries one, and the rating stands either way.
 *   The one exception (ACTIONABLE_NOTES): an order naming head AND spine, rated as head imaging only, whose
 *   spine part no rating covers unless it is ordered separately.
 */
import type { Card, Suggestion } from '../protocol/types.js';
import type { RatedOrder, VariantChoice } from '../engine/types.js';
import type { ProcedureId, VariantId } from '../guideline/types.js';
import { NO_IMAGING_MANAGEMENT, REMOVE_ORDER_CAVEAT, WHY_LOWER, WHY_PREFERRED } from '../guideline/advice.js';
import { ASSUMPTION_PHRASES, RECOGNITION_NOTES } from '../guideline/order-codes.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { usuallyAppropriate } from '../guideline/ratings.js';
import { VARIANTS } from '../guideline/variants.js';
import { cardLinks, makeCard } from './card-base.js';
import { listBlock, ratingLabel, studiesTable, studiesToAvoidFor, type CardView, type StudyLine } from './detail.js';
import { evidenceBlock } from './evidence.js';
import { blocks, escapeMarkdown, firstFitting } from './markdown.js';
import { MAX_ORDER_SUGGESTIONS, alternativeSuggestions, rankAlternatives, removeSuggestion } from './suggestions.js';

type Determined = Extract<VariantChoice, { status: 'determined' }>;

/** Notes on a Usually Appropriate order that, alone, justify a card: the clinician has to change the order. */
export const ACTIONABLE_NOTES: ReadonlySet<string> = new Set([RECOGNITION_NOTES.headAndSpine]);

function procedureOf(rated: RatedOrder): ProcedureId | undefined {
  return rated.recognition.kind === 'procedure' ? rated.recognition.procedure : undefined;
}

/** Notes on the order (recognition assumptions, then the engine's, e.g. on its indication), once each. */
function orderNotes(rated: RatedOrder): string[] {
  const fromRecognition = rated.recognition.kind === 'procedure' ? rated.recognition.notes : [];
  return [...new Set([...fromRecognition, ...rated.notes])];
}

/** The short form of each note ("rated as complete-spine imaging"), for a one-line "Check" section. */
function notePhrases(notes: readonly string[]): string[] {
  return [...new Set(notes.map((n) => ASSUMPTION_PHRASES[n] ?? 'rated on an assumption about the order'))];
}

/** What one order card says, decided before any markdown is written. */
interface Plan {
  summaries: string[];
  indicator: Card['indicator'];
  /** One or two sentences: the clinical reason first. */
  reason: string;
  studies: StudyLine[];
  /** Short phrases qualifying the rating of this order. */
  check: string[];
  /** Extra block (ours), e.g. the caveat on removing an order. */
  caveat?: string;
  suggest: () => Suggestion[];
  /** Whether the scenario's key evidence is worth showing (not for a note on the order itself). */
  withEvidence: boolean;
}

function names(procedures: readonly ProcedureId[]): string {
  return procedures.map((p) => PROCEDURES[p].acrName).join(' or ');
}

/** The clinical reason a better-rated study is better here, from the guideline data, else the bare ranking. */
function reasonFor(variant: VariantId, ordered: ProcedureId, better: readonly ProcedureId[]): string {
  const why = WHY_PREFERRED[variant]?.text ?? `The ACR rates ${names(better)} higher for this scenario.`;
  const lower = WHY_LOWER[variant]?.[ordered]?.text;
  return lower ? `${why} ${lower}` : why;
}

function planFor(view: CardView, choice: Determined, rated: RatedOrder, procedure: ProcedureId): Plan | undefined {
  // An order that carries a red flag the variant does not cover is never discouraged (the engine rates it
  // outside the topic; this guards hand-built decisions too).
  if ((rated.redFlags?.length ?? 0) > 0) return undefined;
  const variant = choice.variant;
  const name = PROCEDURES[procedure].acrName;
  const pv = rated.possibleVariants ?? [];
  const short = pv.length > 1 ? `variant ${pv.join(' or ')}` : VARIANTS[variant].shortName;
  const notes = orderNotes(rated);
  const category = rated.outcome === 'rated' ? (rated.category ?? rated.row?.category) : undefined;
  const rating = ratingLabel(variant, procedure) ?? category;

  if (rated.outcome === 'rated' && category === 'Usually Appropriate') {
    const actionable = notes.filter((n) => ACTIONABLE_NOTES.has(n));
    if (actionable.length === 0) return undefined;
    const phrases = notePhrases(actionable);
    return {
      summaries: [
        `${name} is ${rating}, ${phrases.join('; ')}: check the order`,
        `${rating} in ACR variant ${variant}, ${phrases.join('; ')}: check the order`,
        `${rating} in ACR variant ${variant}, rated on an assumption: check the order`,
      ],
      indicator: 'info',
      reason: actionable.join(' '),
      studies: [],
      check: notePhrases(notes.filter((n) => !ACTIONABLE_NOTES.has(n))),
      suggest: () => [],
      withEvidence: false,
    };
  }

  const all = usuallyAppropriate(variant);
  // Never suggest a study already in the basket, already ordered or done (Decision.alreadyHave); this
  // order's own same-region replacements stay open.
  const own = rated.order.resource.id;
  const avoid = own ? studiesToAvoidFor(view, own) : view.have;
  const alternatives = all.filter((p) => !avoid.has(p));
  if (rated.outcome === 'rated' && category === 'Usually Not Appropriate' && all.length === 0) {
    const advice = NO_IMAGING_MANAGEMENT[variant];
    return {
      summaries: [
        `Imaging not advised (${short}): ${name} is ${rating}`,
        `Imaging not advised in ACR variant ${variant}: ${name} is ${rating}`,
      ],
      indicator: 'warning',
      reason: advice?.why ?? `The ACR rates no imaging study as appropriate for this scenario.`,
      // The summary gives the rating; every study rates the same here, so no table.
      studies: [],
      check: notePhrases(notes),
      caveat: `**${REMOVE_ORDER_CAVEAT.heading}:** ${REMOVE_ORDER_CAVEAT.text}`,
      suggest: () => {
        const remove = removeSuggestion(rated.order, view);
        return remove ? [remove] : [];
      },
      withEvidence: true,
    };
  }

  if (rated.outcome !== 'rated' && rated.outcome !== 'not-listed') return undefined;
  if (rated.outcome === 'rated' && category !== 'May Be Appropriate' && category !== 'Usually Not Appropriate') {
    return undefined;
  }
  const { ordered: ranked } = rankAlternatives(variant, alternatives);
  const offered = ranked.filter((p) => p !== procedure).slice(0, MAX_ORDER_SUGGESTIONS);
  const listed = rated.outcome === 'rated';
  return {
    summaries: listed
      ? [`${name} is ${rating} in ACR ${short}`, `${name} is ${rating} in ACR variant ${variant}`]
      : [`${name} is not rated by the ACR for ${short}`, `${name} is not rated in ACR variant ${variant}`],
    indicator: listed ? 'warning' : 'info',
    reason: reasonFor(variant, procedure, offered),
    studies: [{ procedure, role: 'ordered' }, ...offered.map((p) => ({ procedure: p }))],
    check: notePhrases(notes),
    suggest: () =>
      alternativeSuggestions(rated.order, procedure, variant, alternatives, view, view.decision.patientId).suggestions,
    withEvidence: true,
  };
}

/** A card decided on but not yet written: the response budget builds only the ones that fit. */
export interface PlannedCard {
  indicator: Card['indicator'];
  build: () => Card;
}

/** The card of one order, or none when its rating changes nothing the clinician does. */
function orderCard(view: CardView, choice: Determined, rated: RatedOrder): PlannedCard | undefined {
  const procedure = procedureOf(rated);
  if (!procedure) return undefined;
  const plan = planFor(view, choice, rated, procedure);
  if (!plan) return undefined;
  return { indicator: plan.indicator, build: () => writeCard(view, choice, plan) };
}

function writeCard(view: CardView, choice: Determined, plan: Plan): Card {
  const detail = blocks(
    view.redFlags,
    plan.reason,
    plan.studies.length > 0 ? studiesTable(choice.variant, plan.studies) : '',
    plan.check.length > 0 ? `**Check:** ${plan.check.map(escapeMarkdown).join('; ')}.` : '',
    plan.caveat,
    plan.withEvidence ? evidenceBlock('Why this scenario', view.evidence) : '',
    plan.withEvidence ? listBlock('Please check', choice.cautions) : '',
    view.gaps,
  );
  return makeCard(
    {
      summary: firstFitting(...plan.summaries),
      indicator: plan.indicator,
      detail,
      links: cardLinks(view.baseUrl, choice.variant),
      suggestions: plan.suggest(),
    },
    view.newUuid,
  );
}

/** One card for all orders of the call whose variant could not be determined: what is missing, no rating. */
function undeterminedCard(view: CardView, orders: readonly RatedOrder[]): Card {
  const choice = view.decision.variant.status === 'undetermined' ? view.decision.variant : undefined;
  const ordered = [...new Set(orders.map(procedureOf).filter((p): p is ProcedureId => p !== undefined))];
  const candidates = (choice?.candidates ?? []).map((v) => VARIANTS[v].shortName);
  return makeCard(
    {
      summary: 'ACR scenario for suspected intracranial hypotension not determined: imaging order not rated',
      indicator: 'info',
      detail: blocks(
        view.redFlags,
        candidates.length > 0
          ? `No rating for ${ordered.length > 0 ? names(ordered) : 'the order'}: the record does not show which ACR scenario applies. Recording what is missing below would allow one.`
          : "None of the ACR scenarios of this topic fits what the record shows, so there is no rating; the choice of study is the clinician's.",
        listBlock('Missing to decide', choice?.missing ?? []),
        listBlock('Conflicting findings', choice?.conflicts ?? []),
        listBlock('Scenarios still possible', candidates, false),
        evidenceBlock('Found in the record', view.evidence),
        view.gaps,
      ),
      links: cardLinks(view.baseUrl),
    },
    view.newUuid,
  );
}

/**
 * Cards for the rated orders of an order-select / order-sign call, most urgent first (warnings, then info),
 * in order within each; the undetermined card last.
 */
export function orderCards(view: CardView): PlannedCard[] {
  const decision = view.decision;
  const warnings: PlannedCard[] = [];
  const infos: PlannedCard[] = [];
  const undetermined: RatedOrder[] = [];
  const choice = decision.variant.status === 'determined' ? decision.variant : undefined;
  for (const rated of decision.orders) {
    if (rated.outcome === 'undetermined') {
      undetermined.push(rated);
      continue;
    }
    // 'not-applicable', 'outside-topic', 'empty': no card (the rating alone, or nothing). An order rated while
    // the variant is undetermined (every possible variant rates it the same) is read under the first of them.
    const pv = rated.possibleVariants?.[0];
    const under: Determined | undefined =
      choice ??
      (pv !== undefined && rated.outcome === 'rated'
        ? { status: 'determined', variant: pv, evidence: decision.variant.evidence, rationale: [], cautions: [] }
        : undefined);
    if (!under) continue;
    const card = orderCard(view, under, rated);
    if (card) (card.indicator === 'info' ? infos : warnings).push(card);
  }
  const cards = [...warnings, ...infos];
  if (undetermined.length > 0) cards.push({ indicator: 'info', build: () => undeterminedCard(view, undetermined) });
  return cards;
}
