/**
 * Benchmark records: the variant-5 fixture patient (fixtures/patients/v5-chronic-negative-mri.json) grown
 * with synthetic Observations, deterministically (no randomness, fixed dates), so every run sends the same
 * bytes and gets the same decision.
 *
 *   small: ~20 resources (the fixture's 8 + 12 Observations: vitals, labs, a headache symptom)
 *   large: ~2,000 resources (the fixture's 8 + ~1,990 Observations: five years of vitals and labs, with a
 *          monthly "headache" symptom Observation and some free-text findings)
 *
 * Both keep the fixture's decision: variant 5, the MR myelography draft order rated May Be Appropriate.
 */
import { readFileSync } from 'node:fs';
import type { Bundle, BundleEntry, FhirResource, Observation, Patient } from 'fhir/r4.js';

const ROOT = new URL('../', import.meta.url);

export interface BenchRecord {
  name: 'small' | 'large';
  patientId: string;
  patient: Patient;
  /** Every resource of the record except the Patient. */
  resources: FhirResource[];
  /** Resources including the Patient. */
  total: number;
}

function readJson(rel: string): any {
  return JSON.parse(readFileSync(new URL(rel, ROOT), 'utf8'));
}

const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const VITAL = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs', display: 'Vital Signs' }] };
const LAB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] };
const EXAM = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam', display: 'Exam' }] };

/** The instant the synthetic history ends (the fixtures' "now" is 2026-11-26). */
const HISTORY_END = Date.UTC(2026, 10, 20, 9, 0, 0);
const HOUR = 3_600_000;

type Maker = (patientId: string, id: string, when: string, i: number) => Observation;

const quantity = (code: string, display: string, value: number, unit: string, ucum: string, category = VITAL): Maker =>
  (patientId, id, when) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [category],
    code: { coding: [{ system: LOINC, code, display }], text: display },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: when,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: ucum },
  });

const MAKERS: Maker[] = [
  (p, id, when, i) => quantity('8867-4', 'Heart rate', 60 + (i % 30), 'beats/minute', '/min')(p, id, when, i),
  (p, id, when, i) => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [VITAL],
    code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel with all children optional' }], text: 'Blood pressure' },
    subject: { reference: `Patient/${p}` },
    effectiveDateTime: when,
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }] }, valueQuantity: { value: 110 + (i % 25), unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }] }, valueQuantity: { value: 70 + (i % 15), unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    ],
  }),
  (p, id, when, i) => quantity('29463-7', 'Body weight', 60 + (i % 7) / 2, 'kg', 'kg')(p, id, when, i),
  (p, id, when, i) => quantity('8310-5', 'Body temperature', 36.5 + (i % 5) / 10, 'Cel', 'Cel')(p, id, when, i),
  (p, id, when, i) => quantity('718-7', 'Hemoglobin [Mass/volume] in Blood', 12 + (i % 20) / 10, 'g/dL', 'g/dL', LAB)(p, id, when, i),
  (p, id, when, i) => quantity('2951-2', 'Sodium [Moles/volume] in Serum or Plasma', 136 + (i % 6), 'mmol/L', 'mmol/L', LAB)(p, id, when, i),
  (p, id, when, i) => quantity('72514-3', 'Pain severity - 0-10 verbal numeric rating [Score] - Reported', i % 8, '{score}', '{score}', EXAM)(p, id, when, i),
  (p, id, when, i) => quantity('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry', 95 + (i % 5), '%', '%')(p, id, when, i),
];

/** A headache symptom (code in the 'headache' value set): it feeds the headache fact, not the suspicion. */
const headacheSymptom: Maker = (p, id, when) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [EXAM],
  code: { coding: [{ system: SNOMED, code: '25064002', display: 'Headache' }], text: 'Headache' },
  subject: { reference: `Patient/${p}` },
  effectiveDateTime: when,
  valueBoolean: true,
});

/** A free-text exam finding that the text matcher has to read (and reject: it is negated or unrelated). */
const textFinding: Maker = (p, id, when, i) => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: [EXAM],
  code: { text: i % 2 === 0 ? 'Neurological examination' : 'Fundoscopy' },
  subject: { reference: `Patient/${p}` },
  effectiveDateTime: when,
  valueString: i % 2 === 0 ? 'No focal deficit. No neck stiffness.' : 'No papilledema.',
});

function observations(patientId: string, count: number): Observation[] {
  const out: Observation[] = [];
  // Spread over about five years, newest first, a few hours apart.
  const step = Math.max(1, Math.floor((5 * 365 * 24) / Math.max(count, 1))) * HOUR;
  for (let i = 0; i < count; i++) {
    const when = new Date(HISTORY_END - i * step).toISOString();
    const id = `bench-obs-${i}`;
    let make: Maker;
    if (i % 50 === 7) make = headacheSymptom;
    else if (i % 25 === 3) make = textFinding;
    else make = MAKERS[i % MAKERS.length]!;
    out.push(make(patientId, id, when, i));
  }
  return out;
}

