/**
 * The order in which the six ACR variants are tried (lowest rank first; the first that fits wins).
 * The ACR publishes the variants, not a precedence: this order is ours, and this file is where it is argued.
 * Thresholds are in ./thresholds.ts; the rules are applied in src/engine/variant.ts.
 *
 * Why this order
 *  1. Post-procedural and post-patch states come first, because they change what the headache means:
 *     - V6 (rebound headache after an epidural blood or fibrin glue patch): clinically, a "rebound headache"
 *       after a patch is rebound intracranial HYPERtension — worse lying down, better upright. Only a RECORDED
 *       headache (Condition or Observation; never a draft order's reason, which is dated "now") that began
 *       within the window after a patch is read, by its character (radiologist review):
 *         · coded or worded as rebound / worse lying down / intracranial hypertension → V6;
 *         · orthostatic or SIH-coded → the patch failed (recurrence), not V6: go on through the precedence,
 *           with a caution (the seed article's pathway after a failed patch is localising imaging);
 *         · a plain "headache" → undetermined: is it orthostatic (recurrence) or worse lying down (rebound)?
 *     - V2 / V3 (headache within / beyond 72 h of a dural puncture or spinal intervention): an iatrogenic leak
 *       explains the headache, and the ACR rates all imaging Usually Not Appropriate for both. Only an
 *       intervention within the look-back window ("recent", 30 days, ICHD-3 7.2.3) counts; older ones leave
 *       the patient in V1/V5 ("without recent spinal intervention").
 *       The headache must come FROM the puncture (radiologist review): a post-puncture headache is coded, or
 *       the headache's recorded onset is at or after the puncture. A headache recorded before the puncture
 *       (e.g. five weeks of headache, then an opening-pressure LP) skips V2/V3 with a caution that the puncture
 *       may add a post-puncture headache; onset unknown → undetermined ("when the headache began relative to
 *       the puncture"). A CHRONIC headache (> 3 months) skips V2/V3 as before.
 *  2. V4 (obtundation WITH brain-imaging features): the most urgent of the next-study variants. Obtundation
 *     counts only when recorded within the recency window (7 days, our reading) or by a GCS total (LOINC 9269-2).
 *  3. Positive initial imaging WITHOUT obtundation (brain-imaging features of SIH, or a spine MRI with a leak
 *     or extradural collection): undetermined, no candidate. The seed article says such patients "follow a
 *     distinct workup" (where is the leak?); the 2024 topic has no variant for localisation (V4 needs
 *     obtundation, V5 negative imaging, V1 is the initial imaging already done). Never a confident V1.
 *  4. V5 (chronic daily headache with NEGATIVE brain AND whole-spine MRI): "negative" needs a final report that
 *     says so ("normal study", "unremarkable", "no evidence of …") and names no SIH sign; a report with no
 *     conclusion or with findings we do not recognise is "done, result unknown" and leaves the choice
 *     undetermined. The spine must be covered whole (complete spine, or cervical + thoracic + lumbar). Only
 *     imaging dated on or after the headache's onset counts.
 *  5. V1 (initial imaging for orthostatic headache): the default once SIH is suspected.
 * The topic applies only when SIH is suspected (an orthostatic headache, CSF leak or SIH diagnosis, a
 * post-puncture headache, or such a reason on the draft order): obtundation with brain features alone (e.g.
 * a traumatic subdural) does not make it apply.
 *
 * Cases thought through (tests in test/variant.test.ts hold each):
 *  - Orthostatic headache + a spinal intervention with NO date, headache not known to be chronic: we cannot tell
 *    V1 (not recent) from V2 (≤ 72 h) from V3 (> 72 h) → undetermined, candidates [1, 2, 3], missing "date of
 *    the dural puncture or spinal intervention". Never a silent guess.
 *  - Chronic orthostatic headache + negative brain MRI but no spine MRI yet → V1: the initial work-up (brain
 *    AND spine) is incomplete, and V1 rates complete-spine MRI Usually Appropriate. V5 starts after both.
 *  - Negative brain MRI + a negative LUMBAR-only spine MRI → V1 (issue 10: the initial work-up is incomplete; the
 *    next step is MRI complete spine), with a caution that only part of the spine was imaged.
 *  - Orthostatic headache + brain MRI WITH SIH features, not obtunded → undetermined, no candidate (above).
 *  - Obtundation without any brain imaging → V1 (initial imaging), with a caution that V4 applies once brain
 *    imaging shows features. Obtundation with a brain MRI but no report → undetermined [1, 4]. Brain features
 *    with only an old or undated obtundation record → undetermined [4] (is the patient obtunded now?).
 *  - Chronic headache, negative brain and spine MRI, but a chronic code AND a recorded onset < 3 months →
 *    undetermined [1, 5] with the conflict stated.
 *  - Headache < 3 months with negative brain and spine MRI → V1 (initial imaging done; V5 is for chronic
 *    daily headache), with a caution; onset unknown → undetermined [1, 5], missing the onset date.
 *  - A brain MRI from 2019 and a headache that began in 2026: the MRI is not counted (V1, with a caution);
 *    headache onset unknown → counted, with a caution.
 *  - A patch with no date, or a headache with no date next to a patch → undetermined with V6 among the
 *    candidates.
 */
