/**
 * The feedback report: what was shown, what clinicians did with it, per card type and variant. The
 * store fetches plain rows (SQL any database can run); the counting rules live here, pure and shared
 * by `npm run report` and GET /analytics/summary.
 *
 * Counting rules, so the figures mean one thing:
 * - The window selects cards by when they were shown (the decision's receive time); their feedback counts
 *   whenever it arrived. Feedback for cards with no audited decision is selected by its receive time.
 * - A card's outcome is its latest feedback (by outcomeTimestamp): a client may report a card again, or
 *   a clinician may accept after first overriding. So accepted + overridden <= cards shown.
 * - Override rate = overridden / (accepted + overridden). Ignored cards are never reported by clients
 *   (CDS Hooks 2.0.1 §Feedback), so they cannot be told apart from cards not yet acted on and are left out.
 */
import { offeredReasonDisplays } from './audit-record.js';

export interface TimeWindow {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export interface ReasonCount {
  system: string;
  code: string;
  display?: string;
  count: number;
}

export interface SuggestionCount {
  label: string;
  count: number;
}

export interface OutcomeFigures {
  cardsShown: number;
  accepted: number;
  overridden: number;
  /** null when no card in the group has feedback. Rounded to 4 decimals. */
  overrideRate: number | null;
}

export interface GroupSummary extends OutcomeFigures {
  cardType: string;
  /** 'V1'..'V6', 'undetermined', 'not-applicable', or 'unknown' for feedback on unaudited cards. */
  variant: string;
  /** The five most frequent, most frequent first. */
  topOverrideReasons: ReasonCount[];
  suggestionsChosen: SuggestionCount[];
}

export interface ReportSummary {
  window: { from: string | null; to: string | null };
  decisions: number;
  totals: OutcomeFigures;
  /** Cards that received feedback but match no audited decision, each counted once (group 'unknown'). */
  unknownCardFeedback: number;
  groups: GroupSummary[];
}

/** One shown card with its latest feedback, if any (what the store's query returns). */
export interface ShownCardRow {
  decisionId: number;
  cardUuid: string;
  cardType: string;
  variantKey: string;
  /** JSON array of the override reasons the card offered (codes, or codings in version-1 records). */
  overrideReasonsJson: string;
  outcome: 'accepted' | 'overridden' | null;
  reasonSystem: string | null;
  reasonCode: string | null;
  reasonDisplay: string | null;
  /** JSON array of accepted suggestion uuids. */
  acceptedSuggestionsJson: string | null;
}

/** The latest feedback of a card with no audited decision. */
export interface UnknownCardRow {
  outcome: 'accepted' | 'overridden';
  reasonSystem: string | null;
  reasonCode: string | null;
  reasonDisplay: string | null;
}

export const UNKNOWN = 'unknown';
const TOP_REASONS = 5;

interface Tally {
  cardsShown: number;
  accepted: number;
  overridden: number;
  reasons: Map<string, ReasonCount>;
  suggestions: Map<string, number>;
}

/**
 * Builds the summary. `suggestionLabel(decisionId, cardUuid, suggestionUuid)` names an accepted
 * suggestion from the audited card (our own label); unnamed ones are counted under their uuid.
 */
export function summarize(
  window: TimeWindow,
  decisions: number,
  shown: readonly ShownCardRow[],
  unknown: readonly UnknownCardRow[],
  suggestionLabel: (decisionId: number, cardUuid: string, suggestionUuid: string) => string | undefined,
): ReportSummary {
  const groups = new Map<string, { cardType: string; variant: string; tally: Tally }>();
  const tallyOf = (cardType: string, variant: string): Tally => {
    const key = `${cardType}\u0000${variant}`;
    let g = groups.get(key);
    if (!g) {
      g = { cardType, variant, tally: { cardsShown: 0, accepted: 0, overridden: 0, reasons: new Map(), suggestions: new Map() } };
      groups.set(key, g);
    }
    return g.tally;
  };

  for (const row of latestShowingPerCard(shown)) {
    const t = tallyOf(row.cardType, row.variantKey);
    t.cardsShown += 1;
    if (row.outcome === 'accepted') {
      t.accepted += 1;
      for (const id of parseStringArray(row.acceptedSuggestionsJson)) {
        const label = suggestionLabel(row.decisionId, row.cardUuid, id) ?? id;
        t.suggestions.set(label, (t.suggestions.get(label) ?? 0) + 1);
      }
    } else if (row.outcome === 'overridden') {
      t.overridden += 1;
      countReason(t, row, offeredDisplays(row.overrideReasonsJson));
    }
  }
  for (const row of unknown) {
    const t = tallyOf(UNKNOWN, UNKNOWN);
    if (row.outcome === 'accepted') t.accepted += 1;
    else {
      t.overridden += 1;
      countReason(t, row, new Map());
    }
  }

  const out: GroupSummary[] = [...groups.values()]
    .sort((a, b) => compareGroup(a.cardType, b.cardType) || compareGroup(a.variant, b.variant))
    .map(({ cardType, variant, tally }) => ({
      cardType,
      variant,
      ...figures(tally.cardsShown, tally.accepted, tally.overridden),
      topOverrideReasons: [...tally.reasons.values()]
        .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code))
        .slice(0, TOP_REASONS),
      suggestionsChosen: [...tally.suggestions.entries()]
        .map(([label, count]) => ({ label, count }))
        .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label)),
    }));

  const sum = (f: (g: GroupSummary) => number): number => out.reduce((n, g) => n + f(g), 0);
  return {
    window: { from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null },
    decisions,
    totals: figures(sum((g) => g.cardsShown), sum((g) => g.accepted), sum((g) => g.overridden)),
    unknownCardFeedback: unknown.length,
    groups: out,
  };
}

