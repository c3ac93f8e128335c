/**
 * The CodeSystem of this topic's ACR procedures (ACR_PROCEDURE_SYSTEM): one concept per ProcedureDef, code =
 * its id, display = the ACR's name, with modality, region, adult relative radiation level and the standard
 * codes a suggested order carries as properties. Suggestions put a coding of this system first.
 */
import type { CodeSystem } from 'fhir/r4.js';
import { ACR_PROCEDURE_SYSTEM } from '../canonical.js';
import { PROCEDURES, radiationLevel } from '../procedures.js';
import { TOPIC } from '../topic.js';
import { COMMON, CODE_SYSTEM_ID, narrative } from './common.js';

export function procedureCodeSystem(): CodeSystem {
  const procedures = Object.values(PROCEDURES);
  return {
    resourceType: 'CodeSystem',
    id: CODE_SYSTEM_ID,
    text: narrative(
      `ACR procedures of ${TOPIC.title}`,
      ['Code', 'ACR name', 'Modality', 'Region', 'Adult RRL'],
      procedures.map((p) => [p.id, p.acrName, p.modality, p.region, p.adultRrl]),
    ),
    url: ACR_PROCEDURE_SYSTEM,
    ...COMMON,
    name: 'AcrSihProcedures',
    title: `ACR procedures rated by ${TOPIC.title} (${TOPIC.year})`,
    description:
      'The imaging procedures the ACR topic rates, by the ACR\'s own names (codes are our identifiers). Each concept lists the standard codes (CPT, LOINC, SNOMED CT) a suggested order carries; where no standard code distinguishes the technique, the order text carries the ACR name.',
    caseSensitive: true,
    content: 'complete',
    count: procedures.length,
    property: [
      { code: 'modality', type: 'code', description: 'DICOM modality: MR, CT, RF (fluoroscopy), NM (nuclear medicine)' },
      { code: 'region', type: 'code', description: 'Body region: head or spine' },
      { code: 'adultRrl', type: 'string', description: 'Adult relative radiation level as the ACR prints it' },
      { code: 'radiationLevel', type: 'integer', description: 'Adult relative radiation level as a number (count of ☢, 0 = none)' },
      { code: 'orderCode', type: 'Coding', description: 'A standard code a suggested ServiceRequest carries (first = primary)' },
    ],
    concept: procedures.map((p) => ({
      code: p.id,
      display: p.acrName,
      property: [
        { code: 'modality', valueCode: p.modality },
        { code: 'region', valueCode: p.region },
        { code: 'adultRrl', valueString: p.adultRrl },
        { code: 'radiationLevel', valueInteger: radiationLevel(p.adultRrl) },
        ...p.orderCodes.map((c) => ({
          code: 'orderCode',
          valueCoding: { system: c.system, code: c.code, ...(c.display ? { display: c.display } : {}) },
        })),
      ],
    })),
  };
}
