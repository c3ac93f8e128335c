/**
 * One PlanDefinition per ACR variant. Applicability is the variant the engine decides (src/engine/variant.ts,
 * in the precedence of src/guideline/precedence.ts, whose rule text is the condition's description): the
 * condition reads the Library's input parameter `acrVariant`. One action per rated procedure, in the ACR
 * table's order, coded with ACR_PROCEDURE_SYSTEM and carrying the rating row in an extension of our own.
 */
import type { PlanDefinition, PlanDefinitionAction } from 'fhir/r4.js';
import { ACR_PROCEDURE_SYSTEM, canonicalUrl } from '../canonical.js';
import { VARIANT_PRECEDENCE } from '../precedence.js';
import { PROCEDURES, radiationLevel } from '../procedures.js';
import { rowsForVariant } from '../ratings.js';
import { TOPIC } from '../topic.js';
import { VARIANTS } from '../variants.js';
import { VARIANT_IDS, type RatingRow, type VariantId } from '../types.js';
import { COMMON, EXT, LIBRARY_ID, computableName, narrative, planDefinitionId, versioned } from './common.js';

export function ratingAction(r: RatingRow): PlanDefinitionAction {
  const p = PROCEDURES[r.procedure];
  return {
    id: r.procedure,
    title: p.acrName,
    textEquivalent: `${r.category} (rating ${r.rating}, median ${r.median}); adult RRL ${r.adultRrl}; evidence ${r.strengthOfEvidence}`,
    code: [{ coding: [{ system: ACR_PROCEDURE_SYSTEM, code: p.id, display: p.acrName }], text: p.acrName }],
    extension: [
      {
        url: EXT.acrRating,
        extension: [
          { url: 'rating', valueInteger: r.rating },
          { url: 'median', valueInteger: r.median },
          { url: 'category', valueString: r.category },
          { url: 'adultRrl', valueString: r.adultRrl },
          { url: 'radiationLevel', valueInteger: radiationLevel(r.adultRrl) },
          { url: 'strengthOfEvidence', valueString: r.strengthOfEvidence },
        ],
      },
    ],
  };
}

export function variantPlanDefinition(variant: VariantId): PlanDefinition {
  const v = VARIANTS[variant];
  const rows = rowsForVariant(variant);
  const rules = VARIANT_PRECEDENCE.filter((p) => p.variant === variant);
  const id = planDefinitionId(variant);
  return {
    resourceType: 'PlanDefinition',
    id,
    text: narrative(
      `Variant ${variant}: ${v.text}`,
      ['Procedure', 'Category', 'Rating', 'Median', 'Adult RRL', 'Evidence'],
      rows.map((r) => [PROCEDURES[r.procedure].acrName, r.category, String(r.rating), String(r.median), r.adultRrl, r.strengthOfEvidence]),
      `Applies when: ${rules.map((p) => p.when).join(' ')}`,
    ),
    url: canonicalUrl('PlanDefinition', id),
    ...COMMON,
    name: computableName(id),
    title: `${TOPIC.title}: Variant ${variant}`,
    subtitle: v.shortName,
    type: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/plan-definition-type', code: 'eca-rule', display: 'ECA Rule' }],
    },
    description: v.text,
    usage: `${v.phase}. Ratings: ${TOPIC.dataCaution}`,
    relatedArtifact: [{ type: 'citation', citation: `${TOPIC.panel}. ${TOPIC.title}. ${TOPIC.citation}.`, url: TOPIC.doiUrl }],
    library: [versioned('Library', LIBRARY_ID)],
    action: [
      {
        id: `variant-${variant}`,
        title: `Variant ${variant}: ${v.phase}`,
        description: v.text,
        condition: rules.map((p) => ({
          kind: 'applicability' as const,
          expression: {
            description: `Precedence rank ${p.rank}: ${p.when}`,
            language: 'text/fhirpath',
            expression: `%acrVariant = ${variant}`,
          },
        })),
        groupingBehavior: 'logical-group',
        selectionBehavior: 'any',
        action: rows.map(ratingAction),
      },
    ],
  };
}

export function planDefinitionArtifacts(): PlanDefinition[] {
  return VARIANT_IDS.map(variantPlanDefinition);
}