import type { PrecedenceRule } from './types.js';
import { THRESHOLDS } from './thresholds.js';

/** Threshold values quoted in the rule texts, read from THRESHOLDS so the words cannot drift from the rules. */
const v = (id: string): number => {
  const t = THRESHOLDS[id];
  if (!t) throw new Error(`unknown threshold ${id}`);
  return t.value;
};
const EARLY_H = v('dural-puncture-early');
const RECENT_D = v('recent-spinal-intervention');
const REBOUND_D = v('rebound-after-patch');
const GCS = v('decreased-consciousness-gcs');
const CHRONIC_M = v('chronic-headache');

const OBTUNDED_D = v('decreased-consciousness-recent');

export const VARIANT_PRECEDENCE: PrecedenceRule[] = [
  {
    rank: 1,
    variant: 4,
    when: `Obtundation or decreased consciousness now (coded and dated within ${OBTUNDED_D} days, a draft order's reason, or latest GCS total (LOINC 9269-2) ≤ ${GCS} within ${OBTUNDED_D} days) with brain-imaging features of intracranial hypotension. First, because it is the one red-flag picture the topic covers: it wins over a recent puncture (variants 2/3) or a patch (variant 6), whose "no imaging" advice would be unsafe for an obtunded patient (issue 10). Without obtundation, brain-imaging features or a spine MRI showing a leak or extradural collection are undetermined: no variant of the topic covers localising the leak after positive initial imaging.`,
  },
  {
    rank: 2,
    variant: 6,
    when: `A recorded headache (not a draft order's reason) began after an epidural blood patch or fibrin glue patch, within ${REBOUND_D} days of it, and is a rebound headache: coded or worded as rebound, worse lying down or intracranial hypertension. An orthostatic headache after the patch is a recurrence (not variant 6: go on, with a caution); a headache of unstated kind is undetermined.`,
  },
  {
    rank: 3,
    variant: 2,
    when: `Suspected intracranial hypotension within ${EARLY_H} hours of a dural puncture or other spinal intervention (in the last ${RECENT_D} days), the headache coded as post-puncture or recorded as beginning at or after the puncture, and not a chronic headache that predates it. A headache recorded before the puncture skips variants 2 and 3; onset unknown is undetermined.`,
  },
  {
    rank: 4,
    variant: 3,
    when: `Suspected intracranial hypotension more than ${EARLY_H} hours after a dural puncture or other spinal intervention (in the last ${RECENT_D} days), still active (no improvement), the headache coded as post-puncture or recorded as beginning at or after the puncture, and not a chronic headache that predates it.`,
  },
  {
    rank: 5,
    variant: 5,
    when: `Chronic headache (coded, or onset more than ${CHRONIC_M} months ago) with a final brain MRI report AND final spine MRI reports covering the whole spine, dated on or after the headache began, that say they are negative and name no feature of intracranial hypotension. A spine MRI of only part of the spine is not a complete work-up: variant 1, whose missing study is MRI complete spine.`,
  },
  {
    rank: 6,
    variant: 1,
    when: 'Otherwise, suspected intracranial hypotension (orthostatic headache, CSF leak, or a coded diagnosis): initial imaging. The topic applies only when SIH is suspected, and not when the record\'s CSF disorder is outside the border (src/guideline/topic-border.ts) with no in-topic code.',
  },
];
