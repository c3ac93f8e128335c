/**
 * What the engine produces: facts with their evidence, the variant choice, the rated orders and the next
 * steps. Cards are a pure function of a Decision. Nothing here holds tokens; evidence holds resource
 * references and codes, and for text matches the value-set term that matched (never the patient's text).
 */
import type { DraftOrder, HookName } from '../protocol/types.js';
import type { DataGap } from '../fhir/record.js';
import type { Category, ProcedureId, RatingRow, VariantId } from '../guideline/types.js';

export interface Evidence {
  /** Which fact this resource supports, e.g. "orthostatic-headache", "spine-mri-negative". */
  fact: string;
  resourceType: string;
  id?: string;
  system?: string;
  code?: string;
  /** The code's display, or our value-set term for a text match. */
  display?: string;
  /** ISO date or dateTime the resource is about (onset, performed, effective, started). */
  date?: string;
  /** True when only free text matched, not a code: a flagged, weaker match. */
  textMatch?: boolean;
  /** Found by a site-defined FHIRPath fact (SITE_FACTS_PATH); `display` is the site's label. */
  siteDefined?: boolean;
}

export type VariantChoice =
  | {
      status: 'determined';
      variant: VariantId;
      evidence: Evidence[];
      /** Short sentences saying why (our words, no patient text). */
      rationale: string[];
      /** Things a clinician should double-check (e.g. text-only matches, undated records). */
      cautions: string[];
    }
  | {
      status: 'undetermined';
      /** Which facts would decide it, in words a clinician understands. */
      missing: string[];
      /** Facts that point to different variants. */
      conflicts: string[];
      /** The variants still possible. */
      candidates: VariantId[];
      evidence: Evidence[];
    }
  | {
      /** Nothing in the record suggests intracranial hypotension: the topic does not apply. */
      status: 'not-applicable';
      evidence: Evidence[];
    };

export type OrderRecognition =
  | {
      kind: 'procedure';
      procedure: ProcedureId;
      matchedBy: { system?: string; code?: string; text?: boolean; siteMap?: boolean };
      /** Technique caveats, e.g. a myelogram that does not say digital subtraction. */
      notes: string[];
    }
  /** An order we can read but that this topic does not rate (a knee MRI, a drug). */
  | { kind: 'outside-topic' }
  /** No usable code or text at all (the sandbox's first PAMA call sends `coding: [{}]`). */
  | { kind: 'empty' };

export interface RatedOrder {
  order: DraftOrder;
  recognition: OrderRecognition;
  outcome:
    | 'rated' // the variant lists this procedure: `row` holds the rating
    | 'not-listed' // a topic procedure the chosen variant does not list
    | 'undetermined' // a topic procedure, but the variant could not be determined
    | 'not-applicable' // a topic procedure, but the patient's record does not suggest SIH
    | 'outside-topic'
    | 'empty';
  row?: RatingRow;
  category?: Category;
  notes: string[];
}

export type MyelographyResult = 'positive' | 'negative' | 'indeterminate' | 'unknown';

export type NextStep =
  | {
      /** Imaging the variant rates Usually Appropriate that is not yet done or ordered. */
      kind: 'order-imaging';
      variant: VariantId;
      procedures: ProcedureId[];
      /** 'all': each is part of the work-up (V1 head and spine); 'one-of': alternatives (V5 DSM or dCTM). */
      selection: 'all' | 'one-of';
    }
  | {
      /** The seed article's downstream path after a myelogram. */
      kind: 'after-myelography';
      result: MyelographyResult;
      evidence: Evidence[];
    };

export interface Decision {
  hook: HookName;
  /** The patient of the call (context.patientId): patient-view suggestions create orders for them. */
  patientId?: string;
  variant: VariantChoice;
  /** Rated orders: selections on order-select, every draft on order-sign; empty on patient-view. */
  orders: RatedOrder[];
  /** patient-view only. */
  nextSteps: NextStep[];
  gaps: DataGap[];
  /** Ids of the seed article's pitfalls that apply (texts live in the guideline data). */
  pitfalls: string[];
}
