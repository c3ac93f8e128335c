/**
 * ClinicalFacts: what the record (and the draft orders' reasons) say about the things the ACR variants turn
 * on. Each fact keeps the Evidence that supports it; evidence never holds patient free text (a text match
 * carries our value-set term and `textMatch: true`).
 *
 * A draft order's reason tells what the clinician suspects NOW: it counts for SIH suspicion and obtundation,
 * but never as a recorded headache (it cannot be "the headache after the patch", nor date the onset).
 *
 * One pass per resource type, each resource matched once against all the sets it can support. The codes are
 * looked up in a Map built at module load (see facts-match.ts), which is faster than FHIRPath for this.
 *
 * Records that do not count (FHIR R4 status semantics):
 *  - Condition: verificationStatus refuted / entered-in-error; clinicalStatus inactive / resolved / remission
 *    (remission is a kind of inactive in the R4 code system).
 *  - Observation: status entered-in-error / cancelled.
 *  - Procedure: status not-done / entered-in-error, and preparation (it has not happened yet).
 *  - ImagingStudy: status cancelled / entered-in-error.
 *  - DiagnosticReport: status entered-in-error / cancelled.
 */
import type { CodeableConcept, Condition, Observation, Procedure } from 'fhir/r4.js';
import type { PatientRecord } from '../fhir/record.js';
import { withFact, type Evidence } from './types.js';
import { applyBorder, matchConceptIfAny, withMatchMemo, type ConceptMatch } from './facts-match.js';
import { firstDate, type FhirInstantRange } from './facts-dates.js';
import {
  ImagingCollector,
  evidenceOf,
  kindOfConcept,
  type MyelographyFact,
  type StudyFact,
  type StudyStatus,
} from './facts-imaging.js';
import { thresholdMs, thresholdValue } from '../guideline/thresholds.js';
import { RED_FLAG_SETS, type RedFlagId } from '../guideline/red-flags.js';
import { BORDER_SETS, PATIENT_LEVEL_BORDER_SETS } from '../guideline/topic-border.js';

export type { MyelographyFact, StudyFact, StudyStatus };

/**
 * The character of a recorded headache, for the patch rule (variant 6): worse lying down / coded high pressure
 * ('rebound'), orthostatic or SIH-coded ('orthostatic'), both at once ('mixed'), or neither ('unspecified').
 */
export type HeadacheCharacter = 'rebound' | 'orthostatic' | 'mixed' | 'unspecified';

/** One piece of evidence with the time it is about, kept as a range so date-only values stay honest. */
export interface DatedEvidence {
  evidence: Evidence;
  when?: FhirInstantRange;
  /** The date is Condition.recordedDate standing in for a missing onset (onset is at or before it). */
  fromRecordedDate?: boolean;
  /** Current: an active Condition, a draft order's reason, or an Observation. */
  active: boolean;
  /** Headache entries: what kind of headache the record says it is. */
  character?: HeadacheCharacter;
  /** Coded or worded as a headache after a dural (lumbar) puncture. */
  postPuncture?: boolean;
}

export type ChronicStatus = 'chronic' | 'not-chronic' | 'unknown';

export interface ChronicFact {
  status: ChronicStatus;
  evidence: Evidence[];
  /** True when a chronic-headache code or term says so (rather than the onset date). */
  coded: boolean;
  /** The earliest recorded onset of the headache, when known. */
  onset?: FhirInstantRange;
  /** The chronic conclusion rests on a recordedDate, not an onset. */
  fromRecordedDate: boolean;
  /** Set when a chronic code meets a recorded onset of less than 3 months. */
  conflict?: string;
}

/** One red-flag record: from the patient's recent record or a draft order's reason ("now"). */
export interface RedFlagRecord {
  flag: RedFlagId;
  evidence: Evidence;
}

