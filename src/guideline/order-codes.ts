/**
 * Recognition data: which standard codes and which order texts name which ACR procedure, and which known
 * imaging codes lie outside this topic. The matching itself is in src/engine/orders.ts; this file is data.
 *
 * Sources (sections of /work/shared/clinical/acr-intracranial-hypotension.md): CPT §2.1, LOINC §2.2,
 * SNOMED CT §2.3, code system URIs §2 (preamble). Displays are short forms (CPT descriptors are AMA text).
 *
 * Ambiguity rules: AMBIGUITY_RULES below (decided here, shown to clinicians in docs/clinical-logic.md, never
 * silent: each carries a note that reaches the card).
 */
import type { ProcedureId } from './types.js';

/**
 * The value sets (src/guideline/valuesets.ts) that make a draft order's reasonCode an indication of this topic:
 * headache of any kind, suspected SIH / orthostatic headache / CSF leak, post-dural-puncture headache, and
 * decreased consciousness (ACR variant 4). Deliberately absent: the brain-imaging features set (it holds
 * subdural haematoma, which as an order's reason is another indication) and the spinal-intervention and
 * blood-patch sets (a procedure is not an indication for imaging by itself). Ids are checked at load in
 * src/engine/orders.ts.
 */
export const ORDER_INDICATION_SETS: readonly string[] = [
  'sih-suspicion',
  'headache',
  'chronic-headache',
  'post-puncture-headache',
  'csf-leak-finding',
  'decreased-consciousness',
];

/**
 * How orders that do not name an ACR procedure exactly are rated. Wherever a rule assumes something, a
 * RECOGNITION_NOTES note travels with the order to the card, so the clinician sees the assumption.
 */
export const AMBIGUITY_RULES: readonly string[] = [
  'A myelogram that does not say digital subtraction (CPT 62302–62305, 72240–72270; LOINC 30808-0 and the ' +
    'per-region RF myelograms; or text "myelogram") is rated as the ACR row "Radiographic Myelography Digital ' +
    'Subtraction Complete Spine", with a note on technique: no code distinguishes DSM (§2.1, §4).',
  'A CT myelogram that does not say dynamic (SNOMED 241589001, the per-region CT myelogram codes, or text "CTM") ' +
    'is the non-dynamic "CT Myelography Complete Spine" row; only text saying "dynamic" or "dCTM" makes it the ' +
    'dynamic row (no code says dynamic, §2.1).',
  'A single-region spine MRI or CT (e.g. CPT 72148 lumbar MRI without contrast, 72133 CT lumbar without and ' +
    'with) is rated as the complete-spine row of the same contrast, with a note that the ACR rates ' +
    'complete-spine imaging (CPT has only per-region codes, §2.1).',
  'Contrast not stated (LOINC 24590-2 "MR Brain", SNOMED "MRI of brain", "MRI of spine", "CT of whole spine", or ' +
    'text without a contrast word): the order text decides when it says; otherwise the order is rated as the ' +
    'WITHOUT-contrast row, with a note. Why without: it is how an order that names no contrast is normally ' +
    'protocolled, and the note tells the clinician the ACR rates the other options separately (in Variant 1, ' +
    'MRI head without and with IV contrast is the top-rated study).',
  'CPT 62284 (intrathecal injection only) is rated as CT myelography (non-dynamic) unless the order text names ' +
    'the study (dynamic CTM, DSM or MR myelography).',
  'CPT 78630 (cisternography) is DTPA cisternography; CPT 78650 (CSF leak detection and localisation) is rated ' +
    'as the same row, with a note.',
  'Codes that leave technique or contrast open (e.g. CPT 70450 for a CT cisternogram, CT spine "with contrast" ' +
    'for the CT part of a CT myelogram) may be refined by the order text, but only within a fixed list of rows ' +
    'per code (column "text may refine to" below); outside that list the code wins.',
  'When the codings of one order name different rows, the most specific wins (intrathecal and nuclear studies ' +
    'before cross-sectional imaging), with a note.',
  'An order recognised only from its text (no known code) is flagged (matchedBy.text) and carries a note.',
  'Order text: "DSM" counts as digital subtraction myelography only next to a myelogram word ("DSM myelogram") ' +
    'or on a myelography code (CPT 62284, 62302–62305, 72240–72270, the RF myelogram LOINCs), and never as ' +
    '"DSM-5"/"DSM-IV" (the psychiatric manual); "digital subtraction" counts only with a myelogram word. Text ' +
    'that names the neck ("MRI head and neck", "CT neck") is not head imaging.',
  'The order\'s own indication: when a draft order carries reasonCode(s) and none of them is headache, ' +
    'suspected intracranial hypotension, a CSF leak, a post-dural-puncture headache or decreased consciousness ' +
    `(value sets ${ORDER_INDICATION_SETS.map((id) => `\`${id}\``).join(', ')}; codes first, then the reason's ` +
    'text as a flagged fallback), the order is for another indication (e.g. seizure, head injury): it is outside ' +
    'this topic (no card; PAMA rating no-criteria-apply), whatever the patient\'s scenario. An order without a ' +
    'reasonCode, or whose reasons carry neither a code of a known system nor any text, is rated against the ' +
    'patient\'s scenario, with a note when the reason could not be read.',
  'A known imaging code outside this topic (e.g. MRI knee, CTA head, MRA of the spinal canal) is outside the ' +
    'topic even if its text would match; an unknown code with no matching text is outside the topic too.',
  'Before any rating: an order is never rated when a red flag is recorded (its reasons, another draft\'s ' +
    'reasons, or the recent record; decreased consciousness counts here although it is an indication of variant 4, ' +
    'which rates only the studies it lists), nor when a reason names a disorder outside the topic\'s border ' +
    '(section 7). When the variant is undetermined but every still-possible variant rates the study alike, it is ' +
    'rated, with the possible variants listed. Only advanced diagnostic imaging (CT, MR, NM, PET) carries a PAMA ' +
    'rating stamp; fluoroscopic myelography (DSM), radiographs and non-imaging orders do not.',
];

