/**
 * The canonical identities this service gives to what it publishes: the base URL of its FHIR artifacts
 * (ValueSets, the CodeSystem of ACR procedures, PlanDefinitions, the Library) and the version they carry.
 *
 * Our own choice (no registry assigns these): canonical URLs are logical identifiers, not addresses the
 * service must answer at, so they stay the same whatever PUBLIC_BASE_URL a site deploys under. The
 * procedure code system's codes are the procedure ids in procedures.ts; suggestions put a coding of this
 * system first, so a client that keeps only `coding[0]` still says which ACR procedure was meant.
 */

/** Base of every canonical URL this service publishes. */
export const CANONICAL_BASE = 'https://sih-imaging-cds.example.org/fhir';

/**
 * Version of the guideline data (ratings, value sets, thresholds, red flags). Bump it whenever anything in
 * src/guideline changes what the service decides or says; the artifacts and the audit carry it.
 */
export const GUIDELINE_DATA_VERSION = '2024.2.0';

/** The CodeSystem of this topic's ACR procedures; codes are `ProcedureDef.id`. */
export const ACR_PROCEDURE_SYSTEM = `${CANONICAL_BASE}/CodeSystem/acr-sih-procedures`;

/** Canonical URL of an artifact of ours, e.g. canonicalUrl('ValueSet', 'orthostatic-headache'). */
export function canonicalUrl(type: 'ValueSet' | 'CodeSystem' | 'PlanDefinition' | 'Library', id: string): string {
  return `${CANONICAL_BASE}/${type}/${id}`;
}