export interface ClinicalFacts {
  now: Date;
  /**
   * Red flags (src/guideline/red-flags.ts) in the recent record (within THRESHOLDS['red-flag-recent']) or in
   * any draft order's reasons. Decreased consciousness is in `decreasedConsciousness` (same recency rule).
   */
  redFlags: RedFlagRecord[];
  /**
   * Active diagnoses outside the topic's border that take the whole record outside (shunt over-drainage,
   * cranial CSF leak, orthostatic hypotension / POTS), see src/guideline/topic-border.ts.
   */
  border: Evidence[];
  /** True when SIH is suspected by at least one CODE (not text, not only a draft reason's text). */
  sihCoded: boolean;
  /** Orthostatic headache, suspected SIH, CSF leak (including the draft orders' reasons). */
  sihSuspicion: DatedEvidence[];
  /**
   * Every RECORDED headache (Conditions and Observations: suspicion, chronic, post-puncture, rebound and plain
   * headache) with its character: for "after the patch" and "before the puncture". Never draft-order reasons.
   */
  headache: DatedEvidence[];
  chronic: ChronicFact;
  /** Dural punctures and other spinal interventions (procedures, myelograms, post-puncture headaches). */
  spinalInterventions: DatedEvidence[];
  /** Epidural blood patches and fibrin glue patches. */
  patches: DatedEvidence[];
  /**
   * Obtundation / decreased consciousness NOW: coded records dated within the recency window
   * (THRESHOLDS['decreased-consciousness-recent']), a draft order's reason, or a recent latest GCS total at or
   * below the threshold.
   */
  decreasedConsciousness: Evidence[];
  /** Decreased-consciousness records (or a low latest GCS) that are undated or older than the window. */
  staleConsciousness: Evidence[];
  /** The latest GCS total, when recorded (kept so the cards can say a normal GCS overrode nothing). */
  latestGcs?: { value: number; evidence: Evidence };
  /** Brain-imaging features of SIH (reports, findings, Bern score) that belong to this headache. */
  brainFeatures: Evidence[];
  brainMri: StudyFact;
  spineMri: StudyFact;
  myelography: MyelographyFact;
  /**
   * The onset the imaging is dated against: the earliest recorded onset of an SIH-suspicion Condition, else of a
   * chronic-headache Condition. Studies dated before it are not counted (they are in `imagingNotCounted`).
   */
  workupOnset?: FhirInstantRange;
  imagingNotCounted: Evidence[];
  /** Some imaging counted although the headache onset or the study date is unknown. */
  imagingDatingUncertain: boolean;
}

/** A reason on a draft order, with the order's id for the evidence. */
export interface DraftReason {
  concept: CodeableConcept;
  orderId?: string;
}

const HEADACHE_SETS = ['sih-suspicion', 'chronic-headache', 'post-puncture-headache', 'headache'] as const;
const RED_FLAG_SET_IDS = [...Object.keys(RED_FLAG_SETS).filter((id) => id !== 'decreased-consciousness'), 'anticoagulation'];
const CONDITION_SETS: readonly string[] = [
  ...HEADACHE_SETS,
  'rebound-headache',
  'decreased-consciousness',
  'sih-brain-features',
  ...RED_FLAG_SET_IDS,
  ...BORDER_SETS,
];
export const OBSERVATION_SETS: readonly string[] = [...CONDITION_SETS, 'gcs-total', 'bern-score', 'body-temperature'];
/** An Observation's value may name a finding, never a score. */
const OBSERVATION_VALUE_SETS = CONDITION_SETS;
const PATIENT_BORDER: ReadonlySet<string> = new Set(PATIENT_LEVEL_BORDER_SETS);
const REASON_SETS: readonly string[] = [...HEADACHE_SETS, 'decreased-consciousness', ...RED_FLAG_SET_IDS, ...BORDER_SETS];

const PROCEDURE_SETS = ['blood-patch', 'spinal-intervention'] as const;

