/**
 * Advice texts shown on cards: the seed article's pitfalls, the path after a myelogram by its result, and what
 * to tell the clinician when the ACR rates no imaging at all for the scenario (variants 2, 3 and 6). Data only,
 * each entry with its source; written in our own words, not copied.
 *
 * Sources:
 * - SEED: /work/shared/seed/000_81f84ebb60a56aaf.txt, "What Imaging Is Next for Chronic Headache When
 *   Intracranial Hypotension Is Suspected but Initial Scans Are Negative?" (reviewed by P. Golshani, MD).
 * - ACR: /work/shared/clinical/acr-intracranial-hypotension.md (ACR Appropriateness Criteria, Imaging of
 *   Suspected Intracranial Hypotension, 2024), sections as cited on each entry.
 */
import type { MyelographyResult, PitfallId, VariantId } from './types.js';

const SEED_PITFALLS = 'Seed article, "Common Pitfalls in Working Up a Suspected Occult CSF Leak"';

/** One sentence per pitfall, shown in the card detail when the engine says it applies. */
export const PITFALLS: Record<PitfallId, string> = {
  'premature-end':
    'A negative brain MRI does not exclude spontaneous intracranial hypotension when the ' +
    'headache is classically orthostatic: many confirmed cases have a normal first brain MRI, so do not ' +
    'end the work-up there.',
  'non-dynamic-ctm':
    'A CT myelogram that is not dynamic, or that does not cover the whole spine, can miss an intermittent ' +
    'or fast leak: the protocol has to fit the question (dynamic, complete spine).',
  'post-puncture-confounding':
    'The dural puncture of a myelogram can itself cause a new low-pressure headache; tell it apart from ' +
    'the chronic headache under investigation.',
  'csf-venous-fistula':
    'CSF-venous fistulas are easily missed on standard MRI and conventional CT myelography; they need a ' +
    'high index of suspicion and a protocol with high temporal resolution such as digital subtraction ' +
    'myelography.',
  'text-only-evidence':
    'The scenario was chosen partly from free-text matches rather than coded data; confirm the history ' +
    'before acting on the rating.',
};

/** Where each pitfall text comes from (kept as data so audit and docs can show it). */
export const PITFALL_SOURCES: Record<PitfallId, string> = {
  'premature-end': `${SEED_PITFALLS}, first item; and the FAQ "If the initial brain MRI is negative…"`,
  'non-dynamic-ctm': `${SEED_PITFALLS}, "Suboptimal imaging technique"`,
  'post-puncture-confounding': `${SEED_PITFALLS}, "Confounding post-puncture headache"`,
  'csf-venous-fistula': `${SEED_PITFALLS}, "Overlooking CSF-venous fistulas"; section "CSF-Venous Fistula"`,
  // Not from the seed: our own caution. The engine marks matches on free text as weaker than coded data
  // (src/engine/types.ts, Evidence.textMatch), so the scenario may rest on a misread note.
  'text-only-evidence': 'Service design (engine Evidence.textMatch), not the ACR or the seed article',
};

export interface ManagementBranch {
  /** Short heading, e.g. "If the myelogram localised a leak". */
  heading: string;
  steps: string[];
  source: string;
}

const SEED_DOWNSTREAM = 'Seed article, "What Is the Downstream Workflow After a Digital Subtraction Myelogram?"';

/** The seed article's downstream path after a myelogram, by result. 'unknown' shows every branch. */
export const AFTER_MYELOGRAPHY: Record<Exclude<MyelographyResult, 'unknown'>, ManagementBranch> = {
  positive: {
    heading: 'If the myelogram localised a leak',
    steps: [
      'Targeted treatment: an image-guided epidural blood patch or fibrin glue patch at the spinal level ' +
        'found, which works better than a non-targeted ("blind") patch.',
      'If a CSF-venous fistula was found: treatment is more complex (e.g. transvenous embolisation or ' +
        'surgical ligation); refer to a centre with neurointerventional and neurosurgical expertise.',
    ],
    source: `${SEED_DOWNSTREAM}, "If the study is positive"`,
  },
  negative: {
    heading: 'If the myelogram was negative',
    steps: [
      'If suspicion stays high: repeat the study (possibly with provocative manoeuvres) or use the other ' +
        'advanced modality: dynamic CT myelography if DSM was done first, or DSM after dynamic CT myelography.',
      'Or a trial of non-targeted, multi-level epidural blood patching, which is both diagnostic and ' +
        'therapeutic; if the headache does not resolve, re-evaluate for other diagnoses such as new daily ' +
        'persistent headache.',
      'If no leak is found despite a thorough work-up and the syndrome is classic, refer to a tertiary ' +
        'centre with a multidisciplinary CSF-leak team.',
    ],
    source: `${SEED_DOWNSTREAM}, "If the study is negative"; and the paragraph after "Common Pitfalls"`,
  },
  indeterminate: {
    heading: 'If the myelogram was indeterminate',
    steps: [
      'Discuss in a multidisciplinary meeting (neurology, neuroradiology, neurosurgery); a consensus may ' +
        'lead to a targeted epidural blood patch as a diagnostic trial, or to observation.',
    ],
    source: `${SEED_DOWNSTREAM}, "If the study is indeterminate"`,
  },
};

/** Order in which branches are shown when the result is unknown. */
export const MYELOGRAPHY_RESULTS_SHOWN: ReadonlyArray<Exclude<MyelographyResult, 'unknown'>> = [
  'positive',
  'negative',
  'indeterminate',
];

export interface NoImagingAdvice {
  /** Why imaging is not advised here, in our words. */
  why: string;
  /** What the card says instead. Kept to what the sources support. */
  steps: string[];
  source: string;
}