/** Canonical system URIs (§2 preamble). */
export const CODE_SYSTEMS = {
  cpt: 'http://www.ama-assn.org/go/cpt',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
} as const;
export type CodeSystemKey = keyof typeof CODE_SYSTEMS;

/**
 * Spellings of the three systems seen in real data, after normalisation (lower case, https → http, no
 * trailing slash). The OIDs are the HL7 OID registry's ids for CPT-4, LOINC and SNOMED CT (CDA-derived data
 * uses them; not from the clinical doc).
 */
export const SYSTEM_ALIASES: Readonly<Record<string, CodeSystemKey>> = {
  'http://www.ama-assn.org/go/cpt': 'cpt',
  'http://ama-assn.org/go/cpt': 'cpt',
  'urn:oid:2.16.840.1.113883.6.12': 'cpt',
  'http://loinc.org': 'loinc',
  'urn:oid:2.16.840.1.113883.6.1': 'loinc',
  'http://snomed.info/sct': 'snomed',
  'urn:oid:2.16.840.1.113883.6.96': 'snomed',
};

/** Notes carried from recognition to the card (our words; no patient data). */
export const RECOGNITION_NOTES = {
  myelogramTechnique:
    'The myelogram order does not say digital subtraction: rated as the ACR row for digital subtraction ' +
    'myelography. Conventional myelography can miss fast leaks and CSF-venous fistulas; confirm the technique.',
  ctmNotDynamic:
    'The CT myelogram order does not say dynamic: rated as (non-dynamic) CT myelography. The ACR rates dynamic ' +
    'CT myelography as a separate procedure.',
  injectionOnly: 'CPT 62284 codes only the intrathecal injection, not the imaging study that follows it.',
  singleRegion:
    'The order does not cover the complete spine (and no other order of this session covers the rest): the ACR ' +
    'rates complete-spine imaging, so it is rated as the complete-spine study with the same contrast.',
  contrastUnspecified:
    'The order does not state contrast: rated as without IV contrast. The ACR rates each contrast option ' +
    'separately; state the contrast to be rated exactly.',
  csfLeakNm: 'CPT 78650 (CSF leak detection and localisation) is rated as the ACR row for DTPA cisternography.',
  bareCisternogram: 'The order says cisternogram without a modality: rated as radionuclide (DTPA) cisternography.',
  headAndSpine:
    'The order names both head and spine: rated as head imaging. Order the spine study separately to have it ' +
    'rated.',
  ctSpineContrastMayBeCtm:
    'CT spine "with contrast" codes are also used for the CT part of a CT myelogram; if intrathecal contrast is ' +
    'intended, order CT myelography so it is rated as such.',
  textOnly: 'Recognised from the order text, not from a standard code: check the study is the one intended.',
  spectCisternography:
    'CPT 78647 (CSF flow imaging, tomographic / SPECT) is rated as the ACR row for radionuclide (DTPA) ' +
    'cisternography, of which it is the tomographic acquisition.',
} as const;

const N = RECOGNITION_NOTES;

/** Notes on the order's own indication (its reasonCode), carried to the rated order (our words, no patient text). */
export const INDICATION_NOTES = {
  otherIndication:
    'Ordered for another indication: none of the order\'s reasons is headache, suspected intracranial ' +
    'hypotension, a CSF leak, a post-dural-puncture headache or decreased consciousness, so this ACR topic does ' +
    'not rate it.',
  unreadable:
    'The order\'s reason could not be read (no code of a known system and no text): the order is rated against ' +
    'the patient\'s scenario as if it were for the headache under investigation; check the indication.',
  fromText:
    'The order\'s reason was recognised as an indication of this topic (headache, suspected intracranial ' +
    'hypotension, CSF leak or decreased consciousness) from its text, not from a code: check that the study is ' +
    'for this indication.',
  outsideBorder:
    'Ordered for a disorder outside this topic (shunt over-drainage, a cranial CSF leak, idiopathic intracranial ' +
    'hypertension, orthostatic hypotension / POTS, or a primary headache): this ACR topic does not rate it.',
  redFlag:
    'A red flag is recorded (see the red flags on this order): an urgent study may be needed whatever this topic ' +
    'rates, so this ACR topic does not rate the order and gives no advice against it.',
  ambiguityDoesNotMatter:
    'The ACR scenario is not fully determined, but every scenario still possible rates this study the same: ' +
    'rated on that shared rating.',
} as const;

