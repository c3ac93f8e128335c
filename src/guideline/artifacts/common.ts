/**
 * What every published artifact shares: version, status, publisher, the extension URLs of our own, and the
 * computable name FHIR asks for. Our own choices (no registry assigns these), kept in one place.
 */
import { CANONICAL_BASE, GUIDELINE_DATA_VERSION, canonicalUrl } from '../canonical.js';
import { TOPIC } from '../topic.js';

export type ArtifactType = 'ValueSet' | 'CodeSystem' | 'PlanDefinition' | 'Library';
export const ARTIFACT_TYPES: readonly ArtifactType[] = ['ValueSet', 'CodeSystem', 'PlanDefinition', 'Library'];

/** Extensions we define (complex or simple), under the canonical base. */
export const EXT = {
  /** On a ValueSet: a free-text term the engine tries when no code matched (sub-extensions term, pattern). */
  textTerm: `${CANONICAL_BASE}/StructureDefinition/text-term`,
  /** On a ValueSet: how negation is handled for its text terms (guarded | pre-negation-only | unguarded). */
  textNegation: `${CANONICAL_BASE}/StructureDefinition/text-negation`,
  /** On a PlanDefinition action: the ACR rating row (rating, median, category, radiation, evidence). */
  acrRating: `${CANONICAL_BASE}/StructureDefinition/acr-rating`,
} as const;

/** FHIR R4 core extension for a comment on one concept of a ValueSet (used for each code's source). */
export const CONCEPT_COMMENTS = 'http://hl7.org/fhir/StructureDefinition/valueset-concept-comments';

export const LIBRARY_ID = 'acr-sih-imaging';
export const CODE_SYSTEM_ID = 'acr-sih-procedures';

export const planDefinitionId = (variant: number): string => `acr-sih-variant-${variant}`;

/**
 * Everything is `active`: it is what the service decides with today. The data caution (ratings from a
 * third-party copy) travels in the Library's purpose and every description.
 */
export const COMMON = {
  version: GUIDELINE_DATA_VERSION,
  status: 'active' as const,
  experimental: false,
  publisher: 'SIH imaging CDS service (our encoding of the ACR topic)',
  jurisdiction: [{ coding: [{ system: 'http://unstats.un.org/unsd/methods/m49/m49.htm', code: '001', display: 'World' }] }],
  copyright: `The ratings and variant texts are from the ${TOPIC.title} (${TOPIC.year}), © American College of Radiology; the encoding is ours.`,
};

/** `url|version`, the canonical reference form that pins the version. */
export function versioned(type: ArtifactType, id: string): string {
  return `${canonicalUrl(type, id)}|${GUIDELINE_DATA_VERSION}`;
}

/** A computable name (FHIR: starts upper-case, letters, digits, underscores): "sih-suspicion" → "SihSuspicion". */
export function computableName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
export const escapeXhtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ESCAPES[c]!);

/** A generated narrative: a heading paragraph and a simple table, for reviewers who open the JSON in a viewer. */
export function narrative(heading: string, header: readonly string[], rows: ReadonlyArray<readonly string[]>, note?: string) {
  const th = header.map((h) => `<th>${escapeXhtml(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXhtml(c)}</td>`).join('')}</tr>`).join('');
  const table = rows.length > 0 ? `<table><tr>${th}</tr>${trs}</table>` : '';
  const p = note ? `<p>${escapeXhtml(note)}</p>` : '';
  return {
    status: 'generated' as const,
    div: `<div xmlns="http://www.w3.org/1999/xhtml"><p><b>${escapeXhtml(heading)}</b></p>${p}${table}</div>`,
  };
}
