/**
 * Recognising a draft imaging order (which ACR procedure is it?) and rating it under the chosen variant.
 *
 * Recognition order: the site's own code map, then this service's ACR procedure code system (what its own
 * suggestions carry first: the exact row, no assumption), then standard codes (CPT, LOINC, SNOMED CT), then the
 * order's text as a flagged fallback. Codes that leave the technique or contrast open (a myelogram, "MR Brain") let the
 * text refine them within a fixed set of rows. The data and the ambiguity rules are in
 * src/guideline/order-codes.ts. Everything here is pure, never throws on odd input, and uses Maps built once at
 * module load (it runs per order per hook call).
 */
import type { CodeableConcept, Coding, ServiceRequest } from 'fhir/r4.js';
import type { DraftOrder } from '../protocol/types.js';
import {
  ADVANCED_IMAGING_CPT_RANGES,
  ADVANCED_IMAGING_TEXT,
  CODE_SYSTEMS,
  CROSS_SECTIONAL,
  INDICATION_NOTES,
  ORDER_INDICATION_SETS,
  OUTSIDE_TOPIC_CODES,
  RECOGNITION_NOTES,
  SPECIFICITY,
  SYSTEM_ALIASES,
  TEXT_FEATURES,
  TEXT_RULES,
  TOPIC_CODES,
  type CodeSystemKey,
  type Contrast,
  type TextContext,
  type TextFeature,
  type TopicCode,
} from '../guideline/order-codes.js';
import { ACR_PROCEDURE_SYSTEM } from '../guideline/canonical.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { ratingFor } from '../guideline/ratings.js';
import { codingKey, normaliseSystem, type SiteCodeMap } from '../guideline/site-codes.js';
import { PROCEDURE_IDS, type ProcedureId } from '../guideline/types.js';
import { SYSTEMS, VALUE_SETS } from '../guideline/valuesets.js';
import { BORDER_SETS } from '../guideline/topic-border.js';
import type { VariantId } from '../guideline/types.js';
import { applyBorder, matchConcept } from './facts-match.js';
import type { OrderRecognition, RatedOrder, RedFlagFinding, VariantChoice } from './types.js';

// A renamed or removed value set would silently make every reason "another indication": fail at load instead.
for (const id of ORDER_INDICATION_SETS) {
  if (!Object.prototype.hasOwnProperty.call(VALUE_SETS, id)) {
    throw new Error(`ORDER_INDICATION_SETS names value set "${id}", which src/guideline/valuesets.ts does not define`);
  }
}

type Known = { kind: 'topic'; entry: TopicCode } | { kind: 'outside' };

// `${systemKey}|${code}` → what we know about it; and code → the systems that define it (for a missing system).
const STANDARD = new Map<string, Known>();
const SYSTEMS_BY_CODE = new Map<string, CodeSystemKey[]>();
function index(system: CodeSystemKey, code: string, known: Known): void {
  STANDARD.set(`${system}|${code}`, known);
  const systems = SYSTEMS_BY_CODE.get(code) ?? [];
  if (!systems.includes(system)) systems.push(system);
  SYSTEMS_BY_CODE.set(code, systems);
}
for (const entry of TOPIC_CODES) index(entry.system, entry.code, { kind: 'topic', entry });
for (const entry of OUTSIDE_TOPIC_CODES) index(entry.system, entry.code, { kind: 'outside' });

const ACR_SYSTEM = normaliseSystem(ACR_PROCEDURE_SYSTEM);
const PROCEDURE_ID_SET: ReadonlySet<string> = new Set(PROCEDURE_IDS);
function isProcedureId(code: string): code is ProcedureId {
  return PROCEDURE_ID_SET.has(code);
}

const RANK = new Map<ProcedureId, number>(SPECIFICITY.map((p, i) => [p, i] as const));

/** Longer texts are cut: order names are short, and this bounds the regex work on hostile input. */
const MAX_TEXT = 1000;

