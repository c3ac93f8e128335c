/**
 * The rating stamp of the Argonaut "CDS Hooks for PAMA" implementation guide (clinical doc §3.3;
 * argonautproject/cds-hooks-for-pama docs/index.md): extensions on a draft ServiceRequest that carry the
 * appropriateness rating, the consultation id and the qualified CDS mechanism consulted.
 */
import type { CodeableConcept, Extension, ServiceRequest } from 'fhir/r4.js';
import type { RatedOrder } from '../engine/types.js';
import type { Category, RatingRow } from '../guideline/types.js';
import { pruneEmptyWith } from './fhir-json.js';

export const PAMA_RATING_URL = 'http://fhir.org/argonaut/Extension/pama-rating';
export const PAMA_RATING_SYSTEM = 'http://fhir.org/argonaut/CodeSystem/pama-rating';
export const PAMA_CONSULT_ID_URL = 'http://fhir.org/argonaut/Extension/pama-rating-consult-id';
export const PAMA_QCDSM_URL = 'http://fhir.org/argonaut/Extension/pama-rating-qcdsm-consulted';

/** Our stamp replaces any earlier one: a re-rated order must not carry two ratings or two consult ids. */
const PAMA_URLS = new Set([PAMA_RATING_URL, PAMA_CONSULT_ID_URL, PAMA_QCDSM_URL]);

/** The three codes of the Argonaut guide (§3.3). The sandbox service's `no-guidelines-apply` is not used. */
export type PamaRatingCode = 'appropriate' | 'not-appropriate' | 'no-criteria-apply';

export interface RatingStamp {
  code: PamaRatingCode;
  /** Human-readable rating in CodeableConcept.text, e.g. "May Be Appropriate (5)". */
  text: string;
}

export interface StampContext {
  newUuid: () => string;
  /** CMS G-code of the qualified CDS mechanism, when the deployment has one. */
  qcdsmCode?: string;
}

/**
 * Argonaut mapping (§3.3, "CMS wording mapping"): `appropriate` = adheres to AUC. The ACR's Usually and May Be
 * Appropriate both fall inside the criteria, so both map to `appropriate`; the ACR category and score stay
 * visible in the text.
 */
const CODE_BY_CATEGORY: Record<Category, PamaRatingCode> = {
  'Usually Appropriate': 'appropriate',
  'May Be Appropriate': 'appropriate',
  'Usually Not Appropriate': 'not-appropriate',
};

/** The stamp for an ACR rating row, e.g. `appropriate` / "Usually Appropriate (8)". */
export function stampForRow(row: Pick<RatingRow, 'category' | 'rating'>): RatingStamp {
  return { code: CODE_BY_CATEGORY[row.category], text: `${row.category} (${row.rating})` };
}

/**
 * The stamp for a rated order, or none. None for 'undetermined' (the guide: when no code can be assigned the
 * order SHALL NOT appear in systemActions) and for 'empty' (nothing was ordered yet).
 *
 * 'not-listed' → `no-criteria-apply`: the ACR topic has no rating for this procedure in this scenario, which
 * is the guide's "no AUC applicable" (CMS modifier MG), not a judgement either way.
 */
export function stampForOrder(rated: RatedOrder): RatingStamp | undefined {
  // PAMA covers advanced diagnostic imaging only (CT, MR, NM, PET): no stamp on a radiograph, a lab, or DSM.
  if (rated.advancedImaging === false) return undefined;
  switch (rated.outcome) {
    case 'rated': {
      const category = rated.category ?? rated.row?.category;
      if (!category) return undefined;
      if (!rated.row) return { code: CODE_BY_CATEGORY[category], text: category };
      return stampForRow({ category, rating: rated.row.rating });
    }
    case 'not-listed':
      return { code: 'no-criteria-apply', text: 'Not rated by the ACR for this clinical scenario' };
    case 'not-applicable':
      return {
        code: 'no-criteria-apply',
        text:
          rated.because === 'not-adult'
            ? 'No ACR criteria apply: this ACR topic is for adults only'
            : rated.because === 'outside-border'
              ? 'No ACR criteria apply: the CSF disorder on record is outside this ACR topic'
              : 'No ACR criteria apply: the record does not suggest intracranial hypotension',
      };
    case 'outside-topic':
      return {
        code: 'no-criteria-apply',
        text:
          (rated.redFlags?.length ?? 0) > 0
            ? 'No ACR criteria apply: a red flag is recorded, outside this ACR topic'
            : 'No ACR criteria apply: outside this ACR topic',
      };
    case 'undetermined':
    case 'empty':
      return undefined;
  }
}

/** The extensions of one stamp, each consultation with its own id (usable as the CMS UCI, §3.4). */
export function pamaExtensions(stamp: RatingStamp, ctx: StampContext): Extension[] {
  const extensions: Extension[] = [
    {
      url: PAMA_RATING_URL,
      valueCodeableConcept: { coding: [{ system: PAMA_RATING_SYSTEM, code: stamp.code }], text: stamp.text },
    },
    { url: PAMA_CONSULT_ID_URL, valueUri: `urn:uuid:${ctx.newUuid()}` },
  ];
  if (ctx.qcdsmCode) extensions.push({ url: PAMA_QCDSM_URL, valueString: ctx.qcdsmCode });
  return extensions;
}

/**
 * A copy of the ServiceRequest with our stamp (and `changes`, when given, as `{ ...resource, ...changes }`):
 * other extensions are kept in their order, earlier PAMA extensions are replaced, empty JSON values are
 * dropped. The input is not touched.
 */
export function withPamaRating(
  resource: ServiceRequest,
  stamp: RatingStamp,
  ctx: StampContext,
  changes?: { code: CodeableConcept; reasonCode: CodeableConcept[] },
): ServiceRequest {
  // pruneEmptyWith makes the deep copy of `{ ...resource, ...changes, extension }` without building it (an
  // earlier structuredClone here copied every resource twice, and the spread itself is slow on Node 20).
  const kept = (resource.extension ?? []).filter((e) => !PAMA_URLS.has(e.url));
  const extension = [...kept, ...pamaExtensions(stamp, ctx)];
  return pruneEmptyWith(resource, changes ? { code: changes.code, reasonCode: changes.reasonCode, extension } : { extension });
}
