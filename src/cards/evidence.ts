/**
 * The key evidence of a decision as a clinician reads it: at most MAX_EVIDENCE_ROWS rows, one per record (a
 * Condition that supports three facts is one row), in clinical words, with dates in the site's time zone, and
 * "and N more" for the rest. Built once per response and shared by every card, so rendering costs one pass
 * over the evidence the decision read, whatever the number of orders.
 */
import type { Evidence } from '../engine/types.js';
import { escapeMarkdown } from './markdown.js';

export const MAX_EVIDENCE_ROWS = 5;

/** Clinician-facing names of the engine's fact ids (src/engine/facts*.ts); unknown ids fall back to words. */
const FACT_LABELS: Readonly<Record<string, string>> = {
  'sih-suspicion': 'Orthostatic headache / suspected intracranial hypotension',
  headache: 'Headache',
  'headache-onset': 'Headache onset',
  'chronic-headache': 'Chronic headache',
  'brain-mri-negative': 'Brain MRI without features of SIH',
  'brain-mri-positive': 'Brain MRI with features of SIH',
  'spine-mri-negative': 'Spine MRI without a leak',
  'spine-mri-positive': 'Spine MRI with features of a leak',
  'brain-imaging-features': 'Brain-imaging features of SIH',
  'sih-brain-features': 'Brain-imaging features of SIH',
  'bern-score': 'Bern SIH score',
  'decreased-consciousness': 'Decreased consciousness',
  'gcs-total': 'Glasgow Coma Scale',
  gcs: 'Glasgow Coma Scale',
  'spinal-intervention': 'Dural puncture or spinal intervention',
  'post-puncture-headache': 'Post-dural-puncture headache',
  'blood-patch': 'Epidural blood or fibrin glue patch',
  'rebound-headache': 'Rebound headache after the patch (worse lying down)',
  'headache-after-patch': 'Headache after the patch',
  'post-patch-orthostatic-headache': 'Orthostatic headache after the patch (recurrence)',
  'spine-mri-partial': 'Spine MRI of part of the spine only',
  myelography: 'Myelography',
  'csf-leak-finding': 'CSF leak',
  'not-adult': 'Age under 18',
};

export function factLabel(fact: string): string {
  return FACT_LABELS[fact] ?? fact.replace(/[-_]/g, ' ');
}

const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    FORMATTERS.set(timeZone, f);
  }
  return f;
}

/**
 * A FHIR date or dateTime for a clinician: a date stays as written ("2026-03-02", "2026-03"); a dateTime with
 * a zone is shown in the site's zone, with the zone ("2026-03-02 15:30 CET"); a dateTime without a zone (FHIR
 * forbids it, records have it) shows its date only, since its clock time could be any zone's. Anything that is
 * not a FHIR date is escaped and shown as it came.
 */
export function siteDate(value: string, timeZone: string): string {
  const trimmed = value.trim();
  const m = FHIR_DATE.exec(trimmed);
  if (!m) return escapeMarkdown(value);
  const [, year, month, day, hour, , zone] = m;
  // The pattern gives a day only with a month.
  const date = month === undefined ? year! : day === undefined ? `${year}-${month}` : `${year}-${month}-${day}`;
  if (hour === undefined || zone === undefined) return date;
  return clockTime(trimmed, timeZone) ?? date;
}

/**
 * A zoned FHIR dateTime in the site's zone ("2026-03-02 15:30 CET"), or undefined when it is no instant.
 * Formatted afresh each time: a cache across calls would keep patients' dates of care after their call, and
 * on new records (the usual case) it would not hit anyway; only a benchmark that repeats one body gains.
 */
function clockTime(dateTime: string, timeZone: string): string | undefined {
  const instant = new Date(dateTime);
  if (Number.isNaN(instant.getTime())) return undefined;
  const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) parts[p.type] = p.value;
  return `${parts['year']}-${parts['month']}-${parts['day']} ${parts['hour']}:${parts['minute']} ${parts['timeZoneName']}`;
}

export interface EvidenceRows {
  /** Markdown list items (escaped), at most MAX_EVIDENCE_ROWS. */
  rows: string[];
  /** Distinct records beyond the rows shown. */
  more: number;
}

function rowOf(e: Evidence, timeZone: string): string {
  const label = factLabel(e.fact);
  const parts = [label];
  // The record's own words only when they add something to the finding's name.
  if (e.display && !label.toLowerCase().includes(e.display.toLowerCase().replace(/\s*\([^)]*\)\s*$/, ''))) {
    parts.push(`(${e.display})`);
  }
  if (e.textMatch) parts.push('(from free text)');
  const text = escapeMarkdown(parts.join(' '));
  return e.date ? `${text}, ${siteDate(e.date, timeZone)}` : text;
}

/**
 * One row per record, first seen first; the draft orders of the call are not evidence about the patient and
 * are left out. One pass over the evidence; rows are formatted only for the ones shown.
 */
export function keyEvidence(evidence: readonly Evidence[], timeZone: string, max = MAX_EVIDENCE_ROWS): EvidenceRows {
  const seen = new Set<string>();
  const shown: Evidence[] = [];
  for (const e of evidence) {
    if (e.resourceType === 'ServiceRequest') continue;
    const key = e.id ? `${e.resourceType}/${e.id}` : `${e.resourceType}|${e.fact}|${e.display ?? ''}|${e.date ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (shown.length < max) shown.push(e);
  }
  return { rows: shown.map((e) => rowOf(e, timeZone)), more: seen.size - shown.length };
}

/** The evidence as a titled markdown list, or '' when there is none. */
export function evidenceBlock(title: string, ev: EvidenceRows): string {
  if (ev.rows.length === 0) return '';
  const items = ev.more > 0 ? [...ev.rows, `and ${ev.more} more`] : ev.rows;
  return `**${title}**\n\n${items.map((r) => `- ${r}`).join('\n')}`;
}
