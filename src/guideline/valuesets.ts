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
 *    code of that set matched. A term does not match when it is negated (our NegEx-style reading, for review):
 *      - a cue earlier in the same clause ("no", "without", "negative for", "denies", ...);
 *      - the prefix "non-" / "non " right before it ("non-orthostatic headache");
 *      - a cue inside the matched words ("headache, not orthostatic");
 *      - a cue right after it, with only auxiliaries between ("SIH ruled out", "h/o SIH was excluded",
 *        "CSF leak not seen", "enhancement has resolved"); "cannot be excluded" is NOT a negation.
 *    Sets in UNGUARDED_TEXT_SETS skip all of this; sets in PRE_NEGATION_ONLY_TEXT_SETS use only the first cue
 *    (their own words contain negation words, or they name a study, where "without contrast" is common).
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
    // "worse" must name the upright posture itself: "headache worse lying down, better sitting" is the
    // opposite (high-pressure) pattern and must not read as orthostatic.
    term(
      'headache worse upright',
      /\bheadache\b[^.;]*?\bworse\s+(?:when\s+|on\s+|while\s+|after\s+|with\s+|in\s+(?:the\s+|an\s+)?)?(?:upright|standing|sitting|getting\s+up)\b/i,
    ),
    term('intracranial hypotension', /\bintracranial\s+hypotension\b/i),
    term('CSF leak', /\b(csf|cerebrospinal\s+fluid)\s+(leak|fistula)/i),
    term('low CSF pressure headache', /\blow[-\s](csf[-\s])?pressure\s+headache/i),
    // The bare acronym "SIH" is NOT a term [our reading, for review]: it also stands for stress-induced
    // hyperglycaemia, self-inflicted harm and more, and is a surname. It counts only in a clinical phrase that
    // makes it a diagnosis under consideration ("suspected SIH", "r/o SIH", "SIH headache", "? SIH").
    term(
      'SIH (suspected / under work-up)',
      /(?:\b(?:suspected|suspect|suspicion\s+of|possible|probable|presumed|likely|query|r\/o|rule\s+out|h\/o|history\s+of|known|recurrent)|\?)\s*SIH\b|\bSIH\s+(?:suspected|headache|work-?up|symptoms)\b/i,
    ),
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
    ...icd('G44.52', 'New daily persistent headache (NDPH)', 'clinical doc §2.4 [V]'),
    // Left out: G44.229 and G43.7- (chronic tension-type / chronic migraine), §2.4 [U] "inferred".
  ],
  text: [
    term('chronic headache', /\bchronic\b[^.;]*\bheadache/i),
    term('daily headache', /\bdaily\b[^.;]*\bheadache/i),
    term('NDPH', /\bNDPH\b/),
  ],
};

/** CPT codes from an inclusive numeric range, each with the range's display and source. */
function cptRange(from: number, to: number, display: string, source: string): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (let c = from; c <= to; c++) out.push([String(c).padStart(5, '0'), display, source]);
  return out;
}

const CPT_READING = '[our reading] AMA CPT descriptor family (not in the clinical doc), for clinical review';

/**
 * Procedures that puncture, or may breach, the dura: the "dural puncture or other spinal intervention that could
 * cause CSF leakage" of ACR variants 2 and 3. Exported so docs/clinical-logic.md lists them.
 */
