/**
 * What the engine produces: facts with their evidence, the variant choice, the rated orders and the next
 * steps. Cards are a pure function of a Decision. Nothing here holds tokens; evidence holds resource
 * references and codes, and for text matches the value-set term that matched (never the patient's text).
 */
import type { Bundle, FhirResource, ServiceRequest } from 'fhir/r4.js';
import type { DataGap } from '../fhir/record.js';
import type { Category, MyelographyResult, ProcedureId, RatingRow, StudyStatus, VariantId } from '../guideline/types.js';
import type { RedFlagId } from '../guideline/red-flags.js';

export type { MyelographyResult, StudyStatus };

/** The three hooks the service answers (the protocol layer's schema re-uses this list). */
export const HOOKS = ['patient-view', 'order-select', 'order-sign'] as const;
export type HookName = (typeof HOOKS)[number];

/**
 * What decide() reads of a hook call: the hook and the context's patient, draft orders and selections. The
 * protocol layer's validated HookRequest satisfies it; the engine does not depend on the protocol layer.
 */
export interface HookInput {
  hook: HookName;
  /** Not read by the engine; allowed so callers can pass a whole request. */
  hookInstance?: string;
  context: {
    patientId?: string;
    selections?: string[];
    draftOrders?: Bundle<FhirResource>;
  };
}

/** The draft orders of a request: every ServiceRequest in draftOrders, and which of them are selected. */
export interface DraftOrder {
  resource: ServiceRequest;
  /** `ServiceRequest/{id}` (or a synthetic one when the client sent no id). */
  reference: string;
  /** True for order-select selections, and for every order on order-sign. */
  selected: boolean;
}

/**
 * The facts layer's unit: every fact the engine reads (and every site-defined fact added later) is a list of
 * Evidence, one entry per supporting record. This shape is stable: cards, the audit store and the site-fact
 * layer rely on it. Evidence never holds patient free text.
 */
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

/**
 * The same evidence for another fact. A copy with the field set, not `{ ...e, fact }`: on Node 20 a spread
 * followed by more properties takes V8's slow path (about a microsecond each; issue 13). Same key order.
 */
export function withFact(e: Evidence, fact: string): Evidence {
  const copy = { ...e };
  copy.fact = fact;
  return copy;
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
      /**
       * Why: no suspicion of SIH in the record; the patient is not an adult (every ACR variant of the topic is
       * for adults: not a fault of the record); or the record's CSF disorder is outside the topic's border
       * (shunt over-drainage, cranial CSF leak, POTS; the border evidence is in `evidence`).
       */
      because?: 'no-suspicion' | 'not-adult' | 'outside-border';
    };

/** A red flag found (src/guideline/red-flags.ts), with the records or order reasons that carry it. */
export interface RedFlagFinding {
  flag: RedFlagId;
  /** Short words for a card, from the guideline data. */
  label: string;
  /** What to rule out, from the guideline data. */
  concern: string;
  evidence: Evidence[];
  /** True when the chosen ACR variant covers exactly this picture (obtundation with brain features: V4). */
  coveredByVariant: boolean;
}

/**
 * How far the initial imaging work-up has got (ACR variant 1 = MRI head AND MRI complete spine): the status of
 * each, and the studies still missing (a regional spine MRI is not a complete-spine work-up).
 */
export interface Workup {
  brainMri: StudyStatus;
  spineMri: StudyStatus;
  /** The best-rated Usually Appropriate MRI of each region not yet done or ordered (empty when complete). */
  missing: ProcedureId[];
  /** True when only part of the spine has been imaged (cervical / thoracic / lumbar not all covered). */
  spinePartial: boolean;
}

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
  /**
   * Red flags that this order carries (its own reasons, the other drafts' reasons, or the patient's recent
   * record) and that the chosen variant does not cover. When non-empty the order is never discouraged: its
   * outcome is 'outside-topic' (PAMA no-criteria-apply), no warning, removal or replacement. Always set by
   * rateOrder (optional for hand-built test values).
   */
  redFlags?: RedFlagFinding[];
  /**
   * When the variant is undetermined but every still-possible variant gives this study the same rating, the
   * order is rated ('rated') and this lists those variants (e.g. [2, 3] for a puncture dated by day only).
   */
  possibleVariants?: VariantId[];
  /**
   * Advanced diagnostic imaging (CT, MR, nuclear medicine, PET): only these carry a PAMA rating stamp. False
   * for fluoroscopic myelography (DSM), radiographs, labs and anything not imaging. Always set by rateOrder;
   * undefined (hand-built values) reads as "not known".
   */
  advancedImaging?: boolean;
  /** The order's reasons name a disorder outside the topic's border (src/guideline/topic-border.ts). */
  outsideBorder?: boolean;
  /** Outcome 'not-applicable': why the topic does not apply (a child: the topic is adult-only, not a record fault). */
  because?: 'no-suspicion' | 'not-adult' | 'outside-border';
}

/** A topic study the service must not suggest: already in the basket, already ordered, or done. */
export interface AlreadyHave {
  procedure: ProcedureId;
  why: 'in-basket' | 'ordered' | 'done';
  /**
   * Set when the study is excluded only because another MRI of the same region is in the basket (its draft id)
   * or pending: a second brain or spine MRI protocol is a duplicate, but an order may still be replaced by
   * another protocol of its own region, so the exclusion does not apply to the order named here.
   */
  sameRegionAs?: string;
}


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
  /**
   * Every red flag found (covered or not); each RatedOrder lists the uncovered ones it carries. decide() always
   * sets this, `workup` (when the topic applies) and `alreadyHave`; they are optional only so that hand-built
   * Decisions in tests stay valid.
   */
  redFlags?: RedFlagFinding[];
  /** The initial work-up's completeness (patient-view proposes `missing`; undefined when not applicable). */
  workup?: Workup;
  /**
   * Topic studies never to suggest (cards filter suggestions with it): every recognised draft order of the
   * basket (selected or not), pending orders of the record, and MRI regions already imaged.
   */
  alreadyHave?: AlreadyHave[];
}
