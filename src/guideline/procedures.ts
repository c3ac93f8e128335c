/**
 * The 18 procedures the 2024 topic rates, with the codes a suggested ServiceRequest carries.
 *
 * Sources (sections of /work/shared/clinical/acr-intracranial-hypotension.md):
 * - ACR names and adult RRL: §1.3 / acr-ratings.csv (the data set spells V3's "MR Myelography complete spine" in
 *   lower case; `procedureByAcrName` matches case-insensitively).
 * - CPT: §2.1; LOINC: §2.2; SNOMED CT: §2.3. Displays are short forms, not the AMA descriptors (copyrighted).
 *
 * `orderCodes` order: CPT first where one exists, then LOINC, then SNOMED CT. The first code is what the
 * reference sandbox reads (`code.coding[0]`). Several ACR procedures have no code of their own (complete-spine
 * MRI/CT, dynamic CTM, DSM, CT cisternography); for those the nearest standard code is used, the ServiceRequest
 * text carries the ACR name (see `orderCodeableConcept`), and recognition reads that text to refine the row.
 */
import type { CodeableConcept } from 'fhir/r4.js';
import { CODE_SYSTEMS } from './order-codes.js';
import type { CodeRef, ProcedureDef, ProcedureId } from './types.js';

const { cpt, loinc, snomed } = CODE_SYSTEMS;

// Adult RRL strings exactly as the data set prints them (§1.2).
const RRL_NONE = 'O 0 mSv';
const RRL_3 = '☢☢☢ 1-10 mSv';
const RRL_4 = '☢☢☢☢ 10-30 mSv';
const RRL_5 = '☢☢☢☢☢ 30-100 mSv';

const c = (system: string, code: string, display: string): CodeRef => ({ system, code, display });

