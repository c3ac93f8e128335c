/**
 * Value sets: the codes (and flagged free-text terms) that stand for each clinical concept the engine reads.
 *
 * Every code carries its source. "Clinical doc" = /work/shared/clinical/acr-intracranial-hypotension.md, with
 * its status marks: [V] checked, [V-sandbox] from the CDS Hooks sandbox code lists, [S] secondary, [U] not
 * verified. Codes marked [U] are included only where a comment says why; otherwise they are left out.
 *
 * Matching conventions (implemented in src/engine/facts-match.ts, stated here because they shape the data):
 *  - ICD-10-CM (`http://hl7.org/fhir/sid/icd-10-cm`) and international ICD-10 (`http://hl7.org/fhir/sid/icd-10`,
 *    which the Argonaut PAMA guide uses, clinical doc §2 intro) are treated as one system here, and ICD codes
 *    match hierarchically: a listed "G96.81" matches a recorded "G96.811". Dots are ignored ("G96811").
 *  - SNOMED CT, LOINC and CPT match exactly.
 *  - Text terms are a weaker, flagged fallback, tried on CodeableConcept.text and coding.display only when no
 *    code of that set matched. A term preceded in the same sentence by a negation ("no", "without",
 *    "negative for", ...) does not match.
 */
import type { ValueSet } from './types.js';

export const SYSTEMS = {
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  snomed: 'http://snomed.info/sct',
  loinc: 'http://loinc.org',
  cpt: 'http://www.ama-assn.org/go/cpt',
} as const;

const { icd10cm, icd10, snomed, loinc, cpt } = SYSTEMS;

/** Both ICD-10 flavours for one code: EHRs send either (clinical doc §2 intro, Argonaut note). */
function icd(code: string, display: string, source: string): ValueSet['codes'] {
  return [
    { system: icd10cm, code, display, source },
    { system: icd10, code, display, source: `${source}; international ICD-10 system accepted per clinical doc §2` },
  ];
}

function term(termText: string, pattern: RegExp): ValueSet['text'][number] {
  return { term: termText, pattern };
}

/** Orthostatic headache, suspected SIH, or a CSF leak: the indication of the whole topic. */
const sihSuspicion: ValueSet = {
  id: 'sih-suspicion',
  title: 'Orthostatic headache, suspected intracranial hypotension, or CSF leak',
  codes: [
    // G96.0 covers G96.00, G96.01, G96.02, G96.08, G96.09 (CSF leak) — clinical doc §2.4 [V]
    ...icd('G96.0', 'Cerebrospinal fluid leak', 'clinical doc §2.4 [V] (G96.00–G96.09)'),
    // G96.81 covers G96.810, G96.811, G96.819 (intracranial hypotension) — clinical doc §2.4 [V]
    ...icd('G96.81', 'Intracranial hypotension', 'clinical doc §2.4 [V] (G96.810, G96.811, G96.819)'),
    ...icd('R51.0', 'Headache with orthostatic component, not elsewhere classified', 'clinical doc §2.4 [V]'),
    { system: snomed, code: '445511002', display: 'Orthostatic headache', source: 'clinical doc §2.5 [V-sandbox]' },
    { system: snomed, code: '230744007', display: 'Cerebrospinal fluid leak', source: 'clinical doc §2.5 [V]' },
    {
      system: snomed,
      code: '700219009',
      display: 'Spontaneous intracranial hypotension',
      source: 'clinical doc §2.5 [S] (VisualDx)',
    },
    // Deliberately absent: G97.2 "Intracranial hypotension following ventricular shunting" (§2.4 [V]) is shunt
    // over-drainage, not a CSF leak, and outside this topic.
  ],
  text: [
    term('orthostatic headache', /\borthostatic\b[^.;]*\bheadache|\bheadache[^.;]*\borthostatic\b/i),
    term('postural headache', /\b(postural|positional)\s+headache/i),
    term('headache worse upright', /\bheadache[^.;]*\bworse\b[^.;]*\b(upright|standing|sitting)\b/i),
    term('intracranial hypotension', /\bintracranial\s+hypotension\b/i),
    term('CSF leak', /\b(csf|cerebrospinal\s+fluid)\s+(leak|fistula)/i),
    term('low CSF pressure headache', /\blow[-\s](csf[-\s])?pressure\s+headache/i),
    term('SIH', /\bSIH\b/),
  ],
};

