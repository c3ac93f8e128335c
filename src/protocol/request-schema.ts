/**
 * Validation of a hook invocation body (CDS Hooks 2.0.1 §HTTP Request), strict where a mistake would
 * mislead the decision and lenient where real clients deviate (checklist A 3, C 18–26, L 85):
 *  - `hook` that differs from the service's hook: accepted, the service's hook wins (logged);
 *  - `selections` missing on order-sign, or present on it: accepted (order-sign judges every draft);
 *  - `reasonCode` sent as one object instead of an array, `coding` likewise: wrapped into an array;
 *  - empty codings `[{}]` and empty `reasonCode: []` (the sandbox's first PAMA call): accepted;
 *  - unknown fields anywhere: kept and ignored.
 * Everything returned is a HookRequest; every rejection names the field as a FHIRPath-like expression.
 */
import { z } from 'zod';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import type { HookContext, HookName, HookRequest, PrefetchValue } from './types.js';
import { pathExpression, type OutcomeIssue } from './operation-outcome.js';
import { shapeProblem } from '../fhir/resource-shapes.js';

const nonEmpty = z.string().trim().min(1);

const resourceSchema = z.looseObject({ resourceType: nonEmpty });

/**
 * Most draft orders one call may carry. An order-sign holds a handful; thousands are an attack: each
 * selected order gets a card whose size grows with the number of orders (1,001 selected orders took 14 s of
 * rendering and a 154 MB answer), so the count is bounded here, before any work.
 */
export const MAX_DRAFT_ORDERS = 100;

const bundleSchema = z.looseObject({
  resourceType: z.literal('Bundle'),
  entry: z
    .array(
      z.looseObject({
        fullUrl: z.string().optional(),
        resource: resourceSchema.optional(),
      }),
    )
    .max(MAX_DRAFT_ORDERS)
    .optional(),
});

const fhirAuthorizationSchema = z.looseObject({
  access_token: nonEmpty,
  token_type: nonEmpty,
  expires_in: z.number().optional(),
  scope: z.string().optional(),
  subject: z.string().optional(),
  patient: z.string().optional(),
});

const contextSchema = z.looseObject({
  patientId: nonEmpty.max(256),
  userId: z.string().optional(),
  encounterId: z.string().optional(),
  selections: z.array(z.string()).max(MAX_DRAFT_ORDERS).optional(),
  draftOrders: bundleSchema.optional(),
});

const bodySchema = z.looseObject({
  hook: nonEmpty,
  hookInstance: nonEmpty.max(128),
  fhirServer: z.url({ protocol: /^https?$/ }).optional(),
  fhirAuthorization: fhirAuthorizationSchema.optional(),
  context: contextSchema,
  prefetch: z.record(z.string(), z.union([resourceSchema, z.null()])).optional(),
});

/**
 * Deepest nesting of objects and arrays accepted in a hook request. Real FHIR is a few dozen levels at
 * most (Bundle > entry > resource > extension > extension > value…); a body nested thousands deep is an
 * attack on every recursive walk downstream (card rendering copies draft orders recursively and overflowed
 * the stack at ~3,000 levels: a 500). JSON.parse itself copes, so the check is here, before anything else.
 */
export const MAX_JSON_DEPTH = 100;

/** The path to the first value nested deeper than `max`, or undefined. Iterative: safe on any depth. */
export function tooDeep(root: unknown, max: number = MAX_JSON_DEPTH): PropertyKey[] | undefined {
  // Only objects and arrays are stacked (leaves cannot be too deep), and each keeps a link to its parent
  // instead of a copy of its path: the path is rebuilt only for the answer. Same visiting order as a walk
  // that stacks every value, so the same first offender is reported. (A path copy per value cost ~10 ms
  // and much garbage on a 2,000-resource prefetch.)
  interface Frame {
    value: object;
    depth: number;
    parent: Frame | undefined;
    key: PropertyKey;
  }
  if (root === null || typeof root !== 'object') return undefined;
  const stack: Frame[] = [{ value: root, depth: 0, parent: undefined, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, depth } = frame;
    if (depth >= max) {
      const path: PropertyKey[] = [];
      for (let f: Frame | undefined = frame; f?.parent; f = f.parent) path.push(f.key);
      return path.reverse();
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const v: unknown = value[i];
        if (v !== null && typeof v === 'object') stack.push({ value: v, depth: depth + 1, parent: frame, key: i });
      }
    } else {
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v !== null && typeof v === 'object') stack.push({ value: v, depth: depth + 1, parent: frame, key });
      }
    }
  }
  return undefined;
}

export type ParseResult = { ok: true; request: HookRequest } | { ok: false; issues: OutcomeIssue[] };

function toExpression(path: readonly PropertyKey[]): string {
  return pathExpression(path) || '(body)';
}

/** Wrap a lone object in an array: the most common deviation from R4 cardinality in draft orders. */
function asArray(value: unknown): unknown {
  if (value === undefined || value === null || Array.isArray(value)) return value;
  return [value];
}