/**
 * Short forms of the recognition notes for a card summary ("…: Usually Appropriate (8), rated as complete-spine
 * imaging"). A note not listed here (a site's own note, the mixed-codes note) reads "rated on an assumption".
 */
export const ASSUMPTION_PHRASES: Readonly<Record<string, string>> = {
  [N.myelogramTechnique]: 'rated as digital subtraction myelography',
  [N.ctmNotDynamic]: 'rated as non-dynamic CT myelography',
  [N.injectionOnly]: 'rated from the intrathecal injection code',
  [N.singleRegion]: 'rated as complete-spine imaging',
  [N.contrastUnspecified]: 'rated as without IV contrast',
  [N.csfLeakNm]: 'rated as DTPA cisternography',
  [N.spectCisternography]: 'SPECT cisternography rated as radionuclide cisternography',
  [N.bareCisternogram]: 'rated as radionuclide cisternography',
  [N.headAndSpine]: 'rated as head imaging only',
  [N.ctSpineContrastMayBeCtm]: 'rated as IV-contrast CT, not CT myelography',
  [N.textOnly]: 'recognised from the order text',
  [INDICATION_NOTES.fromText]: 'indication read from text',
  [INDICATION_NOTES.unreadable]: 'indication not readable',
};

export interface TopicCode {
  system: CodeSystemKey;
  code: string;
  display: string;
  /** The row this code is rated as when the order text says nothing more. */
  procedure: ProcedureId;
  /** Notes that always apply to this code. */
  notes?: readonly string[];
  /** Rows the order text may switch this code to, where the code leaves technique or contrast open. */
  refineTo?: readonly ProcedureId[];
  /** Notes that apply only when the text does not settle it (the default was assumed). */
  unresolvedNotes?: readonly string[];
  /** Section of the clinical doc. */
  source: string;
}

const MRI_HEAD: readonly ProcedureId[] = ['mri-head-wo', 'mri-head-w', 'mri-head-wo-w'];
const MRI_SPINE: readonly ProcedureId[] = ['mri-spine-wo', 'mri-spine-w', 'mri-spine-wo-w', 'mr-myelography'];
const CT_SPINE: readonly ProcedureId[] = ['ct-spine-wo', 'ct-spine-w', 'ct-spine-wo-w'];
const CTM: readonly ProcedureId[] = ['ct-myelography', 'ct-myelography-dynamic'];
const INTRATHECAL: readonly ProcedureId[] = ['ct-myelography', 'ct-myelography-dynamic', 'dsm', 'mr-myelography'];

/** Per-region spine codes: the complete-spine row of the same contrast, with the single-region note first. */
function region(
  system: CodeSystemKey,
  code: string,
  display: string,
  procedure: ProcedureId,
  source: string,
  extra: Partial<TopicCode> = {},
): TopicCode {
  return { system, code, display, procedure, source, ...extra, notes: [N.singleRegion, ...(extra.notes ?? [])] };
}

const MYELOGRAM_UNRESOLVED = { refineTo: ['dsm'] as const, unresolvedNotes: [N.myelogramTechnique] };
const CTM_UNRESOLVED = { refineTo: CTM, unresolvedNotes: [N.ctmNotDynamic] };

