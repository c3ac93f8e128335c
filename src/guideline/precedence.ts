/**
 * The order in which the six ACR variants are tried (lowest rank first; the first that fits wins).
 * The ACR publishes the variants, not a precedence: this order is ours, and this file is where it is argued.
 * Thresholds are in ./thresholds.ts; the rules are applied in src/engine/variant.ts.
 *
 * Why this order
 *  1. Post-procedural and post-patch states come first, because they change what the headache means:
 *     - V6 (rebound headache after an epidural blood or fibrin glue patch): a new headache within the rebound
 *       window after a patch is, first, a treatment reaction, whatever came before.
 *     - V2 / V3 (headache within / beyond 72 h of a dural puncture or spinal intervention): an iatrogenic leak
 *       explains the headache, and the ACR rates all imaging Usually Not Appropriate for both. Only an
 *       intervention within the look-back window ("recent", 30 days, ICHD-3 7.2.3) counts; older ones leave
 *       the patient in V1/V5 ("without recent spinal intervention").
 *       A CHRONIC headache (> 3 months) cannot have been caused by a puncture inside the 30-day window: then
 *       V2/V3 do not apply and the puncture is reported as the seed article's "confounding post-puncture
 *       headache" pitfall instead (e.g. a myelogram done two days ago in a patient with months of headache).
 *  2. V4 (obtundation WITH brain-imaging features): the most urgent of the next-study variants.
 *  3. V5 (chronic daily headache with NEGATIVE brain AND spine MRI): "negative" needs a final report without
 *     SIH findings; a study with no report is "done, result unknown" and leaves the choice undetermined.
 *  4. V1 (initial imaging for orthostatic headache): the default once SIH is suspected.
 *
 * Cases thought through (tests in test/variant.test.ts hold each):
 *  - Orthostatic headache + a spinal intervention with NO date, headache not known to be chronic: we cannot tell
 *    V1 (not recent) from V2 (≤ 72 h) from V3 (> 72 h) → undetermined, candidates [1, 2, 3], missing "date of
 *    the dural puncture or spinal intervention". Never a silent guess.
 *  - Chronic orthostatic headache + negative brain MRI but no spine MRI yet → V1: the initial work-up (brain
 *    AND spine) is incomplete, and V1 rates complete-spine MRI Usually Appropriate. V5 starts after both.
 *  - Orthostatic headache + brain MRI WITH SIH features, not obtunded → V1. The 2024 topic has no separate
 *    "classic findings on brain MRI" variant (clinical doc §1.1: the closest are V4, which needs obtundation,
 *    and V5, which needs negative imaging). V1 rates MRI complete spine Usually Appropriate, which is the
 *    localising study such a patient needs next; the cards say the brain MRI already showed features.
 *  - Obtundation without any brain imaging → V1 (initial imaging), with a caution that V4 applies once brain
 *    imaging shows features. Obtundation with a brain MRI but no report → undetermined [1, 4].
 *  - Chronic headache, negative brain and spine MRI, but a chronic code AND a recorded onset < 3 months →
 *    undetermined [1, 5] with the conflict stated.
 *  - Headache < 3 months with negative brain and spine MRI → V1 (initial imaging done; V5 is for chronic
 *    daily headache), with a caution; onset unknown → undetermined [1, 5], missing the onset date.
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

export const VARIANT_PRECEDENCE: PrecedenceRule[] = [
  {
    rank: 1,
    variant: 6,
    when: `A headache began after an epidural blood patch or fibrin glue patch, within ${REBOUND_D} days of it (rebound headache).`,
  },
  {
    rank: 2,
    variant: 2,
    when: `Suspected intracranial hypotension within ${EARLY_H} hours of a dural puncture or other spinal intervention (in the last ${RECENT_D} days), and the headache is not a chronic one that predates it.`,
  },
  {
    rank: 3,
    variant: 3,
    when: `Suspected intracranial hypotension more than ${EARLY_H} hours after a dural puncture or other spinal intervention (in the last ${RECENT_D} days), still active (no improvement), and not a chronic headache that predates it.`,
  },
  {
    rank: 4,
    variant: 4,
    when: `Obtundation or decreased consciousness (coded, or latest GCS ≤ ${GCS}) with brain-imaging features of intracranial hypotension.`,
  },
  {
    rank: 5,
    variant: 5,
    when: `Chronic headache (coded, or onset more than ${CHRONIC_M} months ago) with a final brain MRI report AND a final spine MRI report showing no features of intracranial hypotension.`,
  },
  {
    rank: 6,
    variant: 1,
    when: 'Otherwise, suspected intracranial hypotension (orthostatic headache, CSF leak, or a coded diagnosis): initial imaging.',
  },
];