function fixtureResources(): { patient: Patient; resources: FhirResource[] } {
  const bundle = readJson('fixtures/patients/v5-chronic-negative-mri.json') as Bundle<FhirResource>;
  const all = (bundle.entry ?? []).map((e) => e.resource!).filter(Boolean);
  const patient = all.find((r) => r.resourceType === 'Patient') as Patient;
  return { patient, resources: all.filter((r) => r.resourceType !== 'Patient') };
}

export function makeRecord(name: 'small' | 'large'): BenchRecord {
  const { patient, resources } = fixtureResources();
  const patientId = patient.id!;
  const obsCount = name === 'small' ? 20 - 1 - resources.length : 2000 - 1 - resources.length;
  const all = [...resources, ...observations(patientId, obsCount)];
  return { name, patientId, patient, resources: all, total: all.length + 1 };
}

function searchset(resources: FhirResource[]): Bundle<FhirResource> {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: resources.length,
    entry: resources.map((r) => ({ fullUrl: `urn:sih-cds:${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' } })),
  };
}

const KEYS: Array<[string, string]> = [
  ['conditions', 'Condition'],
  ['observations', 'Observation'],
  ['imagingStudies', 'ImagingStudy'],
  ['diagnosticReports', 'DiagnosticReport'],
  ['procedures', 'Procedure'],
  ['serviceRequests', 'ServiceRequest'],
];

/** The full prefetch of a record: every key of our discovery document, each a searchset Bundle. */
export function prefetchOf(record: BenchRecord): Record<string, unknown> {
  const prefetch: Record<string, unknown> = { patient: record.patient };
  for (const [key, type] of KEYS) prefetch[key] = searchset(record.resources.filter((r) => r.resourceType === type));
  return prefetch;
}

/**
 * order-select of MR myelography (fixtures/requests/order-select-v5-mr-myelography.json) with the record as
 * full prefetch. No fhirServer: the service must decide from the prefetch alone.
 */
export function orderSelectBody(record: BenchRecord): Record<string, unknown> {
  const base = readJson('fixtures/requests/order-select-v5-mr-myelography.json');
  delete base.fhirServer;
  return { ...base, prefetch: prefetchOf(record) };
}

/** patient-view with no prefetch: everything comes from `fhirServer`. */
export function patientViewBody(record: BenchRecord, fhirServer: string): Record<string, unknown> {
  const base = readJson('fixtures/requests/patient-view-v5.json');
  return {
    hookInstance: base.hookInstance,
    hook: 'patient-view',
    fhirServer,
    context: { ...base.context, patientId: record.patientId },
  };
}

/** A transaction Bundle (PUT each resource) to load the record into a FHIR server. */
export function transactionOf(record: BenchRecord): Bundle<FhirResource> {
  const entries: BundleEntry<FhirResource>[] = [record.patient, ...record.resources].map((r) => ({
    resource: r,
    request: { method: 'PUT', url: `${r.resourceType}/${r.id}` },
  }));
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** The searches the service makes for patient-view (src/fhir/client.ts), relative to the FHIR base URL. */
export function patientViewQueries(record: BenchRecord, pageSize = 200): string[] {
  const id = encodeURIComponent(record.patientId);
  return [`Patient/${id}`, ...KEYS.map(([, type]) => `${type}?patient=${id}&_count=${pageSize}`)];
}

/**
 * order-select of MR myelography with the draft order only: no prefetch, and either no fhirServer (the
 * service decides from the order alone, gaps said) or `fhirServer` (every read goes to that server; the
 * benchmark points it at a closed loopback port to measure a FHIR server that refuses connections).
 */
export function draftOnlyBody(fhirServer?: string): Record<string, unknown> {
  const base = readJson('fixtures/requests/order-select-v5-mr-myelography.json');
  delete base.fhirServer;
  delete base.prefetch;
  return fhirServer ? { ...base, fhirServer } : base;
}

/**
 * The order-select body an EHR would send for the minimum-necessary templates (cds-services.minimal.json):
 * the same record, with only the Observations whose code is one the minimal search asks for.
 */
export function orderSelectMinimalBody(record: BenchRecord, observationCodes: readonly string[]): Record<string, unknown> {
  const wanted = new Set(observationCodes);
  const kept = record.resources.filter(
    (r) => r.resourceType !== 'Observation' || (r.code?.coding ?? []).some((c) => wanted.has(`${c.system}|${c.code}`)),
  );
  return orderSelectBody({ ...record, resources: kept, total: kept.length + 1 });
}