export const SPINAL_INTERVENTION_CPT: ReadonlyArray<[string, string, string]> = [
  ['62270', 'Spinal puncture, lumbar, diagnostic', 'clinical doc §2.1 [S]'],
  ['62272', 'Spinal puncture, therapeutic, for drainage of CSF (by needle or catheter)', 'clinical doc §2.1 [S]'],
  ['62328', 'Spinal puncture, lumbar, diagnostic; with fluoroscopic or CT guidance', CPT_READING],
  ['62329', 'Spinal puncture, therapeutic, for drainage of CSF; with fluoroscopic or CT guidance', CPT_READING],
  ...cptRange(62263, 62264, 'Percutaneous lysis of epidural adhesions', CPT_READING),
  ...cptRange(62280, 62282, 'Injection/infusion of neurolytic substance, subarachnoid or epidural', CPT_READING),
  ...cptRange(62320, 62327, 'Injection(s), interlaminar epidural or subarachnoid (incl. epidural steroid injection), cervical/thoracic or lumbar/sacral, single or by catheter', CPT_READING),
  ...cptRange(62350, 62351, 'Implantation of intrathecal or epidural catheter', CPT_READING),
  ...cptRange(62360, 62362, 'Implantation of intrathecal or epidural drug infusion pump or reservoir', CPT_READING),
  ...cptRange(64479, 64484, 'Injection(s), transforaminal epidural, with imaging guidance', CPT_READING),
  ['01967', 'Neuraxial labour analgesia/anaesthesia for planned vaginal delivery', CPT_READING],
  ...cptRange(63001, 63048, 'Laminectomy, laminotomy, facetectomy or foraminotomy (spinal decompression)', CPT_READING),
  ...cptRange(63075, 63091, 'Discectomy or vertebral corpectomy, anterior approach', CPT_READING),
  ...cptRange(63650, 63655, 'Implantation of spinal neurostimulator electrodes (epidural)', CPT_READING),
  ...cptRange(22551, 22634, 'Arthrodesis (spinal fusion)', CPT_READING),
];

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
    { system: snomed, code: '18946005', display: 'Epidural anesthesia', source: '[S] SNOMED CT 18946005, several public FHIR value sets; not in the clinical doc' },
    // CPT codes of procedures that enter or may breach the dural sac, by range [our reading of the AMA CPT
    // descriptors, for clinical review; not in the clinical doc]: each range below names its procedures.
    ...SPINAL_INTERVENTION_CPT.map(([code, display, source]) => ({ system: cpt, code, display, source })),
  ],
  text: [
    term('lumbar puncture', /\blumbar\s+puncture\b|\bspinal\s+tap\b/i),
    // "LP" alone is too loose (licensed practitioner, lipoprotein, a plan step "LP"): only the whole text "LP" of
    // a procedure, or uppercase "LP" next to a procedure word [our reading, for review]. Case-sensitive on "LP".
    term(
      'LP (lumbar puncture)',
      /^\s*LP\s*$|\b(?:[Ss]\/[Pp]|[Pp]ost|[Aa]fter|[Ff]ollowing|[Dd]iagnostic|[Tt]herapeutic|[Bb]edside|[Ff]luoroscopic|[Ff]luoroscopically[-\s]guided|[Tt]raumatic|[Rr]epeat|[Ff]ailed|[Ll]arge[-\s]volume)[-\s]+LP\b|\bLP\s+(?:performed|done|attempted|completed|procedure|with\s+opening\s+pressure|for\s+(?:opening\s+pressure|CSF))\b/,
    ),
    term('dural puncture', /\bdural\s+puncture\b|\b(?:accidental|inadvertent)\s+dural\b|\bwet\s+tap\b/i),
    // Any word order: "spinal anaesthesia", "anaesthesia, spinal", "CSE (combined spinal-epidural)".
    term(
      'spinal or epidural anaesthesia',
      /\b(?:spinal|intrathecal|epidural|neuraxial|caudal|subarachnoid)\s+(?:an(?:a)?esthe|analges|block)|\ban(?:a)?esthe\w*\s*,?\s*(?:spinal|epidural|neuraxial|caudal)\b|\bcombined\s+spinal[-\s]epidural\b|\blabou?r\s+epidural\b/i,
    ),
    // "epidural steroid injection", "injection(s) ... interlaminar epidural ...", "transforaminal ESI".
    term(
      'epidural or subarachnoid injection',
      /\bepidural\b[^.;]*\binject|\binject\w*\b[^.;]*\b(?:epidural|subarachnoid|interlaminar|transforaminal|caudal)\b|\b(?:interlaminar|transforaminal)\b[^.;]*\b(?:inject|block|steroid)|\bESIs?\b|\bepidural\s+steroid/i,
    ),
    term(
      'intrathecal injection, catheter or pump',
      /\bintrathecal\b[^.;]*\b(?:inject|catheter|pump|chemotherapy|baclofen|drug\s+delivery)|\b(?:inject|catheter|pump)\w*\b[^.;]*\bintrathecal\b|\bIT\s+(?:chemo|baclofen|pump)\b/i,
    ),
    term('lumbar drain', /\blumbar\s+(?:drain|drainage|catheter)\b|\bexternal\s+lumbar\s+drain/i),
    term('myelography', /\bmyelogra/i),
    term(
      'spine surgery',
      /\b(?:spine|spinal)\s+(?:surgery|operation|decompression|fusion)\b|\bsurgery\b[^.;]*\b(?:spine|spinal|lumbar|thoracic|cervical)\b|\blaminectomy\b|\blaminotomy\b|\blaminoplasty\b|\bdiscectomy\b|\bforaminotomy\b|\bcorpectomy\b|\barthrodesis\b[^.;]*\b(?:spine|spinal|lumbar|thoracic|cervical)\b/i,
    ),
    term('spine surgery (abbreviation)', /\b(?:ALIF|PLIF|TLIF|ACDF|XLIF)\b/),
    term(
      'spinal cord stimulator',
      /\bspinal\s+cord\s+stimulat|\b(?:dorsal\s+column|epidural)\s+(?:stimulat|electrode)/i,
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
    // Not "Glasgow coma scale/score" (e.g. the eye-opening subscore of 4 is not a coma) [our reading].
    term('coma', /(?<!\bglasgow\s)\bcoma(?:tose)?\b(?!\s+(?:scale|score))/i),
  ],
};

