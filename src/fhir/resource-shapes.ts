/**
 * The JSON types of the FHIR fields the engine reads, checked once at the boundary so the engine can
 * trust them. A FHIR server or EHR that sends `"coding": {}` or `"code": 42` is not rare in practice;
 * without this, a wrong type deep in one resource would crash a hook call. Prefetched and fetched
 * resources that fail are dropped (and the gap is said); a malformed draft order is the client's error
 * (400 naming the field). Only the fields the engine reads are checked; everything else passes through.
 */
import { z } from 'zod';
import { pathExpression } from '../protocol/operation-outcome.js';
import { compileCheck, type CompiledCheck } from './json-schema-check.js';

const str = z.string();
const coding = z.looseObject({ system: str.optional(), code: str.optional(), display: str.optional() });
const concept = z.looseObject({ coding: z.array(coding).optional(), text: str.optional() });
const concepts = z.array(concept);
const period = z.looseObject({ start: str.optional(), end: str.optional() });
const reference = z.looseObject({ reference: str.optional(), display: str.optional() });
const quantity = z.looseObject({ value: z.number().optional(), unit: str.optional(), code: str.optional() });

const base = { resourceType: str, id: str.optional(), status: str.optional() };

export const SHAPES = {
  Patient: z.looseObject({ ...base, birthDate: str.optional() }),
  Condition: z.looseObject({
    ...base,
    code: concept.optional(),
    category: concepts.optional(),
    clinicalStatus: concept.optional(),
    verificationStatus: concept.optional(),
    onsetDateTime: str.optional(),
    onsetPeriod: period.optional(),
    onsetString: str.optional(),
    recordedDate: str.optional(),
    abatementDateTime: str.optional(),
    abatementPeriod: period.optional(),
    evidence: z.array(z.looseObject({ code: concepts.optional() })).optional(),
  }),
  Observation: z.looseObject({
    ...base,
    code: concept.optional(),
    category: concepts.optional(),
    valueCodeableConcept: concept.optional(),
    valueQuantity: quantity.optional(),
    valueInteger: z.number().optional(),
    valueString: str.optional(),
    valueBoolean: z.boolean().optional(),
    interpretation: concepts.optional(),
    effectiveDateTime: str.optional(),
    effectivePeriod: period.optional(),
    effectiveInstant: str.optional(),
    issued: str.optional(),
    component: z
      .array(z.looseObject({ code: concept.optional(), valueCodeableConcept: concept.optional(), valueQuantity: quantity.optional(), valueInteger: z.number().optional() }))
      .optional(),
  }),
  ImagingStudy: z.looseObject({
    ...base,
    started: str.optional(),
    modality: z.array(coding).optional(),
    procedureCode: concepts.optional(),
    reasonCode: concepts.optional(),
    description: str.optional(),
    series: z
      .array(z.looseObject({ modality: coding.optional(), bodySite: coding.optional(), description: str.optional(), started: str.optional() }))
      .optional(),
  }),
  DiagnosticReport: z.looseObject({
    ...base,
    code: concept.optional(),
    category: concepts.optional(),
    conclusion: str.optional(),
    conclusionCode: concepts.optional(),
    effectiveDateTime: str.optional(),
    effectivePeriod: period.optional(),
    issued: str.optional(),
    imagingStudy: z.array(reference).optional(),
  }),
  Procedure: z.looseObject({
    ...base,
    code: concept.optional(),
    category: concept.optional(),
    bodySite: concepts.optional(),
    outcome: concept.optional(),
    performedDateTime: str.optional(),
    performedPeriod: period.optional(),
    performedString: str.optional(),
  }),
  ServiceRequest: z.looseObject({
    ...base,
    intent: str.optional(),
    code: concept.optional(),
    category: concepts.optional(),
    reasonCode: concepts.optional(),
    bodySite: concepts.optional(),
    subject: reference.optional(),
    authoredOn: str.optional(),
    occurrenceDateTime: str.optional(),
    occurrencePeriod: period.optional(),
  }),
} as const;

export type ShapedType = keyof typeof SHAPES;

/** Per type, the zod shape compiled once into a validator (json-schema-check.ts): zod is not run per call. */
const CHECKS: ReadonlyMap<string, CompiledCheck> = new Map(Object.entries(SHAPES).map(([t, s]) => [t, compileCheck(s)]));

/** Where the first wrong-typed field is, as a path (e.g. `code.coding[0].code`), or undefined when fine. */
export function shapeProblem(resource: unknown): string | undefined {
  if (typeof resource !== 'object' || resource === null) return '(resource)';
  const type = (resource as { resourceType?: unknown }).resourceType;
  // Own keys only: a resourceType of "constructor" must not find Object's prototype.
  const check = typeof type === 'string' && Object.hasOwn(SHAPES, type) ? CHECKS.get(type) : undefined;
  if (!check) return undefined;
  const problem = check(resource);
  if (problem === undefined) return undefined;
  return pathExpression(problem) || '(resource)';
}
