/**
 * Suggestions (CDS Hooks 2.0.1 §Suggestion, §Action): replace a draft order by a study of the same region the
 * variant rates Usually Appropriate, add a new draft order for a study of another region, remove a draft order,
 * or create new draft orders on patient-view.
 *
 * What the reference sandbox does with an accepted suggestion (spec/sandbox-client-traffic/README.md): it keeps
 * only `code.coding[0]` (and rewrites `code.text` from its display), keeps `reasonCode[].coding[0]`, and calls
 * `reasonCode.map(...)`. So every suggested ServiceRequest (1) has as its FIRST coding the exact ACR procedure
 * in this service's own code system (no standard code tells DSM or dynamic CT myelography apart), which order
 * recognition reads back as that row with no assumption, and (2) always carries a reasonCode: the draft's, else
 * the coded indication the decision rests on. An `update` holds the WHOLE resource, not a diff (§F 54).
 */
import type { CodeableConcept, ServiceRequest } from 'fhir/r4.js';
import type { Action, DraftOrder, Suggestion } from '../protocol/types.js';
import type { ProcedureId, VariantId } from '../guideline/types.js';
import { ACR_PROCEDURE_SYSTEM } from '../guideline/canonical.js';
import { PROCEDURES, orderCodeableConcept, radiationLevel } from '../guideline/procedures.js';
import { ratingFor } from '../guideline/ratings.js';
import { pruneEmpty, pruneEmptyWith } from './fhir-json.js';
import { stampForRow, withPamaRating, type RatingStamp, type StampContext } from './pama-rating.js';

/** What suggestions need besides the uuid and stamp source: the reason an order without its own carries. */
export interface SuggestionContext extends StampContext {
  /** The coded indication the decision rests on (never empty). */
  reasonCode: CodeableConcept[];
}

/**
 * The code of a suggested order: the ACR procedure in this service's code system first (display = the ACR
 * name, so a client that rewrites `code.text` from `coding[0].display` still says the study), then the
 * standard codes, and the ACR name as text.
 */
export function suggestedCode(procedure: ProcedureId): CodeableConcept {
  const standard = orderCodeableConcept(procedure);
  const name = PROCEDURES[procedure].acrName;
  return { coding: [{ system: ACR_PROCEDURE_SYSTEM, code: procedure, display: name }, ...(standard.coding ?? [])], text: name };
}

/** The draft's own reasons when it has any with content, else the decision's indication. */
export function reasonFor(draftReasons: ServiceRequest['reasonCode'], fallback: readonly CodeableConcept[]): CodeableConcept[] {
  const own = Array.isArray(draftReasons) ? pruneEmpty(draftReasons) : undefined;
  return Array.isArray(own) && own.length > 0 ? own : fallback.map((r) => pruneEmpty(r));
}

/** The rating text of a procedure in a variant, e.g. "Usually Appropriate (8)", or undefined if not listed. */
export function ratingText(variant: VariantId, procedure: ProcedureId): string | undefined {
  const row = ratingFor(variant, procedure);
  return row ? `${row.category} (${row.rating})` : undefined;
}

function stampFor(variant: VariantId, procedure: ProcedureId): RatingStamp | undefined {
  const row = ratingFor(variant, procedure);
  return row ? stampForRow(row) : undefined;
}

/** Negative when `a` is the better study in the variant: higher ACR rating, then lower adult radiation. */
export function compareStudies(variant: VariantId, a: ProcedureId, b: ProcedureId): number {
  return compareRanks(rankOf(variant, a), rankOf(variant, b));
}

/** What compareStudies compares, read once per study rather than once per comparison of a sort. */
interface StudyRank {
  rating: number;
  radiation: number;
}

function rankOf(variant: VariantId, procedure: ProcedureId): StudyRank {
  return { rating: ratingFor(variant, procedure)?.rating ?? 0, radiation: radiationLevel(PROCEDURES[procedure].adultRrl) };
}

function compareRanks(a: StudyRank, b: StudyRank): number {
  return b.rating - a.rating || a.radiation - b.radiation;
}

