/**
 * Time and score thresholds the variant choice uses. Each says where the number comes from: the ACR text,
 * ICHD-3 as quoted in the clinical doc (/work/shared/clinical/acr-intracranial-hypotension.md), or our own
 * clinical reading (said so, to be reviewed by a clinician).
 */
import type { Threshold } from './types.js';

export const THRESHOLDS: Record<string, Threshold> = {
  'dural-puncture-early': {
    id: 'dural-puncture-early',
    value: 72,
    unit: 'hours',
    meaning:
      'A headache within this many hours of a dural puncture or other spinal intervention is variant 2; beyond it, without improvement, variant 3.',
    source: 'ACR variant 2 and 3 texts ("within 72 hours", "without improvement post 72 hours"), clinical doc §1.3',
  },
  'recent-spinal-intervention': {
    id: 'recent-spinal-intervention',
    value: 30,
    unit: 'days',
    meaning:
      'A spinal intervention within this many days counts as "recent" (variant 1 requires none); older ones no longer explain the headache.',
    source:
      'ICHD-3 7.2.3: headache attributed to SIH is not diagnosable when a dural puncture was performed within the prior month (clinical doc §2.4); 1 month read as 30 days',
  },
  'chronic-headache': {
    id: 'chronic-headache',
    value: 3,
    unit: 'months',
    meaning: 'A headache whose onset is more than this many months before now counts as chronic (variant 5).',
    source:
      'Our reading: ICHD-3 uses "more than 3 months" for chronic and persistent daily headaches (e.g. new daily persistent headache); the ACR variant 5 text says only "chronic daily headache"',
  },
  'decreased-consciousness-gcs': {
    id: 'decreased-consciousness-gcs',
    value: 13,
    unit: 'points',
    meaning:
      'A latest Glasgow Coma Scale total at or below this counts as decreased consciousness (obtundation, variant 4).',
    source:
      'Our clinical threshold for review: below the 13–15 band that ICD-10-CM R40.241 groups as mild (clinical doc §2.4); the ACR text says only "obtundation"',
  },
  'decreased-consciousness-recent': {
    id: 'decreased-consciousness-recent',
    value: 7,
    unit: 'days',
    meaning:
      'A decreased-consciousness record (a Condition by the later of its onset and recorded date, an Observation, a GCS total) counts as obtundation now (variant 4) only when dated within this many days; older or undated records need a current one.',
    source:
      'Our clinical reading, for review (radiologist review asked for a recency window): obtundation is an acute state, and the ACR variant 4 text ("Obtundation … Next imaging study") describes the patient at the time of the next study',
  },
  'red-flag-recent': {
    id: 'red-flag-recent',
    value: 7,
    unit: 'days',
    meaning:
      'A red-flag record (thunderclap headache, focal deficit, fever or meningism, head trauma, seizure; a Condition by the later of its onset and recorded date, an Observation by its effective date) counts when dated within this many days; undated or older records do not. A draft order\'s reason always counts (it is about now).',
    source:
      'Our clinical reading, for review: the same window as decreased consciousness; red flags are acute states that make an urgent study right now',
  },
  'fever-temperature': {
    id: 'fever-temperature',
    value: 38,
    unit: 'points',
    meaning:
      'A body temperature (LOINC 8310-5) at or above this many degrees Celsius (100.4 °F), measured within the red-flag window, is fever: a red flag.',
    source: 'Our reading, for review: the usual clinical definition of fever (38.0 °C)',
  },
  'rebound-after-patch': {
    id: 'rebound-after-patch',
    value: 14,
    unit: 'days',
    meaning:
      'A headache beginning within this many days after an epidural blood or fibrin glue patch is read as a possible rebound headache (variant 6): it counts when it is worse lying down or coded as intracranial hypertension; an orthostatic one is a recurrence, not a rebound.',
    source:
      'Our reading: rebound headache after a patch typically begins within days; the ACR variant 6 text gives no window',
  },
  'adult-age': {
    id: 'adult-age',
    value: 18,
    unit: 'years',
    meaning: 'Every variant of the topic is for adults: a patient younger than this is outside the topic.',
    source: 'ACR variant texts 1–6 all begin "Adult." (clinical doc §1.3); 18 years is our reading of "adult"',
  },
  'bern-score-features': {
    id: 'bern-score-features',
    value: 3,
    unit: 'points',
    meaning:
      'A Bern SIH score at or above this (intermediate or high probability) counts as brain-imaging features of SIH.',
    source:
      '[U] Bern score bands (0–2 low, 3–4 intermediate, ≥5 high probability; Dobrocky et al., JAMA Neurol 2019), not in the clinical doc: our reading, to be reviewed',
  },
};

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The threshold as milliseconds, for time thresholds. Months are calendar-agnostic 30-day months. */
export function thresholdMs(id: string): number {
  const t = THRESHOLDS[id];
  if (!t) throw new Error(`unknown threshold ${id}`);
  switch (t.unit) {
    case 'hours':
      return t.value * HOUR_MS;
    case 'days':
      return t.value * DAY_MS;
    case 'months':
      return t.value * 30 * DAY_MS;
    default:
      throw new Error(`threshold ${id} is not a duration`);
  }
}

/** A score threshold's value. */
export function thresholdValue(id: string): number {
  const t = THRESHOLDS[id];
  if (!t) throw new Error(`unknown threshold ${id}`);
  return t.value;
}