export const TOPIC_CODES: readonly TopicCode[] = [
  // ---- CPT (§2.1) ----
  { system: 'cpt', code: '70551', display: 'MRI brain; without contrast material', procedure: 'mri-head-wo', source: '§2.1' },
  { system: 'cpt', code: '70552', display: 'MRI brain; with contrast material(s)', procedure: 'mri-head-w', source: '§2.1' },
  { system: 'cpt', code: '70553', display: 'MRI brain; without, followed by contrast material(s)', procedure: 'mri-head-wo-w', source: '§2.1' },
  // MRI spinal canal per region (cervical / thoracic / lumbar); MR myelography is billed with these + 62284.
  region('cpt', '72141', 'MRI spinal canal, cervical; without contrast', 'mri-spine-wo', '§2.1', { refineTo: MRI_SPINE }),
  region('cpt', '72146', 'MRI spinal canal, thoracic; without contrast', 'mri-spine-wo', '§2.1', { refineTo: MRI_SPINE }),
  region('cpt', '72148', 'MRI spinal canal, lumbar; without contrast', 'mri-spine-wo', '§2.1', { refineTo: MRI_SPINE }),
  region('cpt', '72142', 'MRI spinal canal, cervical; with contrast', 'mri-spine-w', '§2.1'),
  region('cpt', '72147', 'MRI spinal canal, thoracic; with contrast', 'mri-spine-w', '§2.1'),
  region('cpt', '72149', 'MRI spinal canal, lumbar; with contrast', 'mri-spine-w', '§2.1'),
  region('cpt', '72156', 'MRI spinal canal, cervical; without then with contrast', 'mri-spine-wo-w', '§2.1'),
  region('cpt', '72157', 'MRI spinal canal, thoracic; without then with contrast', 'mri-spine-wo-w', '§2.1'),
  region('cpt', '72158', 'MRI spinal canal, lumbar; without then with contrast', 'mri-spine-wo-w', '§2.1'),
  // CT spine per region. The "with contrast" codes are also the CT part of a CT myelogram (§2.1).
  region('cpt', '72125', 'CT cervical spine; without contrast', 'ct-spine-wo', '§2.1'),
  region('cpt', '72128', 'CT thoracic spine; without contrast', 'ct-spine-wo', '§2.1'),
  region('cpt', '72131', 'CT lumbar spine; without contrast', 'ct-spine-wo', '§2.1'),
  region('cpt', '72126', 'CT cervical spine; with contrast', 'ct-spine-w', '§2.1', { refineTo: CTM, notes: [N.ctSpineContrastMayBeCtm] }),
  region('cpt', '72129', 'CT thoracic spine; with contrast', 'ct-spine-w', '§2.1', { refineTo: CTM, notes: [N.ctSpineContrastMayBeCtm] }),
  region('cpt', '72132', 'CT lumbar spine; with contrast', 'ct-spine-w', '§2.1', { refineTo: CTM, notes: [N.ctSpineContrastMayBeCtm] }),
  region('cpt', '72127', 'CT cervical spine; without then with contrast', 'ct-spine-wo-w', '§2.1'),
  region('cpt', '72130', 'CT thoracic spine; without then with contrast', 'ct-spine-wo-w', '§2.1'),
  region('cpt', '72133', 'CT lumbar spine; without then with contrast', 'ct-spine-wo-w', '§2.1'),
  // Intrathecal injection only: the study is whatever the text names, else CT myelography (§2.1 CTM row).
  {
    system: 'cpt', code: '62284', display: 'Injection procedure for myelography and/or CT, lumbar',
    procedure: 'ct-myelography', notes: [N.injectionOnly], refineTo: INTRATHECAL, unresolvedNotes: [N.ctmNotDynamic],
    source: '§2.1',
  },
  // Fluoroscopic myelography: no DSM-specific code (§2.1, §4).
  { system: 'cpt', code: '62305', display: 'Myelography via lumbar injection incl. RS&I; 2 or more regions', procedure: 'dsm', ...MYELOGRAM_UNRESOLVED, source: '§2.1' },
  region('cpt', '62302', 'Myelography via lumbar injection incl. RS&I; cervical', 'dsm', '§2.1', MYELOGRAM_UNRESOLVED),
  region('cpt', '62303', 'Myelography via lumbar injection incl. RS&I; thoracic', 'dsm', '§2.1', MYELOGRAM_UNRESOLVED),
  region('cpt', '62304', 'Myelography via lumbar injection incl. RS&I; lumbosacral', 'dsm', '§2.1', MYELOGRAM_UNRESOLVED),
  { system: 'cpt', code: '72270', display: 'Myelography RS&I; 2 or more regions', procedure: 'dsm', ...MYELOGRAM_UNRESOLVED, source: '§2.1' },
  region('cpt', '72240', 'Myelography RS&I; cervical', 'dsm', '§2.1', MYELOGRAM_UNRESOLVED),
  region('cpt', '72255', 'Myelography RS&I; thoracic', 'dsm', '§2.1', MYELOGRAM_UNRESOLVED),
  region('cpt', '72265', 'Myelography RS&I; lumbosacral', 'dsm', '§2.1', MYELOGRAM_UNRESOLVED),
  { system: 'cpt', code: '78630', display: 'CSF flow imaging; cisternography', procedure: 'dtpa-cisternography', source: '§2.1' },
  { system: 'cpt', code: '78650', display: 'CSF leakage detection and localization', procedure: 'dtpa-cisternography', notes: [N.csfLeakNm], source: '§2.1' },
  // SPECT radionuclide cisternography is the tomographic form of the cisternography row (issue 10 class 7): §2.1 [S].
  { system: 'cpt', code: '78647', display: 'CSF flow imaging; tomographic (SPECT)', procedure: 'dtpa-cisternography', notes: [N.spectCisternography], source: '§2.1 [S]' },
  // CT head; CT cisternography has no code of its own and is billed as CT head + injection (§2.1).
  { system: 'cpt', code: '70450', display: 'CT head or brain; without contrast material', procedure: 'ct-head-wo', refineTo: ['ct-head-cisternography'], source: '§2.1' },
  { system: 'cpt', code: '70460', display: 'CT head or brain; with contrast material(s)', procedure: 'ct-head-w', refineTo: ['ct-head-cisternography'], source: '§2.1' },
  { system: 'cpt', code: '70470', display: 'CT head or brain; without, followed by contrast material(s)', procedure: 'ct-head-wo-w', refineTo: ['ct-head-cisternography'], source: '§2.1' },

  // ---- LOINC (§2.2, LOINC/RSNA Radiology Playbook long common names) ----
  { system: 'loinc', code: '30657-1', display: 'MR Brain WO contrast', procedure: 'mri-head-wo', source: '§2.2' },
  { system: 'loinc', code: '24589-4', display: 'MR Brain W contrast IV', procedure: 'mri-head-w', source: '§2.2' },
  { system: 'loinc', code: '24587-8', display: 'MR Brain WO and W contrast IV', procedure: 'mri-head-wo-w', source: '§2.2' },
  { system: 'loinc', code: '24590-2', display: 'MR Brain', procedure: 'mri-head-wo', refineTo: MRI_HEAD, unresolvedNotes: [N.contrastUnspecified], source: '§2.2' },
  { system: 'loinc', code: '30854-4', display: 'MR Cervical and thoracic and lumbar spine WO contrast', procedure: 'mri-spine-wo', source: '§2.2' },
  { system: 'loinc', code: '30855-1', display: 'MR Cervical and thoracic and lumbar spine WO and W contrast IV', procedure: 'mri-spine-wo-w', source: '§2.2' },
  region('loinc', '36531-2', 'MR Spine WO contrast', 'mri-spine-wo', '§2.2'),
  region('loinc', '30667-0', 'MR Cervical spine WO contrast', 'mri-spine-wo', '§2.2'),
  region('loinc', '24937-5', 'MR Cervical spine WO and W contrast IV', 'mri-spine-wo-w', '§2.2'),
  region('loinc', '36532-0', 'MR Thoracic spine WO contrast', 'mri-spine-wo', '§2.2'),
  region('loinc', '24981-3', 'MR Thoracic spine WO and W contrast IV', 'mri-spine-wo-w', '§2.2'),
  region('loinc', '30679-5', 'MR Lumbar spine WO contrast', 'mri-spine-wo', '§2.2'),
  region('loinc', '24967-2', 'MR Lumbar spine WO and W contrast IV', 'mri-spine-wo-w', '§2.2'),
  { system: 'loinc', code: '30808-0', display: 'RF Cervical and thoracic and lumbar spine Views W contrast IT', procedure: 'dsm', ...MYELOGRAM_UNRESOLVED, source: '§2.2' },
  region('loinc', '24947-4', 'RF Cervical spine Views W contrast IT', 'dsm', '§2.2', MYELOGRAM_UNRESOLVED),
  region('loinc', '24985-4', 'RF Thoracic spine Views W contrast IT', 'dsm', '§2.2', MYELOGRAM_UNRESOLVED),
  region('loinc', '24974-8', 'RF Lumbar spine Views W contrast IT', 'dsm', '§2.2', MYELOGRAM_UNRESOLVED),
  region('loinc', '24934-2', 'CT Cervical spine W contrast IT', 'ct-myelography', '§2.2', CTM_UNRESOLVED),
  region('loinc', '30596-1', 'CT Thoracic spine W contrast IT', 'ct-myelography', '§2.2', CTM_UNRESOLVED),
  region('loinc', '24965-6', 'CT Lumbar spine W contrast IT', 'ct-myelography', '§2.2', CTM_UNRESOLVED),
  { system: 'loinc', code: '24663-7', display: 'NM Cerebral cisterns Views W radionuclide IT', procedure: 'dtpa-cisternography', source: '§2.2' },
  { system: 'loinc', code: '24734-6', display: 'CT Cerebral cisterns W contrast IT', procedure: 'ct-head-cisternography', source: '§2.2' },
  { system: 'loinc', code: '30799-1', display: 'CT Head WO contrast', procedure: 'ct-head-wo', source: '§2.2' },
  { system: 'loinc', code: '24727-0', display: 'CT Head W contrast IV', procedure: 'ct-head-w', source: '§2.2' },
  { system: 'loinc', code: '24726-2', display: 'CT Head WO and W contrast IV', procedure: 'ct-head-wo-w', source: '§2.2' },

  // ---- SNOMED CT (§2.3) ----
  { system: 'snomed', code: '241589001', display: 'Computed tomography myelogram', procedure: 'ct-myelography', ...CTM_UNRESOLVED, source: '§2.3' },
  region('snomed', '241590005', 'Computed tomography myelogram of cervical region', 'ct-myelography', '§2.3', CTM_UNRESOLVED),
  region('snomed', '241591009', 'Computed tomography myelogram of thoracic region', 'ct-myelography', '§2.3', CTM_UNRESOLVED),
  region('snomed', '241592002', 'Computed tomography myelogram of lumbar region', 'ct-myelography', '§2.3', CTM_UNRESOLVED),
  { system: 'snomed', code: '713206003', display: 'Magnetic resonance imaging myelography', procedure: 'mr-myelography', source: '§2.3' },
  { system: 'snomed', code: '411611000119102', display: 'Magnetic resonance imaging of cervical, thoracic, and lumbar spine without contrast', procedure: 'mri-spine-wo', source: '§2.3' },
  { system: 'snomed', code: '495741000119105', display: 'Magnetic resonance imaging of cervical, thoracic, and lumbar spine with contrast', procedure: 'mri-spine-w', source: '§2.3' },
  region('snomed', '241645008', 'Magnetic resonance imaging of spine', 'mri-spine-wo', '§2.3', { refineTo: MRI_SPINE, unresolvedNotes: [N.contrastUnspecified] }),
  region('snomed', '431985004', 'Magnetic resonance imaging of spine with contrast', 'mri-spine-w', '§2.3', { refineTo: ['mri-spine-w', 'mri-spine-wo-w'] }),
  { system: 'snomed', code: '429875006', display: 'Computed tomography of whole spine', procedure: 'ct-spine-wo', refineTo: [...CT_SPINE, ...CTM], unresolvedNotes: [N.contrastUnspecified], source: '§2.3' },
  { system: 'snomed', code: '429859008', display: 'Computed tomography of whole spine with contrast', procedure: 'ct-spine-w', refineTo: ['ct-spine-w', 'ct-spine-wo-w', ...CTM], source: '§2.3' },
  { system: 'snomed', code: '383371000119108', display: 'Computed tomography of head without contrast', procedure: 'ct-head-wo', source: '§2.3' },
  // §2.3 marks this [S] (two unrelated repos). 241615005 is MRI of BREAST, not brain: see OUTSIDE_TOPIC_CODES.
  { system: 'snomed', code: '816077007', display: 'Magnetic resonance imaging of brain', procedure: 'mri-head-wo', refineTo: MRI_HEAD, unresolvedNotes: [N.contrastUnspecified], source: '§2.3 [S]' },
];

