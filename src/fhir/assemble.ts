/**
 * Assemble one PatientRecord for a hook call: prefetch first, then the FHIR server for whatever is
 * missing, all reads in parallel under one deadline. Each prefetch key may be absent (the client could
 * not or would not fetch it), `null` (the client knows there is nothing), a searchset Bundle (perhaps
 * paginated), or an OperationOutcome (the client's fetch failed) — CDS Hooks 2.0.1 §prefetch, checklist
 * D 33–35. Faults become gaps on the record; nothing here throws for a FHIR server's behaviour.
 */
import { tracer } from '../tracing.js';
import type { Bundle, FhirResource, Patient } from 'fhir/r4.js';
import type { HookRequest, PrefetchValue } from '../protocol/types.js';
import { FhirClient, entriesOf, isResource, nextLink, type SearchResult } from './client.js';
import type { AllowList } from './allowlist.js';
import { shapeProblem } from './resource-shapes.js';
import type { Limiter } from './limiter.js';
import type { CircuitBreaker } from './breaker.js';
import {
  RECORD_TYPES,
  emptyResources,
  type DataGap,
  type FetchTiming,
  type PatientRecord,
  type RecordType,
} from './record.js';

/** Our prefetch keys (cds-services.json) and the resource type each carries. */
export const PREFETCH_KEYS: Readonly<Record<string, RecordType | 'Patient'>> = {
  patient: 'Patient',
  conditions: 'Condition',
  observations: 'Observation',
  imagingStudies: 'ImagingStudy',
  diagnosticReports: 'DiagnosticReport',
  procedures: 'Procedure',
  serviceRequests: 'ServiceRequest',
};

export interface AssembleOptions {
  allowList: AllowList;
  limiter: Limiter;
  deadlineMs: number;
  maxPages: number;
  pageSize: number;
  maxResponseBytes: number;
  /** Correlation headers for the FHIR calls of this hook call (see src/tracing.ts). */
  outboundHeaders?: () => Record<string, string>;
  /** Per-origin circuit breaker shared by all calls (breaker.ts); without it every read is attempted. */
  breaker?: CircuitBreaker;
  /** Extra search parameters per type for the FHIR fallback, from the service's prefetch templates. */
  narrowing?: Partial<Record<RecordType, string>>;
}

/**
 * The FHIR fallback reads what the prefetch templates ask for: the parameters of each template other than
 * the patient (and `_sort`, which the fallback never needed) narrow the search of its type. The full
 * templates have none, so the fallback reads every resource of the type, as before; the minimal ones
 * (cds-services.minimal.json) narrow Observations to the guideline's codes. Templates with other tokens
 * than the patient id are left out.
 */
export function narrowingFromTemplates(prefetch: Readonly<Record<string, string>> | undefined): Partial<Record<RecordType, string>> {
  const out: Partial<Record<RecordType, string>> = {};
  for (const [key, template] of Object.entries(prefetch ?? {})) {
    const type = PREFETCH_KEYS[key];
    const q = template.indexOf('?');
    if (!type || type === 'Patient' || q < 0 || !template.startsWith(`${type}?`)) continue;
    const params = template
      .slice(q + 1)
      .split('&')
      .filter((p) => p.length > 0 && !/^(patient|subject|_sort|_count)=/.test(p));
    if (params.length > 0 && !params.some((p) => p.includes('{{'))) out[type] = params.join('&');
  }
  return out;
}

export type AssembleResult =
  | { ok: true; record: PatientRecord }
  /** Required data is neither prefetched nor fetchable: the caller answers 412. */
  | { ok: false; missing: Array<RecordType | 'Patient'>; reason: string };

type Need =
  | { kind: 'fetch' }
  | { kind: 'continue'; next: string };

/** What each hook cannot do without. Order hooks can decide from the draft order's reasonCode alone. */
const REQUIRED: Record<HookRequest['hook'], RecordType[]> = {
  'patient-view': ['Condition'],
  'order-select': [],
  'order-sign': [],
};

function byType(resources: FhirResource[], type: string): FhirResource[] {
  return resources.filter((r) => r.resourceType === type);
}

