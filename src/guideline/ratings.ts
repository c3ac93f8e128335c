/**
 * The rating table of the 2024 topic: 88 variant × procedure rows, as typed data.
 *
 * Source for every row: /work/shared/clinical/acr-intracranial-hypotension.md §1.3 and the same rows in
 * /work/shared/clinical/acr-ratings.csv (topic "Imaging of Suspected Intracranial Hypotension (2024)"), which
 * transcribe charlieliu9999/acrac-web @34cfc0f ACR_Rec.xlsx + ACR_NotRec.xlsx — a third-party copy (§1.1, see
 * TOPIC.dataCaution). The Headache (2022) rows of the CSV (§1.5) are a different topic and are NOT here.
 * Variant 5 is corroborated by the seed article (DSM and dynamic CTM Usually Appropriate, MR myelography and
 * DTPA May Be Appropriate). test/guideline-ratings.test.ts checks every row against the CSV.
 */
import { PROCEDURES, radiationLevel } from './procedures.js';
import type { Category, ProcedureId, RatingRow, VariantId } from './types.js';

const UA: Category = 'Usually Appropriate';
const MBA: Category = 'May Be Appropriate';
const UNA: Category = 'Usually Not Appropriate';

// Strength-of-evidence labels as the data set prints them, "References" suffix stripped (§1.2).
const STRONG = 'Strong';
const LIMITED = 'Limited';
const CONSENSUS = 'Expert Consensus';

// Adult RRL strings exactly as the data set prints them (§1.2).
const RRL_NONE = 'O 0 mSv';
const RRL_3 = '☢☢☢ 1-10 mSv';
const RRL_4 = '☢☢☢☢ 10-30 mSv';
const RRL_5 = '☢☢☢☢☢ 30-100 mSv';

function row(
  variant: VariantId,
  procedure: ProcedureId,
  category: Category,
  rating: number,
  median: number,
  adultRrl: string,
  strengthOfEvidence: string,
): RatingRow {
  return Object.freeze({ variant, procedure, category, rating, median, adultRrl, strengthOfEvidence });
}