export interface OutsideCode {
  system: CodeSystemKey;
  code: string;
  display: string;
  source: string;
}

/**
 * Imaging (and related) codes we know and that this topic does not rate. Any code we do not know is also
 * outside the topic; this list exists so that a known out-of-topic code is never overridden by a text match
 * (e.g. "MRA spinal canal" must not become a spine MRI).
 */
export const OUTSIDE_TOPIC_CODES: readonly OutsideCode[] = [
  // The task brief's examples of out-of-topic orders (CPT, PAMA-type advanced imaging).
  { system: 'cpt', code: '73721', display: 'MRI lower extremity joint (e.g. knee); without contrast', source: 'brief' },
  { system: 'cpt', code: '71250', display: 'CT thorax; without contrast', source: 'brief' },
  { system: 'cpt', code: '70496', display: 'CT angiography, head', source: 'brief' },
  { system: 'cpt', code: '70544', display: 'MR angiography, head; without contrast', source: 'brief' },
  { system: 'cpt', code: '75561', display: 'Cardiac MRI for morphology and function; without then with contrast', source: 'brief' },
  { system: 'cpt', code: '71275', display: 'CT angiography, chest', source: 'brief' },
  // §2.1: MRA of the spinal canal is NOT MR myelography; other CSF nuclear studies are not rated by this topic.
  { system: 'cpt', code: '72159', display: 'MR angiography, spinal canal and contents', source: '§2.1' },
  { system: 'cpt', code: '78635', display: 'CSF flow imaging; ventriculography', source: '§2.1' },
  { system: 'cpt', code: '78645', display: 'CSF flow imaging; shunt evaluation', source: '§2.1' },
  // §2.1: spinal puncture and blood patch are procedures, not imaging.
  { system: 'cpt', code: '62270', display: 'Spinal puncture, lumbar, diagnostic', source: '§2.1 [S]' },
  { system: 'cpt', code: '62272', display: 'Spinal puncture, therapeutic, for drainage of CSF', source: '§2.1 [S]' },
  { system: 'cpt', code: '62273', display: 'Injection, epidural, of blood or clot patch', source: '§2.1 [S]' },
  // §2.2: MR cisternography is not a procedure of this topic.
  { system: 'loinc', code: '30655-5', display: 'MR Cerebral cisterns', source: '§2.2' },
  // §2.3: some repos mislabel this as MRI brain; it is MRI of breast.
  { system: 'snomed', code: '241615005', display: 'Magnetic resonance imaging of breast', source: '§2.3' },
  { system: 'snomed', code: '277762005', display: 'Lumbar puncture', source: '§2.3' },
];

