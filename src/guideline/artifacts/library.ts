/**
 * The Library that ties the artifacts together: the topic's citation, the provenance note (TOPIC.dataCaution),
 * the input parameter the PlanDefinitions' applicability reads, and a `composed-of` link to every artifact.
 */
import type { Library, RelatedArtifact } from 'fhir/r4.js';
import { canonicalUrl } from '../canonical.js';
import { TOPIC } from '../topic.js';
import { COMMON, LIBRARY_ID, narrative, versioned, type ArtifactType } from './common.js';

export function topicLibrary(parts: ReadonlyArray<{ resourceType: Exclude<ArtifactType, 'Library'>; id?: string; title?: string }>): Library {
  const composedOf: RelatedArtifact[] = parts.map((p) => ({
    type: 'composed-of',
    display: `${p.resourceType} ${p.title ?? p.id}`,
    resource: versioned(p.resourceType, p.id!),
  }));
  return {
    resourceType: 'Library',
    id: LIBRARY_ID,
    text: narrative(
      TOPIC.title,
      ['Type', 'Artifact'],
      parts.map((p) => [p.resourceType, p.title ?? p.id ?? '']),
      `${TOPIC.panel}. ${TOPIC.citation}. doi:${TOPIC.doi}. ${TOPIC.dataCaution}`,
    ),
    url: canonicalUrl('Library', LIBRARY_ID),
    ...COMMON,
    name: 'AcrSihImaging',
    title: `${TOPIC.title} (${TOPIC.year}): value sets, procedures and variant plans`,
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/library-type', code: 'asset-collection', display: 'Asset Collection' }] },
    description:
      'The guideline data this CDS service decides with, published for review: a ValueSet per clinical concept the engine reads, the CodeSystem of the topic\'s ACR procedures, and a PlanDefinition per ACR variant with every rated procedure. Generated from src/guideline; the variant itself is decided by the service (docs/clinical-logic.md).',
    purpose: `Provenance: ${TOPIC.dataCaution}`,
    relatedArtifact: [
      { type: 'citation', citation: `${TOPIC.panel}. ${TOPIC.title}. ${TOPIC.citation}. doi:${TOPIC.doi}`, url: TOPIC.doiUrl },
      { type: 'documentation', display: 'ACR Appropriateness Criteria search portal', url: TOPIC.acrUrl },
      ...composedOf,
    ],
    parameter: [
      {
        name: 'acrVariant',
        use: 'in',
        min: 0,
        max: '1',
        type: 'integer',
        documentation: 'The ACR variant (1–6) the service decided for the patient; absent when undetermined or not applicable.',
      },
    ],
  };
}