/**
 * Alternatives best first: higher ACR rating, then lower adult radiation (the seed article's V5 pair, DSM
 * ☢☢☢☢ and dynamic CTM ☢☢☢☢☢, both rate 8, so DSM leads), then the input order.
 * `recommended` is the first one only when it is strictly better than the second on (rating, radiation):
 * we do not pretend to prefer one of two equal studies.
 */
export function rankAlternatives(
  variant: VariantId,
  procedures: readonly ProcedureId[],
): { ordered: ProcedureId[]; recommended?: ProcedureId } {
  const ranked = procedures
    .map((p, i) => ({ p, i, rank: rankOf(variant, p) }))
    .sort((a, b) => compareRanks(a.rank, b.rank) || a.i - b.i);
  const ordered = ranked.map(({ p }) => p);
  const [first, second] = ranked;
  if (first === undefined) return { ordered };
  if (second === undefined || compareRanks(first.rank, second.rank) < 0) return { ordered, recommended: first.p };
  return { ordered };
}

/** The draft order as the suggested procedure: same resource, new code and rating. */
export function replacedOrder(
  draft: ServiceRequest,
  variant: VariantId,
  procedure: ProcedureId,
  ctx: SuggestionContext,
): ServiceRequest {
  // No clone needed: withPamaRating and pruneEmptyWith both return a deep copy of `{ ...draft, ...changes }`
  // and never touch their input.
  const changes = { code: suggestedCode(procedure), reasonCode: reasonFor(draft.reasonCode, ctx.reasonCode) };
  const stamp = stampFor(variant, procedure);
  return stamp ? withPamaRating(draft, stamp, ctx, changes) : pruneEmptyWith(draft, changes);
}

/** At most this many suggestions on one order card, best first: a short list is one a clinician reads. */
export const MAX_ORDER_SUGGESTIONS = 2;

/**
 * Myelography and cisternography look for the CSF leak: as replacements they count with the spine studies
 * (so in V5 an MR myelogram or a DTPA cisternogram may be replaced by DSM or dynamic CTM), whatever the body
 * part of their ProcedureDef (CT cisternography is a head CT).
 */
const CSF_LEAK_STUDIES: ReadonlySet<ProcedureId> = new Set<ProcedureId>([
  'mr-myelography',
  'ct-myelography',
  'ct-myelography-dynamic',
  'dsm',
  'dtpa-cisternography',
  'ct-head-cisternography',
]);

/** The region a replacement must share with the ordered study. */
export function replacementRegion(procedure: ProcedureId): 'head' | 'spine' {
  return CSF_LEAK_STUDIES.has(procedure) ? 'spine' : PROCEDURES[procedure].region;
}

export interface AlternativeSuggestions {
  suggestions: Suggestion[];
  /** The procedure of the suggestion marked recommended, if any. */
  recommended?: ProcedureId;
}

/**
 * Suggestions for an order the variant rates lower (or does not list), at most MAX_ORDER_SUGGESTIONS, best
 * first (rating, then lower radiation; same-region first among equals):
 * - a study of the SAME region replaces the draft (`update` of the whole ServiceRequest); none when the draft
 *   has no id, since an update the client cannot match to its order would be worse than no suggestion;
 * - a study of ANOTHER region is offered as a new draft order (`create`, for the call's patient, keeping the
 *   draft's reasons), never as a replacement: a head CT is not replaced by a spine MRI, nor an MRI head by an
 *   invasive myelogram.
 * Only a same-region replacement may be marked recommended, and only when it is strictly better than every
 * other same-region alternative on offer.
 */