const EXCLUDED_CONDITION_CLINICAL: ReadonlySet<string> = new Set(['inactive', 'resolved', 'remission']);
const EXCLUDED_CONDITION_VERIFICATION: ReadonlySet<string> = new Set(['refuted', 'entered-in-error']);
const EXCLUDED_OBSERVATION: ReadonlySet<string> = new Set(['entered-in-error', 'cancelled']);
const EXCLUDED_PROCEDURE: ReadonlySet<string> = new Set(['not-done', 'entered-in-error', 'preparation']);
const EXCLUDED_STUDY: ReadonlySet<string> = new Set(['cancelled', 'entered-in-error']);
const EXCLUDED_REPORT: ReadonlySet<string> = new Set(['entered-in-error', 'cancelled']);

function codeOf(cc: CodeableConcept | undefined): string | undefined {
  return cc?.coding?.find((c) => c?.code)?.code;
}

/** Mutable accumulator for one extraction. */
interface Acc {
  facts: ClinicalFacts;
  /** Condition onsets of the (non-post-puncture) headache, for the chronic rule. */
  headacheOnsets: Array<{ when: FhirInstantRange; fromRecordedDate: boolean; evidence: Evidence }>;
  /** True onsets (not recordedDate) of SIH-suspicion and of chronic-headache Conditions: date the work-up. */
  sihOnsets: FhirInstantRange[];
  chronicOnsets: FhirInstantRange[];
  chronicCoded: Evidence[];
  gcs: Array<{ value: number; when?: FhirInstantRange; evidence: Evidence }>;
  /** Decreased-consciousness records with the date their recency is judged by. */
  consciousness: Array<{ evidence: Evidence; when?: FhirInstantRange }>;
  /** Brain features from Conditions/Observations, filtered by the work-up onset at the end. */
  featureRecords: Array<{ evidence: Evidence; when?: FhirInstantRange; trueDate: boolean }>;
  /** Red-flag records with the date their recency is judged by (reasons: now). */
  redFlags: Array<{ flag: RedFlagId; evidence: Evidence; when?: FhirInstantRange }>;
  /** Anticoagulation records (any date: an active Condition is current). */
  anticoagulation: Evidence[];
}

/** Records red-flag, anticoagulation and patient-level border matches of one concept. */
function addSafetyMatches(
  acc: Acc,
  hits: Map<string, ConceptMatch>,
  border: ConceptMatch[],
  resourceType: string,
  id: string | undefined,
  when: FhirInstantRange | undefined,
  dateInEvidence = true,
): void {
  const date = dateInEvidence ? when : undefined;
  for (const [setId, flag] of Object.entries(RED_FLAG_SETS)) {
    if (flag === 'decreased-consciousness') continue; // read with its own recency and GCS rules
    const m = hits.get(setId);
    if (m) acc.redFlags.push({ flag, evidence: evidenceOf(`red-flag-${flag}`, resourceType, id, m, date), ...(when ? { when } : {}) });
  }
  const ac = hits.get('anticoagulation');
  if (ac) acc.anticoagulation.push(evidenceOf('anticoagulation', resourceType, id, ac, date));
  if (resourceType === 'ServiceRequest') return; // an order's border reason makes that order outside, not the record
  for (const m of border) {
    if (PATIENT_BORDER.has(m.setId)) acc.facts.border.push(evidenceOf('outside-topic-border', resourceType, id, m, date));
  }
}

function characterOf(hits: Map<string, ConceptMatch>): HeadacheCharacter {
  const rebound = hits.has('rebound-headache');
  const orthostatic = hits.has('sih-suspicion') || hits.has('post-puncture-headache');
  if (rebound && orthostatic) return 'mixed';
  if (rebound) return 'rebound';
  return orthostatic ? 'orthostatic' : 'unspecified';
}