/** A card uuid shown by two audited decisions (a retried hookInstance) counts once, for the later one. */
function latestShowingPerCard(rows: readonly ShownCardRow[]): ShownCardRow[] {
  const byCard = new Map<string, ShownCardRow>();
  for (const r of rows) {
    const prev = byCard.get(r.cardUuid);
    if (!prev || r.decisionId > prev.decisionId) byCard.set(r.cardUuid, r);
  }
  return [...byCard.values()];
}

function countReason(
  t: Tally,
  row: { reasonSystem: string | null; reasonCode: string | null; reasonDisplay: string | null },
  offered: Map<string, string>,
): void {
  // An override without a reason coding (comment only, or nothing) is counted as its own bucket.
  const system = row.reasonSystem ?? '';
  const code = row.reasonCode ?? '(none given)';
  const key = `${system}|${code}`;
  const prev = t.reasons.get(key);
  if (prev) {
    prev.count += 1;
    return;
  }
  // Prefer the display the card offered (our text): the reference client sends none.
  const display = offered.get(key) ?? row.reasonDisplay ?? undefined;
  t.reasons.set(key, { system, code, ...(display !== undefined ? { display } : {}), count: 1 });
}

function offeredDisplays(json: string): Map<string, string> {
  try {
    const list: unknown = JSON.parse(json);
    // Codes (compact records, version 2) or whole codings (version 1): see audit-record.ts.
    return Array.isArray(list) ? offeredReasonDisplays(list) : new Map();
  } catch {
    // A damaged column only loses the display; the counts stand.
    return new Map();
  }
}

/**
 * The suggestion labels of an audited decision's cards, from its record JSON: `cardUuid|suggestionUuid` →
 * label. Version-2 records keep them there only (no row per suggestion).
 */
export function suggestionLabelsOf(recordJson: string): Map<string, string> {
  const out = new Map<string, string>();
  try {
    const rec = JSON.parse(recordJson) as { cards?: Array<{ uuid?: unknown; suggestions?: Array<{ uuid?: unknown; label?: unknown }> }> };
    for (const card of rec.cards ?? []) {
      for (const s of card.suggestions ?? []) {
        if (typeof card.uuid === 'string' && typeof s.uuid === 'string' && typeof s.label === 'string') out.set(`${card.uuid}|${s.uuid}`, s.label);
      }
    }
  } catch {
    // A damaged record loses its labels; the suggestion is then counted under its uuid.
  }
  return out;
}