export const PROCEDURES: Readonly<Record<ProcedureId, ProcedureDef>> = {
  'mri-head-wo': {
    id: 'mri-head-wo',
    acrName: 'MRI Head Without IV Contrast',
    modality: 'MR',
    region: 'head',
    adultRrl: RRL_NONE,
    orderCodes: [c(cpt, '70551', 'MRI brain; without contrast material'), c(loinc, '30657-1', 'MR Brain WO contrast')],
  },
  'mri-head-w': {
    id: 'mri-head-w',
    acrName: 'MRI Head With IV Contrast',
    modality: 'MR',
    region: 'head',
    adultRrl: RRL_NONE,
    orderCodes: [c(cpt, '70552', 'MRI brain; with contrast material(s)'), c(loinc, '24589-4', 'MR Brain W contrast IV')],
  },
  'mri-head-wo-w': {
    id: 'mri-head-wo-w',
    acrName: 'MRI Head Without and With IV Contrast',
    modality: 'MR',
    region: 'head',
    adultRrl: RRL_NONE,
    orderCodes: [
      c(cpt, '70553', 'MRI brain; without contrast material, followed by contrast material(s)'),
      c(loinc, '24587-8', 'MR Brain WO and W contrast IV'),
    ],
  },
  // Complete-spine MRI: CPT has only per-region codes (72141/72146/72148 etc., §2.1), which are billing
  // components rather than one order, so the suggested order carries the complete-spine LOINC / SNOMED codes.
  'mri-spine-wo': {
    id: 'mri-spine-wo',
    acrName: 'MRI Complete Spine Without IV Contrast',
    modality: 'MR',
    region: 'spine',
    adultRrl: RRL_NONE,
    orderCodes: [
      c(loinc, '30854-4', 'MR Cervical and thoracic and lumbar spine WO contrast'),
      c(snomed, '411611000119102', 'Magnetic resonance imaging of cervical, thoracic, and lumbar spine without contrast'),
    ],
  },
  'mri-spine-w': {
    id: 'mri-spine-w',
    acrName: 'MRI Complete Spine With IV Contrast',
    modality: 'MR',
    region: 'spine',
    adultRrl: RRL_NONE,
    // §2.2 lists no complete-spine "W contrast" LOINC; §2.3 has the SNOMED CT US-extension concept.
    orderCodes: [
      c(snomed, '495741000119105', 'Magnetic resonance imaging of cervical, thoracic, and lumbar spine with contrast'),
    ],
  },
  'mri-spine-wo-w': {
    id: 'mri-spine-wo-w',
    acrName: 'MRI Complete Spine Without and With IV Contrast',
    modality: 'MR',
    region: 'spine',
    adultRrl: RRL_NONE,
    orderCodes: [c(loinc, '30855-1', 'MR Cervical and thoracic and lumbar spine WO and W contrast IV')],
  },
  // §2.1: no CPT for MR myelography (do NOT use 72159, which is MRA of the spinal canal); §2.3 SNOMED CT.
  'mr-myelography': {
    id: 'mr-myelography',
    acrName: 'MR Myelography Complete Spine',
    modality: 'MR',
    region: 'spine',
    adultRrl: RRL_NONE,
    orderCodes: [c(snomed, '713206003', 'Magnetic resonance imaging myelography')],
  },
  // §2.1: CT myelography is billed 62284 (injection) + per-region CT-with-contrast codes; no single CPT. §2.3 has
  // the SNOMED CT concept for a CT myelogram.
  'ct-myelography': {
    id: 'ct-myelography',
    acrName: 'CT Myelography Complete Spine',
    modality: 'CT',
    region: 'spine',
    adultRrl: RRL_5,
    orderCodes: [c(snomed, '241589001', 'Computed tomography myelogram')],
  },
  // §2.1 and §4: no code in any system distinguishes dynamic CT myelography; the order text must say "dynamic"
  // (orderCodeableConcept puts the ACR name in code.text, which recognition reads).
  'ct-myelography-dynamic': {
    id: 'ct-myelography-dynamic',
    acrName: 'CT Myelography Dynamic Complete Spine',
    modality: 'CT',
    region: 'spine',
    adultRrl: RRL_5,
    orderCodes: [c(snomed, '241589001', 'Computed tomography myelogram')],
  },
  // §2.1: no DSM-specific code exists; 62305 (myelography via lumbar injection incl. RS&I, 2 or more regions) is
  // the nearest, and the order text must say digital subtraction. §2.2: LOINC 30808-0 complete-spine myelogram.
  dsm: {
    id: 'dsm',
    acrName: 'Radiographic Myelography Digital Subtraction Complete Spine',
    modality: 'RF',
    region: 'spine',
    adultRrl: RRL_4,
    orderCodes: [
      c(cpt, '62305', 'Myelography via lumbar injection, including radiological supervision and interpretation; 2 or more regions'),
      c(loinc, '30808-0', 'RF Cervical and thoracic and lumbar spine Views W contrast IT'),
    ],
  },
  // Region "spine": in suspected SIH the study looks for tracer outside the thecal sac along the spine.
  'dtpa-cisternography': {
    id: 'dtpa-cisternography',
    acrName: 'DTPA Cisternography',
    modality: 'NM',
    region: 'spine',
    adultRrl: RRL_3,
    orderCodes: [
      c(cpt, '78630', 'Cerebrospinal fluid flow imaging; cisternography'),
      c(loinc, '24663-7', 'NM Cerebral cisterns Views W radionuclide IT'),
    ],
  },
  // §2.1: no CPT of its own (CT head code + intrathecal injection); §2.2 LOINC.
  'ct-head-cisternography': {
    id: 'ct-head-cisternography',
    acrName: 'CT Head Cisternography',
    modality: 'CT',
    region: 'head',
    adultRrl: RRL_3,
    orderCodes: [c(loinc, '24734-6', 'CT Cerebral cisterns W contrast IT')],
  },
  // Complete-spine CT: only per-region CPTs (72125–72133, §2.1) and no complete-spine LOINC in §2.2; §2.3's
  // "CT of whole spine" does not state contrast, so the ServiceRequest text carries it.
  'ct-spine-wo': {
    id: 'ct-spine-wo',
    acrName: 'CT Complete Spine Without IV Contrast',
    modality: 'CT',
    region: 'spine',
    adultRrl: RRL_4,
    orderCodes: [c(snomed, '429875006', 'Computed tomography of whole spine')],
  },
  'ct-spine-w': {
    id: 'ct-spine-w',
    acrName: 'CT Complete Spine With IV Contrast',
    modality: 'CT',
    region: 'spine',
    adultRrl: RRL_4,
    orderCodes: [c(snomed, '429859008', 'Computed tomography of whole spine with contrast')],
  },
  'ct-spine-wo-w': {
    id: 'ct-spine-wo-w',
    acrName: 'CT Complete Spine Without and With IV Contrast',
    modality: 'CT',
    region: 'spine',
    adultRrl: RRL_4,
    orderCodes: [c(snomed, '429875006', 'Computed tomography of whole spine')],
  },
  'ct-head-wo': {
    id: 'ct-head-wo',
    acrName: 'CT Head Without IV Contrast',
    modality: 'CT',
    region: 'head',
    adultRrl: RRL_3,
    orderCodes: [
      c(cpt, '70450', 'CT head or brain; without contrast material'),
      c(loinc, '30799-1', 'CT Head WO contrast'),
      c(snomed, '383371000119108', 'Computed tomography of head without contrast'),
    ],
  },
  'ct-head-w': {
    id: 'ct-head-w',
    acrName: 'CT Head With IV Contrast',
    modality: 'CT',
    region: 'head',
    adultRrl: RRL_3,
    orderCodes: [c(cpt, '70460', 'CT head or brain; with contrast material(s)'), c(loinc, '24727-0', 'CT Head W contrast IV')],
  },
  'ct-head-wo-w': {
    id: 'ct-head-wo-w',
    acrName: 'CT Head Without and With IV Contrast',
    modality: 'CT',
    region: 'head',
    adultRrl: RRL_3,
    orderCodes: [
      c(cpt, '70470', 'CT head or brain; without contrast material, followed by contrast material(s)'),
      c(loinc, '24726-2', 'CT Head WO and W contrast IV'),
    ],
  },
};

/** Relative radiation level as a number: the count of ☢ in the ACR string ("O 0 mSv" → 0). */
export function radiationLevel(rrl: string): number {
  let n = 0;
  for (const ch of rrl) if (ch === '☢') n += 1;
  return n;
}

const BY_ACR_NAME = new Map<string, ProcedureId>(
  Object.values(PROCEDURES).map((p) => [p.acrName.toLowerCase(), p.id] as const),
);

/** The procedure with this ACR name, ignoring case (the data set is inconsistent, e.g. V3's MR myelography). */
export function procedureByAcrName(name: string): ProcedureId | undefined {
  return BY_ACR_NAME.get(name.trim().toLowerCase());
}

/**
 * The CodeableConcept a suggested ServiceRequest should carry: the standard codes, and the ACR name as text.
 * The text matters: where no code distinguishes the technique (dynamic CTM, DSM, complete-spine CT contrast),
 * recognition reads it, so a suggestion that comes back on order-sign is rated as the same row.
 */
export function orderCodeableConcept(procedure: ProcedureId): CodeableConcept {
  const def = PROCEDURES[procedure];
  return { coding: def.orderCodes.map((code) => ({ ...code })), text: def.acrName };
}