function addHeadacheMatches(
  acc: Acc,
  hits: Map<string, ConceptMatch>,
  resourceType: string,
  id: string | undefined,
  when: FhirInstantRange | undefined,
  fromRecordedDate: boolean,
  active: boolean,
  /** False for draft reasons: they are about "now" but carry no date of their own. */
  dateInEvidence = true,
): void {
  const { facts } = acc;
  const dated = (fact: string, m: ConceptMatch, extra?: Partial<DatedEvidence>): DatedEvidence => ({
    evidence: evidenceOf(fact, resourceType, id, m, dateInEvidence ? when : undefined),
    ...(when ? { when } : {}),
    ...(fromRecordedDate ? { fromRecordedDate } : {}),
    active,
    ...extra,
  });
  const reason = resourceType === 'ServiceRequest';
  const suspicion = hits.get('sih-suspicion');
  const postPuncture = hits.get('post-puncture-headache');
  const chronic = hits.get('chronic-headache');
  const plain = hits.get('headache');
  const rebound = hits.get('rebound-headache');
  if (suspicion) facts.sihSuspicion.push(dated('sih-suspicion', suspicion));
  // A post-puncture headache is by definition orthostatic and low-pressure (ICHD-3 7.2.1, clinical doc §2.4):
  // it makes SIH suspected, and its onset dates the puncture when no procedure is recorded.
  if (postPuncture) {
    facts.sihSuspicion.push(dated('sih-suspicion', postPuncture, { postPuncture: true }));
    if (!reason) facts.spinalInterventions.push(dated('post-puncture-headache', postPuncture, { postPuncture: true }));
  }
  if (chronic && active) acc.chronicCoded.push(evidenceOf('chronic-headache', resourceType, id, chronic, when));
  // Recorded headaches only: a draft order's reason is not a dated headache record.
  const any = rebound ?? suspicion ?? postPuncture ?? chronic ?? plain;
  if (any && !reason) {
    facts.headache.push(dated('headache', any, { character: characterOf(hits), ...(postPuncture ? { postPuncture: true } : {}) }));
  }
  if (resourceType === 'Condition' && when && (suspicion ?? chronic ?? plain) && !postPuncture) {
    acc.headacheOnsets.push({ when, fromRecordedDate, evidence: evidenceOf('headache-onset', resourceType, id, (suspicion ?? chronic ?? plain)!, when) });
  }
  if (resourceType === 'Condition' && when && !fromRecordedDate) {
    if (suspicion ?? postPuncture) acc.sihOnsets.push(when);
    if (chronic) acc.chronicOnsets.push(when);
  }
}

/** The later of two optional dates (by start). */
function later(a: FhirInstantRange | undefined, b: FhirInstantRange | undefined): FhirInstantRange | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.start > a.start ? b : a;
}

function readCondition(acc: Acc, c: Condition): void {
  const clinical = codeOf(c.clinicalStatus);
  if (clinical && EXCLUDED_CONDITION_CLINICAL.has(clinical)) return;
  const verification = codeOf(c.verificationStatus);
  if (verification && EXCLUDED_CONDITION_VERIFICATION.has(verification)) return;
  const hits = matchConceptIfAny(c.code, CONDITION_SETS);
  if (!hits) return;
  const border = applyBorder(hits);
  const onset = firstDate(c.onsetDateTime, c.onsetPeriod?.start);
  const recordedDate = firstDate(c.recordedDate);
  const recorded = onset ? undefined : recordedDate;
  const when = onset ?? recorded;
  addHeadacheMatches(acc, hits, 'Condition', c.id, when, recorded !== undefined, true);
  // Red flags are judged by the latest date the Condition carries (it was at least current then).
  addSafetyMatches(acc, hits, border, 'Condition', c.id, later(onset, recordedDate));
  const dc = hits.get('decreased-consciousness');
  // Obtundation is judged by the latest date the Condition carries: it was at least recorded then.
  if (dc) {
    const seen = later(onset, recordedDate);
    acc.consciousness.push({ evidence: evidenceOf('decreased-consciousness', 'Condition', c.id, dc, when), ...(seen ? { when: seen } : {}) });
  }
  const bf = hits.get('sih-brain-features');
  if (bf) {
    acc.featureRecords.push({
      evidence: evidenceOf('brain-imaging-features', 'Condition', c.id, bf, when),
      ...(when ? { when } : {}),
      trueDate: onset !== undefined,
    });
  }
}

