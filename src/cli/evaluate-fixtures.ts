/**
 * The fixture patients as data for the CLIs: their id prefix rewritten for shared servers, cut into
 * transactions a server accepts, and the variant the engine gives each one at the fixtures' instant (so
 * `fixtures:load` prints what `evaluate --now …` should show, derived, not copied from a table).
 */
import type { Bundle, BundleEntry, FhirResource, Patient } from 'fhir/r4.js';
import { RECORD_TYPES, emptyResources, type PatientRecord, type RecordType } from '../fhir/record.js';
import { decide } from '../engine/decide.js';
import { variantLabel } from './evaluate-report.js';

/** The instant the fixtures' absolute dates are written against (fixtures/README.md). */
export const FIXTURES_NOW = '2026-11-26T12:00:00Z';
/** Every id in fixtures/patients starts with this. */
export const FIXTURE_ID_PREFIX = 'sih-';

/** A FHIR id is [A-Za-z0-9-.]{1,64}; the prefix leaves room for the fixtures' own ids. */
export const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,23}$/;

function swap(id: string, prefix: string): string {
  return id.startsWith(FIXTURE_ID_PREFIX) ? `${prefix}${id.slice(FIXTURE_ID_PREFIX.length)}` : id;
}

/** `Type/sih-x` (and `urn:…:Type/sih-x`, `http://…/Type/sih-x`): the id part rewritten. */
function swapRef(ref: string, prefix: string): string {
  return ref.replace(/(^|[/:])([A-Z][A-Za-z]+)\/sih-([A-Za-z0-9.-]*)(?=$|[/?#])/, (_m, lead: string, type: string, rest: string) => `${lead}${type}/${prefix}${rest}`);
}

/** Every reference, resource id, fullUrl and request url under `value`; identifier systems are kept. */
function rewriteDeep(value: unknown, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteDeep(v, prefix));
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const isResource = typeof obj['resourceType'] === 'string';
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string' && k === 'id' && isResource) out[k] = swap(v, prefix);
    else if (typeof v === 'string' && k === 'reference') out[k] = swapRef(v, prefix);
    else out[k] = rewriteDeep(v, prefix);
  }
  return out;
}

/**
 * A copy of a fixture Bundle with every `sih-` id and reference under `prefix` instead, so several people
 * can load the fixtures into one shared public server without overwriting each other's patients.
 */
export function withIdPrefix(bundle: Bundle<FhirResource>, prefix: string): Bundle<FhirResource> {
  if (prefix === FIXTURE_ID_PREFIX) return structuredClone(bundle);
  const copy = rewriteDeep(bundle, prefix) as Bundle<FhirResource>;
  for (const entry of copy.entry ?? []) {
    if (entry.fullUrl) entry.fullUrl = swapRef(entry.fullUrl, prefix);
    if (entry.request?.url) entry.request.url = swapRef(entry.request.url, prefix);
  }
  return copy;
}

/** Entries in transactions of at most `max` (Medplum refuses more than 50 updates in one). */
export function chunkEntries<T>(entries: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < entries.length; i += max) out.push(entries.slice(i, i + max));
  return out;
}

export function transactionOf(entries: BundleEntry<FhirResource>[]): Bundle<FhirResource> {
  return { resourceType: 'Bundle', type: 'transaction', entry: entries };
}

/** The PatientRecord a fixture Bundle describes, as if all of it had been prefetched. */
export function recordFromBundle(bundle: Bundle<FhirResource>): PatientRecord {
  const record: PatientRecord = { patientId: '', resources: emptyResources(), sources: { Patient: 'prefetch' }, gaps: [], timings: [] };
  for (const t of RECORD_TYPES) record.sources[t] = 'prefetch';
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (!r) continue;
    if (r.resourceType === 'Patient') {
      record.patient = r as Patient;
      record.patientId = r.id ?? '';
    } else if ((RECORD_TYPES as readonly string[]).includes(r.resourceType)) {
      (record.resources[r.resourceType as RecordType] as FhirResource[]).push(r);
    }
  }
  return record;
}

/** What patient-view should say for this fixture at `now`: "Variant 5", "undetermined", "not-applicable". */
export function expectedVariant(bundle: Bundle<FhirResource>, now: Date): string {
  const record = recordFromBundle(bundle);
  const decision = decide(
    { hook: 'patient-view', hookInstance: 'fixtures-load', context: { patientId: record.patientId } },
    record,
    { now },
  );
  return variantLabel(decision);
}