interface CodingView {
  system?: string;
  code?: string;
  display?: string;
}

/** Read code.coding and code.text defensively: the input is whatever the client sent. */
function readCode(order: unknown): { codings: CodingView[]; text: string } {
  const code = isRecord(order) ? order['code'] : undefined;
  if (!isRecord(code)) return { codings: [], text: '' };
  const texts: string[] = [];
  const own = code['text'];
  if (typeof own === 'string' && own.trim() !== '') texts.push(own);
  const codings: CodingView[] = [];
  const raw = code['coding'];
  if (Array.isArray(raw)) {
    for (const c of raw) {
      if (!isRecord(c)) continue;
      const view: CodingView = {};
      if (typeof c['system'] === 'string' && c['system'].trim() !== '') view.system = c['system'];
      if (typeof c['code'] === 'string' && c['code'].trim() !== '') view.code = c['code'].trim();
      if (typeof c['display'] === 'string' && c['display'].trim() !== '') {
        view.display = c['display'];
        texts.push(c['display']);
      }
      codings.push(view);
    }
  }
  return { codings, text: texts.join(' | ').slice(0, MAX_TEXT).toLowerCase() };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The standard system of a coding: by its URI (tolerant spelling), or by the code alone when unambiguous. */
function standardSystem(c: CodingView): CodeSystemKey | undefined {
  if (c.system !== undefined) return SYSTEM_ALIASES[normaliseSystem(c.system)];
  const systems = c.code !== undefined ? SYSTEMS_BY_CODE.get(c.code) : undefined;
  return systems?.length === 1 ? systems[0] : undefined;
}

// ---- Text ----

export type TextRecognition =
  | { kind: 'procedure'; procedure: ProcedureId; notes: string[]; rule: string }
  | { kind: 'outside-topic'; rule: string };

const NO_CONTEXT: ReadonlySet<TextContext> = new Set();
const MYELOGRAPHY_CODE: ReadonlySet<TextContext> = new Set(['myelographyCode']);

function isContext(f: TextFeature | TextContext): f is TextContext {
  return !Object.prototype.hasOwnProperty.call(TEXT_FEATURES, f);
}

/**
 * What an order text names, by the ordered rules of TEXT_RULES; undefined when it names nothing we know.
 * `text` may be any case; it is lower-cased here. `context` says what the order's code already tells (e.g. that
 * it is a myelography code); text-only recognition has none.
 */
export function recogniseText(text: string, context: ReadonlySet<TextContext> = NO_CONTEXT): TextRecognition | undefined {
  const t = text.slice(0, MAX_TEXT).toLowerCase();
  const seen = new Map<TextFeature, boolean>();
  const has = (f: TextFeature | TextContext): boolean => {
    if (isContext(f)) return context.has(f);
    let v = seen.get(f);
    if (v === undefined) {
      v = TEXT_FEATURES[f].test(t);
      seen.set(f, v);
    }
    return v;
  };
  for (const rule of TEXT_RULES) {
    if (!rule.all.every(has)) continue;
    if (rule.result === 'outside-topic') return { kind: 'outside-topic', rule: rule.when };
    if (rule.result === 'cross-sectional-mr' || rule.result === 'cross-sectional-ct') {
      const found = crossSectional(rule.result === 'cross-sectional-mr' ? 'mr' : 'ct', has);
      return found ? { ...found, rule: rule.when } : undefined;
    }
    return { kind: 'procedure', procedure: rule.result, notes: [...(rule.notes ?? [])], rule: rule.when };
  }
  return undefined;
}

function crossSectional(
  modality: 'mr' | 'ct',
  has: (f: TextFeature) => boolean,
): { kind: 'procedure'; procedure: ProcedureId; notes: string[] } | undefined {
  // "MRI head and neck", "CT neck": neck imaging, which this topic does not rate.
  const head = has('head') && !has('neck');
  const spine = has('spine');
  if (!head && !spine) return undefined; // a knee, a chest: not this topic
  const notes: string[] = [];
  const wo = has('withoutContrast');
  const w = has('withContrast');
  let contrast: Contrast;
  if (has('withoutAndWith') || (wo && w)) contrast = 'wo-w';
  else if (w) contrast = 'w';
  else {
    contrast = 'wo';
    if (!wo) notes.push(RECOGNITION_NOTES.contrastUnspecified);
  }
  if (head && spine) notes.push(RECOGNITION_NOTES.headAndSpine);
  else if (spine && !has('completeSpine')) notes.push(RECOGNITION_NOTES.singleRegion);
  return { kind: 'procedure', procedure: CROSS_SECTIONAL[modality][head ? 'head' : 'spine'][contrast], notes };
}

// ---- Orders ----

/** Which ACR procedure a draft ServiceRequest names. Never throws. */
export function recogniseOrder(order: ServiceRequest, site?: SiteCodeMap): OrderRecognition {
  const { codings, text } = readCode(order);
  const coded = codings.filter((c) => c.code !== undefined);
  if (coded.length === 0 && text === '') return { kind: 'empty' };

  // 1. The site's own map wins: the site knows its order catalogue better than our defaults.
  if (site) {
    for (const c of coded) {
      if (c.system === undefined) continue;
      const mapping = site.index.get(codingKey(c.system, c.code as string));
      if (!mapping) continue;
      if (mapping.procedure === 'outside-topic') return { kind: 'outside-topic' };
      return {
        kind: 'procedure',
        procedure: mapping.procedure,
        matchedBy: { system: c.system, code: c.code as string, siteMap: true },
        notes: mapping.note ? [mapping.note] : [],
      };
    }
  }

  // 2. This service's own ACR procedure code system: the exact row, no assumption. Suggestions put it first,
  // so an order that came back from a suggestion (even with only coding[0] kept) is the row that was meant.
  for (const c of coded) {
    if (c.system === undefined || normaliseSystem(c.system) !== ACR_SYSTEM) continue;
    const procedure = c.code as string;
    if (!isProcedureId(procedure)) continue;
    return { kind: 'procedure', procedure, matchedBy: { system: ACR_PROCEDURE_SYSTEM, code: procedure }, notes: [] };
  }

  // 3. Standard codes.
  const topic: Array<{ entry: TopicCode }> = [];
  let outside = false;
  for (const c of coded) {
    const system = standardSystem(c);
    if (!system) continue;
    const known = STANDARD.get(`${system}|${c.code as string}`);
    if (known?.kind === 'topic') topic.push({ entry: known.entry });
    else if (known?.kind === 'outside') outside = true;
  }
  if (topic.length > 0) return fromCode(topic, text);
  if (outside) return { kind: 'outside-topic' };

  // 4. Text, flagged.
  const byText = text === '' ? undefined : recogniseText(text);
  if (byText?.kind !== 'procedure') return { kind: 'outside-topic' };
  return {
    kind: 'procedure',
    procedure: byText.procedure,
    matchedBy: { text: true },
    notes: dedupe([...byText.notes, RECOGNITION_NOTES.textOnly]),
  };
}

function fromCode(matches: Array<{ entry: TopicCode }>, text: string): OrderRecognition {
  const best = matches.reduce((a, b) => (rank(b.entry.procedure) < rank(a.entry.procedure) ? b : a)).entry;
  const notes: string[] = [...(best.notes ?? [])];
  let procedure = best.procedure;
  let refinedByText = false;
  const context = best.refineTo?.includes('dsm') ? MYELOGRAPHY_CODE : NO_CONTEXT;
  const byText = best.refineTo && text !== '' ? recogniseText(text, context) : undefined;
  if (byText?.kind === 'procedure' && best.refineTo?.includes(byText.procedure)) {
    refinedByText = byText.procedure !== best.procedure;
    procedure = byText.procedure;
    notes.push(...byText.notes);
  } else {
    notes.push(...(best.unresolvedNotes ?? []));
  }
  const distinct = new Set(matches.map((m) => m.entry.procedure));
  if (distinct.size > 1) {
    notes.push(
      `The order's codes name different ACR procedures; rated as the most specific, ${PROCEDURES[best.procedure].acrName}.`,
    );
  }
  return {
    kind: 'procedure',
    procedure,
    matchedBy: { system: CODE_SYSTEMS[best.system], code: best.code, ...(refinedByText ? { text: true } : {}) },
    notes: dedupe(notes),
  };
}

function rank(p: ProcedureId): number {
  return RANK.get(p) ?? Number.MAX_SAFE_INTEGER;
}

function dedupe(notes: string[]): string[] {
  return [...new Set(notes)];
}

// ---- The order's own indication ----

export type OrderIndication =
  /** No reasonCode with anything in it: the order is rated against the patient's scenario. */
  | { kind: 'none' }
  /** Reasons present, but none with a code of a known system or any text: rated as 'none', with a note. */
  | { kind: 'unreadable' }
  /** A reason is in a topic value set; `fromText` is our term when only the text matched (flagged). */
  | { kind: 'topic'; fromText?: string }
  /** Readable reasons, none of this topic: the order is for another indication. */
  | { kind: 'other' }
  /** A reason names a disorder outside the topic's border (shunt, cranial leak, IIH, POTS, primary headache). */
  | { kind: 'border' };

const REASON_AND_BORDER_SETS: readonly string[] = [...ORDER_INDICATION_SETS, ...BORDER_SETS];
const BORDER: ReadonlySet<string> = new Set(BORDER_SETS);

/** Reasons and their text are bounded: an order has a few reasons with short texts. */
const MAX_REASONS = 20;
const KNOWN_REASON_SYSTEMS: ReadonlySet<string> = new Set(Object.values(SYSTEMS));
const NONE: OrderIndication = { kind: 'none' };

function nonBlank(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.slice(0, MAX_TEXT) : undefined;
}

/** A reason as a clean CodeableConcept (strings only), and whether we can tell what it says. */
function readReason(raw: unknown): { concept: CodeableConcept; readable: boolean } | undefined {
  if (!isRecord(raw)) return undefined;
  const concept: CodeableConcept = {};
  let readable = false;
  const text = nonBlank(raw['text']);
  if (text) {
    concept.text = text;
    readable = true;
  }
  const codings: Coding[] = [];
  const rawCodings = raw['coding'];
  if (Array.isArray(rawCodings)) {
    for (const c of rawCodings.slice(0, MAX_REASONS)) {
      if (!isRecord(c)) continue;
      const coding: Coding = {};
      const system = nonBlank(c['system']);
      const code = nonBlank(c['code']);
      const display = nonBlank(c['display']);
      if (system) coding.system = system;
      if (code) coding.code = code.trim();
      if (display) coding.display = display;
      if (!code && !display) continue;
      codings.push(coding);
      if (display || (system !== undefined && KNOWN_REASON_SYSTEMS.has(system))) readable = true;
    }
  }
  if (codings.length > 0) concept.coding = codings;
  if (!text && codings.length === 0) return undefined;
  return { concept, readable };
}

/**
 * What the draft order's own reasonCode says it is for. Codes first (any reason whose code is in a topic value
 * set), then the reasons' text as a flagged fallback. Never throws on odd input.
 */
export function orderIndication(order: unknown): OrderIndication {
  const reasons = isRecord(order) ? order['reasonCode'] : undefined;
  if (!Array.isArray(reasons) || reasons.length === 0) return NONE;
  let present = false;
  let readable = false;
  let border = false;
  let coded = false;
  let fromText: string | undefined;
  for (const raw of reasons.slice(0, MAX_REASONS)) {
    const reason = readReason(raw);
    if (!reason) continue;
    present = true;
    if (!reason.readable) continue;
    readable = true;
    const hits = matchConcept(reason.concept, REASON_AND_BORDER_SETS);
    // Any reason outside the border takes the order outside (src/guideline/topic-border.ts): never speak there.
    if (applyBorder(hits).length > 0) border = true;
    for (const m of hits.values()) {
      if (BORDER.has(m.setId)) continue;
      if (!m.textMatch) coded = true;
      else fromText ??= m.display;
    }
  }
  if (border) return { kind: 'border' };
  if (coded) return { kind: 'topic' };
  if (fromText !== undefined) return { kind: 'topic', fromText };
  if (!present) return NONE;
  return readable ? { kind: 'other' } : { kind: 'unreadable' };
}

/** Whether an order is advanced diagnostic imaging (CT, MR, NM, PET): only those carry a PAMA stamp. */
export function isAdvancedImaging(order: unknown, recognition: OrderRecognition): boolean {
  if (recognition.kind === 'procedure') return PROCEDURES[recognition.procedure].modality !== 'RF';
  const { codings, text } = readCode(order);
  for (const c of codings) {
    if (c.code === undefined || !/^\d{5}$/.test(c.code)) continue;
    if (standardSystem(c) !== 'cpt') continue;
    const n = Number(c.code);
    if (ADVANCED_IMAGING_CPT_RANGES.some(([from, to]) => n >= from && n <= to)) return true;
  }
  return text !== '' && ADVANCED_IMAGING_TEXT.test(text);
}

/** What else rating an order depends on: the red flags of the session (decide() computes them). */
export interface RateContext {
  redFlags?: readonly RedFlagFinding[];
}

/**
 * The red flags that stop this order from being rated: every uncovered one, and decreased consciousness even
 * under variant 4 when variant 4 does not list the study (it covers only the studies it rates).
 */
function blockingFlags(flags: readonly RedFlagFinding[], variant: VariantChoice, listed: boolean): RedFlagFinding[] {
  return flags.filter((f) => !f.coveredByVariant || !listed || variant.status !== 'determined');
}

/** The shared rating of a procedure under every still-possible variant, or undefined when they differ. */
function sharedRating(candidates: readonly VariantId[], procedure: ProcedureId) {
  if (candidates.length === 0) return undefined;
  const rows = candidates.map((v) => ratingFor(v, procedure));
  const first = rows[0];
  if (!first) return undefined;
  for (const r of rows) if (!r || r.rating !== first.rating || r.category !== first.category) return undefined;
  return first;
}

/**
 * The rating of one draft order under the variant choice. Pure. An order whose own reasons name another
 * indication is outside the topic whatever the patient's scenario (ORDER_INDICATION_SETS); one whose reasons
 * name a disorder outside the border too; and one carrying a red flag the variant does not cover is never
 * rated by this topic (outcome 'outside-topic', `redFlags` set), so nothing discourages it.
 */
export function rateOrder(order: DraftOrder, recognition: OrderRecognition, variant: VariantChoice, ctx: RateContext = {}): RatedOrder {
  const advancedImaging = isAdvancedImaging(order.resource, recognition);
  // Whole literals, not `{ order, recognition, advancedImaging, redFlags: none, … }`: on Node 20 a spread followed by more properties takes V8's slow
  // path (issue 13). The first four fields are the same in every branch, in the same order.
  const none: RedFlagFinding[] = [];
  if (recognition.kind === 'empty') return { order, recognition, advancedImaging, redFlags: none, outcome: 'empty', notes: [] };
  if (recognition.kind === 'outside-topic') return { order, recognition, advancedImaging, redFlags: none, outcome: 'outside-topic', notes: [] };
  const indication = orderIndication(order.resource);
  if (indication.kind === 'other') {
    return { order, recognition, advancedImaging, redFlags: none, outcome: 'outside-topic', notes: [INDICATION_NOTES.otherIndication] };
  }
  if (indication.kind === 'border') {
    return { order, recognition, advancedImaging, redFlags: none, outcome: 'outside-topic', outsideBorder: true, notes: [INDICATION_NOTES.outsideBorder] };
  }
  const notes = [...recognition.notes];
  if (indication.kind === 'unreadable') notes.push(INDICATION_NOTES.unreadable);
  else if (indication.kind === 'topic' && indication.fromText !== undefined) {
    notes.push(INDICATION_NOTES.fromText);
  }
  const row = variant.status === 'determined' ? ratingFor(variant.variant, recognition.procedure) : undefined;
  const flags = blockingFlags(ctx.redFlags ?? [], variant, row !== undefined);
  if (flags.length > 0) {
    return { order, recognition, advancedImaging, redFlags: flags, outcome: 'outside-topic', notes: [...notes, INDICATION_NOTES.redFlag] };
  }
  if (variant.status === 'undetermined') {
    const shared = sharedRating(variant.candidates, recognition.procedure);
    if (shared) {
      return {
        order,
        recognition,
        advancedImaging,
        redFlags: none,
        outcome: 'rated',
        row: shared,
        category: shared.category,
        possibleVariants: [...variant.candidates],
        notes: [...notes, INDICATION_NOTES.ambiguityDoesNotMatter],
      };
    }
  }
  if (variant.status === 'not-applicable') {
    return { order, recognition, advancedImaging, redFlags: none, outcome: 'not-applicable', notes, ...(variant.because ? { because: variant.because } : {}) };
  }
  if (variant.status !== 'determined') return { order, recognition, advancedImaging, redFlags: none, outcome: variant.status, notes };
  if (!row) return { order, recognition, advancedImaging, redFlags: none, outcome: 'not-listed', notes };
  return { order, recognition, advancedImaging, redFlags: none, outcome: 'rated', row, category: row.category, notes };
}

// ---- Spine coverage of a basket ----

/** Spine regions as bits: cervical 1, thoracic 2, lumbar 4 (7 = the whole spine). */
const CERVICAL = 1;
const THORACIC = 2;
const LUMBAR = 4;
export const WHOLE_SPINE_BITS = CERVICAL | THORACIC | LUMBAR;

/** Per-region CPT codes of spine CT, MRI and myelography (clinical doc §2.1). */
const REGION_BY_CPT: ReadonlyMap<string, number> = new Map([
  ...['72125', '72126', '72127', '72141', '72142', '72156', '62302', '72240'].map((c) => [c, CERVICAL] as const),
  ...['72128', '72129', '72130', '72146', '72147', '72157', '62303', '72255'].map((c) => [c, THORACIC] as const),
  ...['72131', '72132', '72133', '72148', '72149', '72158', '62304', '72265'].map((c) => [c, LUMBAR] as const),
]);
const REGION_TEXT: ReadonlyArray<readonly [RegExp, number]> = [
  [/\b(?:complete|whole|entire|total|full)\s+spine\b|\bneuraxis\b|\bc\s*\/\s*t\s*\/\s*l\b|\bctl\b|cervicothoracolumbar/, WHOLE_SPINE_BITS],
  [/\bcervical\b|\bc-?spine\b|\bcervicothoracic\b/, CERVICAL],
  [/\bthoracic\b|\bt-?spine\b|\bdorsal\s+spine\b|\bcervicothoracic\b|\bthoracolumbar\b/, THORACIC],
  [/\blumbar\b|\bl-?spine\b|\blumbosacral\b|\bthoracolumbar\b/, LUMBAR],
];

/** The spine regions an order names, by its CPT codes and its text (0 when it names none). */
export function spineRegionsOfOrder(order: unknown): number {
  const { codings, text } = readCode(order);
  let bits = 0;
  for (const c of codings) {
    if (c.code !== undefined && standardSystem(c) === 'cpt') bits |= REGION_BY_CPT.get(c.code) ?? 0;
  }
  for (const [re, b] of REGION_TEXT) if (re.test(text)) bits |= b;
  return bits;
}