function numericValue(o: Observation): number | undefined {
  if (typeof o.valueQuantity?.value === 'number') return o.valueQuantity.value;
  if (typeof o.valueInteger === 'number') return o.valueInteger;
  return undefined;
}

/** An Observation that records a finding as absent ("pachymeningeal enhancement: false / absent"). */
function saysAbsent(o: Observation): boolean {
  if (o.valueBoolean === false) return true;
  const code = codeOf(o.valueCodeableConcept);
  // 260385009 "Negative", 2667000 "Absent" are the usual SNOMED qualifiers [U] (not in the clinical doc);
  // the text check covers the same ground.
  if (code === '260385009' || code === '2667000') return true;
  const text = o.valueCodeableConcept?.text ?? o.valueString;
  return typeof text === 'string' && /^\s*(no|none|absent|negative|not\s+present)\b/i.test(text);
}

function readObservation(acc: Acc, o: Observation): void {
  if (EXCLUDED_OBSERVATION.has(o.status)) return;
  // Undefined when nothing matched (most Observations: vitals, labs): they cost no Map.
  let hits = matchConceptIfAny(o.code, OBSERVATION_SETS);
  // A GCS total is read by its code only (gcs-total has no text terms): nothing else about it is a finding.
  const gcs = hits?.get('gcs-total');
  if (gcs) {
    const when = firstDate(o.effectiveDateTime, o.effectivePeriod?.start, o.effectiveInstant, o.issued);
    const value = numericValue(o);
    if (value !== undefined) acc.gcs.push({ value, ...(when ? { when } : {}), evidence: evidenceOf('gcs', 'Observation', o.id, gcs, when) });
    return;
  }
  // A body temperature is read by its value only: at or above the fever threshold it is a red flag.
  const temperature = hits?.get('body-temperature');
  if (temperature) {
    const value = numericValue(o);
    const unit = (o.valueQuantity?.code ?? o.valueQuantity?.unit ?? '').toLowerCase();
    const celsius = value === undefined ? undefined : unit.includes('f') ? ((value - 32) * 5) / 9 : value;
    if (celsius !== undefined && celsius >= thresholdValue('fever-temperature')) {
      const when = firstDate(o.effectiveDateTime, o.effectivePeriod?.start, o.effectiveInstant, o.issued);
      acc.redFlags.push({ flag: 'fever-meningism', evidence: evidenceOf('red-flag-fever-meningism', 'Observation', o.id, temperature, when), ...(when ? { when } : {}) });
    }
    return;
  }
  // A generic "finding" Observation may carry the concept in its value instead.
  if (o.valueCodeableConcept) {
    const values = matchConceptIfAny(o.valueCodeableConcept, OBSERVATION_VALUE_SETS);
    if (values) {
      hits ??= new Map();
      for (const [k, v] of values) if (!hits.has(k)) hits.set(k, v);
    }
  }
  if (!hits) return;
  // Dated only once something matched: most Observations (vitals, labs) match nothing.
  const when = firstDate(o.effectiveDateTime, o.effectivePeriod?.start, o.effectiveInstant, o.issued);
  const bern = hits.get('bern-score');
  if (bern) {
    const value = numericValue(o);
    if (value !== undefined && value >= thresholdValue('bern-score-features')) {
      acc.featureRecords.push({
        evidence: evidenceOf('brain-imaging-features', 'Observation', o.id, bern, when),
        ...(when ? { when } : {}),
        trueDate: when !== undefined,
      });
    }
    return;
  }
  if (saysAbsent(o)) return;
  const border = applyBorder(hits);
  addHeadacheMatches(acc, hits, 'Observation', o.id, when, false, true);
  addSafetyMatches(acc, hits, border, 'Observation', o.id, when);
  const dc = hits.get('decreased-consciousness');
  if (dc) acc.consciousness.push({ evidence: evidenceOf('decreased-consciousness', 'Observation', o.id, dc, when), ...(when ? { when } : {}) });
  const bf = hits.get('sih-brain-features');
  if (bf) {
    acc.featureRecords.push({
      evidence: evidenceOf('brain-imaging-features', 'Observation', o.id, bf, when),
      ...(when ? { when } : {}),
      trueDate: when !== undefined,
    });
  }
}

