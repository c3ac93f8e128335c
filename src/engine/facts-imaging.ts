/**
 * Imaging facts: which brain MRI, spine MRI and myelography studies exist, and what their reports say.
 *
 * A study is "negative" only when a final report exists and shows no SIH findings. A study with no final
 * report (an available ImagingStudy, a preliminary report, a Procedure record) is "done, result unknown":
 * the variant choice must not treat it as negative (ACR variant 5 needs NEGATIVE initial imaging).
 */
import type { CodeableConcept, DiagnosticReport, ImagingStudy, Procedure } from 'fhir/r4.js';
import type { Evidence, MyelographyResult } from './types.js';
import { matchConcept, matchOne, matchText, type ConceptMatch } from './facts-match.js';
import { firstDate, type FhirInstantRange } from './facts-dates.js';

export type StudyKind = 'brain-mri' | 'spine-mri' | 'myelography' | 'mr-myelography';
export type StudyStatus = 'none' | 'in-progress' | 'done-unknown' | 'negative' | 'positive';

export interface StudyFact {
  status: StudyStatus;
  /** Evidence for the status above (fact: "brain-mri-positive", "spine-mri-negative", "brain-mri-done", ...). */
  evidence: Evidence[];
}

export interface MyelographyFact {
  done: boolean;
  /** From the most telling final report: positive > indeterminate > negative > unknown. */
  result: MyelographyResult;
  evidence: Evidence[];
  /** When the latest myelogram was performed, when known (it is also a dural puncture). */
  when?: FhirInstantRange;
}

const STUDY_SETS = ['mr-myelography', 'myelography', 'brain-mri', 'spine-mri'] as const;
const HEAD_SITE = /\b(brain|head|skull|cranial|intracranial)\b/i;
const SPINE_SITE = /\b(spine|spinal|cervical|thoracic|lumbar|sacral|[clt]-spine|whole\s+spine)\b/i;

/** The study kind a concept names, MR myelography first so it is never taken for invasive myelography. */
export function kindOfConcept(concept: CodeableConcept | undefined): { kind: StudyKind; match: ConceptMatch } | undefined {
  const hits = matchConcept(concept, STUDY_SETS);
  for (const kind of STUDY_SETS) {
    const match = hits.get(kind);
    if (match) return { kind, match };
  }
  return undefined;
}

function isMr(study: ImagingStudy): boolean {
  if (study.modality?.some((m) => m.code === 'MR')) return true;
  return study.series?.some((s) => s.modality?.code === 'MR') ?? false;
}

/**
 * Classifies an ImagingStudy: by procedureCode first, then by description (flagged as text), then for MR
 * studies by the series body site or description (head vs spine).
 */
export function kindOfStudy(study: ImagingStudy): { kind: StudyKind; match: ConceptMatch } | undefined {
  for (const pc of study.procedureCode ?? []) {
    const k = kindOfConcept(pc);
    if (k) return k;
  }
  if (study.description) {
    const k = kindOfConcept({ text: study.description });
    if (k) return k;
  }
  if (!isMr(study)) return undefined;
  const siteTexts = [
    study.description,
    ...(study.series ?? []).flatMap((s) => [s.bodySite?.display, s.bodySite?.code, s.description]),
  ].filter((t): t is string => typeof t === 'string');
  if (siteTexts.some((t) => HEAD_SITE.test(t))) {
    return { kind: 'brain-mri', match: { setId: 'brain-mri', display: 'MRI brain', textMatch: true } };
  }
  if (siteTexts.some((t) => SPINE_SITE.test(t))) {
    return { kind: 'spine-mri', match: { setId: 'spine-mri', display: 'MRI spine', textMatch: true } };
  }
  return undefined;
}

const KIND_DISPLAY: Record<StudyKind, string> = {
  'brain-mri': 'MRI brain',
  'spine-mri': 'MRI spine',
  myelography: 'Myelography',
  'mr-myelography': 'MR myelography',
};

const STATUS_RANK: Record<StudyStatus, number> = {
  none: 0,
  'in-progress': 1,
  'done-unknown': 2,
  negative: 3,
  positive: 4,
};

/** Accumulates the studies and reports of one record into the three imaging facts. */
export class ImagingCollector {
  private readonly studyKinds = new Map<string, StudyKind>();
  readonly brainMri: StudyFact = { status: 'none', evidence: [] };
  readonly spineMri: StudyFact = { status: 'none', evidence: [] };
  readonly myelography: MyelographyFact = { done: false, result: 'unknown', evidence: [] };
  /** Brain-imaging features of SIH found in reports (fact "brain-imaging-features"). */
  readonly brainFeatures: Evidence[] = [];
  /** Myelograms are dural punctures too: their dates feed the spinal-intervention fact. */
  readonly punctures: Array<{ evidence: Evidence; when?: FhirInstantRange }> = [];

