/**
 * Which parts of the record each answer depends on. Absence of evidence is evidence of absence only when
 * the data was read: when a FHIR server failed or a prefetch was missing, an answer that rests on
 * something NOT being in the record must not be given as if it were certain. Our own clinical reasoning
 * over the variant definitions (clinical doc §1.3) and the precedence in precedence.ts; reviewable here.
 */
import type { DataDependency } from './types.js';

export const DATA_DEPENDENCIES: readonly DataDependency[] = [
  {
    answer: 'not-applicable',
    // Nothing suggests intracranial hypotension — but the suspicion normally lives in the Conditions.
    undetermineIfMissing: ['Condition'],
    cautionIfMissing: [],
    candidates: [1, 2, 3, 4, 5, 6],
    why: 'the conditions could show an orthostatic headache or suspected intracranial hypotension',
  },
  {
    answer: 1,
    // Variant 1 is chosen because no completed, negative brain and spine MRI was found: unread imaging
    // reports could make it variant 5.
    undetermineIfMissing: ['DiagnosticReport', 'ImagingStudy'],
    cautionIfMissing: ['Procedure', 'Observation'],
    candidates: [1, 5],
    why: 'imaging reports could show a completed negative MRI work-up (variant 5); procedures a recent dural puncture or patch (variants 2, 3, 6)',
  },
  {
    answer: 5,
    undetermineIfMissing: [],
    cautionIfMissing: ['Procedure', 'Observation', 'DiagnosticReport'],
    candidates: [5],
    why: 'procedures could show a recent dural puncture or patch (variants 2, 3, 6); observations a decreased level of consciousness (variant 4)',
  },
  {
    answer: 4,
    undetermineIfMissing: [],
    cautionIfMissing: ['Procedure'],
    candidates: [4],
    why: 'procedures could show a recent dural puncture or patch (variants 2, 3, 6)',
  },
  {
    answer: 2,
    undetermineIfMissing: [],
    cautionIfMissing: ['Procedure', 'Condition', 'Observation'],
    candidates: [2],
    why: 'procedures could show a later patch (variant 6); conditions or observations that the headache began before the puncture',
  },
  {
    answer: 3,
    undetermineIfMissing: [],
    cautionIfMissing: ['Procedure', 'Condition', 'Observation'],
    candidates: [3],
    why: 'procedures could show a later patch (variant 6); conditions or observations that the headache began before the puncture',
  },
  {
    answer: 6,
    undetermineIfMissing: [],
    cautionIfMissing: ['Observation'],
    candidates: [6],
    why: 'observations could show that the headache after the patch is orthostatic (a recurrence, not a rebound)',
  },
];