/** Chronic (daily) headache. ICD-10-CM has no "chronic daily headache" code (clinical doc §2.4 [U]). */
const chronicHeadache: ValueSet = {
  id: 'chronic-headache',
  title: 'Chronic or daily persistent headache',
  codes: [
    { system: snomed, code: '431237007', display: 'Chronic headache disorder', source: 'clinical doc §2.5 [V-sandbox]' },
    {
      system: snomed,
      code: '121021000119105',
      display: 'New daily persistent headache',
      source: 'clinical doc §2.5 [V] (OpenCodelists)',
    },
    ...icd('G44.52', 'New daily persistent headache', 'clinical doc §2.4 [V]'),
    // Left out: G44.229 and G43.7- (chronic tension-type / chronic migraine), §2.4 [U] "inferred".
  ],
  text: [
    term('chronic headache', /\bchronic\b[^.;]*\bheadache/i),
    term('daily headache', /\bdaily\b[^.;]*\bheadache/i),
    term('NDPH', /\bNDPH\b/),
  ],
};

/** A dural puncture or other spinal intervention that could cause CSF leakage (ACR variants 2 and 3). */
const spinalIntervention: ValueSet = {
  id: 'spinal-intervention',
  title: 'Dural puncture or other spinal intervention that could cause CSF leakage',
  codes: [
    { system: snomed, code: '277762005', display: 'Lumbar puncture', source: 'clinical doc §2.3 [V-sandbox]' },
    { system: cpt, code: '62270', display: 'Spinal puncture, lumbar, diagnostic', source: 'clinical doc §2.1 [S]' },
    {
      system: cpt,
      code: '62272',
      display: 'Spinal puncture, therapeutic, for drainage of CSF',
      source: 'clinical doc §2.1 [S]',
    },
    // No verified codes for spinal/epidural anaesthesia or spine surgery in the clinical doc: text only.
  ],
  text: [
    term('lumbar puncture', /\blumbar\s+puncture\b|\bspinal\s+tap\b/i),
    term('LP', /\bLP\b/),
    term('dural puncture', /\bdural\s+puncture\b/i),
    term('spinal anaesthesia', /\b(spinal|intrathecal|epidural|neuraxial)\s+an(a)?esthe/i),
    term('epidural injection', /\bepidural\b[^.;]*\binjection\b/i),
    term('intrathecal injection', /\bintrathecal\b[^.;]*\b(injection|catheter|pump)\b/i),
    term(
      'spine surgery',
      /\b(spine|spinal)\s+surgery\b|\blaminectomy\b|\blaminotomy\b|\bdiscectomy\b|\bspinal\s+fusion\b|\bforaminotomy\b/i,
    ),
  ],
};

/**
 * Headache after a dural puncture. Its onset stands in for the puncture time when no Procedure is recorded
 * (ICHD-3 7.2.1: post-dural puncture headache begins within 5 days, clinical doc §2.4).
 */
const postPunctureHeadache: ValueSet = {
  id: 'post-puncture-headache',
  title: 'Headache or CSF leak after a dural (lumbar) puncture',
  codes: [
    {
      system: snomed,
      code: '398987004',
      display: 'Headache following lumbar puncture',
      source: 'clinical doc §2.5 [V-sandbox]',
    },
    ...icd('G97.0', 'Cerebrospinal fluid leak from spinal puncture', 'clinical doc §2.4 [S]'),
    // G97.1 is "Other reaction to spinal and lumbar puncture" [V]; that post-LP headache indexes here is [U]
    // per §2.4. Kept because the post-LP headache is the main thing this code is used for in practice.
    ...icd('G97.1', 'Other reaction to spinal and lumbar puncture', 'clinical doc §2.4 [V] (PLPH indexing [U])'),
  ],
  text: [
    term('post-dural puncture headache', /\bpost[-\s]?(dural|lumbar)[-\s]puncture\s+headache\b|\bPDPH\b|\bPLPH\b/i),
    term('headache after lumbar puncture', /\bheadache\b[^.;]*\b(after|following)\b[^.;]*\b(lumbar|dural|spinal)\s+(puncture|tap)/i),
  ],
};

