/**
 * The sections of a card's `detail` markdown. Every string that came from the request or the record (ids,
 * codes, displays, dates, gap details) or from the engine (rationale, notes) is escaped here; guideline data
 * (variant texts, procedure names, advice) is our own and goes in as written.
 */
import type { DataGap, GapReason } from '../fhir/record.js';
import type { Evidence } from '../engine/types.js';
import type { ProcedureId, VariantId } from '../guideline/types.js';
import { PITFALLS, isPitfallId } from '../guideline/advice.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { ratingFor } from '../guideline/ratings.js';
import { TOPIC } from '../guideline/topic.js';
import { VARIANTS } from '../guideline/variants.js';
import { bullets, escapeMarkdown, escapeTableCell, heading, table } from './markdown.js';

/** "ACR variant 5: <verbatim ACR text>" (clinical doc §1.3). */
export function variantSection(variant: VariantId): string {
  return `${heading(`Clinical scenario (ACR variant ${variant})`)}\n\n${VARIANTS[variant].text}`;
}

export interface RatingLine {
  procedure: ProcedureId;
  /** Why the row is shown, e.g. "ordered", "suggested". */
  role?: string;
}

/**
 * The ACR rating rows with category, rating and adult relative radiation level (clinical doc §1.3). A
 * procedure the variant does not list says so instead of inventing a rating.
 */
export function ratingSection(variant: VariantId, lines: readonly RatingLine[]): string {
  const rows = lines.map(({ procedure, role }) => {
    const def = PROCEDURES[procedure];
    const name = role ? `${def.acrName} (${role})` : def.acrName;
    const row = ratingFor(variant, procedure);
    return row
      ? [name, row.category, String(row.rating), row.adultRrl]
      : [name, 'Not listed for this variant', '–', def.adultRrl];
  });
  const body = table(['Procedure', 'ACR category', 'Rating (1–9)', 'Adult radiation (RRL)'], rows);
  return body ? `${heading('ACR ratings')}\n\n${body}` : '';
}

const SYSTEM_LABELS: Readonly<Record<string, string>> = {
  'http://snomed.info/sct': 'SNOMED CT',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
  'http://loinc.org': 'LOINC',
  'http://www.ama-assn.org/go/cpt': 'CPT',
};

/** The code cell: display, then system label and code; "(text match)" when only free text matched. */
function codeCell(e: Evidence): string {
  const parts: string[] = [];
  if (e.display) parts.push(escapeTableCell(e.display));
  if (e.code) {
    const system = e.system ? (SYSTEM_LABELS[e.system] ?? e.system) : undefined;
    parts.push(`(${escapeTableCell(system ? `${system} ${e.code}` : e.code)})`);
  }
  if (e.textMatch) parts.push('(text match)');
  return parts.length > 0 ? parts.join(' ') : '–';
}

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
  'spinal-intervention': 'Dural puncture or spinal intervention',
  'post-puncture-headache': 'Post-dural-puncture headache',
  'blood-patch': 'Epidural blood or fibrin glue patch',
  'rebound-headache': 'Rebound headache after the patch (worse lying down)',
  'headache-after-patch': 'Headache after the patch',
  'post-patch-orthostatic-headache': 'Orthostatic headache after the patch (recurrence)',
  'spine-mri-partial': 'Spine MRI of part of the spine only',
  myelography: 'Myelography',
  'not-adult': 'Age under 18',
};

export function factLabel(fact: string): string {
  return FACT_LABELS[fact] ?? fact.replace(/-/g, ' ');
}

/**
 * FHIR date / dateTime (YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]) in its parts. The
 * shape is checked strictly: anything else is not a date and is shown escaped, as it came.
 */
const FHIR_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/**
 * A date as a clinician reads it: "2026-03-02", with " 14:30" when a time is given (the record's own clock
 * time; the zone is not converted). The result holds only digits, `-`, `:` and a space, which form no markdown
 * inside a table cell; anything that is not a FHIR date is escaped instead.
 */
export function displayDate(value: string): string {
  const m = FHIR_DATE.exec(value.trim());
  if (!m) return escapeTableCell(value);
  const [, year, month, day, hour, minute] = m;
  const date = [year, month, day].filter((p) => p !== undefined).join('-');
  return hour !== undefined && minute !== undefined ? `${date} ${hour}:${minute}` : date;
}

/** The resources that chose the variant: type, id, code, date. */
export function evidenceSection(title: string, evidence: readonly Evidence[]): string {
  const rows = evidence.map((e) => [
    escapeTableCell(factLabel(e.fact)),
    escapeTableCell(e.id ? `${e.resourceType}/${e.id}` : e.resourceType),
    codeCell(e),
    e.date ? displayDate(e.date) : 'undated',
  ]);
  const body = table(['Finding', 'Record', 'Code', 'Date'], rows);
  return body ? `${heading(title)}\n\n${body}` : '';
}

/** A titled list of engine sentences (rationale, cautions, missing facts, conflicts, technique notes). */
export function listSection(title: string, items: readonly string[]): string {
  const unique = [...new Set(items)];
  return unique.length > 0 ? `${heading(title)}\n\n${bullets(unique.map(escapeMarkdown))}` : '';
}

const GAP_WORDS: Record<GapReason, string> = {
  'not-available': 'not sent, and no FHIR server to read it from',
  'prefetch-error': 'the EHR sent an error instead of the data',
  'fetch-failed': 'the FHIR server answered with an error',
  timeout: 'the FHIR server did not answer in time',
  truncated: 'only partly read',
  refused: 'the FHIR server is not on the allow-list',
  malformed: 'some records had wrong data types and were left out',
};

/** What the service could not read, so the clinician knows the rating may rest on incomplete data. */
export function gapsSection(gaps: readonly DataGap[]): string {
  // The technical detail (HTTP status, connection error) stays in the logs: echoed to whoever called, it
  // would tell a caller what each host and port it named answered.
  const items = gaps.map((g) => `${escapeMarkdown(g.resourceType)}: ${GAP_WORDS[g.reason] ?? escapeMarkdown(g.reason)}`);
  return items.length > 0 ? `${heading('Not read from the record')}\n\n${bullets(items)}` : '';
}

/** The seed article's pitfalls the engine flagged; unknown ids are skipped. */
export function pitfallsSection(ids: readonly string[]): string {
  const texts = [...new Set(ids)].filter(isPitfallId).map((id) => PITFALLS[id]);
  return texts.length > 0 ? `${heading('Pitfalls')}\n\n${bullets(texts)}` : '';
}

/** Where the ratings come from, and how sure we are of the transcription (topic data caution). */
export function sourceSection(): string {
  return `${heading('Source')}\n\n${TOPIC.title} (${TOPIC.year}), ${TOPIC.citation}. ${TOPIC.dataCaution}`;
}
