/**
 * Imaging facts: which brain MRI, spine MRI and myelography studies exist, and what their reports say.
 *
 * A study is "negative" only when a final report SAYS so (the `negative-result` wording: "normal study",
 * "unremarkable", "no evidence of …") and names no SIH feature or leak. A study with no final report (an
 * available ImagingStudy, a preliminary report, a Procedure record), or a final report with no conclusion or
 * with findings we do not recognise, is "done, result unknown": the variant choice must not treat it as
 * negative (ACR variant 5 needs NEGATIVE initial imaging).
 *
 * Only studies of THIS headache count: a study dated before the headache's onset (a 2019 MRI for migraine
 * and a 2026 orthostatic headache) is left out and listed in `notCounted`; when the onset or the study date
 * is unknown the study counts and `datingUncertain` is set, for a caution.
 *
 * The spine: a negative spine work-up needs the whole spine (a complete-spine study, or cervical AND thoracic
 * AND lumbar studies). Negative studies of part of the spine give the status 'partial'.
 *
 * MR angiography / venography ("MRA head", "MR venography of the brain") is not a brain or spine MRI here.
 */
import type { CodeableConcept, DiagnosticReport, ImagingStudy, Procedure } from 'fhir/r4.js';
import { withFact, type Evidence, type MyelographyResult } from './types.js';
import { matchConcept, matchOne, matchText, type ConceptMatch } from './facts-match.js';
import { firstDate, type FhirInstantRange } from './facts-dates.js';
import { resultTexts } from './report-text.js';

export type StudyKind = 'brain-mri' | 'spine-mri' | 'myelography' | 'mr-myelography';
import type { StudyStatus } from '../guideline/types.js';
export type { StudyStatus };

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

const KINDS = ['mr-myelography', 'myelography', 'brain-mri', 'spine-mri'] as const;
const STUDY_SETS = [...KINDS, 'mr-vascular'] as const;
const REGION_SETS = ['spine-mri-complete', 'spine-mri-cervical', 'spine-mri-thoracic', 'spine-mri-lumbar'] as const;
/** Spine regions as bits: cervical 1, thoracic 2, lumbar 4; the whole spine is 7. 0 = not said. */
const REGION_BITS: Record<(typeof REGION_SETS)[number], number> = {
  'spine-mri-complete': 7,
  'spine-mri-cervical': 1,
  'spine-mri-thoracic': 2,
  'spine-mri-lumbar': 4,
};
const WHOLE_SPINE = 7;
const HEAD_SITE = /\b(brain|head|skull|cranial|intracranial)\b/i;
const SPINE_SITE = /\b(spine|spinal|cervical|thoracic|lumbar|sacral|[clt]-spine|whole\s+spine)\b/i;

/**
 * The study kind a concept names, MR myelography first so it is never taken for invasive myelography. A text
 * (not code) match of a brain or spine MRI that also names angiography/venography is not a brain/spine MRI.
 */
export function kindOfConcept(concept: CodeableConcept | undefined): { kind: StudyKind; match: ConceptMatch } | undefined {
  const hits = matchConcept(concept, STUDY_SETS);
  if (hits.size === 0) return undefined;
  const vascular = hits.has('mr-vascular');
  for (const kind of KINDS) {
    const match = hits.get(kind);
    if (!match) continue;
    if (vascular && match.textMatch && (kind === 'brain-mri' || kind === 'spine-mri')) continue;
    return { kind, match };
  }
  return undefined;
}

function isMr(study: ImagingStudy): boolean {
  if (study.modality?.some((m) => m.code === 'MR')) return true;
  return study.series?.some((s) => s.modality?.code === 'MR') ?? false;
}

function siteTextsOf(study: ImagingStudy): string[] {
  return [
    study.description,
    ...(study.series ?? []).flatMap((s) => [s.bodySite?.display, s.bodySite?.code, s.description]),
  ].filter((t): t is string => typeof t === 'string');
}