function readProcedure(acc: Acc, p: Procedure, imaging: ImagingCollector): void {
  if (EXCLUDED_PROCEDURE.has(p.status)) return;
  const when = firstDate(p.performedDateTime, p.performedPeriod?.start);
  const hits = matchConceptIfAny(p.code, PROCEDURE_SETS);
  const patch = hits?.get('blood-patch');
  // A patch is an epidural injection meant to seal a leak, not a new puncture: it never counts as both.
  if (patch) {
    acc.facts.patches.push({ evidence: evidenceOf('blood-patch', 'Procedure', p.id, patch, when), ...(when ? { when } : {}), active: true });
    return;
  }
  const study = kindOfConcept(p.code);
  if (study) {
    imaging.addProcedure(p, study, when);
    return;
  }
  const si = hits?.get('spinal-intervention');
  if (si) {
    acc.facts.spinalInterventions.push({ evidence: evidenceOf('spinal-intervention', 'Procedure', p.id, si, when), ...(when ? { when } : {}), active: true });
  }
}

function readReason(acc: Acc, reason: DraftReason, now: FhirInstantRange): void {
  const hits = matchConceptIfAny(reason.concept, REASON_SETS);
  if (!hits) return;
  const border = applyBorder(hits);
  // The reason describes the patient now; it has no date of its own (Evidence.date stays empty).
  addHeadacheMatches(acc, hits, 'ServiceRequest', reason.orderId, now, false, true, false);
  addSafetyMatches(acc, hits, border, 'ServiceRequest', reason.orderId, now, false);
  // A reason on today's order describes the patient now: it is within any recency window.
  const dc = hits.get('decreased-consciousness');
  if (dc) acc.consciousness.push({ evidence: evidenceOf('decreased-consciousness', 'ServiceRequest', reason.orderId, dc, undefined), when: now });
}

/** Chronic = a chronic code/term, or a headache onset more than 3 months before now (recordedDate can only prove it). */
function chronicFact(acc: Acc, now: number): ChronicFact {
  const limit = now - thresholdMs('chronic-headache');
  let chronicBy: (typeof acc.headacheOnsets)[number] | undefined;
  let anyRecent = false;
  let earliest: FhirInstantRange | undefined;
  for (const o of acc.headacheOnsets) {
    if (!earliest || o.when.start < earliest.start) earliest = o.when;
    // recordedDate is at or after the onset: an old recordedDate proves chronic, a recent one proves nothing.
    if (o.when.end <= limit) {
      if (!chronicBy || o.when.start < chronicBy.when.start) chronicBy = o;
    } else if (!o.fromRecordedDate && o.when.start > limit) {
      anyRecent = true;
    }
  }
  const base = { ...(earliest ? { onset: earliest } : {}) };
  if (acc.chronicCoded.length > 0) {
    const conflict =
      !chronicBy && anyRecent
        ? 'a chronic headache is coded, but the recorded onset of the headache is less than 3 months ago'
        : undefined;
    return {
      status: 'chronic',
      evidence: [...acc.chronicCoded, ...(chronicBy ? [chronicBy.evidence] : [])],
      coded: true,
      fromRecordedDate: false,
      ...base,
      ...(conflict ? { conflict } : {}),
    };
  }
  if (chronicBy) {
    return { status: 'chronic', evidence: [withFact(chronicBy.evidence, 'chronic-headache')], coded: false, fromRecordedDate: chronicBy.fromRecordedDate, ...base };
  }
  if (anyRecent) return { status: 'not-chronic', evidence: [], coded: false, fromRecordedDate: false, ...base };
  return { status: 'unknown', evidence: [], coded: false, fromRecordedDate: false, ...base };
}