// ---- Text recognition (the flagged fallback, and the refinement of codes that leave technique open) ----

/**
 * Features read from lower-cased order text (code.text and coding.display). Abbreviations are the ones EHR
 * order names use: "MRI brain w/wo", "MR C/T/L spine", "DSM", "dCTM", "CTM", "myelogram", "radionuclide
 * cisternogram", "In-111 DTPA".
 */
export const TEXT_FEATURES = {
  /** Vascular, functional or PET studies: never a procedure of this topic. */
  outsideTechnique: /\b(mra|mrv|cta|ctv|angiogra\w*|arteriogra\w*|venogra\w*|perfusion|spectroscopy|pet|fmri)\b/,
  /** A myelogram word. "DSM" alone is not one: it is also the psychiatric manual (see `dsm`). */
  myelo: /myelo(gram|graph)|\bd?ctm\b/,
  dynamic: /\bdynamic\b|\bd-?ctm\b/,
  /** The abbreviation DSM, but not "DSM-5", "DSM 5", "DSM-IV(-TR)", "DSM-III", "DSM V" (the psychiatric manual). */
  dsm: /\bdsm\b(?![\s-]*(?:[1-5]|i{1,3}|iv|v)(?![a-z0-9]))/,
  digitalSubtraction: /digital[\s-]*subtract/,
  ct: /\bct\b|\bcat\s+scan|computed\s+tomograph|\bd?ctm\b/,
  mr: /\bmri?\b|magnetic\s+resonance|\bnmr\b/,
  cisterno: /cisterno(gram|graph)/,
  nuclear: /\bdtpa\b|\bin[\s-]?111\b|indium|radionuclide|radioisotope|scintigra\w*|\bnm\b|nuclear|\bspect\b/,
  indium: /\bin[\s-]?111\b|indium/,
  dtpa: /\bdtpa\b/,
  csf: /\bcsf\b|cerebrospinal/,
  head: /\b(head|brain|cranial|intracranial|cerebral)\b/,
  /** The neck: "MRI head and neck", "CT neck" are not head imaging (and not spine imaging either). */
  neck: /\bneck\b/,
  spine: /\bspin(e|al)\b|\b[ctl][\s-]?spine\b|\b[ctl]\s*\/\s*[ctl]\b|\b(cervical|thoracic|lumbar|lumbosacral|neuraxis)\b/,
  completeSpine:
    /\b(complete|whole|entire|total|full)\s+spine\b|\bneuraxis\b|\bc\s*\/\s*t\s*\/\s*l\b|\bctl\s+spine\b|cervical,?\s*(and\s+)?thoracic,?\s*(and\s+)?lumbar/,
  /** Both phases stated together ("pre and post"); other pairs are caught by withoutContrast + withContrast. */
  withoutAndWith: /\bpre[\s-]*(and|&|\/)[\s-]*post\b/,
  withoutContrast: /\bw\/o\b|\bwo\b|\bwithout\b|\bnon[\s-]?contrast\b|\bnoncon\w*|\bno\s+(iv\s+)?contrast\b|\bunenhanced\b|\bplain\b/,
  /** "with" only next to a contrast word or its "without" pair, so "patient with claustrophobia" is not contrast. */
  withContrast:
    /\bw\/(?!o)|\bw\b(?!\/o)|\bwith\s+(iv\s+|intravenous\s+)?(contrast|gad\w*)|\bwith\s+(and|&)\s+without\b|\bwithout\s+(iv\s+)?(contrast\s+)?(material\s+)?(and|&|then)\s+with\b|\bpost[\s-]?contrast\b|\bcontrast[\s-]enhanced\b|\bgad(olinium)?\b|\bc\+|followed\s+by\s+contrast/,
} as const satisfies Record<string, RegExp>;
export type TextFeature = keyof typeof TEXT_FEATURES;