/**
 * Classifies an ImagingStudy: by procedureCode first, then by description (flagged as text), then for MR
 * studies by the series body site or description (head vs spine), unless it is an MR angiogram/venogram.
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
  const siteTexts = siteTextsOf(study);
  const codedTexts = (study.procedureCode ?? []).flatMap((pc) => [pc.text, ...(pc.coding ?? []).map((c) => c?.display)]);
  if ([...siteTexts, ...codedTexts].some((t) => typeof t === 'string' && matchText(t, 'mr-vascular') !== undefined)) return undefined;
  if (siteTexts.some((t) => HEAD_SITE.test(t))) {
    return { kind: 'brain-mri', match: { setId: 'brain-mri', display: 'MRI brain', textMatch: true } };
  }
  if (siteTexts.some((t) => SPINE_SITE.test(t))) {
    return { kind: 'spine-mri', match: { setId: 'spine-mri', display: 'MRI spine', textMatch: true } };
  }
  return undefined;
}

/** The spine regions a concept names (codes, then text), as bits. */
function regionsOfConcept(concept: CodeableConcept | undefined): number {
  let bits = 0;
  for (const [setId] of matchConcept(concept, REGION_SETS)) bits |= REGION_BITS[setId as (typeof REGION_SETS)[number]];
  return bits;
}

function regionsOfText(text: string): number {
  let bits = 0;
  for (const setId of REGION_SETS) if (matchText(text, setId)) bits |= REGION_BITS[setId];
  return bits;
}

function regionsOfStudy(study: ImagingStudy): number {
  let bits = 0;
  for (const pc of study.procedureCode ?? []) bits |= regionsOfConcept(pc);
  for (const t of siteTextsOf(study)) bits |= regionsOfText(t);
  return bits;
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
  partial: 3,
  negative: 4,
  positive: 5,
};

interface StudyInfo {
  kind: StudyKind;
  when?: FhirInstantRange;
  /** Spine regions (bits) the study names. */
  regions: number;
}

interface SpineRecord {
  status: 'in-progress' | 'done-unknown' | 'negative' | 'positive';
  regions: number;
  evidence: Evidence;
  /** The ImagingStudy this record is (not its report). */
  studyId?: string;
}

/** Accumulates the studies and reports of one record into the three imaging facts. */
export class ImagingCollector {
  private readonly studies = new Map<string, StudyInfo>();
  /** Studies a final report has spoken for: their own "done, result unknown" no longer counts. */
  private readonly reportedStudies = new Set<string>();
  private readonly spineRecords: SpineRecord[] = [];
  private onset: FhirInstantRange | undefined;
  readonly brainMri: StudyFact = { status: 'none', evidence: [] };
  /** Set by finish(). */
  spineMri: StudyFact = { status: 'none', evidence: [] };
  readonly myelography: MyelographyFact = { done: false, result: 'unknown', evidence: [] };
  /** Brain-imaging features of SIH found in reports (fact "brain-imaging-features"). */
  readonly brainFeatures: Evidence[] = [];
  /** Myelograms are dural punctures too: their dates feed the spinal-intervention fact. */
  readonly punctures: Array<{ evidence: Evidence; when?: FhirInstantRange }> = [];
  /** Studies dated before the headache began: not part of this work-up. */
  readonly notCounted: Evidence[] = [];
  /** A study counted although the headache onset or the study date is unknown. */
  datingUncertain = false;

  /** The headache's onset: studies dated wholly before it do not count. Call before adding studies. */
  setWorkupOnset(onset: FhirInstantRange | undefined): void {
    this.onset = onset;
  }

  /** Whether a study dated `when` belongs to this work-up; records the ones left out. */
  private counts(when: FhirInstantRange | undefined, ev: Evidence): boolean {
    if (this.onset && when && when.end <= this.onset.start) {
      this.notCounted.push(ev);
      return false;
    }
    if (!this.onset || !when) this.datingUncertain = true;
    return true;
  }

  private raise(fact: StudyFact, status: StudyStatus, ev: Evidence): void {
    if (STATUS_RANK[status] > STATUS_RANK[fact.status]) {
      fact.status = status;
      fact.evidence = [];
    }
    if (status === fact.status) fact.evidence.push(ev);
  }

  /** Returns whether the myelogram counts for this work-up (it is a dural puncture either way). */
  private myelogramDone(ev: Evidence, when: FhirInstantRange | undefined): boolean {
    this.punctures.push({ evidence: withFact(ev, 'spinal-intervention'), when });
    if (!this.counts(when, ev)) return false;
    this.myelography.done = true;
    if (when && (!this.myelography.when || when.start > this.myelography.when.start)) this.myelography.when = when;
    if (this.myelography.result === 'unknown') this.myelography.evidence.push(ev);
    return true;
  }

