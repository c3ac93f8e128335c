/**
 * Red flags: findings that make an urgent study right whatever this topic rates. An order whose own reasons,
 * or whose patient's recent record (or another draft order of the same session), carry one is never
 * discouraged by this topic: no warning, no removal or replacement, PAMA `no-criteria-apply`. The one
 * exception is a picture an ACR variant of this topic covers exactly: obtundation WITH brain-imaging features
 * of SIH is Variant 4, and then the variant's own ratings apply to the studies it lists (`coveredByVariant`).
 *
 * Data only; the engine (src/engine/red-flags.ts) applies it. Value sets are in ./valuesets.ts, each code
 * with its source; the list itself is our clinical reading of the usual headache red flags (SNOOP-type lists
 * and the seed article's "obtundation" variant), for clinical review.
 */
import type { VariantId } from './types.js';

export const RED_FLAG_IDS = [
  'decreased-consciousness',
  'thunderclap-headache',
  'focal-deficit',
  'fever-meningism',
  'head-trauma',
  'seizure',
  'anticoagulation-deficit-after-puncture',
] as const;
export type RedFlagId = (typeof RED_FLAG_IDS)[number];

export interface RedFlagDef {
  id: RedFlagId;
  /** Short words for a card ("decreased consciousness"). */
  label: string;
  /** What the clinician should rule out (our words). */
  concern: string;
  /** Value sets that carry it (./valuesets.ts); GCS totals are read by the engine (threshold below). */
  valueSets: readonly string[];
  /** The ACR variant of this topic that covers the picture exactly, when one does. */
  coveredByVariant?: VariantId;
  source: string;
}

export const RED_FLAGS: Readonly<Record<RedFlagId, RedFlagDef>> = {
  'decreased-consciousness': {
    id: 'decreased-consciousness',
    label: 'decreased consciousness',
    concern: 'intracranial haemorrhage, herniation or another cause of coma needing urgent imaging',
    valueSets: ['decreased-consciousness', 'gcs-total'],
    coveredByVariant: 4,
    source:
      'ACR variant 4 ("Obtundation with initial brain imaging features of suspected intracranial hypotension") covers it only WITH brain-imaging features; otherwise our reading, for review. By code, text, or a GCS total at or below THRESHOLDS["decreased-consciousness-gcs"]',
  },
  'thunderclap-headache': {
    id: 'thunderclap-headache',
    label: 'thunderclap or sudden worst headache',
    concern: 'subarachnoid haemorrhage or another vascular cause',
    valueSets: ['red-flag-thunderclap'],
    source: 'Our reading (a thunderclap headache is investigated for subarachnoid haemorrhage first), for review',
  },
  'focal-deficit': {
    id: 'focal-deficit',
    label: 'new focal deficit or signs of cord compression',
    concern: 'stroke, haemorrhage, or a spinal haematoma or abscess compressing the cord',
    valueSets: ['red-flag-focal-deficit'],
    source: 'Our reading, for review',
  },
  'fever-meningism': {
    id: 'fever-meningism',
    label: 'fever or meningism',
    concern: 'meningitis (including after a dural puncture) or another infection',
    valueSets: ['red-flag-fever-meningism'],
    source: 'Our reading, for review',
  },
  'head-trauma': {
    id: 'head-trauma',
    label: 'head trauma',
    concern: 'traumatic intracranial haemorrhage',
    valueSets: ['red-flag-head-trauma'],
    source: 'Our reading (head trauma has its own ACR topic), for review',
  },
  seizure: {
    id: 'seizure',
    label: 'seizure',
    concern: 'an intracranial cause of the seizure (haemorrhage, venous thrombosis, mass)',
    valueSets: ['red-flag-seizure'],
    source: 'Our reading (seizure has its own ACR topic), for review',
  },
  'anticoagulation-deficit-after-puncture': {
    id: 'anticoagulation-deficit-after-puncture',
    label: 'anticoagulation with a new deficit after a dural puncture',
    concern: 'a spinal epidural haematoma',
    valueSets: ['anticoagulation', 'red-flag-focal-deficit'],
    source:
      'Our reading, for review: anticoagulation AND a new focal deficit AND a dural puncture or spinal intervention within THRESHOLDS["recent-spinal-intervention"]',
  },
};

/** The value sets that carry a red flag by themselves (anticoagulation only counts in combination). */
export const RED_FLAG_SETS: Readonly<Record<string, RedFlagId>> = {
  'decreased-consciousness': 'decreased-consciousness',
  'red-flag-thunderclap': 'thunderclap-headache',
  'red-flag-focal-deficit': 'focal-deficit',
  'red-flag-fever-meningism': 'fever-meningism',
  'red-flag-head-trauma': 'head-trauma',
  'red-flag-seizure': 'seizure',
};