/** Epidural blood patch or fibrin glue patch (ACR variant 6). */
const bloodPatch: ValueSet = {
  id: 'blood-patch',
  title: 'Epidural blood patch or fibrin glue patch',
  codes: [
    { system: cpt, code: '62273', display: 'Injection, epidural, of blood or clot patch', source: 'clinical doc §2.1 [S]' },
  ],
  text: [
    term('blood patch', /\bblood\s+patch\b|\bEBP\b/i),
    term('fibrin glue', /\bfibrin\s+(glue|sealant)\b/i),
  ],
};

/** Headache of any kind (used for "headache after the patch" and for the headache's onset). */
const headache: ValueSet = {
  id: 'headache',
  title: 'Headache (any)',
  codes: [
    { system: snomed, code: '25064002', display: 'Headache', source: 'clinical doc §2.5 [V-sandbox]' },
    ...icd('R51.9', 'Headache, unspecified', 'clinical doc §2.4 [V]'),
    // R51 (no decimal) is the WHO ICD-10 / pre-2021 ICD-10-CM "Headache" code: not in the clinical doc [U].
    // Kept because older records and the international system send it; it is only the generic headache.
    ...icd('R51', 'Headache', '[U] WHO ICD-10 R51 Headache (not in the clinical doc)'),
  ],
  text: [term('headache', /\bheadache|\bcephalalgia\b/i)],
};

/** Obtundation / decreased consciousness (ACR variant 4). No code for "obtundation" itself (§2.4, §2.5 [U]). */
const decreasedConsciousness: ValueSet = {
  id: 'decreased-consciousness',
  title: 'Obtundation or decreased level of consciousness',
  codes: [
    // R40.0 Somnolence: a Canadian coding wiki maps "somnolence, stupor or obtundation" here (§2.4 [V]/[S]).
    ...icd('R40.0', 'Somnolence', 'clinical doc §2.4 [V]'),
    ...icd('R40.1', 'Stupor', 'clinical doc §2.4 [V]'),
    ...icd('R40.20', 'Unspecified coma', 'clinical doc §2.4 [V]'),
    // GCS total bands 9–12 and 3–8; R40.241 (13–15) is deliberately absent: it is mostly normal consciousness.
    ...icd('R40.242', 'Glasgow coma scale score 9-12', 'clinical doc §2.4 [V]'),
    ...icd('R40.243', 'Glasgow coma scale score 3-8', 'clinical doc §2.4 [V]'),
    { system: snomed, code: '40917007', display: 'Clouded consciousness', source: 'clinical doc §2.5 [V-sandbox]' },
    { system: snomed, code: '271782001', display: 'Drowsy', source: 'clinical doc §2.5 [V-sandbox]' },
    { system: snomed, code: '214264003', display: 'Lethargy', source: 'clinical doc §2.5 [V-sandbox]' },
    { system: snomed, code: '419284004', display: 'Altered mental status', source: 'clinical doc §2.5 [V-sandbox]' },
    // The term is confirmed but the SCTID is [U] (memory) per §2.5; kept because it is the concept EHRs use.
    {
      system: snomed,
      code: '443371007',
      display: 'Decreased level of consciousness',
      source: 'clinical doc §2.5 (term confirmed, SCTID [U])',
    },
  ],
  text: [
    term('obtundation', /\bobtund/i),
    term('stupor', /\bstupor/i),
    term('somnolence', /\bsomnolen/i),
    term('decreased consciousness', /\b(decreased|reduced|depressed|impaired)\s+(level\s+of\s+)?consciousness\b/i),
    term('coma', /\bcoma(tose)?\b(?!\s+scale)/i),
  ],
};

/** Glasgow Coma Scale total score Observations. */
const glasgowComaScale: ValueSet = {
  id: 'gcs-total',
  title: 'Glasgow Coma Scale total score',
  codes: [
    // 9269-2 "Glasgow coma score total" is the LOINC code in common use; it is not in the clinical doc [U].
    { system: loinc, code: '9269-2', display: 'Glasgow coma score total', source: '[U] LOINC 9269-2 (not in the clinical doc)' },
  ],
  text: [term('Glasgow coma score', /\bglasgow\s+coma\s+(scale|score)\b|\bGCS\b/i)],
};

