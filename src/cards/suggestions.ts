/**
 * Suggestions (CDS Hooks 2.0.1 §Suggestion, §Action): replace a draft order by a study the variant rates
 * Usually Appropriate, remove a draft order, or create new draft orders on patient-view.
 *
 * What the reference sandbox needs to accept a suggestion (spec/sandbox-client-traffic/README.md): the
 * suggested ServiceRequest carries `code.coding[0]`, `reasonCode[].coding[0]` (kept from the draft) and a
 * pama-rating extension. An `update` holds the WHOLE resource, not a diff (checklist §F 54).
 */
import type { ServiceRequest } from 'fhir/r4.js';
import type { Action, DraftOrder, Suggestion } from '../protocol/types.js';
import type { ProcedureId, VariantId } from '../guideline/types.js';
import { PROCEDURES, orderCodeableConcept, radiationLevel } from '../guideline/procedures.js';
import { ratingFor } from '../guideline/ratings.js';
import { pruneEmpty } from './fhir-json.js';
import { stampForRow, withPamaRating, type RatingStamp, type StampContext } from './pama-rating.js';

/** The rating text of a procedure in a variant, e.g. "Usually Appropriate (8)", or undefined if not listed. */
export function ratingText(variant: VariantId, procedure: ProcedureId): string | undefined {
  const row = ratingFor(variant, procedure);
  return row ? `${row.category} (${row.rating})` : undefined;
}

function stampFor(variant: VariantId, procedure: ProcedureId): RatingStamp | undefined {
  const row = ratingFor(variant, procedure);
  return row ? stampForRow(row) : undefined;
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
  const key = (p: ProcedureId): [number, number] => [
    -(ratingFor(variant, p)?.rating ?? 0),
    radiationLevel(PROCEDURES[p].adultRrl),
  ];
  const compare = (a: ProcedureId, b: ProcedureId): number => {
    const [ra, xa] = key(a);
    const [rb, xb] = key(b);
    return ra - rb || xa - xb;
  };
  const ordered = procedures
    .map((p, i) => ({ p, i }))
    .sort((a, b) => compare(a.p, b.p) || a.i - b.i)
    .map(({ p }) => p);
  const [first, second] = ordered;
  if (first === undefined) return { ordered };
  if (second === undefined || compare(first, second) < 0) return { ordered, recommended: first };
  return { ordered };
}

/** The draft order as the suggested procedure: same resource, new code and rating. */
export function replacedOrder(
  draft: ServiceRequest,
  variant: VariantId,
  procedure: ProcedureId,
  ctx: StampContext,
): ServiceRequest {
  // No clone needed: withPamaRating and pruneEmpty both return a deep copy and never touch their input.
  const copy: ServiceRequest = { ...draft, code: orderCodeableConcept(procedure) };
  const stamp = stampFor(variant, procedure);
  return stamp ? withPamaRating(copy, stamp, ctx) : pruneEmpty(copy);
}

/**
 * Suggestions that replace the draft by each alternative (`update` of the whole ServiceRequest). None when
 * the draft has no id: an update the client cannot match to its order would be worse than no suggestion.
 */
export function replaceSuggestions(
  order: DraftOrder,
  variant: VariantId,
  alternatives: readonly ProcedureId[],
  ctx: StampContext,
): Suggestion[] {
  if (!order.resource.id) return [];
  const { ordered, recommended } = rankAlternatives(variant, alternatives);
  return ordered.map((procedure) => {
    const name = PROCEDURES[procedure].acrName;
    const rating = ratingText(variant, procedure);
    const suggestion: Suggestion = {
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
    if (procedure === recommended) suggestion.isRecommended = true;
    return suggestion;
  });
}

/** A suggestion to remove the draft order (`delete` by relative reference, checklist §F 54). */
export function removeSuggestion(order: DraftOrder, ctx: StampContext): Suggestion | undefined {
  const id = order.resource.id;
  if (!id) return undefined;
  return {
    label: 'Remove this imaging order',
    uuid: ctx.newUuid(),
    isRecommended: true,
    actions: [
      {
        type: 'delete',
        description: 'Remove the draft imaging order: the ACR rates no imaging as appropriate for this scenario.',
        resourceId: `ServiceRequest/${id}`,
      },
    ],
  };
}

/** A `create` action for a new draft order of the procedure for the patient, stamped with its rating. */
export function createOrderAction(
  patientId: string,
  variant: VariantId,
  procedure: ProcedureId,
  ctx: StampContext,
): Action {
  const draft: ServiceRequest = {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    code: orderCodeableConcept(procedure),
  };
  const stamp = stampFor(variant, procedure);
  const rating = ratingText(variant, procedure);
  return {
    type: 'create',
    description: `Create a draft order for ${PROCEDURES[procedure].acrName}${rating ? ` (ACR: ${rating})` : ''}.`,
    resource: stamp ? withPamaRating(draft, stamp, ctx) : draft,
  };
}