/** Glasgow Coma Scale total score Observations. */
const glasgowComaScale: ValueSet = {
  id: 'gcs-total',
  title: 'Glasgow Coma Scale total score (LOINC 9269-2 only; component scores and free text do not count)',
  codes: [
    // 9269-2 "Glasgow coma score total" is the LOINC code in common use; it is not in the clinical doc [U].
    { system: loinc, code: '9269-2', display: 'Glasgow coma score total', source: '[U] LOINC 9269-2 (not in the clinical doc)' },
  ],
  // No text terms: a text match cannot tell the total (3–15) from a subscore (eye 1–4, verbal 1–5, motor 1–6),
  // and a low subscore read as a total would be taken for obtundation (radiologist review).
  text: [],
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
    // The diagnosis codes of intracranial hypotension are NOT here: on a Condition they are the clinician's
    // suspicion, not an imaging finding. On an imaging report they are, see `sih-imaging-conclusion`.
  ],
  // Text terms: the seed article's classic signs plus the other Bern-score and SIH signs named in radiology
  // reports [our reading of report wording, for review]. Negated mentions ("no brain sagging") do not match.
  text: [
    term(
      'pachymeningeal enhancement or thickening',
      /\b(?:pachymeningeal|dural)\s+(?:enhancement|thickening)(?:\s+(?:and|with)\s+(?:enhancement|thickening))?\b|\b(?:thickened|enhancing)\s+(?:pachymeninges|dura)\b/i,
    ),
    term(
      'brain sagging',
      /\bsagging\b|\b(?:brain|brainstem|brain\s+stem|midbrain)\s+sag\b|\bbrain\s*stem\s+(?:descent|slumping)\b|\bslumping\b/i,
    ),
    term(
      'tonsillar ectopia or descent',
      /\btonsillar\s+(?:ectopia|descent|herniation)\b|\blow[-\s]lying\s+(?:cerebellar\s+)?tonsils?\b|\bdescent\s+of\s+the\s+(?:cerebellar\s+)?tonsils?\b/i,
    ),
    term(
      'subdural collection',
      /\bsubdural\s+(?:fluid\s+)?(?:collections?|hygromas?|effusions?|hematomas?|haematomas?)\b|\bsubdural\s+fluid\b/i,
    ),
    term(
      'venous sinus engorgement',
      /\bvenous\s+(?:sinus\s+)?(?:distension|distention|engorgement)(?:\s+sign)?\b|\b(?:distended|engorged)\s+(?:dural\s+venous|dural|venous)\s+sinus(?:es)?\b/i,
    ),
    term(
      'pituitary engorgement',
      /\bpituitary\s+(?:gland\s+)?(?:engorgement|hyperemia|hyperaemia|enlargement)\b|\b(?:enlarged|engorged|hyperemic|hyperaemic)\s+pituitary\b/i,
    ),
    term(
      'effaced suprasellar or prepontine cistern',
      /\b(?:suprasellar|prepontine)\s+cisterns?\s+(?:effacement|effaced|narrowing|narrowed)\b|\beffacement\s+of\s+the\s+(?:suprasellar|prepontine)\s+cisterns?\b/i,
    ),
  ],
};

/**
 * A radiologist's conclusion of intracranial hypotension on an imaging REPORT is itself a brain-imaging
 * feature. Read only on DiagnosticReports: the same codes on a Condition are a suspicion (sih-suspicion).
 */