/**
 * Brain-imaging features of SIH, as coded report conclusions or findings. The classic signs (seed article:
 * "pachymeningeal enhancement, sagging brainstem, subdural fluid collections"; venous distension and
 * pituitary engorgement are the other Bern-score signs) have no verified SNOMED codes except the subdural
 * collections, so they are text terms.
 */
const brainImagingFeatures: ValueSet = {
  id: 'sih-brain-features',
  title: 'Brain-imaging features of intracranial hypotension',
  codes: [
    {
      system: snomed,
      code: '281864001',
      display: 'Non-traumatic intracranial subdural hematoma',
      source: 'clinical doc §2.5 [V-sandbox] (SIH complication)',
    },
    {
      system: snomed,
      code: '304831001',
      display: 'Chronic subdural hematoma',
      source: 'clinical doc §2.5 [V-sandbox] (SIH complication)',
    },
    // A radiologist's coded conclusion of intracranial hypotension on a brain study is itself a brain feature.
    ...icd('G96.81', 'Intracranial hypotension', 'clinical doc §2.4 [V] (as a coded imaging conclusion)'),
    {
      system: snomed,
      code: '700219009',
      display: 'Spontaneous intracranial hypotension',
      source: 'clinical doc §2.5 [S] (as a coded imaging conclusion)',
    },
  ],
  text: [
    term('pachymeningeal enhancement', /\b(pachymeningeal|dural)\s+(thickening\s+and\s+)?enhancement\b/i),
    term('brain sagging', /\bsagging\b|\bbrain\s*stem\s+(descent|slumping)\b|\bslumping\b/i),
    term('subdural collection', /\bsubdural\s+(fluid\s+)?(collection|hygroma|effusion|hematoma|haematoma)s?\b/i),
    term('venous distension', /\bvenous\s+(sinus\s+)?distension\b|\bdistended\s+(dural\s+)?venous\s+sinus/i),
    term('pituitary engorgement', /\bpituitary\s+(engorgement|hyperemia|hyperaemia|enlargement)\b/i),
    term('intracranial hypotension', /\bintracranial\s+hypotension\b/i),
  ],
};

/**
 * The Bern SIH score (0–9) on brain MRI. No LOINC or SNOMED code exists for it (none in the clinical doc),
 * so Observations are recognised by text only; THRESHOLDS['bern-score-features'] says when it counts.
 */
const bernScore: ValueSet = {
  id: 'bern-score',
  title: 'Bern SIH score (brain MRI)',
  codes: [],
  text: [term('Bern SIH score', /\bbern\b[^.;]*\bscore\b/i)],
};

/** MRI of the brain/head (studies, reports, orders). */
const brainMri: ValueSet = {
  id: 'brain-mri',
  title: 'MRI of the brain',
  codes: [
    { system: cpt, code: '70551', display: 'MRI brain without contrast', source: 'clinical doc §2.1 [V-sandbox]' },
    { system: cpt, code: '70552', display: 'MRI brain with contrast', source: 'clinical doc §2.1 [V-sandbox]' },
    { system: cpt, code: '70553', display: 'MRI brain without and with contrast', source: 'clinical doc §2.1 [V-sandbox]' },
    { system: loinc, code: '30657-1', display: 'MR Brain WO contrast', source: 'clinical doc §2.2 [S+]' },
    { system: loinc, code: '24589-4', display: 'MR Brain W contrast IV', source: 'clinical doc §2.2 [S+]' },
    { system: loinc, code: '24587-8', display: 'MR Brain WO and W contrast IV', source: 'clinical doc §2.2 [S+]' },
    { system: loinc, code: '24590-2', display: 'MR Brain', source: 'clinical doc §2.2 [S+]' },
    { system: snomed, code: '816077007', display: 'Magnetic resonance imaging of brain', source: 'clinical doc §2.3 [S]' },
  ],
  // "MR" must stand alone so that MRA/MRV (angiography, venography) do not count as brain MRI.
  text: [term('MRI brain', /\b(mri|mr|magnetic\s+resonance(\s+imaging)?)\b[^,;]*\b(brain|head)\b|\b(brain|head)\b[^,;]*\b(mri|mr)\b/i)],
};