/** Normalise the shapes of a draft ServiceRequest that clients get wrong, without inventing data. */
function normaliseOrder(resource: Record<string, unknown>): Record<string, unknown> {
  if (resource['resourceType'] !== 'ServiceRequest') return resource;
  const out: Record<string, unknown> = { ...resource };
  if ('reasonCode' in out) out['reasonCode'] = asArray(out['reasonCode']);
  const concepts: unknown[] = [];
  if (out['code'] && typeof out['code'] === 'object') {
    out['code'] = { ...(out['code'] as object) };
    concepts.push(out['code']);
  }
  if (Array.isArray(out['reasonCode'])) {
    out['reasonCode'] = out['reasonCode'].map((c) => (c && typeof c === 'object' ? { ...c } : c));
    concepts.push(...(out['reasonCode'] as unknown[]));
  }
  for (const concept of concepts) {
    if (!concept || typeof concept !== 'object') continue;
    const c = concept as Record<string, unknown>;
    if ('coding' in c) c['coding'] = asArray(c['coding']);
  }
  return out;
}

export function parseHookRequest(body: unknown, serviceHook: HookName): ParseResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, issues: [{ code: 'structure', diagnostics: 'The request body must be a JSON object', expression: ['(body)'] }] };
  }
  // Depth is checked over `context` only: it holds the draft orders, which card rendering copies recursively.
  // Prefetched resources are never walked recursively: each gets a field-by-field shape check
  // (fhir/resource-shapes.ts) and the engine reads named fields, so a deep extension in one is ignored.
  // Walking the whole body cost ~1 ms on a 2,000-resource prefetch (issue 13).
  const context = (body as Record<string, unknown>)['context'];
  const deep = tooDeep(context, MAX_JSON_DEPTH - 1);
  if (deep) {
    const at = toExpression(['context', ...deep].slice(0, 12).map((k) => (typeof k === 'string' ? k.slice(0, 40) : k)));
    return {
      ok: false,
      issues: [{ code: 'too-costly', diagnostics: `JSON nested deeper than ${MAX_JSON_DEPTH} levels at ${at}…`, expression: [at] }],
    };
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.slice(0, 10).map((i) => ({
        code: i.code === 'invalid_type' && i.input === undefined ? 'required' : 'invalid',
        diagnostics: `${toExpression(i.path)}: ${i.message}`,
        expression: [toExpression(i.path)],
      })),
    };
  }
  const b = parsed.data;
  if (serviceHook !== 'patient-view' && !b.context.draftOrders) {
    return {
      ok: false,
      issues: [
        {
          code: 'required',
          diagnostics: `context.draftOrders is required for ${serviceHook}`,
          expression: ['context.draftOrders'],
        },
      ],
    };
  }
  // Copies with fields set afterwards rather than `{ ...o, field }` literals: on Node 20 a spread followed by
  // more properties takes V8's slow path (about a microsecond each; issue 13).
  let draftOrders: Bundle<FhirResource> | undefined;
  if (b.context.draftOrders) {
    const bundle: Record<string, unknown> = { ...b.context.draftOrders };
    bundle['entry'] = (b.context.draftOrders.entry ?? []).map((e) => {
      if (!e.resource) return e;
      const copy: Record<string, unknown> = { ...e };
      copy['resource'] = normaliseOrder(e.resource);
      return copy;
    });
    draftOrders = bundle as unknown as Bundle<FhirResource>;
  }
  if (serviceHook === 'order-select' && !b.context.selections) {
    // Required by the order-select hook: without it we cannot tell which orders the clinician is choosing.
    return {
      ok: false,
      issues: [{ code: 'required', diagnostics: 'context.selections is required for order-select', expression: ['context.selections'] }],
    };
  }
  // A draft order is what the engine rates: a wrong JSON type in a field it reads is the client's error.
  for (const [index, entry] of (draftOrders?.entry ?? []).entries()) {
    if (entry.resource?.resourceType !== 'ServiceRequest') continue;
    const problem = shapeProblem(entry.resource);
    if (problem) {
      const field = `context.draftOrders.entry[${index}].resource.${problem}`;
      return { ok: false, issues: [{ code: 'invalid', diagnostics: `${field}: wrong type for a FHIR R4 ServiceRequest`, expression: [field] }] };
    }
  }

  const hookContext: HookContext = { ...(b.context as HookContext) };
  hookContext.patientId = b.context.patientId;
  if (draftOrders) hookContext.draftOrders = draftOrders;
  const request: HookRequest = { hook: serviceHook, hookInstance: b.hookInstance, context: hookContext };
  if (b.hook !== serviceHook) request.hookAsSent = b.hook;
  if (b.fhirServer) request.fhirServer = b.fhirServer.replace(/\/+$/, '');
  if (b.fhirAuthorization) request.fhirAuthorization = b.fhirAuthorization as HookRequest['fhirAuthorization'];
  if (b.prefetch) request.prefetch = b.prefetch as Record<string, PrefetchValue>;
  return { ok: true, request };
}