const sihImagingConclusion: ValueSet = {
  id: 'sih-imaging-conclusion',
  title: 'Imaging report concluding intracranial hypotension (a brain-imaging feature; reports only)',
  codes: [
    ...icd('G96.81', 'Intracranial hypotension', 'clinical doc §2.4 [V] (as a coded imaging conclusion)'),
    {
      system: snomed,
      code: '700219009',
      display: 'Spontaneous intracranial hypotension',
      source: 'clinical doc §2.5 [S] (as a coded imaging conclusion)',
    },
  ],
  text: [
    term('intracranial hypotension', /\bintracranial\s+hypotension\b/i),
    term('findings of SIH', /\b(?:consistent\s+with|suggestive\s+of|compatible\s+with|in\s+keeping\s+with)\s+SIH\b/i),
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
  // "MR" must stand alone so that MRA/MRV (angiography, venography) do not count as brain MRI; a text that
  // also names angiography or venography ("MR angiography of the head") is excluded through `mr-vascular`.
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
      display: 'Magnetic resonance imaging of cervical, thoracic, and lumbar spine without contrast',
      source: 'clinical doc §2.3 [V]',
    },
    {
      system: snomed,
      code: '495741000119105',
      display: 'Magnetic resonance imaging of cervical, thoracic, and lumbar spine with contrast',
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
    // An extradural CSF collection is the spinal-MRI sign of a leak (SLEC = spinal longitudinal extradural CSF
    // collection) [our reading of report wording, for review].
    term(
      'extradural CSF collection',
      /\bSLEC\b|\bspinal\s+longitudinal\s+(?:extradural|epidural)\s+(?:(?:csf|fluid|cerebrospinal\s+fluid)\s+)?collections?\b|\b(?:epidural|extradural)\s+(?:(?:fluid|csf|cerebrospinal\s+fluid)\s+)?collections?\b|\b(?:ventral|dorsal)\s+(?:epidural|extradural)\s+(?:fluid|csf)\b|\bextradural\s+csf\b/i,
    ),
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
 * Report words meaning "negative": a brain or spine MRI counts as negative only when its report SAYS so in one
 * of these ways (and names no SIH feature or leak); a report without such words, or with findings we do not
 * recognise, is "done, result unknown". The words must be about the study as a whole: "normal ventricles" is
 * not a normal study. Not negation-guarded (they ARE negations); "not normal" is excluded in the pattern.
 * Source: our reading of radiology report wording, for review; no code set exists (a SNOMED "normal"
 * qualifier is unverified, so not used).
 */
const negativeResult: ValueSet = {
  id: 'negative-result',
  title: 'Negative imaging result (report wording, our reading)',
  codes: [],
  text: [
    term(
      'negative',
      /(?<!\bnot\s)(?<!\bnon-?)\b(?:normal|unremarkable|negative)\s+(?:[\w-]+\s+){0,3}?(?:study|exam|examination|mri|mr|scan|imaging|appearances?|brain|spine|myelogram|myelography)\b|\b(?:study|exam|examination|mri|scan|imaging|brain|spine|myelogram)\s+(?:is|was|are|appears)\s+(?:otherwise\s+|entirely\s+|completely\s+)?(?:normal|unremarkable|negative)\b|^\s*(?:normal|unremarkable|negative)(?:\s+(?:study|exam|examination|mri|scan))?\s*\.?\s*$|\botherwise\s+(?:normal|unremarkable)\b|\bwithin\s+normal\s+limits\b|\bno\s+(?:acute\s+)?(?:intracranial\s+|spinal\s+)?abnormalit|\bno\s+(?:evidence|features|signs|findings)\s+(?:of|to\s+suggest|suggestive\s+of)\s+(?:spontaneous\s+)?(?:intracranial\s+hypotension|SIH|(?:a\s+)?(?:csf|cerebrospinal\s+fluid)\s+(?:leak|fistula))|\bno\s+(?:evidence\s+of\s+)?(?:a\s+)?(?:csf\s+|cerebrospinal\s+fluid\s+)?(?:leak|extravasation|fistula)|\bno\s+(?:evidence\s+of\s+)?(?:an?\s+)?(?:spinal\s+longitudinal\s+)?(?:epidural|extradural)\s+(?:(?:fluid|csf)\s+)?collection|\bno\s+SLEC\b|\bno\s+(?:evidence\s+of\s+)?(?:pachymeningeal|dural)\s+(?:enhancement|thickening)|\bno\s+(?:evidence\s+of\s+)?(?:brain\s+)?sagging|\bnegative\s+for\b/i,
    ),
  ],
};

/**
 * Rebound (high-pressure) headache after an epidural blood or fibrin glue patch (ACR variant 6). Clinically a
 * "rebound headache" after a patch is rebound intracranial HYPERtension: worse lying down, better upright.
 * A returning ORTHOSTATIC headache is the opposite: the patch failed (recurrence), which is not variant 6
 * (radiologist review). No code for rebound intracranial hypertension is verified: text terms [our reading,
 * for review], plus the ICD-10-CM intracranial-hypertension category. Only headaches recorded AFTER a patch
 * are read for this set; it never makes SIH suspected.
 */
const reboundHeadache: ValueSet = {
  id: 'rebound-headache',
  title: 'Rebound (high-pressure) headache after a patch: worse lying down [our reading; codes unverified]',
  codes: [
    // G93.2 "Benign intracranial hypertension" [S]: public ICD-10-CM code list (huggingface jilp00/icdcm-code-desc),
    // not in the clinical doc; its FY2023 children G93.2x (intracranial hypertension kinds) are [U]. Read only
    // as the character of a headache after a patch [our reading].
    ...icd('G93.2', 'Intracranial hypertension', '[S] ICD-10-CM G93.2 (public code list, not the clinical doc); children [U]; [our reading]'),
  ],
  text: [
    // Not medication-overuse ("analgesic rebound") headache.
    term(
      'rebound headache',
      /(?<!\b(?:analgesic|medication|drug|caffeine|triptan|opioid)[-\s])\brebound\b[^.;]*\bheadache\b|\bheadache\b[^.;]*\b(?<!\b(?:analgesic|medication|drug|caffeine|triptan|opioid)[-\s])rebound\b(?![-\s]+(?:from|due\s+to)\s+(?:analgesic|medication|drug))/i,
    ),
    term('rebound intracranial hypertension', /\brebound\s+(?:intracranial\s+)?(?:hypertension|high[-\s]pressure)\b/i),
    term(
      'intracranial hypertension',
      /\bintracranial\s+hypertension\b|\b(?:raised|increased|elevated|high)\s+(?:intracranial|icp|csf|cerebrospinal\s+fluid)\s+pressure\b|\bhigh[-\s]pressure\s+headache\b/i,
    ),
    term(
      'headache worse lying down',
      /\bheadache\b[^.;]*?\bworse\s+(?:when\s+|on\s+|while\s+|after\s+|with\s+|in\s+(?:the\s+|a\s+)?)?(?:lying|supine|recumbent|reclining)\b|\bheadache\b[^.;]*?\bbetter\s+(?:when\s+|on\s+|while\s+)?(?:upright|standing|sitting)\b|\bheadache\s+(?:on|when|while)\s+(?:lying|supine|recumbent)\b/i,
    ),
  ],
};

/**
 * Which part of the spine a spine MRI covers: a negative spine work-up needs the WHOLE spine (ACR variant 1
 * rates "MRI complete spine"; the seed's pitfall "failing to image the entire spine"). Either a complete-spine
 * code or term, or cervical AND thoracic AND lumbar studies. Codes from the spine-MRI set above; text terms our
 * reading of study names, for review. A spine MRI with no region is not proof of the whole spine.
 */
const spineMriComplete: ValueSet = {
  id: 'spine-mri-complete',
  title: 'Spine MRI coverage: complete (cervical, thoracic and lumbar) spine',
  codes: [
    { system: loinc, code: '30854-4', display: 'MR Cervical and thoracic and lumbar spine WO contrast', source: 'clinical doc §2.2 [S+]' },
    { system: loinc, code: '30855-1', display: 'MR Cervical and thoracic and lumbar spine WO and W contrast IV', source: 'clinical doc §2.2 [S+]' },
    { system: snomed, code: '411611000119102', display: 'Magnetic resonance imaging of cervical, thoracic, and lumbar spine without contrast', source: 'clinical doc §2.3 [V]' },
    { system: snomed, code: '495741000119105', display: 'Magnetic resonance imaging of cervical, thoracic, and lumbar spine with contrast', source: 'clinical doc §2.3 [V]' },
  ],
  text: [
    term(
      'complete spine',
      /\b(?:complete|whole|entire|total|full)\s+spine\b|\bcervical\b[^.;]*\bthoracic\b[^.;]*\blumb(?:ar|osacral)\b|\bC-?T-?L\s+spine\b|\bcervicothoracolumbar\b|\bneuraxis\b|\bcraniospinal\b/i,
    ),
  ],
};

const spineMriCervical: ValueSet = {
  id: 'spine-mri-cervical',
  title: 'Spine MRI coverage: cervical spine',
  codes: [
    ...(
      [
        ['72141', 'MRI cervical spine without contrast'],
        ['72142', 'MRI cervical spine with contrast'],
        ['72156', 'MRI cervical spine without and with contrast'],
      ] as const
    ).map(([code, display]) => ({ system: cpt, code, display, source: 'clinical doc §2.1 [V-sandbox]' })),
    { system: loinc, code: '30667-0', display: 'MR Cervical spine WO contrast', source: 'clinical doc §2.2 [S+]' },
    { system: loinc, code: '24937-5', display: 'MR Cervical spine WO and W contrast IV', source: 'clinical doc §2.2 [S+]' },
  ],
  text: [term('cervical spine', /\bcervical\b|\bc-spine\b|\bcervicothoracic\b/i)],
};

const spineMriThoracic: ValueSet = {
  id: 'spine-mri-thoracic',
  title: 'Spine MRI coverage: thoracic spine',
  codes: [
    ...(
      [
        ['72146', 'MRI thoracic spine without contrast'],
        ['72147', 'MRI thoracic spine with contrast'],
        ['72157', 'MRI thoracic spine without and with contrast'],
      ] as const
    ).map(([code, display]) => ({ system: cpt, code, display, source: 'clinical doc §2.1 [V-sandbox]' })),
    { system: loinc, code: '36532-0', display: 'MR Thoracic spine WO contrast', source: 'clinical doc §2.2 [S+]' },
    { system: loinc, code: '24981-3', display: 'MR Thoracic spine WO and W contrast IV', source: 'clinical doc §2.2 [S+]' },
  ],
  text: [term('thoracic spine', /\bthoracic\b|\bt-spine\b|\bdorsal\s+spine\b|\bcervicothoracic\b|\bthoracolumbar\b/i)],
};

const spineMriLumbar: ValueSet = {
  id: 'spine-mri-lumbar',
  title: 'Spine MRI coverage: lumbar spine',
  codes: [
    ...(
      [
        ['72148', 'MRI lumbar spine without contrast'],
        ['72149', 'MRI lumbar spine with contrast'],
        ['72158', 'MRI lumbar spine without and with contrast'],
      ] as const
    ).map(([code, display]) => ({ system: cpt, code, display, source: 'clinical doc §2.1 [V-sandbox]' })),
    { system: loinc, code: '30679-5', display: 'MR Lumbar spine WO contrast', source: 'clinical doc §2.2 [S+]' },
    { system: loinc, code: '24967-2', display: 'MR Lumbar spine WO and W contrast IV', source: 'clinical doc §2.2 [S+]' },
  ],
  text: [term('lumbar spine', /\blumbar\b|\bl-spine\b|\blumbosacral\b|\bthoracolumbar\b/i)],
};

/**
 * MR angiography / venography named in a study's title: such a study is not a brain (or spine) MRI for this
 * work-up, even when it says "MR ... head" [radiologist review; our reading of study names].
 */
const mrVascular: ValueSet = {
  id: 'mr-vascular',
  title: 'MR angiography or venography (not a brain or spine MRI for the SIH work-up)',
  codes: [],
  text: [
    term(
      'MR angiography or venography',
      /\bMRA\b|\bMRV\b|\b(?:mr|mri|magnetic\s+resonance)\s*(?:angio|veno|arterio)|\b(?:angiogra|venogra|arteriogra)|\btime[-\s]of[-\s]flight\b/i,
    ),
  ],
};

// ---- Red flags: findings that make an urgent study right whatever this topic rates (src/guideline/red-flags.ts) ----

const U = '[U] from memory, not in the clinical doc; the text terms cover the same ground';

/** Thunderclap / sudden worst headache, or subarachnoid haemorrhage named. */
const rfThunderclap: ValueSet = {
  id: 'red-flag-thunderclap',
  title: 'Thunderclap or sudden worst headache; subarachnoid haemorrhage',
  codes: [
    ...icd('G44.53', 'Primary thunderclap headache', U),
    // I60 covers I60.0–I60.9 (nontraumatic subarachnoid haemorrhage), matched down the hierarchy.
    ...icd('I60', 'Nontraumatic subarachnoid hemorrhage', U),
  ],
  text: [
    term('thunderclap headache', /\bthunderclap\b/i),
    term(
      'sudden worst headache',
      /\bworst\s+headache\b|\bworst\b[^.;]*\bheadache\b[^.;]*\blife\b|\bsudden(?:[-\s]onset)?\s+(?:severe\s+|explosive\s+|excruciating\s+)?headache\b|\bheadache\b[^.;]*\b(?:sudden\s+onset|maximal\s+at\s+onset|peak(?:ed|ing)?\s+within\s+(?:a\s+)?(?:minute|seconds))\b|\bsentinel\s+headache\b/i,
    ),
    term('subarachnoid haemorrhage', /\bsubarachnoid\s+h(?:a)?emorrh|\bSAH\b/i),
  ],
};

/** A new focal neurological deficit, or signs of spinal cord / cauda equina compression. */
const rfFocalDeficit: ValueSet = {
  id: 'red-flag-focal-deficit',
  title: 'New focal neurological deficit or signs of cord compression',
  codes: [
    ...icd('G81', 'Hemiplegia and hemiparesis', U),
    ...icd('G82', 'Paraplegia (paraparesis) and quadriplegia (quadriparesis)', U),
    ...icd('G83', 'Other paralytic syndromes (incl. G83.4 cauda equina syndrome)', U),
    ...icd('G95.2', 'Cord compression', U),
    ...icd('R29.810', 'Facial weakness', U),
    ...icd('R47.01', 'Aphasia', U),
    ...icd('I63', 'Cerebral infarction', U),
  ],
  text: [
    term('hemiparesis or paraparesis', /\b(?:hemi|para|quadri|tetra|mono)(?:paresis|plegia|paretic|plegic)\b/i),
    term('focal deficit', /\bfocal\s+(?:neuro\w*\s+)?(?:deficit|signs?|weakness)\b|\bnew\s+(?:neuro\w*\s+)?deficit\b|\bneurological\s+deficit\b/i),
    term(
      'limb or facial weakness',
      /\b(?:arm|leg|limb|facial|face|unilateral|one[-\s]sided|left[-\s]sided|right[-\s]sided)\s+weakness\b|\bweakness\s+(?:of|in)\s+(?:the\s+)?(?:left\s+|right\s+)?(?:arm|leg|limb|face|hand|foot)\b|\bfacial\s+droop\b/i,
    ),
    term('aphasia or dysarthria', /\b(?:aphasi|dysphasi|dysarthri)\w*|\bslurred\s+speech\b/i),
    term(
      'cord compression',
      /\b(?:spinal\s+)?cord\s+compression\b|\bcauda\s+equina\b|\bsaddle\s+an(?:a)?esthesia\b|\bmyelopath\w*/i,
    ),
    term('stroke', /\bstroke\b|\bcerebral\s+infarct|\bTIA\b/i),
  ],
};

/** Fever, meningism or meningitis (after a puncture: post-procedural meningitis). */
const rfFeverMeningism: ValueSet = {
  id: 'red-flag-fever-meningism',
  title: 'Fever, meningism or meningitis',
  codes: [
    ...icd('R50', 'Fever of other and unknown origin', U),
    ...icd('R29.1', 'Meningismus', U),
    ...icd('G00', 'Bacterial meningitis', U),
    ...icd('G03', 'Meningitis due to other and unspecified causes', U),
    ...icd('G04', 'Encephalitis, myelitis and encephalomyelitis', U),
    ...icd('A87', 'Viral meningitis', U),
    ...icd('A39', 'Meningococcal infection', U),
    { system: snomed, code: '386661006', display: 'Fever', source: U },
    { system: snomed, code: '7180009', display: 'Meningitis', source: U },
  ],
  text: [
    term('fever', /\bfever\b|\bfebrile\b|\bpyrexi\w*|\bpyrexial\b/i),
    term('meningism', /\bmeningism\w*|\bmeningitis\b|\bmeningeal\s+signs\b|\bnuchal\s+rigidity\b|\bkernig\b|\bbrudzinski\b|\bencephalitis\b/i),
  ],
};

/** Head trauma. */
const rfHeadTrauma: ValueSet = {
  id: 'red-flag-head-trauma',
  title: 'Head trauma',
  codes: [
    ...icd('S06', 'Intracranial injury', U),
    ...icd('S02.0', 'Fracture of vault of skull', U),
    ...icd('S02.1', 'Fracture of base of skull', U),
    ...icd('S09.9', 'Unspecified injury of face and head', U),
    ...icd('S09.8', 'Other specified injuries of head', U),
    { system: snomed, code: '82271004', display: 'Injury of head', source: '[S] SNOMED CT 82271004, several public FHIR artefacts; not in the clinical doc' },
  ],
  text: [
    term(
      'head trauma',
      /\bhead\s+(?:injury|injuries|trauma|strike|struck)\b|\b(?:trauma|injury)\s+to\s+(?:the\s+)?head\b|\bhit\s+(?:his|her|their|the)\s+head\b|\btraumatic\s+brain\s+injury\b|\bTBI\b|\bconcussion\b|\bskull\s+fracture\b|\bfracture\s+of\s+(?:the\s+)?skull\b/i,
    ),
  ],
};

/** Seizure. */
const rfSeizure: ValueSet = {
  id: 'red-flag-seizure',
  title: 'Seizure',
  codes: [
    ...icd('R56', 'Convulsions, not elsewhere classified', U),
    ...icd('G40', 'Epilepsy and recurrent seizures', U),
    ...icd('G41', 'Status epilepticus (ICD-10)', U),
    { system: snomed, code: '91175000', display: 'Seizure', source: '[S] SNOMED CT 91175000 "Seizure (finding)", several public FHIR artefacts; not in the clinical doc' },
  ],
  text: [
    term('seizure', /\bseizures?\b|\bconvulsi\w*|\bstatus\s+epilepticus\b|\bpost[-\s]?ictal\b|\btonic[-\s]clonic\b/i),
  ],
};

/** Anticoagulation: a red flag only with a new deficit after a puncture (spinal haematoma), see red-flags.ts. */
const rfAnticoagulation: ValueSet = {
  id: 'anticoagulation',
  title: 'Anticoagulation (a red flag only with a new deficit after a dural puncture)',
  codes: [...icd('Z79.01', 'Long term (current) use of anticoagulants', U)],
  text: [
    term(
      'anticoagulated',
      /\banticoagula\w*|\b(?:warfarin|coumadin|apixaban|eliquis|rivaroxaban|xarelto|edoxaban|dabigatran|enoxaparin|lovenox|heparin\s+(?:infusion|drip))\b|\b(?:DOAC|NOAC)s?\b/i,
    ),
  ],
};

/** Body temperature vital sign, read by value for fever (THRESHOLDS['fever-temperature']). Code only. */
const bodyTemperature: ValueSet = {
  id: 'body-temperature',
  title: 'Body temperature (LOINC 8310-5; read by its value for fever)',
  codes: [{ system: loinc, code: '8310-5', display: 'Body temperature', source: '[U] LOINC 8310-5, the US Core / FHIR vital-signs code; not in the clinical doc' }],
  text: [],
};

// ---- The topic's border: CSF disorders and headaches outside this topic (src/guideline/topic-border.ts) ----

/** Intracranial hypotension from a ventricular shunt (over-drainage): shunt evaluation, not an SIH work-up. */
const borderShunt: ValueSet = {
  id: 'border-shunt',
  title: 'Shunt over-drainage (intracranial hypotension following ventricular shunting)',
  codes: [
    ...icd('G97.2', 'Intracranial hypotension following ventricular shunting', 'clinical doc §2.4 [V]'),
    ...icd('T85.0', 'Mechanical complication of ventricular intracranial (communicating) shunt', U),
    ...icd('Z98.2', 'Presence of cerebrospinal fluid drainage device', U),
  ],
  text: [
    term(
      'shunt over-drainage',
      /\bover[-\s]?drain\w*|\bfollowing\s+ventricular\s+shunt|\bshunt[-\s](?:related|induced|associated)\b|\bslit[-\s]ventricle|\b(?:VP|VA|LP|ventriculo[-\s]?peritoneal|ventriculo[-\s]?atrial|lumbo[-\s]?peritoneal|ventricular)\s+shunt\b/i,
    ),
  ],
};

/** Cranial CSF leaks (rhinorrhoea, otorrhoea, skull base): skull-base imaging, not a spinal-leak work-up. */
const borderCranialLeak: ValueSet = {
  id: 'border-cranial-csf-leak',
  title: 'Cranial CSF leak (rhinorrhoea, otorrhoea, skull base, after skull-base surgery)',
  codes: [
    ...icd('G96.01', 'Cranial cerebrospinal fluid leak, spontaneous', 'clinical doc §2.4 [V]'),
    ...icd('G96.08', 'Other cranial cerebrospinal fluid leak', 'clinical doc §2.4 [V]'),
  ],
  text: [
    term('CSF rhinorrhoea or otorrhoea', /\brhinorrh\w*|\botorrh\w*/i),
    term(
      'cranial CSF leak',
      /\b(?:cranial|skull[-\s]base|anterior\s+skull\s+base|lateral\s+skull\s+base|nasal|sinus|temporal\s+bone|tegmen|sphenoid|ethmoid|cribriform|ear)\s+(?:csf\s+|cerebrospinal\s+fluid\s+)?(?:leak|fistula)/i,
    ),
    term(
      'leak after skull-base surgery',
      /\b(?:leak|fistula)\b[^.;]*\b(?:after|following|post)\b[^.;]*\b(?:sinus|skull[-\s]base|transsphenoidal|pituitary|endoscopic\s+endonasal|craniotomy)\b|\bpost[-\s]?(?:transsphenoidal|craniotomy|skull[-\s]base)\b[^.;]*\bleak/i,
    ),
  ],
};

/** Idiopathic intracranial hypertension: the opposite pressure problem. */
const borderIih: ValueSet = {
  id: 'border-iih',
  title: 'Idiopathic intracranial hypertension',
  codes: [...icd('G93.2', 'Benign (idiopathic) intracranial hypertension', '[S] public ICD-10-CM code list; not in the clinical doc')],
  text: [
    term(
      'idiopathic intracranial hypertension',
      /\bidiopathic\s+intracranial\s+hypertension\b|\bbenign\s+intracranial\s+hypertension\b|\bpseudotumou?r\s+cerebri\b|\bIIH\b/i,
    ),
  ],
};

/** Orthostatic hypotension and POTS: an orthostatic picture that is not a CSF leak. */
const borderOrthostaticHypotension: ValueSet = {
  id: 'border-orthostatic-hypotension',
  title: 'Orthostatic hypotension or postural orthostatic tachycardia syndrome (POTS)',
  codes: [
    ...icd('I95.1', 'Orthostatic hypotension', U),
    ...icd('G90.A', 'Postural orthostatic tachycardia syndrome [POTS]', U),
    { system: snomed, code: '371073003', display: 'Postural orthostatic tachycardia syndrome', source: 'clinical doc §2.5 [V-sandbox] (differential of orthostatic headache)' },
    { system: snomed, code: '28651003', display: 'Orthostatic hypotension', source: U },
  ],
  text: [
    term(
      'orthostatic hypotension or POTS',
      /\b(?:orthostatic|postural)\s+(?:hypotension|tachycardia|intolerance|syncope|dizziness|presyncope)\b|\bPOTS\b/i,
    ),
  ],
};

/** Migraine and other primary headaches. */
const borderPrimaryHeadache: ValueSet = {
  id: 'border-primary-headache',
  title: 'Migraine and other primary headaches',
  codes: [
    ...icd('G43', 'Migraine', U),
    ...icd('G44.0', 'Cluster headaches and other trigeminal autonomic cephalgias', U),
    ...icd('G44.2', 'Tension-type headache', U),
    { system: snomed, code: '37796009', display: 'Migraine', source: U },
    { system: snomed, code: '398057008', display: 'Tension-type headache', source: U },
  ],
  text: [
    term(
      'migraine or primary headache',
      /\bmigrain\w*|\btension[-\s](?:type\s+)?headache|\bcluster\s+headache|\bhemicrania\b|\btrigeminal\s+autonomic/i,
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
    sihImagingConclusion,
    bernScore,
    brainMri,
    spineMri,
    mrMyelography,
    myelography,
    csfLeakFinding,
    indeterminateResult,
    negativeResult,
    reboundHeadache,
    spineMriComplete,
    spineMriCervical,
    spineMriThoracic,
    spineMriLumbar,
    mrVascular,
    rfThunderclap,
    rfFocalDeficit,
    rfFeverMeningism,
    rfHeadTrauma,
    rfSeizure,
    rfAnticoagulation,
    bodyTemperature,
    borderShunt,
    borderCranialLeak,
    borderIih,
    borderOrthostaticHypotension,
    borderPrimaryHeadache,
  ].map((vs) => [vs.id, vs]),
);

/**
 * Value sets whose text terms are the finding itself (or a plain description), so the negation guard must not
 * be applied to them: the negative wording, and the spine regions ("MRI spine without contrast, lumbar").
 */
export const UNGUARDED_TEXT_SETS: ReadonlySet<string> = new Set([
  'negative-result',
  'spine-mri-complete',
  'spine-mri-cervical',
  'spine-mri-thoracic',
  'spine-mri-lumbar',
]);

/**
 * Value sets checked only for a negation cue BEFORE the term: their own words contain negation words
 * ("cannot be excluded", "non-diagnostic"), or they name a study, where "without" (contrast) is routine.
 */
export const PRE_NEGATION_ONLY_TEXT_SETS: ReadonlySet<string> = new Set([
  'indeterminate-result',
  'brain-mri',
  'spine-mri',
  'mr-myelography',
  'myelography',
  'mr-vascular',
]);