function parseStringArray(json: string | null): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function figures(cardsShown: number, accepted: number, overridden: number): OutcomeFigures {
  const acted = accepted + overridden;
  return {
    cardsShown,
    accepted,
    overridden,
    overrideRate: acted === 0 ? null : Math.round((overridden / acted) * 10_000) / 10_000,
  };
}

/** Alphabetical, except that 'unknown' sorts last. */
function compareGroup(a: string, b: string): number {
  if (a === b) return 0;
  if (a === UNKNOWN) return 1;
  if (b === UNKNOWN) return -1;
  return a < b ? -1 : 1;
}

// ---- Time window parsing, shared by the CLI and the analytics route ----

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export type WindowParse =
  | { ok: true; window: TimeWindow }
  | { ok: false; parameter: 'from' | 'to'; message: string };

/**
 * Parses `from`/`to` as ISO dates (`2026-11-01`, read as UTC days) or date-times with a zone. A date-only
 * `to` includes that whole day (`--to 2026-11-30` means up to the end of November), so it becomes the
 * next midnight, exclusive.
 */
export function parseTimeWindow(from: string | undefined, to: string | undefined): WindowParse {
  const window: TimeWindow = {};
  if (from !== undefined && from !== '') {
    const d = parseInstant(from, false);
    if (!d) return { ok: false, parameter: 'from', message: `from: "${clip(from)}" is not an ISO date (YYYY-MM-DD) or date-time with a zone` };
    window.from = d;
  }
  if (to !== undefined && to !== '') {
    const d = parseInstant(to, true);
    if (!d) return { ok: false, parameter: 'to', message: `to: "${clip(to)}" is not an ISO date (YYYY-MM-DD) or date-time with a zone` };
    window.to = d;
  }
  if (window.from && window.to && window.from.getTime() >= window.to.getTime()) {
    return { ok: false, parameter: 'to', message: 'to: must be after from' };
  }
  return { ok: true, window };
}

function parseInstant(s: string, endOfDay: boolean): Date | undefined {
  const m = DATE_ONLY.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    // Reject 2026-02-30 and the like, which Date.UTC would silently roll over.
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return undefined;
    if (endOfDay) date.setUTCDate(date.getUTCDate() + 1);
    return date;
  }
  if (!DATE_TIME.test(s)) return undefined;
  const date = new Date(s);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

// ---- Human-readable rendering (the CLI's default output) ----

export function formatSummaryText(s: ReportSummary): string {
  const lines: string[] = [];
  lines.push(`Card feedback report: ${s.window.from ?? 'beginning'} to ${s.window.to ?? 'now'} (end exclusive)`);
  lines.push(
    `Decisions: ${s.decisions}  Cards shown: ${s.totals.cardsShown}  Accepted: ${s.totals.accepted}  ` +
      `Overridden: ${s.totals.overridden}  Override rate: ${percent(s.totals.overrideRate)}  ` +
      `Feedback on unknown cards: ${s.unknownCardFeedback}`,
  );
  lines.push('');
  if (s.groups.length === 0) {
    lines.push('No cards were shown in this window.');
    return lines.join('\n') + '\n';
  }
  const header = ['Card type', 'Variant', 'Shown', 'Accepted', 'Overridden', 'Override rate'];
  const rows = s.groups.map((g) => [
    g.cardType,
    g.variant,
    String(g.cardsShown),
    String(g.accepted),
    String(g.overridden),
    percent(g.overrideRate),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  lines.push(fmt(header));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) lines.push(fmt(r));
  for (const g of s.groups) {
    if (g.topOverrideReasons.length === 0 && g.suggestionsChosen.length === 0) continue;
    lines.push('');
    lines.push(`${g.cardType} / ${g.variant}`);
    if (g.topOverrideReasons.length > 0) {
      lines.push('  Top override reasons:');
      for (const r of g.topOverrideReasons) lines.push(`    ${r.count}  ${r.display ?? r.code}${r.display ? ` (${r.code})` : ''}`);
    }
    if (g.suggestionsChosen.length > 0) {
      lines.push('  Suggestions chosen:');
      for (const c of g.suggestionsChosen) lines.push(`    ${c.count}  ${c.label}`);
    }
  }
  return lines.join('\n') + '\n';
}

function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}
