/**
 * Which draft orders a hook call asks us to judge. order-select: only the `selections` (other drafts are
 * context). order-sign: every draft order (the reference sandbox also sends `selections` there; we ignore
 * them, because on sign every order is final). Only ServiceRequests are imaging candidates; other
 * resource types (MedicationRequest, NutritionOrder) are never rated.
 */
import type { ServiceRequest } from 'fhir/r4.js';
import type { DraftOrder, HookInput } from './types.js';

export function draftOrdersOf(request: HookInput): DraftOrder[] {
  if (request.hook === 'patient-view') return [];
  const entries = request.context.draftOrders?.entry ?? [];
  const selections = new Set(request.context.selections ?? []);
  const out: DraftOrder[] = [];
  entries.forEach((entry, index) => {
    const resource = entry?.resource;
    if (!resource || resource.resourceType !== 'ServiceRequest') return;
    const reference = resource.id ? `ServiceRequest/${resource.id}` : `ServiceRequest/#${index}`;
    const selected =
      request.hook === 'order-sign' ||
      selections.has(reference) ||
      (entry.fullUrl !== undefined && selections.has(entry.fullUrl));
    out.push({ resource: resource as ServiceRequest, reference, selected });
  });
  return out;
}