/** MRI of the spine, any region (a regional spine MRI still counts as "spine imaging done"). */
const spineMri: ValueSet = {
  id: 'spine-mri',
  title: 'MRI of the spine',
  codes: [
    ...(
      [
        ['72141', 'MRI cervical spine without contrast'],
        ['72146', 'MRI thoracic spine without contrast'],
        ['72148', 'MRI lumbar spine without contrast'],
        ['72142', 'MRI cervical spine with contrast'],
        ['72147', 'MRI thoracic spine with contrast'],
        ['72149', 'MRI lumbar spine with contrast'],
        ['72156', 'MRI cervical spine without and with contrast'],
        ['72157', 'MRI thoracic spine without and with contrast'],
        ['72158', 'MRI lumbar spine without and with contrast'],
      ] as const
    ).map(([code, display]) => ({ system: cpt, code, display, source: 'clinical doc §2.1 [V-sandbox]' })),
    ...(
      [
        ['30854-4', 'MR Cervical and thoracic and lumbar spine WO contrast'],
        ['30855-1', 'MR Cervical and thoracic and lumbar spine WO and W contrast IV'],
        ['36531-2', 'MR Spine WO contrast'],
        ['30667-0', 'MR Cervical spine WO contrast'],
        ['24937-5', 'MR Cervical spine WO and W contrast IV'],
        ['36532-0', 'MR Thoracic spine WO contrast'],
        ['24981-3', 'MR Thoracic spine WO and W contrast IV'],
        ['30679-5', 'MR Lumbar spine WO contrast'],
        ['24967-2', 'MR Lumbar spine WO and W contrast IV'],
      ] as const
    ).map(([code, display]) => ({ system: loinc, code, display, source: 'clinical doc §2.2 [S+]' })),
    {
      system: snomed,
      code: '411611000119102',
      display: 'MRI of cervical, thoracic, and lumbar spine without contrast',
      source: 'clinical doc §2.3 [V]',
    },
    {
      system: snomed,
      code: '495741000119105',
      display: 'MRI of cervical, thoracic, and lumbar spine with contrast',
      source: 'clinical doc §2.3 [V]',
    },
    { system: snomed, code: '241645008', display: 'Magnetic resonance imaging of spine', source: 'clinical doc §2.3 [V]' },
    {
      system: snomed,
      code: '431985004',
      display: 'Magnetic resonance imaging of spine with contrast',
      source: 'clinical doc §2.3 [V]',
    },
  ],
  text: [
    term(
      'MRI spine',
      /\b(mri|mr|magnetic\s+resonance(\s+imaging)?)\b[^,;]*\b(spine|spinal|cervical|thoracic|lumbar|[clt]-spine)\b|\b(spine|[clt]-spine)\b[^,;]*\b(mri|mr)\b/i,
    ),
  ],
};

/**
 * MR myelography (heavily T2-weighted, usually no dural puncture). Recognised only so that it is NOT taken
 * for invasive myelography or for a routine spine MRI: the seed article treats it as a separate, lower-yield test.
 */
const mrMyelography: ValueSet = {
  id: 'mr-myelography',
  title: 'MR myelography',
  codes: [
    { system: snomed, code: '713206003', display: 'Magnetic resonance imaging myelography', source: 'clinical doc §2.3 [V]' },
  ],
  text: [term('MR myelography', /\b(mr|mri|magnetic\s+resonance(\s+imaging)?)\s+myelogra/i)],
};