const ACR_NO_IMAGING =
  'ACR 2024 rating table (clinical doc §1.3, variant tables; §1.4 note: every procedure rated 1, Expert ' +
  'Consensus, and the data set states no relevant literature supports imaging in this scenario)';

const NO_IMAGING_STEPS = [
  'Imaging is not the next step for this scenario: the ACR table offers no imaging alternative.',
  // Product wording: the ACR rates imaging only; it prescribes no treatment. We point back to clinical care.
  'Manage clinically (conservative management) according to the clinician’s judgement; reconsider imaging ' +
    'only if the clinical picture changes the scenario.',
];

/**
 * Variants where the ACR rates every imaging study Usually Not Appropriate (1): the card proposes removing
 * the order and says why, instead of proposing another study.
 */
export const NO_IMAGING_MANAGEMENT: Partial<Record<VariantId, NoImagingAdvice>> = {
  2: {
    why:
      'Within 72 hours of a dural puncture or other spinal intervention, the ACR rates every imaging study ' +
      'Usually Not Appropriate (1, expert consensus): no literature supports imaging here. The seed article ' +
      'likewise places a headache soon after a dural puncture or spinal surgery outside the work-up for an ' +
      'occult spontaneous leak.',
    steps: NO_IMAGING_STEPS,
    source: `${ACR_NO_IMAGING}; seed article, "Who Fits This Clinical Scenario…" (iatrogenic cause)`,
  },
  3: {
    why:
      'For a headache not improving 72 hours after a dural puncture or other spinal intervention, the ACR ' +
      'rates every imaging study Usually Not Appropriate (1, expert consensus): no literature supports ' +
      'imaging here.',
    steps: NO_IMAGING_STEPS,
    source: ACR_NO_IMAGING,
  },
  6: {
    why:
      'For a rebound headache after an epidural blood patch or fibrin glue patch, the ACR rates every ' +
      'imaging study Usually Not Appropriate (1, expert consensus): no literature supports imaging here.',
    steps: NO_IMAGING_STEPS,
    source: ACR_NO_IMAGING,
  },
};

export interface ClinicalCaveat {
  /** Short heading that marks the text as ours, not the ACR's. */
  heading: string;
  text: string;
  source: string;
}

/**
 * Shown on every card that proposes removing an imaging order because the ACR rates no imaging for the
 * scenario (variants 2, 3 and 6). The ACR rating is about imaging FOR the post-puncture or post-patch headache;
 * red flags that call for imaging for another reason are outside it. Our words, and our clinical judgement,
 * not the ACR's or the seed article's: marked so on the card, for clinical review.
 */
export const REMOVE_ORDER_CAVEAT: ClinicalCaveat = {
  heading: 'Clinical caveat (ours, not the ACR\'s; for clinical review)',
  text:
    'This advice applies only to imaging for the headache of this scenario. Before removing the order, check ' +
    'for red flags: decreased consciousness, a thunderclap or sudden worst headache, a new focal neurological ' +
    'deficit or signs of cord compression, fever or meningism, head trauma, a seizure, or anticoagulation with a ' +
    'new deficit after a puncture; also a suspected subdural haematoma or cerebral venous sinus thrombosis (both ' +
    'can complicate low CSF pressure). If any is present, decide on the imaging on its own clinical grounds ' +
    'and keep the order.',
  source:
    'Service design (clinical caveat written for this service, pending clinical review); not from the ACR ' +
    'rating table or the seed article',
};

/**
 * The lead of the `info` card on a Usually Appropriate order whose recognition made an assumption (a lumbar
 * MRI rated as complete-spine MRI, a myelogram rated as DSM, "MR Brain" rated as without contrast): the rating
 * stays, and the card says what it assumed.
 */
export const ASSUMPTION_CARD_LEAD =
  'The rating rests on an assumption about the order (below). If the assumption is wrong, the rating may not ' +
  'apply to the study as ordered: check the order, or change it so that it says what is intended.';

/** True for the pitfall ids this module has texts for (the Decision carries them as plain strings). */
export function isPitfallId(id: string): id is PitfallId {
  return Object.prototype.hasOwnProperty.call(PITFALLS, id);
}

export interface NextStudyNote {
  text: string;
  source: string;
}

/**
 * Context for the patient-view card that proposes the Usually Appropriate studies of a variant: how the
 * studies relate (alternatives or parts of one work-up).
 */
export const NEXT_STUDY_NOTES: Partial<Record<VariantId, NextStudyNote>> = {
  1: {
    text:
      'The ACR rates both brain MRI and complete-spine MRI Usually Appropriate as initial imaging here. They ' +
      'look for different things (brain: signs such as pachymeningeal enhancement, brain sagging, subdural ' +
      'collections; spine: the site of the CSF leak).',
    source:
      'ACR 2024 Variant 1 table (clinical doc §1.3): MRI head without and with IV contrast 9, MRI complete ' +
      'spine without IV contrast 8; seed article, "Who Fits This Clinical Scenario…" (the classic signs)',
  },
  5: {
    text:
      'Digital subtraction myelography and dynamic CT myelography are alternatives, both Usually Appropriate ' +
      '(8): DSM has the higher temporal resolution for fast leaks and CSF-venous fistulas and the lower ' +
      'radiation (☢☢☢☢ vs ☢☢☢☢☢); dynamic CTM gives more cross-sectional anatomical detail. The choice often ' +
      'depends on local expertise.',
    source:
      'Seed article, "Why Is Radiographic Myelography the Next Step…" and FAQ "What is the difference between ' +
      'DSM and dCTM?"; ACR 2024 Variant 5 table (clinical doc §1.3)',
  },
};
