/**
 * The PatientRecord: everything the engine may read about one patient, assembled from prefetch first and
 * the FHIR server second, with the gaps said rather than thrown.
 */
import type {
  Condition,
  DiagnosticReport,
  ImagingStudy,
  Observation,
  Patient,
  Procedure,
  ServiceRequest,
} from 'fhir/r4.js';

export const RECORD_TYPES = [
  'Condition',
  'Observation',
  'ImagingStudy',
  'DiagnosticReport',
  'Procedure',
  'ServiceRequest',
] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export interface RecordResources {
  Condition: Condition[];
  Observation: Observation[];
  ImagingStudy: ImagingStudy[];
  DiagnosticReport: DiagnosticReport[];
  Procedure: Procedure[];
  ServiceRequest: ServiceRequest[];
}

export type GapReason =
  | 'not-available' // not prefetched, and no FHIR server to read it from
  | 'prefetch-error' // the client put an OperationOutcome where the data should be
  | 'fetch-failed' // the FHIR server answered with an error status or unreadable body
  | 'timeout' // the FHIR server did not answer within the call's deadline
  | 'truncated' // more pages existed than the paging cap allowed, or a page failed mid-way
  | 'refused' // the fhirServer is not on the allow-list
  | 'malformed'; // resources with wrong JSON types in fields the engine reads were left out

/** Something the service could not read. Cards say these; audit stores them. No patient data in here. */
export interface DataGap {
  resourceType: RecordType | 'Patient';
  reason: GapReason;
  /** Short technical detail for people (HTTP status, "3 pages read"). Never patient data or tokens. */
  detail?: string;
}

export interface FetchTiming {
  resourceType: RecordType | 'Patient';
  source: 'prefetch' | 'fhir';
  ms: number;
  pages: number;
  status: 'ok' | 'error' | 'timeout' | 'truncated';
}

export interface PatientRecord {
  patientId: string;
  patient?: Patient;
  resources: RecordResources;
  /** Where each type's data came from; a type absent here was not read at all (see gaps). */
  sources: Partial<Record<RecordType | 'Patient', 'prefetch' | 'fhir'>>;
  gaps: DataGap[];
  timings: FetchTiming[];
}

export function emptyResources(): RecordResources {
  return {
    Condition: [],
    Observation: [],
    ImagingStudy: [],
    DiagnosticReport: [],
    Procedure: [],
    ServiceRequest: [],
  };
}