/** Invasive myelography (conventional/digital subtraction or CT myelography): a dural puncture and a leak search. */
const myelography: ValueSet = {
  id: 'myelography',
  title: 'Myelography (conventional, digital subtraction, or CT myelography)',
  codes: [
    ...(
      [
        ['62302', 'Myelography via lumbar injection; cervical'],
        ['62303', 'Myelography via lumbar injection; thoracic'],
        ['62304', 'Myelography via lumbar injection; lumbosacral'],
        ['62305', 'Myelography via lumbar injection; 2 or more regions'],
        ['72240', 'Myelography, cervical, radiological supervision and interpretation'],
        ['72255', 'Myelography, thoracic, radiological supervision and interpretation'],
        ['72265', 'Myelography, lumbosacral, radiological supervision and interpretation'],
        ['72270', 'Myelography, 2 or more regions, radiological supervision and interpretation'],
        ['62284', 'Injection procedure for myelography and/or computed tomography, lumbar'],
      ] as const
    ).map(([code, display]) => ({ system: cpt, code, display, source: 'clinical doc §2.1 [S-coding]' })),
    ...(
      [
        ['30808-0', 'RF Cervical and thoracic and lumbar spine Views W contrast IT'],
        ['24947-4', 'RF Cervical spine Views W contrast IT'],
        ['24985-4', 'RF Thoracic spine Views W contrast IT'],
        ['24974-8', 'RF Lumbar spine Views W contrast IT'],
        ['24934-2', 'CT Cervical spine W contrast IT'],
        ['30596-1', 'CT Thoracic spine W contrast IT'],
        ['24965-6', 'CT Lumbar spine W contrast IT'],
      ] as const
    ).map(([code, display]) => ({ system: loinc, code, display, source: 'clinical doc §2.2 [S+]' })),
    ...(
      [
        ['241589001', 'Computed tomography myelogram'],
        ['241590005', 'Computed tomography myelogram of cervical region'],
        ['241591009', 'Computed tomography myelogram of thoracic region'],
        ['241592002', 'Computed tomography myelogram of lumbar region'],
      ] as const
    ).map(([code, display]) => ({ system: snomed, code, display, source: 'clinical doc §2.3 [V]' })),
  ],
  text: [
    term('myelography', /\bmyelogra/i),
    term('digital subtraction myelography', /\bDSM\b/),
    term('CT myelography', /\b(d?CTM)\b/),
  ],
};

/** A CSF leak or fistula shown on a spine study: a positive myelogram or spine MRI. */
const csfLeakFinding: ValueSet = {
  id: 'csf-leak-finding',
  title: 'CSF leak or CSF-venous fistula shown on imaging',
  codes: [
    ...icd('G96.0', 'Cerebrospinal fluid leak', 'clinical doc §2.4 [V] (as a coded imaging conclusion)'),
    { system: snomed, code: '230744007', display: 'Cerebrospinal fluid leak', source: 'clinical doc §2.5 [V]' },
  ],
  text: [
    term('CSF leak', /\b(csf|cerebrospinal\s+fluid)\s+leak/i),
    term('CSF-venous fistula', /\b(csf|cerebrospinal\s+fluid)[-\s]+venous\s+fistula|\bCVF\b/i),
    term('contrast extravasation', /\bextravasation\b/i),
    term('epidural fluid collection', /\b(epidural|extradural)\s+(fluid|csf)\s+collection/i),
    term('dural tear', /\bdural\s+(tear|defect)\b/i),
  ],
};

/** Report words meaning "equivocal". Checked BEFORE the leak terms: "possible CSF leak" is indeterminate. */
const indeterminateResult: ValueSet = {
  id: 'indeterminate-result',
  title: 'Indeterminate imaging result (report wording)',
  codes: [],
  text: [
    term(
      'indeterminate',
      /\b(indeterminate|equivocal|possible|possibly|questionable|suspicious\s+for|cannot\s+be\s+(excluded|ruled\s+out)|non-?diagnostic)\b/i,
    ),
  ],
};

/**
 * Report words meaning "negative". Not negation-guarded (they ARE negations). Source: our reading of
 * radiology report wording; no code set exists (a SNOMED "normal" qualifier is unverified, so not used).
 */
const negativeResult: ValueSet = {
  id: 'negative-result',
  title: 'Negative imaging result (report wording)',
  codes: [],
  text: [
    term(
      'negative',
      /\bno\s+(evidence\s+of\s+)?(csf\s+|cerebrospinal\s+fluid\s+)?(leak|extravasation|fistula|abnormalit)|\bnegative\b|\bnormal\b|\bunremarkable\b/i,
    ),
  ],
};

export const VALUE_SETS: Record<string, ValueSet> = Object.fromEntries(
  [
    sihSuspicion,
    chronicHeadache,
    spinalIntervention,
    postPunctureHeadache,
    bloodPatch,
    headache,
    decreasedConsciousness,
    glasgowComaScale,
    brainImagingFeatures,
    bernScore,
    brainMri,
    spineMri,
    mrMyelography,
    myelography,
    csfLeakFinding,
    indeterminateResult,
    negativeResult,
  ].map((vs) => [vs.id, vs]),
);

/** Value sets whose text terms are the finding itself, so the negation guard must not be applied to them. */
export const UNGUARDED_TEXT_SETS: ReadonlySet<string> = new Set(['negative-result']);
