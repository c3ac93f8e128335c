/**
 * The CapabilityStatement the dev FHIR server answers at `GET [base]/metadata`. Medplum's in-memory router
 * has none (it treats `metadata` as a resource type and answers an empty searchset), but our service reads
 * `fhirVersion` from it to refuse non-R4 servers, so the dev server must serve a truthful one.
 *
 * Pure: the caller passes the search parameters it actually indexed, so this module needs no Medplum import.
 */
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
} from 'fhir/r4.js';

export interface CapabilityResource {
  type: CapabilityStatementRestResource['type'];
  searchParams: { name: string; type: CapabilityStatementRestResourceSearchParam['type'] }[];
}

export interface CapabilityOptions {
  /** Absolute base URL, e.g. http://127.0.0.1:8090/fhir/R4 */
  baseUrl: string;
  resources: CapabilityResource[];
  /** ISO date of the statement; defaults to now. Injected so tests can pin it. */
  date?: string;
}

/** What the Medplum memory router really does for every type (see docs in dev/fhir-server.ts). */
const INTERACTIONS: NonNullable<CapabilityStatementRestResource['interaction']> = [
  { code: 'read' },
  { code: 'vread' },
  { code: 'update' },
  { code: 'delete' },
  { code: 'history-instance' },
  { code: 'create' },
  { code: 'search-type' },
];

export function buildCapabilityStatement(opts: CapabilityOptions): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: opts.date ?? new Date().toISOString(),
    kind: 'instance',
    software: { name: 'sih-imaging-cds dev FHIR server (Medplum in-memory)' },
    implementation: { description: 'Development and test server; data is in memory only', url: opts.baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        // No security: this server is for loopback development only; it records but never checks tokens.
        resource: opts.resources.map((r) => ({
          type: r.type,
          interaction: INTERACTIONS,
          updateCreate: true,
          conditionalCreate: true,
          searchParam: r.searchParams.map((p) => ({ name: p.name, type: p.type })),
        })),
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        searchParam: [
          { name: '_count', type: 'number' },
          { name: '_offset', type: 'number' },
          { name: '_sort', type: 'string' },
        ],
      },
    ],
  };
}