  private raise(fact: StudyFact, status: StudyStatus, ev: Evidence): void {
    if (STATUS_RANK[status] > STATUS_RANK[fact.status]) {
      fact.status = status;
      fact.evidence = [];
    }
    if (status === fact.status) fact.evidence.push(ev);
  }

  private factOf(kind: 'brain-mri' | 'spine-mri'): StudyFact {
    return kind === 'brain-mri' ? this.brainMri : this.spineMri;
  }

  private myelogramDone(ev: Evidence, when: FhirInstantRange | undefined): void {
    this.myelography.done = true;
    if (when && (!this.myelography.when || when.start > this.myelography.when.start)) this.myelography.when = when;
    if (this.myelography.result === 'unknown') this.myelography.evidence.push(ev);
    this.punctures.push({ evidence: { ...ev, fact: 'spinal-intervention' }, when });
  }

  addStudy(study: ImagingStudy): void {
    const k = kindOfStudy(study);
    if (!k) return;
    if (study.id) this.studyKinds.set(study.id, k.kind);
    if (k.kind === 'mr-myelography') return; // recorded, but neither a puncture nor a routine spine MRI
    const when = firstDate(study.started);
    const ev = evidenceOf(`${k.kind}-done`, 'ImagingStudy', study.id, k.match, when);
    if (k.kind === 'myelography') {
      if (study.status !== 'registered') this.myelogramDone({ ...ev, fact: 'myelography' }, when);
      return;
    }
    this.raise(this.factOf(k.kind), study.status === 'registered' ? 'in-progress' : 'done-unknown', ev);
  }

  /** Procedure records of imaging (some EHRs record a myelogram as a Procedure). */
  addProcedure(proc: Procedure, k: { kind: StudyKind; match: ConceptMatch }, when: FhirInstantRange | undefined): void {
    if (k.kind === 'mr-myelography') return;
    const ev = evidenceOf(`${k.kind}-done`, 'Procedure', proc.id, k.match, when);
    if (k.kind === 'myelography') this.myelogramDone({ ...ev, fact: 'myelography' }, when);
    else this.raise(this.factOf(k.kind), 'done-unknown', ev);
  }

  addReport(report: DiagnosticReport): void {
    const kind = this.kindOfReport(report);
    const when = firstDate(report.effectiveDateTime, report.effectivePeriod?.start, report.issued);
    const final = FINAL_REPORT.has(report.status);
    if (kind === undefined) {
      // Any other report (e.g. a head CT) can still show brain features of SIH.
      if (final) this.brainFeatures.push(...featuresIn(report, when));
      return;
    }
    if (kind.kind === 'mr-myelography') return;
    const base = evidenceOf(`${kind.kind}-done`, 'DiagnosticReport', report.id, kind.match, when);
    if (kind.kind === 'myelography') {
      this.myelogramDone({ ...base, fact: 'myelography' }, when);
      if (final) this.myelographyResult(report, when);
      return;
    }
    const fact = this.factOf(kind.kind);
    if (!final) {
      this.raise(fact, 'done-unknown', base);
      return;
    }
    if (kind.kind === 'brain-mri') {
      const features = featuresIn(report, when);
      this.brainFeatures.push(...features);
      if (features.length > 0) for (const f of features) this.raise(fact, 'positive', { ...f, fact: 'brain-mri-positive' });
      else this.raise(fact, 'negative', { ...base, fact: 'brain-mri-negative' });
      return;
    }
    const leak = leakIn(report, when);
    if (leak) this.raise(fact, 'positive', { ...leak, fact: 'spine-mri-positive' });
    else this.raise(fact, 'negative', { ...base, fact: 'spine-mri-negative' });
  }

  private kindOfReport(report: DiagnosticReport): { kind: StudyKind; match: ConceptMatch } | undefined {
    const byCode = kindOfConcept(report.code);
    if (byCode) return byCode;
    for (const ref of report.imagingStudy ?? []) {
      const id = ref.reference?.split('/').pop();
      const kind = id ? this.studyKinds.get(id) : undefined;
      // Classified through its study: the evidence names the study kind in our words.
      if (kind) return { kind, match: { setId: kind, display: KIND_DISPLAY[kind], textMatch: false } };
    }
    return undefined;
  }