function latestGcs(acc: Acc): Acc['gcs'][number] | undefined {
  let best: Acc['gcs'][number] | undefined;
  for (const g of acc.gcs) {
    if (!best || (g.when?.start ?? -Infinity) > (best.when?.start ?? -Infinity)) best = g;
  }
  return best;
}

function earliest(list: readonly FhirInstantRange[]): FhirInstantRange | undefined {
  let best: FhirInstantRange | undefined;
  for (const d of list) if (!best || d.start < best.start) best = d;
  return best;
}

/**
 * Extracts the clinical facts from a record and the reasons on the draft orders (which count as evidence of
 * the indication, with resourceType 'ServiceRequest'). `now` is injected (see clock.ts).
 */
export function extractFacts(
  record: PatientRecord,
  draftReasons: ReadonlyArray<CodeableConcept | DraftReason>,
  now: Date,
): ClinicalFacts {
  return withMatchMemo(() => extract(record, draftReasons, now));
}

function extract(record: PatientRecord, draftReasons: ReadonlyArray<CodeableConcept | DraftReason>, now: Date): ClinicalFacts {
  const nowMs = now.getTime();
  const facts: ClinicalFacts = {
    now,
    redFlags: [],
    border: [],
    sihCoded: false,
    sihSuspicion: [],
    headache: [],
    chronic: { status: 'unknown', evidence: [], coded: false, fromRecordedDate: false },
    spinalInterventions: [],
    patches: [],
    decreasedConsciousness: [],
    staleConsciousness: [],
    brainFeatures: [],
    brainMri: { status: 'none', evidence: [] },
    spineMri: { status: 'none', evidence: [] },
    myelography: { done: false, result: 'unknown', evidence: [] },
    imagingNotCounted: [],
    imagingDatingUncertain: false,
  };
  const acc: Acc = {
    facts,
    headacheOnsets: [],
    sihOnsets: [],
    chronicOnsets: [],
    chronicCoded: [],
    gcs: [],
    consciousness: [],
    featureRecords: [],
    redFlags: [],
    anticoagulation: [],
  };
  const imaging = new ImagingCollector();
  const r = record.resources;

  for (const c of r.Condition) readCondition(acc, c);
  // The headache's onset dates the work-up: imaging from before it belongs to something else.
  const workupOnset = earliest(acc.sihOnsets) ?? earliest(acc.chronicOnsets);
  if (workupOnset) facts.workupOnset = workupOnset;
  imaging.setWorkupOnset(workupOnset);
  for (const o of r.Observation) readObservation(acc, o);
  for (const p of r.Procedure) readProcedure(acc, p, imaging);
  // Studies before reports: reports may name their study only by reference.
  for (const s of r.ImagingStudy) if (!EXCLUDED_STUDY.has(s.status)) imaging.addStudy(s);
  for (const d of r.DiagnosticReport) if (!EXCLUDED_REPORT.has(d.status)) imaging.addReport(d);
  imaging.finish();
  const nowRange: FhirInstantRange = { iso: now.toISOString(), start: nowMs, end: nowMs };
  for (const reason of draftReasons) {
    readReason(acc, 'concept' in reason ? reason : { concept: reason }, nowRange);
  }

  for (const p of imaging.punctures) facts.spinalInterventions.push({ ...p, ...(p.when ? { when: p.when } : {}), active: true });
  // Anything dated in the future has not happened yet (a scheduled procedure): it cannot explain a headache.
  facts.spinalInterventions = facts.spinalInterventions.filter((d) => !d.when || d.when.start <= nowMs);
  facts.patches = facts.patches.filter((d) => !d.when || d.when.start <= nowMs);

  // Brain features recorded as findings count like studies: not when dated before the headache began.
  for (const f of acc.featureRecords) {
    if (workupOnset && f.when && f.trueDate && f.when.end <= workupOnset.start) continue;
    facts.brainFeatures.push(f.evidence);
  }
  facts.brainFeatures.push(...imaging.brainFeatures);
  facts.brainMri = imaging.brainMri;
  facts.spineMri = imaging.spineMri;
  facts.myelography = imaging.myelography;
  facts.imagingNotCounted = imaging.notCounted;
  facts.imagingDatingUncertain = imaging.datingUncertain;
  facts.chronic = chronicFact(acc, nowMs);

  // Obtundation is a state now: only records within the recency window count (an order's reason is "now").
  const recentFrom = nowMs - thresholdMs('decreased-consciousness-recent');
  const isRecent = (when: FhirInstantRange | undefined): boolean => when !== undefined && when.end >= recentFrom;
  for (const d of acc.consciousness) (isRecent(d.when) ? facts.decreasedConsciousness : facts.staleConsciousness).push(d.evidence);
  const gcs = latestGcs(acc);
  if (gcs) {
    facts.latestGcs = { value: gcs.value, evidence: gcs.evidence };
    if (gcs.value <= thresholdValue('decreased-consciousness-gcs')) {
      (isRecent(gcs.when) ? facts.decreasedConsciousness : facts.staleConsciousness).push(gcs.evidence);
    }
  }

  // Red flags: recent records (an undated one is not known to be recent) and every draft reason ("now").
  const redFrom = nowMs - thresholdMs('red-flag-recent');
  for (const r of acc.redFlags) {
    if (r.when !== undefined && r.when.end >= redFrom && r.when.start <= nowMs) facts.redFlags.push({ flag: r.flag, evidence: r.evidence });
  }
  // Anticoagulation + a new deficit + a puncture within the recent window: a possible spinal haematoma.
  const deficits = facts.redFlags.filter((r) => r.flag === 'focal-deficit');
  const punctureFrom = nowMs - thresholdMs('recent-spinal-intervention');
  const punctures = facts.spinalInterventions.filter((d) => d.when !== undefined && d.when.end >= punctureFrom);
  if (deficits.length > 0 && acc.anticoagulation.length > 0 && punctures.length > 0) {
    for (const e of [...acc.anticoagulation, ...deficits.map((d) => d.evidence), ...punctures.map((p) => p.evidence)]) {
      facts.redFlags.push({ flag: 'anticoagulation-deficit-after-puncture', evidence: e });
    }
  }
  facts.sihCoded = facts.sihSuspicion.some((d) => !d.evidence.textMatch);
  return facts;
}

/**
 * Whether the topic applies: SIH is suspected (orthostatic headache, CSF leak, a coded diagnosis, a post-
 * puncture headache, including a draft order's reason). Nothing else makes it apply: brain features with
 * obtundation (e.g. a traumatic subdural in a comatose patient) are not a suspicion of SIH by themselves
 * (radiologist review).
 */
export function sihSuspected(facts: ClinicalFacts): boolean {
  return facts.sihSuspicion.length > 0;
}

/**
 * Whether the record's CSF disorder is outside the topic's border: an active patient-level border diagnosis
 * (shunt over-drainage, cranial CSF leak, orthostatic hypotension / POTS) and no in-topic CODE for SIH.
 */
export function outsideBorder(facts: ClinicalFacts): boolean {
  return facts.border.length > 0 && !facts.sihCoded;
}
