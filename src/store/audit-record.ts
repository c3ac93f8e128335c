/**
 * The decision audit record: one per hook call, built from the request, the PatientRecord, the Decision
 * and the response, keeping only what explains the advice and joins it to feedback. It is built by
 * picking fields one by one (never by copying objects) so that no patient name, identifier, free text,
 * date, draft order text, prefetch or token can slip in when those types grow new fields.
 *
 * Compact (version 2, issue 13): text that is the same on every card (our override-reason table) is stored
 * as codes, and the report reads the displays back from the table; the record is one row of the decisions
 * table plus one (card uuid, card type) row per card, which feedback joins to.
 *
 * The input is described here by its shape (what the audit reads of a hook call), not by the protocol's
 * and advisor's types: the store is the lower layer, and a DecisionEvent fits this shape as it is.
 */
import type { DataGap, FetchTiming } from '../fhir/record.js';
import type { Decision, Evidence, HookName, NextStep, RatedOrder } from '../engine/types.js';
import type { Category, ProcedureId, VariantId } from '../guideline/types.js';
import { OVERRIDE_REASON_DISPLAYS, OVERRIDE_REASON_SYSTEM } from '../guideline/override-reasons.js';
import { hashKeyFingerprint, hashPatientId } from './patient-hash.js';

export const AUDIT_RECORD_VERSION = 2;

/**
 * Card types the report groups by. A card may name its type in `source.topic.code`; otherwise it is
 * derived from the card and the decision (see `cardTypeOf`).
 */
export const CARD_TYPES = [
  'order-warning', // a selected/signed order rated lower than the alternatives
  'order-info', // a rated order that needs no change
  'undetermined', // the variant could not be chosen: says what is missing
  'next-step', // patient-view: the imaging the variant rates Usually Appropriate
  'not-applicable', // the record does not suggest intracranial hypotension
  'data-gap', // the service could not read part of the record
  'info', // anything else
] as const;
export type CardType = (typeof CARD_TYPES)[number];

export interface AuditEvidence {
  fact: string;
  resourceType: string;
  id?: string;
  system?: string;
  code?: string;
  textMatch?: boolean;
}

export interface AuditOrder {
  recognition: 'procedure' | 'outside-topic' | 'empty';
  procedure?: ProcedureId;
  outcome: RatedOrder['outcome'];
  category?: Category;
  rating?: number;
}

export type Indicator = 'info' | 'warning' | 'critical';

/**
 * An override reason a card offered: the bare code when it is one of our table's (OVERRIDE_REASON_SYSTEM,
 * with our display), else the whole coding. Our service only offers the table's.
 */
export type AuditOverrideReason = string | { system: string; code: string; display?: string };

export interface AuditCard {
  uuid: string;
  cardType: CardType;
  indicator: Indicator;
  /** Suggestion labels are our own text (the cards module writes them), kept so the report can name them. */
  suggestions: Array<{ uuid: string; label: string }>;
  /** The override reasons the card offered. */
  overrideReasons: AuditOverrideReason[];
}

/** What the audit reads of a card (a CDS Hooks Card fits it). */
export interface AuditableCard {
  uuid: string;
  indicator: Indicator;
  source: { topic?: { code?: string } };
  suggestions?: ReadonlyArray<{ uuid: string; label: string }>;
  overrideReasons?: ReadonlyArray<{ system: string; code: string; display?: string }>;
}