export const RATINGS: readonly RatingRow[] = Object.freeze([
  // Variant 1: acr-intracranial-hypotension.md §1.3 (acr-ratings.csv rows for variant 1).
  row(1, 'mri-head-wo-w', UA, 9, 9, RRL_NONE, STRONG),
  row(1, 'mri-spine-wo', UA, 8, 8, RRL_NONE, STRONG),
  row(1, 'mri-spine-wo-w', UA, 7, 7, RRL_NONE, STRONG),
  row(1, 'mri-head-wo', UA, 7, 7, RRL_NONE, STRONG),
  row(1, 'ct-myelography', MBA, 4, 4, RRL_5, STRONG),
  row(1, 'ct-myelography-dynamic', UNA, 2, 2, RRL_5, STRONG),
  row(1, 'dtpa-cisternography', UNA, 2, 2, RRL_3, LIMITED),
  row(1, 'mr-myelography', UNA, 2, 2, RRL_NONE, LIMITED),
  row(1, 'mri-head-w', UNA, 2, 2, RRL_NONE, CONSENSUS),
  row(1, 'dsm', UNA, 2, 2, RRL_4, STRONG),
  row(1, 'ct-spine-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(1, 'ct-spine-wo-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(1, 'ct-spine-wo', UNA, 1, 1, RRL_4, CONSENSUS),
  row(1, 'ct-head-cisternography', UNA, 1, 1, RRL_3, LIMITED),
  row(1, 'ct-head-w', UNA, 1, 1, RRL_3, CONSENSUS),
  row(1, 'ct-head-wo-w', UNA, 1, 1, RRL_3, CONSENSUS),
  row(1, 'ct-head-wo', UNA, 1, 1, RRL_3, CONSENSUS),
  row(1, 'mri-spine-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  // Variant 2: acr-intracranial-hypotension.md §1.3 (acr-ratings.csv rows for variant 2).
  row(2, 'ct-spine-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(2, 'ct-spine-wo-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(2, 'ct-spine-wo', UNA, 1, 1, RRL_4, CONSENSUS),
  row(2, 'ct-head-cisternography', UNA, 1, 1, RRL_3, CONSENSUS),
  row(2, 'ct-head-w', UNA, 1, 1, RRL_3, CONSENSUS),
  row(2, 'ct-head-wo-w', UNA, 1, 1, RRL_3, CONSENSUS),
  row(2, 'ct-head-wo', UNA, 1, 1, RRL_3, CONSENSUS),
  row(2, 'ct-myelography', UNA, 1, 1, RRL_5, CONSENSUS),
  row(2, 'ct-myelography-dynamic', UNA, 1, 1, RRL_5, CONSENSUS),
  row(2, 'dtpa-cisternography', UNA, 1, 1, RRL_3, CONSENSUS),
  row(2, 'mr-myelography', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(2, 'mri-spine-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(2, 'mri-spine-wo-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(2, 'mri-spine-wo', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(2, 'mri-head-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(2, 'mri-head-wo-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(2, 'mri-head-wo', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(2, 'dsm', UNA, 1, 1, RRL_4, CONSENSUS),
  // Variant 3: acr-intracranial-hypotension.md §1.3 (acr-ratings.csv rows for variant 3).
  row(3, 'ct-spine-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(3, 'ct-spine-wo-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(3, 'ct-spine-wo', UNA, 1, 1, RRL_4, CONSENSUS),
  row(3, 'ct-head-cisternography', UNA, 1, 1, RRL_3, CONSENSUS),
  row(3, 'ct-head-w', UNA, 1, 1, RRL_3, CONSENSUS),
  row(3, 'ct-head-wo-w', UNA, 1, 1, RRL_3, CONSENSUS),
  row(3, 'ct-head-wo', UNA, 1, 1, RRL_3, CONSENSUS),
  row(3, 'ct-myelography', UNA, 1, 1, RRL_5, CONSENSUS),
  row(3, 'ct-myelography-dynamic', UNA, 1, 1, RRL_5, CONSENSUS),
  row(3, 'dtpa-cisternography', UNA, 1, 1, RRL_3, CONSENSUS),
  row(3, 'mr-myelography', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(3, 'mri-spine-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(3, 'mri-spine-wo-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(3, 'mri-spine-wo', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(3, 'mri-head-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(3, 'mri-head-wo-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(3, 'mri-head-wo', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(3, 'dsm', UNA, 1, 1, RRL_4, CONSENSUS),
  // Variant 4: acr-intracranial-hypotension.md §1.3 (acr-ratings.csv rows for variant 4).
  row(4, 'mri-spine-wo', UA, 8, 8, RRL_NONE, STRONG),
  row(4, 'mri-spine-wo-w', UA, 7, 7, RRL_NONE, STRONG),
  row(4, 'ct-myelography', MBA, 5, 5, RRL_5, STRONG),
  row(4, 'dtpa-cisternography', UNA, 3, 3, RRL_3, LIMITED),
  row(4, 'mr-myelography', UNA, 3, 3, RRL_NONE, LIMITED),
  row(4, 'ct-myelography-dynamic', UNA, 2, 2, RRL_5, STRONG),
  row(4, 'dsm', UNA, 2, 2, RRL_4, STRONG),
  row(4, 'ct-spine-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(4, 'ct-spine-wo-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(4, 'ct-spine-wo', UNA, 1, 1, RRL_4, CONSENSUS),
  row(4, 'mri-spine-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  // Variant 5: acr-intracranial-hypotension.md §1.3 (acr-ratings.csv rows for variant 5).
  row(5, 'ct-myelography-dynamic', UA, 8, 8, RRL_5, STRONG),
  row(5, 'dsm', UA, 8, 8, RRL_4, STRONG),
  row(5, 'dtpa-cisternography', MBA, 5, 5, RRL_3, LIMITED),
  row(5, 'mr-myelography', MBA, 5, 5, RRL_NONE, LIMITED),
  row(5, 'ct-head-cisternography', UNA, 1, 1, RRL_3, LIMITED),
  // Variant 6: acr-intracranial-hypotension.md §1.3 (acr-ratings.csv rows for variant 6).
  row(6, 'ct-spine-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(6, 'ct-spine-wo-w', UNA, 1, 1, RRL_4, CONSENSUS),
  row(6, 'ct-spine-wo', UNA, 1, 1, RRL_4, CONSENSUS),
  row(6, 'ct-head-cisternography', UNA, 1, 1, RRL_3, CONSENSUS),
  row(6, 'ct-head-w', UNA, 1, 1, RRL_3, CONSENSUS),
  row(6, 'ct-head-wo-w', UNA, 1, 1, RRL_3, CONSENSUS),
  row(6, 'ct-head-wo', UNA, 1, 1, RRL_3, CONSENSUS),
  row(6, 'ct-myelography', UNA, 1, 1, RRL_5, CONSENSUS),
  row(6, 'ct-myelography-dynamic', UNA, 1, 1, RRL_5, CONSENSUS),
  row(6, 'dtpa-cisternography', UNA, 1, 1, RRL_3, CONSENSUS),
  row(6, 'mr-myelography', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(6, 'mri-spine-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(6, 'mri-spine-wo-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(6, 'mri-spine-wo', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(6, 'mri-head-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(6, 'mri-head-wo-w', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(6, 'mri-head-wo', UNA, 1, 1, RRL_NONE, CONSENSUS),
  row(6, 'dsm', UNA, 1, 1, RRL_4, CONSENSUS),
]);

// ---- Lookups, built once at module load (rating an order runs per order per call) ----

const ROWS_BY_VARIANT = new Map<VariantId, readonly RatingRow[]>();
const ROW_BY_KEY = new Map<string, RatingRow>();
for (const r of RATINGS) {
  ROWS_BY_VARIANT.set(r.variant, [...(ROWS_BY_VARIANT.get(r.variant) ?? []), r]);
  ROW_BY_KEY.set(`${r.variant}|${r.procedure}`, r);
}

/** The row for this variant and procedure, or undefined when the variant does not list the procedure. */
export function ratingFor(variant: VariantId, procedure: ProcedureId): RatingRow | undefined {
  return ROW_BY_KEY.get(`${variant}|${procedure}`);
}

/** All rows of a variant, in the order of the ACR table (category, then rating). */
export function rowsForVariant(variant: VariantId): readonly RatingRow[] {
  return ROWS_BY_VARIANT.get(variant) ?? [];
}

/**
 * The procedures a variant rates Usually Appropriate, best first: by rating (descending), then by lower adult
 * radiation (so a card can lead with the study that carries less), then in PROCEDURES order for stability.
 */
export function usuallyAppropriate(variant: VariantId): ProcedureId[] {
  // A copy: callers may sort or splice their list.
  return [...(USUALLY_APPROPRIATE.get(variant) ?? [])];
}

/** Built once: the answer depends only on the variant, and cards ask for it on every order. */
const USUALLY_APPROPRIATE: ReadonlyMap<VariantId, readonly ProcedureId[]> = (() => {
  const order = Object.keys(PROCEDURES) as ProcedureId[];
  const byVariant = new Map<VariantId, ProcedureId[]>();
  for (const variant of [1, 2, 3, 4, 5, 6] as const) {
    byVariant.set(
      variant,
      rowsForVariant(variant)
        .filter((r) => r.category === UA)
        .sort(
          (a, b) =>
            b.rating - a.rating ||
            radiationLevel(a.adultRrl) - radiationLevel(b.adultRrl) ||
            order.indexOf(a.procedure) - order.indexOf(b.procedure),
        )
        .map((r) => r.procedure),
    );
  }
  return byVariant;
})();

/**
 * The ACR category of a 1–9 panel rating (RAND/UCLA bands as the ACR uses them, §1.2): 7–9 Usually
 * Appropriate, 4–6 May Be Appropriate, 1–3 Usually Not Appropriate. Throws on anything else, because a rating
 * outside 1–9 means the data is wrong, not the patient.
 */
export function categoryOf(rating: number): Category {
  if (!Number.isInteger(rating) || rating < 1 || rating > 9) {
    throw new RangeError(`ACR rating must be an integer 1-9, got ${String(rating)}`);
  }
  if (rating >= 7) return UA;
  if (rating >= 4) return MBA;
  return UNA;
}