  addStudy(study: ImagingStudy): void {
    const k = kindOfStudy(study);
    if (!k) return;
    const when = firstDate(study.started);
    const regions = k.kind === 'spine-mri' ? regionsOfStudy(study) : 0;
    if (study.id) this.studies.set(study.id, { kind: k.kind, regions, ...(when ? { when } : {}) });
    if (k.kind === 'mr-myelography') return; // recorded, but neither a puncture nor a routine spine MRI
    const ev = evidenceOf(`${k.kind}-done`, 'ImagingStudy', study.id, k.match, when);
    if (k.kind === 'myelography') {
      if (study.status !== 'registered') this.myelogramDone(withFact(ev, 'myelography'), when);
      return;
    }
    if (!this.counts(when, ev)) return;
    const status = study.status === 'registered' ? 'in-progress' : 'done-unknown';
    if (k.kind === 'brain-mri') this.raise(this.brainMri, status, ev);
    else this.spineRecords.push({ status, regions, evidence: ev, ...(study.id ? { studyId: study.id } : {}) });
  }

  /** Procedure records of imaging (some EHRs record a myelogram as a Procedure). */
  addProcedure(proc: Procedure, k: { kind: StudyKind; match: ConceptMatch }, when: FhirInstantRange | undefined): void {
    if (k.kind === 'mr-myelography') return;
    const ev = evidenceOf(`${k.kind}-done`, 'Procedure', proc.id, k.match, when);
    if (k.kind === 'myelography') {
      this.myelogramDone(withFact(ev, 'myelography'), when);
      return;
    }
    if (!this.counts(when, ev)) return;
    if (k.kind === 'brain-mri') this.raise(this.brainMri, 'done-unknown', ev);
    else this.spineRecords.push({ status: 'done-unknown', regions: regionsOfConcept(proc.code), evidence: ev });
  }

  addReport(report: DiagnosticReport): void {
    const linked = this.linkedStudy(report);
    const kind = this.kindOfReport(report, linked);
    const when = firstDate(report.effectiveDateTime, report.effectivePeriod?.start, report.issued) ?? linked?.info.when;
    const final = FINAL_REPORT.has(report.status);
    if (kind === undefined) {
      // Any other report (e.g. a head CT) can still show brain features of SIH, if it belongs to this headache.
      if (!final || (this.onset && when && when.end <= this.onset.start)) return;
      const features = featuresIn(report, when);
      if (features.length > 0 && (!this.onset || !when)) this.datingUncertain = true;
      this.brainFeatures.push(...features);
      return;
    }
    if (kind.kind === 'mr-myelography') return;
    const base = evidenceOf(`${kind.kind}-done`, 'DiagnosticReport', report.id, kind.match, when);
    if (kind.kind === 'myelography') {
      if (this.myelogramDone(withFact(base, 'myelography'), when) && final) this.myelographyResult(report, when);
      return;
    }
    if (!this.counts(when, base)) return;
    if (final && linked) this.reportedStudies.add(linked.id);
    if (kind.kind === 'brain-mri') {
      if (!final) {
        this.raise(this.brainMri, 'done-unknown', base);
        return;
      }
      const features = featuresIn(report, when);
      this.brainFeatures.push(...features);
      if (features.length > 0) for (const f of features) this.raise(this.brainMri, 'positive', withFact(f, 'brain-mri-positive'));
      else if (saysNegative(report)) this.raise(this.brainMri, 'negative', withFact(base, 'brain-mri-negative'));
      else this.raise(this.brainMri, 'done-unknown', base); // no conclusion, or findings we do not recognise
      return;
    }
    const regions = regionsOfConcept(report.code) | (linked?.info.regions ?? 0);
    if (!final) {
      this.spineRecords.push({ status: 'done-unknown', regions, evidence: base });
      return;
    }
    const leak = leakIn(report, when);
    if (leak) {
      this.spineRecords.push({ status: 'positive', regions, evidence: withFact(leak, 'spine-mri-positive') });
      return;
    }
    // Brain signs of SIH seen on a spine study (e.g. tonsillar descent on a cervical MRI) are features too.
    const features = featuresIn(report, when);
    this.brainFeatures.push(...features);
    if (features.length === 0 && saysNegative(report)) {
      this.spineRecords.push({ status: 'negative', regions, evidence: withFact(base, 'spine-mri-negative') });
    } else {
      this.spineRecords.push({ status: 'done-unknown', regions, evidence: base });
    }
  }