export interface AuditRecord {
  version: typeof AUDIT_RECORD_VERSION;
  receivedAt: string;
  serviceId: string;
  hook: HookName;
  hookInstance: string;
  /** HMAC-SHA256(AUDIT_HASH_KEY, patientId), hex. The patient id itself is never stored. */
  patientHash: string;
  /**
   * Which key made the hashes of this record (AUDIT_HASH_KEY_ID, else a fingerprint of the key), in the record
   * JSON: after a key rotation, rows of the old and the new key are told apart, and an analysis that groups
   * by patient hash must stay within one id (the same patient hashes differently under two keys).
   */
  hashKeyId: string;
  variant: {
    status: Decision['variant']['status'];
    /** Set when status is 'determined'. */
    number?: VariantId;
    /** Set when status is 'undetermined': the variants still possible. */
    candidates?: VariantId[];
  };
  evidence: AuditEvidence[];
  orders: AuditOrder[];
  nextSteps: Array<{ kind: NextStep['kind']; procedures?: ProcedureId[]; result?: string }>;
  pitfalls: string[];
  cards: AuditCard[];
  gaps: DataGap[];
  /** Types that came in the prefetch without a problem (they have no read time worth a row each). */
  prefetched: string[];
  /** The FHIR reads of the call (and any prefetch entry that was not ok), one each. */
  timings: FetchTiming[];
  latencyMs: number;
}

/** What the audit reads of an answered hook call (the advisor's DecisionEvent fits it). */
export interface AuditSource {
  serviceId: string;
  request: { hook: HookName; hookInstance: string; context: { patientId: string } };
  record: { gaps: readonly DataGap[]; timings: readonly FetchTiming[] };
  decision: Decision;
  response: { cards: readonly AuditableCard[] };
  latencyMs: number;
  receivedAt: Date;
}

/** An answered hook call and the key for the patient-id hash (with its id, when the operator names one). */
export interface AuditInput extends AuditSource {
  hashKey: string;
  hashKeyId?: string;
}

export function buildAuditRecord(input: AuditInput): AuditRecord {
  const { decision, hashKey } = input;
  const patientId = input.request.context.patientId;
  // One HMAC per distinct id: a resource that supports several facts appears in the evidence several times.
  const hashes = new Map<string, string>();
  const hash = (id: string): string => {
    let h = hashes.get(id);
    if (h === undefined) {
      h = hashPatientId(hashKey, id);
      hashes.set(id, h);
    }
    return h;
  };
  const prefetchedOk = (t: FetchTiming): boolean => t.source === 'prefetch' && t.status === 'ok';
  return {
    version: AUDIT_RECORD_VERSION,
    receivedAt: input.receivedAt.toISOString(),
    serviceId: input.serviceId,
    hook: input.request.hook,
    hookInstance: input.request.hookInstance,
    patientHash: hash(patientId),
    hashKeyId: input.hashKeyId ?? hashKeyFingerprint(hashKey),
    variant: auditVariant(decision),
    evidence: decision.variant.evidence.map((e) => auditEvidence(e, hash)),
    orders: decision.orders.map(auditOrder),
    nextSteps: decision.nextSteps.map(auditNextStep),
    pitfalls: [...decision.pitfalls],
    cards: input.response.cards.map((c) => auditCard(c, decision)),
    // Gaps and timings carry no patient data by contract (src/fhir/record.ts); still picked field by field.
    gaps: uniqueGaps([...input.record.gaps, ...decision.gaps]),
    prefetched: input.record.timings.filter(prefetchedOk).map((t) => t.resourceType),
    timings: input.record.timings.filter((t) => !prefetchedOk(t)).map((t) => ({
      resourceType: t.resourceType,
      source: t.source,
      ms: t.ms,
      pages: t.pages,
      status: t.status,
    })),
    latencyMs: input.latencyMs,
  };
}

function auditVariant(decision: Decision): AuditRecord['variant'] {
  const v = decision.variant;
  if (v.status === 'determined') return { status: v.status, number: v.variant };
  if (v.status === 'undetermined') return { status: v.status, candidates: [...v.candidates] };
  return { status: v.status };
}

/**
 * Resource references and codes only: `display` may be the patient's own text for a text match, and
 * `date` is a date about the patient, so neither is kept. A Patient resource's id IS the patient id,
 * so it is stored hashed like the patient key.
 */
