/**
 * The draft orders of an evaluate run, as an EHR would put them in `context.draftOrders`: one
 * ServiceRequest per `--order-code`, or those of `--order-file` (a ServiceRequest, or a Bundle of them),
 * each with the `--reason` codes added to its reasonCode.
 */
import { readFileSync } from 'node:fs';
import type { Bundle, FhirResource, ServiceRequest } from 'fhir/r4.js';
import { usageError } from './args.js';

export interface OrderInput {
  patientId: string;
  codes: Array<{ system: string; code: string }>;
  file?: string;
  reasons: Array<{ system: string; code: string }>;
}

function readOrderFile(path: string): ServiceRequest[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(`--order-file: ${code === 'ENOENT' ? 'no such file' : 'not readable JSON'}`);
  }
  const resource = parsed as Partial<FhirResource> | null;
  if (resource?.resourceType === 'ServiceRequest') return [resource as ServiceRequest];
  if (resource?.resourceType === 'Bundle') {
    const orders = ((resource as Bundle).entry ?? [])
      .map((e) => e.resource)
      .filter((r): r is ServiceRequest => r?.resourceType === 'ServiceRequest');
    if (orders.length > 0) return orders;
  }
  throw usageError('--order-file must hold a ServiceRequest or a Bundle with ServiceRequests');
}

export function buildDraftOrders(input: OrderInput): ServiceRequest[] {
  const reasonCode = input.reasons.map((r) => ({ coding: [{ system: r.system, code: r.code }] }));
  const fromCodes: ServiceRequest[] = input.codes.map((c, i) => ({
    resourceType: 'ServiceRequest',
    id: `evaluate-draft-${i + 1}`,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${input.patientId}` },
    code: { coding: [{ system: c.system, code: c.code }] },
    ...(reasonCode.length > 0 ? { reasonCode } : {}),
  }));
  const fromFile = input.file
    ? readOrderFile(input.file).map((o, i) => ({
        ...o,
        // Selections and systemActions refer to orders by id: an order without one gets a stable one.
        id: o.id ?? `evaluate-file-${i + 1}`,
        status: o.status ?? 'draft',
        ...(reasonCode.length > 0 ? { reasonCode: [...(o.reasonCode ?? []), ...reasonCode] } : {}),
      }))
    : [];
  return [...fromCodes, ...fromFile];
}

/** context.draftOrders: a Bundle of the drafts, as CDS clients send it. */
export function draftOrdersBundle(orders: ServiceRequest[]): Bundle<FhirResource> {
  return { resourceType: 'Bundle', type: 'collection', entry: orders.map((resource) => ({ resource })) };
}
