/**
 * The small sections a card's `detail` is made of, and what every card of one response shares (computed once
 * per response: the key evidence, what could not be read, the reason a suggested order carries). Strings from
 * the request or the record are escaped here; guideline data is our own and goes in as written.
 */
import type { CodeableConcept, Coding } from 'fhir/r4.js';
import type { DataGap, GapReason } from '../fhir/record.js';
import type { Decision, Evidence } from '../engine/types.js';
import { DEFAULT_ORDER_REASON } from '../guideline/advice.js';
import { ORDER_INDICATION_SETS } from '../guideline/order-codes.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { ratingFor } from '../guideline/ratings.js';
import type { ProcedureId, VariantId } from '../guideline/types.js';
import { keyEvidence, type EvidenceRows } from './evidence.js';
import { escapeMarkdown, table } from './markdown.js';
import type { StampContext } from './pama-rating.js';
import type { SuggestionContext } from './suggestions.js';

/** Everything a card of this response may show besides its own order: built once, shared by every card. */
export interface CardView extends SuggestionContext {
  decision: Decision;
  /** IANA zone in which clock times are shown. */
  timeZone: string;
  evidence: EvidenceRows;
  /** "Not read: …" line, or ''. */
  gaps: string;
  /** The service's public base URL for the explanation pages, when known. */
  baseUrl?: string;
  /** Studies never to suggest: in the basket, already ordered, or done (Decision.alreadyHave). */
  have: ReadonlySet<ProcedureId>;
  /** Orders whose same-region replacements stay open for them (AlreadyHave.sameRegionAs): see studiesToAvoidFor. */
  sameRegionOrders: ReadonlySet<string>;
  /** "Red flag in the record: …" line for the uncovered red flags, or ''. */
  redFlags: string;
}

export function cardView(decision: Decision, ctx: StampContext, timeZone: string, baseUrl?: string): CardView {
  // The context's fields are copied one by one, not spread: on Node 20 an object spread followed by more
  // properties (`{ ...ctx, decision }`) takes V8's slow path, ~10 µs here, more than the rest of this function.
  const view: CardView = {
    newUuid: ctx.newUuid,
    decision,
    timeZone,
    evidence: keyEvidence(decision.variant.evidence, timeZone),
    gaps: gapsLine(decision.gaps),
    reasonCode: indicationOf(decision.variant.evidence),
    have: studiesToAvoid(decision),
    sameRegionOrders: new Set((decision.alreadyHave ?? []).map((h) => h.sameRegionAs).filter((id) => id !== undefined)),
    redFlags: redFlagLine(decision),
  };
  if (ctx.qcdsmCode !== undefined) view.qcdsmCode = ctx.qcdsmCode;
  if (baseUrl) view.baseUrl = baseUrl;
  return view;
}

/**
 * Studies never to suggest (Decision.alreadyHave): in the basket, already ordered or done, and other MRI
 * protocols of a region an MRI in the basket already covers. For one order, those same-region protocols
 * stay open: they are that order's own replacements, not a second study of the region.
 */
export function studiesToAvoid(decision: Decision, forOrderId?: string): Set<ProcedureId> {
  return new Set(
    (decision.alreadyHave ?? [])
      .filter((h) => forOrderId === undefined || h.sameRegionAs === undefined || h.sameRegionAs !== forOrderId)
      .map((h) => h.procedure),
  );
}

/**
 * studiesToAvoid(view.decision, orderId), computed once per response for the orders that have no same-region
 * exception (nearly all): with many orders in the basket, a Set per order over every basket entry grew with
 * the square of the number of orders.
 */
export function studiesToAvoidFor(view: CardView, orderId: string): ReadonlySet<ProcedureId> {
  return view.sameRegionOrders.has(orderId) ? studiesToAvoid(view.decision, orderId) : view.have;
}

/** The red flags the chosen variant does not cover, in the guideline's words: imaging for them is outside this advice. */
function redFlagLine(decision: Decision): string {
  const flags = (decision.redFlags ?? []).filter((f) => !f.coveredByVariant);
  if (flags.length === 0) return '';
  const items = [...new Set(flags.map((f) => `${f.label} (${f.concern})`))].map(escapeMarkdown);
  return `**Red flag in the record, outside this advice:** ${items.join('; ')}.`;
}

const INDICATION_FACTS: ReadonlySet<string> = new Set(ORDER_INDICATION_SETS);

/**
 * The coded indication the decision rests on: the first coded (not free-text) evidence of a topic indication
 * (headache, suspected SIH, CSF leak, post-puncture headache, decreased consciousness), else the topic's own
 * code. A suggested order whose draft had no reason carries it.
 */
function indicationOf(evidence: readonly Evidence[]): CodeableConcept[] {
  const coded = evidence.find((e) => INDICATION_FACTS.has(e.fact) && !e.textMatch && e.system && e.code);
  // Optional fields are assigned, not spread in (`...(x ? { x } : {})`): same keys in the same order, without
  // V8's slow path for a spread inside an object literal.
  let coding: Coding;
  if (coded) {
    coding = { system: coded.system as string, code: coded.code as string };
    if (coded.display) coding.display = coded.display;
  } else coding = { ...DEFAULT_ORDER_REASON };
  const concept: CodeableConcept = { coding: [coding] };
  if (coding.display) concept.text = coding.display;
  return [concept];
}

/** "Usually Appropriate (8)", or undefined when the variant does not list the procedure. */
export function ratingLabel(variant: VariantId, procedure: ProcedureId): string | undefined {
  const row = ratingFor(variant, procedure);
  return row ? `${row.category} (${row.rating})` : undefined;
}

export interface StudyLine {
  procedure: ProcedureId;
  /** Why the row is shown, e.g. "ordered", "suggested". */
  role?: string;
}

/** The ordered and suggested studies side by side: ACR rating and adult radiation level. */
export function studiesTable(variant: VariantId, lines: readonly StudyLine[]): string {
  const rows = lines.map(({ procedure, role }) => {
    const def = PROCEDURES[procedure];
    return [
      role ? `${def.acrName} (${role})` : def.acrName,
      ratingLabel(variant, procedure) ?? 'Not rated here',
      def.adultRrl,
    ];
  });
  return table(['Study', 'ACR rating', 'Radiation'], rows);
}

const GAP_WORDS: Record<GapReason, string> = {
  'not-available': 'not sent, no FHIR server to read it from',
  'prefetch-error': 'the EHR sent an error',
  'fetch-failed': 'the FHIR server answered with an error',
  timeout: 'the FHIR server did not answer in time',
  truncated: 'only partly read',
  refused: 'FHIR server not on the allow-list',
  malformed: 'some records had wrong data types and were left out',
};

/**
 * What the service could not read, in one line, so the clinician knows the answer may rest on incomplete data.
 * The technical detail (HTTP status, connection error) stays in the logs.
 */
export function gapsLine(gaps: readonly DataGap[]): string {
  const items = [...new Set(gaps.map((g) => `${escapeMarkdown(g.resourceType)} (${GAP_WORDS[g.reason] ?? escapeMarkdown(g.reason)})`))];
  return items.length > 0 ? `**Not read from the record:** ${items.join('; ')}.` : '';
}

/** A bold-titled bullet list of our own or escaped sentences, or ''. */
export function listBlock(title: string, items: readonly string[], escape = true): string {
  const unique = [...new Set(items)];
  if (unique.length === 0) return '';
  return `**${title}**\n\n${unique.map((i) => `- ${escape ? escapeMarkdown(i) : i}`).join('\n')}`;
}