/**
 * Leave out resources whose fields have the wrong JSON types (resource-shapes.ts), and say so: one bad
 * resource from a FHIR server must not fail the call, and must not be read as if it were well formed.
 */
function dropMalformed(record: PatientRecord): PatientRecord {
  for (const type of RECORD_TYPES) {
    const list = record.resources[type] as FhirResource[];
    const kept = list.filter((r) => shapeProblem(r) === undefined);
    if (kept.length !== list.length) {
      (record.resources[type] as FhirResource[]) = kept;
      record.gaps.push({ resourceType: type, reason: 'malformed', detail: `${list.length - kept.length} left out` });
    }
  }
  if (record.patient && shapeProblem(record.patient) !== undefined) {
    delete record.patient;
    record.gaps.push({ resourceType: 'Patient', reason: 'malformed' });
  }
  return record;
}

export async function assemblePatientRecord(request: HookRequest, opts: AssembleOptions): Promise<AssembleResult> {
  const record: PatientRecord = {
    patientId: request.context.patientId,
    resources: emptyResources(),
    sources: {},
    gaps: [],
    timings: [],
  };
  const needs = new Map<RecordType | 'Patient', Need>();
  const prefetch = request.prefetch ?? {};

  for (const type of ['Patient', ...RECORD_TYPES] as const) {
    const key = Object.keys(PREFETCH_KEYS).find((k) => PREFETCH_KEYS[k] === type) ?? '';
    if (!(key in prefetch)) {
      needs.set(type, { kind: 'fetch' });
      continue;
    }
    const value: PrefetchValue | undefined = prefetch[key];
    if (value === null) {
      record.sources[type] = 'prefetch';
      continue;
    }
    if (type === 'Patient' && isResource(value, 'Patient')) {
      record.patient = value as Patient;
      record.sources.Patient = 'prefetch';
      continue;
    }
    if (type !== 'Patient' && isResource(value, 'Bundle')) {
      const found = byType(entriesOf(value as Bundle), type);
      (record.resources[type] as FhirResource[]).push(...found);
      record.sources[type] = 'prefetch';
      record.timings.push({ resourceType: type, source: 'prefetch', ms: 0, pages: 1, status: 'ok' });
      const next = nextLink(value as Bundle);
      if (next) needs.set(type, { kind: 'continue', next });
      continue;
    }
    const detail = isResource(value, 'OperationOutcome') ? 'the client sent an OperationOutcome' : 'unexpected resource';
    record.gaps.push({ resourceType: type, reason: 'prefetch-error', detail });
    needs.set(type, { kind: 'fetch' });
  }

  if (needs.size === 0) return { ok: true, record: dropMalformed(record) };

  const server = request.fhirServer;
  const usable = server !== undefined && opts.allowList.allows(server);
  if (!usable) {
    const reason = server === undefined ? 'not-available' : 'refused';
    for (const [type, need] of needs) {
      if (need.kind === 'continue') {
        record.gaps.push({ resourceType: type, reason: 'truncated', detail: 'prefetch was paginated; only its first page was read' });
      } else if (!record.gaps.some((g) => g.resourceType === type)) {
        record.gaps.push({ resourceType: type, reason, detail: reason === 'refused' ? 'fhirServer is not on the allow-list' : 'not prefetched and no fhirServer' });
      }
    }
    const missing = REQUIRED[request.hook].filter((t) => needs.get(t)?.kind === 'fetch');
    if (missing.length > 0) {
      return {
        ok: false,
        missing,
        reason:
          server === undefined
            ? `${missing.join(', ')} not prefetched and no fhirServer given`
            : `${missing.join(', ')} not prefetched and fhirServer is not on this service's allow-list`,
      };
    }
    return { ok: true, record: dropMalformed(record) };
  }

  // A FHIR server in its cool-down after refusing connections (breaker.ts): the reads are said as failed
  // without preparing a client, a deadline timer and seven rejected reads for each call.
  if (opts.breaker?.isDown(originOf(server))) {
    for (const [type, need] of needs) {
      record.gaps = record.gaps.filter((g) => !(g.resourceType === type && g.reason === 'prefetch-error'));
      const reason = need.kind === 'continue' ? 'truncated' : 'fetch-failed';
      record.gaps.push({ resourceType: type, reason, detail: 'not attempted: FHIR server unreachable' });
    }
    const failed = REQUIRED[request.hook].filter((t) => record.sources[t] === undefined);
    if (failed.length > 0) return { ok: false, missing: failed, reason: `${failed.join(', ')} could not be read from the FHIR server` };
    return { ok: true, record: dropMalformed(record) };
  }

  const client = new FhirClient({
    baseUrl: server,
    ...(request.fhirAuthorization?.access_token ? { accessToken: request.fhirAuthorization.access_token } : {}),
    allowList: opts.allowList,
    limiter: opts.limiter,
    maxPages: opts.maxPages,
    pageSize: opts.pageSize,
    maxResponseBytes: opts.maxResponseBytes,
    ...(opts.outboundHeaders ? { extraHeaders: opts.outboundHeaders() } : {}),
    ...(opts.breaker ? { breaker: opts.breaker } : {}),
  });
  const signal = AbortSignal.timeout(opts.deadlineMs);

  await Promise.all(
    [...needs].map(([type, need]) => tracer().span('fhir.read', { 'fhir.resource_type': type }, async () => {
      const started = performance.now();
      if (type === 'Patient') {
        const read = await client.read('Patient', record.patientId, signal);
        const ms = performance.now() - started;
        if (read.status === 'ok' && read.resource) {
          record.patient = read.resource as Patient;
          record.sources.Patient = 'fhir';
        } else if (read.status !== 'not-found') {
          record.gaps.push({ resourceType: 'Patient', reason: gapReason(read.status), ...(read.detail ? { detail: read.detail } : {}) });
        }
        record.timings.push(timing('Patient', ms, 1, read.status === 'not-found' ? 'ok' : read.status));
        return;
      }
      const result: SearchResult =
        need.kind === 'continue'
          ? await client.continueFrom(need.next, signal)
          : await client.searchByPatient(type, record.patientId, signal, opts.narrowing?.[type]);
      const ms = performance.now() - started;
      const found = byType(result.resources, type);
      (record.resources[type] as FhirResource[]).push(...found);
      if (found.length > 0 || result.status === 'ok') record.sources[type] ??= 'fhir';
      if (result.status !== 'ok') {
        // A failed fetch replaces a prefetch-error gap rather than adding a second one for the same type.
        record.gaps = record.gaps.filter((g) => !(g.resourceType === type && g.reason === 'prefetch-error'));
        // A continuation that fails still leaves the prefetch's first page: the data is partial, not absent.
        const reason = need.kind === 'continue' ? 'truncated' : gapReason(result.status);
        record.gaps.push({ resourceType: type, reason, ...(result.detail ? { detail: result.detail } : {}) });
      } else {
        record.gaps = record.gaps.filter((g) => g.resourceType !== type);
      }
      record.timings.push(timing(type, ms, result.pages, result.status));
    })),
  );
  // Required data that the FHIR server failed to give is as unobtainable as data with no server at all
  // (CDS Hooks 2.0.1 §prefetch-template: 412 "… or the FHIR call failed"); an empty answer would read as
  // "nothing to say" to the clinician.
  const failed = REQUIRED[request.hook].filter((t) => record.sources[t] === undefined && record.gaps.some((g) => g.resourceType === t));
  if (failed.length > 0) {
    return { ok: false, missing: failed, reason: `${failed.join(', ')} could not be read from the FHIR server` };
  }
  return { ok: true, record: dropMalformed(record) };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function gapReason(status: string): DataGap['reason'] {
  if (status === 'timeout') return 'timeout';
  if (status === 'truncated') return 'truncated';
  return 'fetch-failed';
}

function timing(type: RecordType | 'Patient', ms: number, pages: number, status: string): FetchTiming {
  const s = status === 'ok' || status === 'timeout' || status === 'truncated' ? status : 'error';
  return { resourceType: type, source: 'fhir', ms: Math.round(ms * 10) / 10, pages, status: s };
}