  private myelographyResult(report: DiagnosticReport, when: FhirInstantRange | undefined): void {
    const outcome = myelogramOutcome(report);
    if (!outcome) return;
    const rank: Record<MyelographyResult, number> = { unknown: 0, negative: 1, indeterminate: 2, positive: 3 };
    if (rank[outcome.result] < rank[this.myelography.result]) return;
    if (rank[outcome.result] > rank[this.myelography.result]) this.myelography.evidence = [];
    this.myelography.result = outcome.result;
    this.myelography.evidence.push({
      fact: `myelography-${outcome.result}`,
      resourceType: 'DiagnosticReport',
      ...(report.id ? { id: report.id } : {}),
      ...(outcome.system ? { system: outcome.system } : {}),
      ...(outcome.code ? { code: outcome.code } : {}),
      display: outcome.display,
      ...(when ? { date: when.iso } : {}),
      ...(outcome.textMatch ? { textMatch: true } : {}),
    });
  }
}

/** DiagnosticReport statuses whose conclusion can be read as a result. */
const FINAL_REPORT: ReadonlySet<string> = new Set(['final', 'amended', 'corrected', 'appended']);

export function evidenceOf(
  fact: string,
  resourceType: string,
  id: string | undefined,
  match: ConceptMatch,
  when: FhirInstantRange | undefined,
): Evidence {
  // Plain assignments in the same key order as the spread form they replaced (runs per matched resource).
  const ev: Evidence = { fact, resourceType };
  if (id) ev.id = id;
  if (match.system) ev.system = match.system;
  if (match.code) ev.code = match.code;
  ev.display = match.display;
  if (when) ev.date = when.iso;
  if (match.textMatch) ev.textMatch = true;
  return ev;
}

/** SIH brain features in a report: coded conclusions first, conclusion text as a flagged fallback. */
function featuresIn(report: DiagnosticReport, when: FhirInstantRange | undefined): Evidence[] {
  const out: Evidence[] = [];
  for (const cc of report.conclusionCode ?? []) {
    const hit = matchOne(cc, 'sih-brain-features');
    if (hit && !hit.textMatch) out.push(evidenceOf('brain-imaging-features', 'DiagnosticReport', report.id, hit, when));
  }
  if (out.length > 0) return out;
  const texts = [report.conclusion, ...(report.conclusionCode ?? []).map((c) => c.text)];
  for (const text of texts) {
    const term = matchText(text, 'sih-brain-features');
    if (term) {
      out.push(evidenceOf('brain-imaging-features', 'DiagnosticReport', report.id, { setId: 'sih-brain-features', display: term, textMatch: true }, when));
      break;
    }
  }
  return out;
}

/** A CSF leak in a spine report: coded conclusion first, then conclusion text (flagged). */
function leakIn(report: DiagnosticReport, when: FhirInstantRange | undefined): Evidence | undefined {
  for (const cc of report.conclusionCode ?? []) {
    const hit = matchOne(cc, 'csf-leak-finding');
    if (hit) return evidenceOf('spine-mri-positive', 'DiagnosticReport', report.id, hit, when);
  }
  const term = matchText(report.conclusion, 'csf-leak-finding');
  if (term) {
    return evidenceOf('spine-mri-positive', 'DiagnosticReport', report.id, { setId: 'csf-leak-finding', display: term, textMatch: true }, when);
  }
  return undefined;
}

interface Outcome {
  result: MyelographyResult;
  system?: string;
  code?: string;
  display: string;
  textMatch: boolean;
}

/**
 * A myelogram's result. A coded leak is positive. In text, equivocal wording wins over the leak words
 * ("possible CSF leak" is indeterminate, the seed article's "possible nerve root diverticulum" case), and
 * leak words over "negative"/"normal".
 */
function myelogramOutcome(report: DiagnosticReport): Outcome | undefined {
  for (const cc of report.conclusionCode ?? []) {
    const hit = matchOne(cc, 'csf-leak-finding');
    if (hit && !hit.textMatch) {
      return { result: 'positive', display: hit.display, textMatch: false, ...(hit.system ? { system: hit.system } : {}), ...(hit.code ? { code: hit.code } : {}) };
    }
  }
  const texts = [report.conclusion, ...(report.conclusionCode ?? []).flatMap((c) => [c.text, ...(c.coding ?? []).map((x) => x.display)])];
  const scan = (setId: string): string | undefined => {
    for (const t of texts) {
      const term = matchText(t, setId);
      if (term) return term;
    }
    return undefined;
  };
  const indeterminate = scan('indeterminate-result');
  if (indeterminate) return { result: 'indeterminate', display: indeterminate, textMatch: true };
  const leak = scan('csf-leak-finding');
  if (leak) return { result: 'positive', display: leak, textMatch: true };
  const negative = scan('negative-result');
  if (negative) return { result: 'negative', display: negative, textMatch: true };
  return undefined;
}