function auditEvidence(e: Evidence, hash: (id: string) => string): AuditEvidence {
  const out: AuditEvidence = { fact: e.fact, resourceType: e.resourceType };
  // Every resource id is keyed-hashed: with EHR access, `Condition/abc` leads straight to the patient, so
  // a plain id next to a hashed patient id would undo the pseudonymisation. The same resource always
  // hashes alike, so audit records can still be compared; the Patient hash equals the patient hash.
  if (e.id !== undefined) out.id = e.resourceType === 'Patient' ? hash(e.id) : hash(`${e.resourceType}/${e.id}`);
  if (e.system !== undefined) out.system = e.system;
  if (e.code !== undefined) out.code = e.code;
  if (e.textMatch !== undefined) out.textMatch = e.textMatch;
  return out;
}

function auditOrder(o: RatedOrder): AuditOrder {
  const out: AuditOrder = { recognition: o.recognition.kind, outcome: o.outcome };
  if (o.recognition.kind === 'procedure') out.procedure = o.recognition.procedure;
  if (o.category !== undefined) out.category = o.category;
  else if (o.row) out.category = o.row.category;
  if (o.row) out.rating = o.row.rating;
  return out;
}

function auditNextStep(s: NextStep): AuditRecord['nextSteps'][number] {
  if (s.kind === 'order-imaging') return { kind: s.kind, procedures: [...s.procedures] };
  return { kind: s.kind, result: s.result };
}

function auditCard(card: AuditableCard, decision: Decision): AuditCard {
  return {
    uuid: card.uuid,
    cardType: cardTypeOf(card, decision),
    indicator: card.indicator,
    suggestions: (card.suggestions ?? []).map((s) => ({ uuid: s.uuid, label: s.label })),
    overrideReasons: (card.overrideReasons ?? []).map(compactReason),
  };
}

function compactReason(r: { system: string; code: string; display?: string }): AuditOverrideReason {
  const ours = OVERRIDE_REASON_DISPLAYS.get(r.code);
  if (r.system === OVERRIDE_REASON_SYSTEM && ours !== undefined && ours === r.display) return r.code;
  return { system: r.system, code: r.code, ...(r.display !== undefined ? { display: r.display } : {}) };
}

/** `system|code` → display of the override reasons a card offered, from its stored (compact or full) form. */
export function offeredReasonDisplays(reasons: readonly unknown[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of reasons) {
    if (typeof r === 'string') {
      const display = OVERRIDE_REASON_DISPLAYS.get(r);
      if (display !== undefined) out.set(`${OVERRIDE_REASON_SYSTEM}|${r}`, display);
    } else if (r !== null && typeof r === 'object') {
      const c = r as { system?: unknown; code?: unknown; display?: unknown };
      if (typeof c.display === 'string') out.set(`${typeof c.system === 'string' ? c.system : ''}|${typeof c.code === 'string' ? c.code : ''}`, c.display);
    }
  }
  return out;
}

/**
 * The card type the report groups by. The cards module can state it in `source.topic.code` (any system)
 * using one of CARD_TYPES; without that it is derived: on order hooks from the variant status and the
 * indicator (a warning or critical card about an order means "reconsider this order"), on patient-view
 * from whether the decision proposes next steps.
 */
export function cardTypeOf(card: AuditableCard, decision: Decision): CardType {
  const declared = card.source.topic?.code;
  if (declared !== undefined && (CARD_TYPES as readonly string[]).includes(declared)) {
    return declared as CardType;
  }
  if (decision.variant.status === 'undetermined') return 'undetermined';
  if (decision.variant.status === 'not-applicable') return 'not-applicable';
  if (decision.hook === 'patient-view') return decision.nextSteps.length > 0 ? 'next-step' : 'info';
  return card.indicator === 'info' ? 'order-info' : 'order-warning';
}

function uniqueGaps(gaps: DataGap[]): DataGap[] {
  const seen = new Set<string>();
  const out: DataGap[] = [];
  for (const g of gaps) {
    const key = `${g.resourceType}|${g.reason}|${g.detail ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ resourceType: g.resourceType, reason: g.reason, ...(g.detail !== undefined ? { detail: g.detail } : {}) });
  }
  return out;
}
