/**
 * The scenario set the card figures and the round-trip test run over: every fixture patient
 * (fixtures/patients) ordering every ACR procedure of the topic, each written the ways EHRs write orders:
 *
 * - `acr`: as this service suggests it (ACR procedure code first, standard codes, ACR name);
 * - `sandbox`: what the reference sandbox keeps of that after an accepted suggestion (`coding[0]` only, text
 *   from its display, `reasonCode: []`);
 * - `standard`: the procedure's standard codes and the ACR name as text, no code of ours;
 * - `primary-code`: only the first standard code, text from its display (an EHR catalogue entry);
 * - `site-catalogue`: a site's own order code (unknown to us) and the ACR name as text;
 * - `code:<system>|<code>`: every standard code recognition knows, alone, with its display (rated as its row).
 *
 * Orders carry an orthostatic-headache reason, except `sandbox` (none yet, as the client sends it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Bundle, CodeableConcept, FhirResource, ServiceRequest } from 'fhir/r4.js';
import type { PatientRecord } from '../fhir/record.js';
import type { HookRequest } from '../protocol/types.js';
import { CODE_SYSTEMS, TOPIC_CODES } from '../guideline/order-codes.js';
import { PROCEDURES, orderCodeableConcept } from '../guideline/procedures.js';
import { PROCEDURE_IDS, type ProcedureId } from '../guideline/types.js';
import { suggestedCode } from '../cards/suggestions.js';
import { FIXTURES_NOW, recordFromBundle } from './evaluate-fixtures.js';

export const SCENARIO_NOW = new Date(FIXTURES_NOW);

const PATIENTS_DIR = new URL('../../fixtures/patients/', import.meta.url);

export interface Fixture {
  name: string;
  record: PatientRecord;
}

export function fixtures(): Fixture[] {
  return readdirSync(PATIENTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: basename(f, '.json'),
      record: recordFromBundle(JSON.parse(readFileSync(new URL(f, PATIENTS_DIR), 'utf8')) as Bundle<FhirResource>),
    }));
}

export const ORTHOSTATIC_REASON: CodeableConcept[] = [
  { coding: [{ system: 'http://snomed.info/sct', code: '445511002', display: 'Orthostatic headache' }], text: 'Orthostatic headache' },
];

export interface OrderShape {
  shape: string;
  /** The row the order means. */
  procedure: ProcedureId;
  code: CodeableConcept;
  reasonCode: CodeableConcept[];
}

/** The sandbox's rebuild of an accepted order: `coding[0]` only, text from its display. */
export function keepFirstCoding(code: CodeableConcept | undefined): CodeableConcept {
  const first = code?.coding?.[0];
  if (!first) return {};
  return { coding: [{ ...first }], ...(first.display ? { text: first.display } : {}) };
}

/** The sandbox keeps `reasonCode[].coding[0]` only. */
export function firstReasonCodings(reasons: readonly CodeableConcept[] | undefined): CodeableConcept[] {
  return (reasons ?? []).map((r) => (r.coding?.[0] ? { coding: [{ ...r.coding[0] }] } : {})).filter((r) => r.coding);
}

const SYSTEM_URL = CODE_SYSTEMS as Record<string, string>;

export function orderShapes(): OrderShape[] {
  const shapes: OrderShape[] = [];
  for (const procedure of PROCEDURE_IDS) {
    const acr = suggestedCode(procedure);
    const first = PROCEDURES[procedure].orderCodes[0]!;
    shapes.push(
      { shape: 'acr', procedure, code: acr, reasonCode: ORTHOSTATIC_REASON },
      { shape: 'sandbox', procedure, code: keepFirstCoding(acr), reasonCode: [] },
      { shape: 'standard', procedure, code: orderCodeableConcept(procedure), reasonCode: ORTHOSTATIC_REASON },
      {
        shape: 'primary-code',
        procedure,
        code: { coding: [{ ...first }], ...(first.display ? { text: first.display } : {}) },
        reasonCode: ORTHOSTATIC_REASON,
      },
      {
        shape: 'site-catalogue',
        procedure,
        code: {
          coding: [{ system: 'urn:oid:2.16.840.1.113883.3.9999.1', code: `IMG-${procedure.toUpperCase()}`, display: PROCEDURES[procedure].acrName }],
          text: PROCEDURES[procedure].acrName,
        },
        reasonCode: ORTHOSTATIC_REASON,
      },
    );
  }
  for (const entry of TOPIC_CODES) {
    shapes.push({
      shape: `code:${entry.system}|${entry.code}`,
      procedure: entry.procedure,
      code: { coding: [{ system: SYSTEM_URL[entry.system]!, code: entry.code, display: entry.display }], text: entry.display },
      reasonCode: ORTHOSTATIC_REASON,
    });
  }
  return shapes;
}

/** An order-select call with the draft orders given (each needs an id), all selected. */
export function orderSelect(patientId: string, drafts: readonly ServiceRequest[]): HookRequest {
  return {
    hook: 'order-select',
    hookInstance: '00000000-0000-4000-8000-0000000000c5',
    context: {
      patientId,
      userId: 'Practitioner/1',
      selections: drafts.map((d) => `ServiceRequest/${d.id}`),
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: drafts.map((resource) => ({ resource })) },
    },
  };
}

export function draftOf(patientId: string, id: string, code: CodeableConcept, reasonCode: CodeableConcept[]): ServiceRequest {
  const draft: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id,
    status: 'draft',
    intent: 'order',
    subject: { reference: `Patient/${patientId}` },
    code,
  };
  if (reasonCode.length > 0) draft.reasonCode = reasonCode;
  return draft;
}