/**
 * What the order's code says about the text's context, for codes the text refines: `myelographyCode` is set
 * when the code is a myelography or intrathecal-injection code (its refinement list holds DSM), so a bare "DSM"
 * on it means digital subtraction myelography.
 */
export const TEXT_CONTEXTS = ['myelographyCode'] as const;
export type TextContext = (typeof TEXT_CONTEXTS)[number];

export interface TextRule {
  /** For people (docs/clinical-logic.md). */
  when: string;
  all: readonly (TextFeature | TextContext)[];
  /** A procedure, outside-topic, or a head/spine MRI/CT decided by region and contrast (CROSS_SECTIONAL). */
  result: ProcedureId | 'outside-topic' | 'cross-sectional-mr' | 'cross-sectional-ct';
  notes?: readonly string[];
}

/** Ordered: the first rule whose features are all present decides. Specific techniques come first. */
export const TEXT_RULES: readonly TextRule[] = [
  { when: 'angiography, venography, perfusion, spectroscopy or PET', all: ['outsideTechnique'], result: 'outside-topic' },
  { when: 'myelogram + dynamic + CT ("dCTM", "dynamic CT myelogram")', all: ['myelo', 'dynamic', 'ct'], result: 'ct-myelography-dynamic' },
  { when: 'myelogram + digital subtraction ("digital subtraction myelogram")', all: ['myelo', 'digitalSubtraction'], result: 'dsm' },
  { when: 'myelogram + "DSM" ("DSM myelogram")', all: ['myelo', 'dsm'], result: 'dsm' },
  { when: '"DSM" on a myelography code (CPT 62284, 62302–62305, 72240–72270; RF myelogram LOINCs)', all: ['dsm', 'myelographyCode'], result: 'dsm' },
  { when: 'myelogram + CT ("CTM", "CT myelogram"), not dynamic', all: ['myelo', 'ct'], result: 'ct-myelography', notes: [N.ctmNotDynamic] },
  { when: 'myelogram + MR ("MR myelography")', all: ['myelo', 'mr'], result: 'mr-myelography' },
  { when: 'myelogram, technique not stated', all: ['myelo'], result: 'dsm', notes: [N.myelogramTechnique] },
  { when: 'In-111 + DTPA', all: ['indium', 'dtpa'], result: 'dtpa-cisternography' },
  { when: 'radionuclide/NM + cisternogram', all: ['nuclear', 'cisterno'], result: 'dtpa-cisternography' },
  { when: 'radionuclide/NM + CSF (leak study)', all: ['nuclear', 'csf'], result: 'dtpa-cisternography' },
  { when: 'CT + cisternogram', all: ['cisterno', 'ct'], result: 'ct-head-cisternography' },
  { when: 'MR + cisternogram (MR cisternography is not rated by this topic)', all: ['cisterno', 'mr'], result: 'outside-topic' },
  { when: 'cisternogram, modality not stated', all: ['cisterno'], result: 'dtpa-cisternography', notes: [N.bareCisternogram] },
  { when: 'MRI of head or spine, by region and contrast', all: ['mr'], result: 'cross-sectional-mr' },
  { when: 'CT of head or spine, by region and contrast', all: ['ct'], result: 'cross-sectional-ct' },
];