export function alternativeSuggestions(
  order: DraftOrder,
  ordered: ProcedureId,
  variant: VariantId,
  alternatives: readonly ProcedureId[],
  ctx: SuggestionContext,
  patientId?: string,
): AlternativeSuggestions {
  const region = replacementRegion(ordered);
  const canReplace = Boolean(order.resource.id);
  const offers = alternatives
    .filter((p, i) => p !== ordered && alternatives.indexOf(p) === i)
    .map((p, i) => ({ p, i, same: replacementRegion(p) === region, rank: rankOf(variant, p) }))
    .filter((o) => (o.same ? canReplace : patientId !== undefined))
    .sort((a, b) => compareRanks(a.rank, b.rank) || Number(b.same) - Number(a.same) || a.i - b.i);
  const [best, next] = offers.filter((o) => o.same);
  const recommended = best && (!next || compareRanks(best.rank, next.rank) < 0) ? best.p : undefined;
  const suggestions = offers.slice(0, MAX_ORDER_SUGGESTIONS).map(({ p, same }) => {
    const suggestion =
      same || patientId === undefined
        ? replaceSuggestion(order, variant, p, ctx)
        : addSuggestion(order, patientId, variant, p, ctx);
    if (p === recommended) suggestion.isRecommended = true;
    return suggestion;
  });
  const shown = recommended !== undefined && offers.slice(0, MAX_ORDER_SUGGESTIONS).some((o) => o.p === recommended);
  return shown ? { suggestions, recommended } : { suggestions };
}

/** Replace the draft by the procedure (`update` of the whole ServiceRequest). */
function replaceSuggestion(order: DraftOrder, variant: VariantId, procedure: ProcedureId, ctx: SuggestionContext): Suggestion {
  const name = PROCEDURES[procedure].acrName;
  const rating = ratingText(variant, procedure);
  return {
    label: `Order ${name} instead`,
    uuid: ctx.newUuid(),
    actions: [
      {
        type: 'update',
        description: `Replace the draft order with ${name}${rating ? ` (ACR: ${rating})` : ''}.`,
        resource: replacedOrder(order.resource, variant, procedure, ctx),
      },
    ],
  };
}

/** A new draft order for a study of another region; the draft stays as it is. */
function addSuggestion(
  order: DraftOrder,
  patientId: string,
  variant: VariantId,
  procedure: ProcedureId,
  ctx: SuggestionContext,
): Suggestion {
  const name = PROCEDURES[procedure].acrName;
  const rating = ratingText(variant, procedure);
  const action = createOrderAction(patientId, variant, procedure, ctx, order.resource.reasonCode);
  action.description =
    `Create a new draft order for ${name}${rating ? ` (ACR: ${rating})` : ''}; it images another region, so ` +
    'the current order is not replaced.';
  return { label: `Also order ${name} (new order)`, uuid: ctx.newUuid(), actions: [action] };
}

/** A suggestion to remove the draft order (`delete` by relative reference, checklist §F 54). */
export function removeSuggestion(order: DraftOrder, ctx: SuggestionContext): Suggestion | undefined {
  const id = order.resource.id;
  if (!id) return undefined;
  // Never marked recommended: the order may be for a red flag the scenario does not see (REMOVE_ORDER_CAVEAT).
  return {
    label: 'Remove this imaging order',
    uuid: ctx.newUuid(),
    actions: [
      {
        type: 'delete',
        description: 'Remove the draft imaging order: the ACR rates no imaging as appropriate for this scenario.',
        resourceId: `ServiceRequest/${id}`,
      },
    ],
  };
}

/**
 * A `create` action for a new draft order of the procedure for the patient, stamped with its rating. The
 * reasons of the order it comes from, if any, are kept (the reference sandbox reads `reasonCode[].coding[0]`).
 */
export function createOrderAction(
  patientId: string,
  variant: VariantId,
  procedure: ProcedureId,
  ctx: SuggestionContext,
  reasonCode?: ServiceRequest['reasonCode'],
): Action {
  const draft: ServiceRequest = {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    code: suggestedCode(procedure),
    reasonCode: reasonFor(reasonCode, ctx.reasonCode),
  };
  const stamp = stampFor(variant, procedure);
  const rating = ratingText(variant, procedure);
  return {
    type: 'create',
    description: `Create a draft order for ${PROCEDURES[procedure].acrName}${rating ? ` (ACR: ${rating})` : ''}.`,
    resource: stamp ? withPamaRating(draft, stamp, ctx) : pruneEmpty(draft),
  };
}
