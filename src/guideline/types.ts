/**
 * Shapes of the guideline data. The data itself lives beside this file, one concern per module, each
 * fact carrying its source in a comment. Nothing here does I/O.
 */

export type VariantId = 1 | 2 | 3 | 4 | 5 | 6;
export const VARIANT_IDS: readonly VariantId[] = [1, 2, 3, 4, 5, 6];

export type Category = 'Usually Appropriate' | 'May Be Appropriate' | 'Usually Not Appropriate';

/** The 18 procedures the 2024 topic rates (the ACR's names are on each ProcedureDef). */
export const PROCEDURE_IDS = [
  'mri-head-wo',
  'mri-head-w',
  'mri-head-wo-w',
  'mri-spine-wo',
  'mri-spine-w',
  'mri-spine-wo-w',
  'mr-myelography',
  'ct-myelography',
  'ct-myelography-dynamic',
  'dsm',
  'dtpa-cisternography',
  'ct-head-cisternography',
  'ct-spine-wo',
  'ct-spine-w',
  'ct-spine-wo-w',
  'ct-head-wo',
  'ct-head-w',
  'ct-head-wo-w',
] as const;
export type ProcedureId = (typeof PROCEDURE_IDS)[number];

export interface CodeRef {
  system: string;
  code: string;
  display?: string;
}

export interface VariantDef {
  id: VariantId;
  /** Verbatim ACR variant text. */
  text: string;
  /** A short name for card summaries (our own words). */
  shortName: string;
  phase: 'Initial imaging' | 'Next imaging study';
}

export interface ProcedureDef {
  id: ProcedureId;
  /** The ACR procedure name exactly as in the rating table. */
  acrName: string;
  modality: 'MR' | 'CT' | 'RF' | 'NM';
  region: 'head' | 'spine';
  /** Adult relative radiation level string as the ACR prints it, e.g. "☢☢☢☢ 10-30 mSv". */
  adultRrl: string;
  /** Standard codes placed on a ServiceRequest the service suggests (first = primary). */
  orderCodes: CodeRef[];
}

export interface RatingRow {
  variant: VariantId;
  procedure: ProcedureId;
  category: Category;
  rating: number;
  median: number;
  adultRrl: string;
  strengthOfEvidence: string;
}

/** A code set for one clinical concept, with the free-text terms used as a flagged fallback. */
export interface ValueSet {
  id: string;
  title: string;
  codes: Array<CodeRef & { source: string }>;
  /** Matched against CodeableConcept.text / coding.display when no code matches. */
  text: Array<{ term: string; pattern: RegExp }>;
}

export interface Threshold {
  id: string;
  value: number;
  unit: 'hours' | 'days' | 'months' | 'years' | 'points';
  meaning: string;
  source: string;
}

/** One step of the documented variant precedence (lower rank wins). */
export interface PrecedenceRule {
  rank: number;
  variant: VariantId;
  when: string;
}

/** What a myelogram on record showed (the seed article's downstream path turns on it). */
export type MyelographyResult = 'positive' | 'negative' | 'indeterminate' | 'unknown';

/** 'partial': spine only — every spine MRI read is negative (or unread) but they do not cover the whole spine. */
export type StudyStatus = 'none' | 'in-progress' | 'done-unknown' | 'partial' | 'negative' | 'positive';

/** The seed article's pitfalls, by id; their texts live in guideline/advice.ts. */
export const PITFALL_IDS = [
  'premature-end', // accepting a negative brain MRI as the end of the work-up
  'non-dynamic-ctm', // non-dynamic CT myelography or incomplete spine coverage in variant 5
  'post-puncture-confounding', // a new post-dural-puncture headache confounds the chronic picture
  'csf-venous-fistula', // fistulas need DSM-type protocols
  'text-only-evidence', // the variant rests on free text, not codes
] as const;
export type PitfallId = (typeof PITFALL_IDS)[number];

/**
 * How an unread part of the record qualifies an answer: `undetermined` when the missing data could change
 * the variant, `caution` when it could but rarely does and the card should say so.
 */
export interface DataDependency {
  answer: VariantId | 'not-applicable';
  undetermineIfMissing: ReadonlyArray<string>;
  cautionIfMissing: ReadonlyArray<string>;
  /** The variants still possible when it becomes undetermined. */
  candidates: ReadonlyArray<VariantId>;
  /** What the missing data could have shown, in a clinician's words. */
  why: string;
}