  /**
   * Settles the spine: positive if any report shows a leak; negative when negative reports cover the whole
   * spine; "done, result unknown" (or in progress) when an unread study could still complete a negative
   * whole-spine work-up; 'partial' when what was done cannot cover the whole spine.
   */
  finish(): void {
    const positive = this.spineRecords.filter((r) => r.status === 'positive');
    if (positive.length > 0) {
      this.spineMri = { status: 'positive', evidence: positive.map((r) => r.evidence) };
      return;
    }
    const negative = this.spineRecords.filter((r) => r.status === 'negative');
    let negativeBits = 0;
    for (const r of negative) negativeBits |= r.regions;
    if (negative.length > 0 && negativeBits === WHOLE_SPINE) {
      this.spineMri = { status: 'negative', evidence: negative.map((r) => r.evidence) };
      return;
    }
    const pending = this.spineRecords.filter(
      (r) => (r.status === 'done-unknown' || r.status === 'in-progress') && !(r.studyId && this.reportedStudies.has(r.studyId)),
    );
    let pendingBits = 0;
    // A study that names no region could be of the whole spine.
    for (const r of pending) pendingBits |= r.regions === 0 ? WHOLE_SPINE : r.regions;
    if (pending.length > 0 && (negativeBits | pendingBits) === WHOLE_SPINE) {
      const status = pending.some((r) => r.status === 'done-unknown') ? 'done-unknown' : 'in-progress';
      this.spineMri = { status, evidence: pending.filter((r) => r.status === status).map((r) => r.evidence) };
      return;
    }
    if (negative.length > 0 || pending.length > 0) {
      this.spineMri = {
        status: 'partial',
        evidence: [...negative, ...pending].map((r) => withFact(r.evidence, 'spine-mri-partial')),
      };
    }
  }

  private linkedStudy(report: DiagnosticReport): { id: string; info: StudyInfo } | undefined {
    for (const ref of report.imagingStudy ?? []) {
      const id = ref.reference?.split('/').pop();
      const info = id ? this.studies.get(id) : undefined;
      if (id && info) return { id, info };
    }
    return undefined;
  }

  private kindOfReport(
    report: DiagnosticReport,
    linked: { id: string; info: StudyInfo } | undefined,
  ): { kind: StudyKind; match: ConceptMatch } | undefined {
    const byCode = kindOfConcept(report.code);
    if (byCode) return byCode;
    // A report titled as an MR angiogram/venogram is not the brain or spine MRI, whatever study it links to.
    if (matchOne(report.code, 'mr-vascular')) return undefined;
    // Classified through its study: the evidence names the study kind in our words.
    if (linked) return { kind: linked.info.kind, match: { setId: linked.info.kind, display: KIND_DISPLAY[linked.info.kind], textMatch: false } };
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

/** The texts of a report's conclusion: the conclusion, and its codes' texts and displays. */
function conclusionTexts(report: DiagnosticReport): Array<string | undefined> {
  return [...resultTexts(report), ...(report.conclusionCode ?? []).flatMap((c) => [c.text, ...(c.coding ?? []).map((x) => x?.display)])];
}

/** The report says the study is negative, in so many words (the `negative-result` set). */
function saysNegative(report: DiagnosticReport): boolean {
  return conclusionTexts(report).some((t) => matchText(t, 'negative-result') !== undefined);
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

/** The sets whose terms are brain-imaging features when a report names them. */
const FEATURE_SETS = ['sih-brain-features', 'sih-imaging-conclusion'] as const;

/** SIH brain features in a report: coded conclusions first, conclusion text as a flagged fallback. */
function featuresIn(report: DiagnosticReport, when: FhirInstantRange | undefined): Evidence[] {
  const out: Evidence[] = [];
  for (const cc of report.conclusionCode ?? []) {
    for (const hit of matchConcept(cc, FEATURE_SETS).values()) {
      if (!hit.textMatch) {
        out.push(evidenceOf('brain-imaging-features', 'DiagnosticReport', report.id, hit, when));
        break;
      }
    }
  }
  if (out.length > 0) return out;
  const texts = [...resultTexts(report), ...(report.conclusionCode ?? []).map((c) => c.text)];
  for (const text of texts) {
    for (const setId of FEATURE_SETS) {
      const term = matchText(text, setId);
      if (term) {
        out.push(evidenceOf('brain-imaging-features', 'DiagnosticReport', report.id, { setId, display: term, textMatch: true }, when));
        return out;
      }
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
  let term: string | undefined;
  for (const text of resultTexts(report)) term ??= matchText(text, 'csf-leak-finding');
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
  const texts = conclusionTexts(report);
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