export type Contrast = 'wo' | 'w' | 'wo-w';

/** Head/spine MRI and CT by region and contrast (spine rows are complete-spine; see the single-region rule). */
export const CROSS_SECTIONAL: Readonly<Record<'mr' | 'ct', Record<'head' | 'spine', Record<Contrast, ProcedureId>>>> = {
  mr: {
    head: { wo: 'mri-head-wo', w: 'mri-head-w', 'wo-w': 'mri-head-wo-w' },
    spine: { wo: 'mri-spine-wo', w: 'mri-spine-w', 'wo-w': 'mri-spine-wo-w' },
  },
  ct: {
    head: { wo: 'ct-head-wo', w: 'ct-head-w', 'wo-w': 'ct-head-wo-w' },
    spine: { wo: 'ct-spine-wo', w: 'ct-spine-w', 'wo-w': 'ct-spine-wo-w' },
  },
};

/**
 * When an order's codings point to different rows, the most specific wins: intrathecal and nuclear studies
 * define the examination (a CT myelogram is billed as injection + CT spine), then cross-sectional imaging.
 */
export const SPECIFICITY: readonly ProcedureId[] = [
  'ct-myelography-dynamic',
  'dsm',
  'mr-myelography',
  'ct-myelography',
  'dtpa-cisternography',
  'ct-head-cisternography',
  'mri-head-wo-w',
  'mri-head-w',
  'mri-head-wo',
  'mri-spine-wo-w',
  'mri-spine-w',
  'mri-spine-wo',
  'ct-spine-wo-w',
  'ct-spine-w',
  'ct-spine-wo',
  'ct-head-wo-w',
  'ct-head-w',
  'ct-head-wo',
];

// ---- Advanced diagnostic imaging (which orders may carry a PAMA rating) ----

/**
 * PAMA's appropriate-use criteria cover "advanced diagnostic imaging": CT, MR, nuclear medicine and PET (clinical
 * doc §2.1 PAMA note: the sandbox's PAMA list holds CT/MR/NM/PET studies and no fluoroscopic myelogram). A topic
 * procedure is advanced when its modality is CT, MR or NM (DSM, modality RF, is not). Another order is advanced
 * when one of its CPT codes lies in these ranges, or its text names one of these modalities.
 * Ranges: our reading of the CPT radiology section (CT, MR, CTA/MRA, nuclear medicine and PET families).
 */
export const ADVANCED_IMAGING_CPT_RANGES: ReadonlyArray<readonly [number, number, string]> = [
  [70336, 70336, 'MR temporomandibular joint'],
  [70450, 70498, 'CT / CTA head, orbit, face, neck'],
  [70540, 70559, 'MR / MRA orbit, face, neck, head, brain'],
  [71250, 71275, 'CT / CTA chest'],
  [71550, 71555, 'MR / MRA chest'],
  [72125, 72133, 'CT spine'],
  [72141, 72159, 'MR / MRA spine'],
  [72191, 72198, 'CT / CTA / MR / MRA pelvis'],
  [73200, 73225, 'CT / CTA / MR / MRA upper extremity'],
  [73700, 73725, 'CT / CTA / MR / MRA lower extremity'],
  [74150, 74185, 'CT / CTA / MR / MRA abdomen'],
  [74261, 74263, 'CT colonography'],
  [75557, 75574, 'Cardiac MR and CT'],
  [75635, 75635, 'CTA aorta and runoff'],
  [76380, 76390, 'CT limited / MR spectroscopy'],
  [76497, 76498, 'Unlisted CT / MR'],
  [77011, 77014, 'CT guidance'],
  [77021, 77022, 'MR guidance'],
  [77046, 77049, 'MR breast'],
  [77078, 77084, 'CT / MR bone studies'],
  [78012, 79999, 'Nuclear medicine, including PET'],
];

/** Order text naming an advanced modality (lower-cased text; our reading of order names). */
export const ADVANCED_IMAGING_TEXT =
  /\b(?:ct|cta|ctv|cat\s+scan|computed\s+tomograph\w*|mri?|mra|mrv|nmr|magnetic\s+resonance|nm|nuclear|scintigra\w*|radionuclide|radioisotope|spect|pet|positron|dtpa)\b|\bd?ctm\b/;
