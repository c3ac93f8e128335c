/**
 * Choosing the ACR variant from the facts, in the documented precedence (src/guideline/precedence.ts, where
 * each rule and the hard cases are argued). Missing or conflicting facts give `undetermined` with what would
 * decide it: the engine never guesses silently.
 */
import { withFact, type Evidence, type VariantChoice } from './types.js';
import type { VariantId } from '../guideline/types.js';
import type { ClinicalFacts, DatedEvidence } from './facts.js';
import type { FhirInstantRange } from './facts-dates.js';
import { outsideBorder, sihSuspected } from './facts.js';
import { thresholdMs, thresholdValue } from '../guideline/thresholds.js';

/** Outcome of one precedence step: decided, undetermined, or "not this variant, go on". */
type Step =
  | { kind: 'variant'; variant: VariantId; evidence: Evidence[]; rationale: string[]; cautions?: string[] }
  | { kind: 'undetermined'; missing: string[]; conflicts: string[]; candidates: VariantId[]; evidence?: Evidence[] }
  | { kind: 'next'; cautions?: string[] };

const ev = (list: DatedEvidence[]): Evidence[] => list.map((d) => d.evidence);

/** Records that stand in for a puncture's date (a post-puncture headache), not the puncture itself. */
const PROXY_TYPES: ReadonlySet<string> = new Set(['Condition', 'Observation']);

function latest(list: DatedEvidence[]): DatedEvidence | undefined {
  let best: DatedEvidence | undefined;
  for (const d of list) if (d.when && (!best?.when || d.when.start > best.when.start)) best = d;
  return best;
}

/** The whole number of days in a day threshold, for the rationale texts. */
const days = (id: string): number => thresholdValue(id);

/**
 * V6: a rebound (high-pressure) headache after a patch. Only recorded headaches (Conditions, Observations)
 * count, never a draft order's reason. Within the window after a patch:
 *  - worse lying down / coded intracranial hypertension → V6;
 *  - orthostatic / SIH-coded → a recurrence (the patch failed), not a rebound: go on, with a caution;
 *  - both in the record → undetermined (conflict); a plain "headache" → undetermined (which kind?).
 */
function reboundAfterPatch(f: ClinicalFacts): Step {
  if (f.patches.length === 0) return { kind: 'next' };
  const windowMs = thresholdMs('rebound-after-patch');
  const undatedPatch = f.patches.some((p) => !p.when);
  const undatedHeadache = f.headache.some((h) => !h.when);
  const rebound: Evidence[] = [];
  const recurrence: Evidence[] = [];
  const unspecified: Evidence[] = [];
  const patches: Evidence[] = [];
  for (const p of f.patches) {
    if (!p.when) continue;
    for (const h of f.headache) {
      // The headache's latest possible instant is after the patch began, and it began within the window.
      if (!h.when || h.when.end <= p.when.start || h.when.start > p.when.end + windowMs) continue;
      if (!patches.includes(p.evidence)) patches.push(p.evidence);
      const character = h.character ?? 'unspecified';
      if (character === 'rebound' || character === 'mixed') rebound.push(withFact(h.evidence, 'rebound-headache'));
      if (character === 'orthostatic' || character === 'mixed') recurrence.push(withFact(h.evidence, 'post-patch-orthostatic-headache'));
      if (character === 'unspecified') unspecified.push(withFact(h.evidence, 'headache-after-patch'));
    }
  }
  if (rebound.length > 0 && recurrence.length > 0) {
    return {
      kind: 'undetermined',
      missing: [],
      conflicts: [
        'A headache after the epidural blood or fibrin glue patch is recorded both as worse lying down (rebound, variant 6) and as orthostatic (recurrence: the patch may have failed).',
      ],
      candidates: [6, 1, 5],
      evidence: [...patches, ...rebound, ...recurrence],
    };
  }
  if (rebound.length > 0) {
    return {
      kind: 'variant',
      variant: 6,
      evidence: [...patches, ...rebound],
      rationale: [
        `A headache worse lying down (rebound intracranial hypertension) began after an epidural blood or fibrin glue patch, within ${days('rebound-after-patch')} days of it.`,
      ],
    };
  }
  if (recurrence.length > 0) {
    return {
      kind: 'next',
      cautions: [
        'The headache after the patch is orthostatic: recurrence rather than rebound (the patch may have failed; the seed article\'s pathway is imaging to localise the leak), so variant 6 does not apply.',
      ],
    };
  }
  if (unspecified.length > 0) {
    return {
      kind: 'undetermined',
      missing: ['whether the headache after the patch is orthostatic (recurrence) or worse lying down (rebound)'],
      conflicts: [],
      candidates: [6, 1, 5],
      evidence: [...patches, ...unspecified],
    };
  }
  if (f.headache.length > 0 && (undatedPatch || undatedHeadache)) {
    return {
      kind: 'undetermined',
      missing: [undatedPatch ? 'date of the epidural blood or fibrin glue patch' : 'onset date of the headache (before or after the patch)'],
      conflicts: [],
      candidates: [6, 1, 5],
    };
  }
  return {
    kind: 'next',
    cautions: [`An epidural blood or fibrin glue patch is recorded; no headache began within ${days('rebound-after-patch')} days after it.`],
  };
}

/**
 * When the headache began relative to the puncture at `p`: 'after' (a post-puncture headache is coded, or an
 * SIH headache's recorded onset is at or after the puncture), 'before' (a headache record is dated before the
 * puncture), or 'unknown'.
 */
function onsetRelativeTo(f: ClinicalFacts, p: FhirInstantRange): 'after' | 'before' | 'unknown' {
  // A coded post-puncture headache of this puncture (not of an older one) says the puncture caused it.
  if (f.sihSuspicion.some((d) => d.postPuncture && (!d.when || d.when.end >= p.start))) return 'after';
  // Any recorded headache dated before the puncture (an onset, a recordedDate, or an Observation: the onset is
  // at or before each) predates it. A rebound-only record (intracranial hypertension) is another headache.
  if (f.headache.some((h) => !h.postPuncture && h.character !== 'rebound' && h.when && h.when.end <= p.start)) return 'before';
  const began = f.sihSuspicion.some(
    (d) => !d.postPuncture && d.evidence.resourceType === 'Condition' && d.when && !d.fromRecordedDate && d.when.start >= p.start,
  );
  return began ? 'after' : 'unknown';
}

/** V2 / V3: a recent dural puncture or spinal intervention that the headache may come from. */
function afterSpinalIntervention(f: ClinicalFacts): Step {
  if (f.spinalInterventions.length === 0) return { kind: 'next' };
  const now = f.now.getTime();
  const recentMs = thresholdMs('recent-spinal-intervention');
  const earlyMs = thresholdMs('dural-puncture-early');
  const undated = f.spinalInterventions.filter((d) => !d.when);
  // The 72-hour clock runs from the puncture itself: a recorded procedure (or myelogram) dates it; a
  // post-puncture headache's onset is only a stand-in when no procedure is recorded, since the headache
  // begins hours to days after the puncture and would shorten the interval.
  const direct = f.spinalInterventions.filter((d) => !PROXY_TYPES.has(d.evidence.resourceType));
  const last = latest(direct) ?? latest(f.spinalInterventions);
  const recent = last?.when && now - last.when.start <= recentMs ? last : undefined;
  const supporting = f.spinalInterventions.filter((d) => d !== recent && d.when && now - d.when.start <= recentMs).map((d) => d.evidence);

  // A chronic headache (> 3 months) predates any puncture in the 30-day window, so the puncture cannot be its
  // cause: V2/V3 do not apply (the confounding is reported as a pitfall instead).
  if (f.chronic.status === 'chronic') {
    const cautions: string[] = [];
    if (recent) cautions.push('A dural puncture or spinal intervention in the last 30 days may add a post-puncture headache to the chronic one.');
    if (undated.length > 0) cautions.push('A dural puncture or spinal intervention without a date is recorded.');
    return { kind: 'next', cautions };
  }
  if (!recent) {
    // An undated intervention could be the recent one: do not guess.
    if (undated.length > 0) {
      return {
        kind: 'undetermined',
        missing: ['date of the dural puncture or spinal intervention'],
        conflicts: [],
        candidates: [1, 2, 3],
      };
    }
    return { kind: 'next', cautions: ['A dural puncture or spinal intervention is recorded, more than 30 days ago.'] };
  }
  const cautions: string[] = [];
  if (undated.length > 0) cautions.push('Another dural puncture or spinal intervention without a date is also recorded.');
  if (recent.fromRecordedDate) cautions.push('The puncture is dated by when the post-puncture headache was recorded, not its onset.');
  const sinceLatest = now - recent.when!.start; // the longest the interval can be
  const sinceEarliest = now - recent.when!.end; // the shortest
  // V2/V3 are headaches FROM the puncture: only when the headache began at or after it (or a post-puncture
  // headache is coded). A headache that predates the puncture (e.g. weeks of headache, then an opening-pressure
  // LP) is not caused by it (radiologist review).
  const relation = onsetRelativeTo(f, recent.when!);
  if (relation === 'before') {
    return {
      kind: 'next',
      cautions: [
        'The headache began before the dural puncture or spinal intervention, so variants 2 and 3 do not apply; the puncture may add a post-puncture headache.',
        ...cautions,
      ],
    };
  }
  if (relation === 'unknown') {
    const candidates: VariantId[] = [1];
    if (sinceEarliest <= earlyMs) candidates.push(2);
    if (sinceLatest > earlyMs) candidates.push(3);
    return {
      kind: 'undetermined',
      missing: ['when the headache began relative to the dural puncture or spinal intervention (before it, or at or after it)'],
      conflicts: [],
      candidates,
    };
  }
  if (sinceLatest <= earlyMs) {
    return {
      kind: 'variant',
      variant: 2,
      evidence: [recent.evidence, ...supporting, ...ev(f.sihSuspicion)],
      rationale: ['Suspected intracranial hypotension within 72 hours of a dural puncture or spinal intervention.'],
      cautions,
    };
  }
  if (sinceEarliest <= earlyMs) {
    return {
      kind: 'undetermined',
      missing: ['time of the dural puncture or spinal intervention (the recorded date does not say whether it was within 72 hours)'],
      conflicts: [],
      candidates: [2, 3],
    };
  }
  // "Without improvement": assumed while the headache is still current beyond 72 h — an active Condition, a
  // reason on the draft order, or an Observation made after the 72 h mark.
  const mark = recent.when!.start + earlyMs;
  const persisting = f.sihSuspicion.filter(
    (d) => d.evidence.resourceType !== 'Observation' || (d.when !== undefined && d.when.start > mark),
  );
  if (persisting.length === 0) {
    return {
      kind: 'undetermined',
      missing: ['whether the headache has improved since the dural puncture (no current headache record beyond 72 hours)'],
      conflicts: [],
      candidates: [3],
    };
  }
  return {
    kind: 'variant',
    variant: 3,
    evidence: [recent.evidence, ...supporting, ...persisting.map((d) => d.evidence)],
    rationale: [
      'Suspected intracranial hypotension more than 72 hours after a dural puncture or spinal intervention.',
      'No improvement assumed: the headache is still recorded as current beyond 72 hours.',
    ],
    cautions,
  };
}

/** Said when imaging was counted although the headache onset or a study date is unknown. */
const DATING_CAUTION =
  'The headache onset or a study date is not recorded: imaging counted here may predate the headache.';

function datingCautions(f: ClinicalFacts): string[] {
  return f.imagingDatingUncertain ? [DATING_CAUTION] : [];
}

/** V4: obtundation (recent) with brain-imaging features. */
function obtundedWithFeatures(f: ClinicalFacts): Step {
  if (f.decreasedConsciousness.length === 0) return { kind: 'next' };
  if (f.brainFeatures.length > 0) {
    return {
      kind: 'variant',
      variant: 4,
      evidence: [...f.decreasedConsciousness, ...f.brainFeatures],
      rationale: ['Decreased consciousness with brain-imaging features of intracranial hypotension.'],
      cautions: datingCautions(f),
    };
  }
  if (f.brainMri.status === 'done-unknown' || f.brainMri.status === 'in-progress') {
    return { kind: 'undetermined', missing: ['a brain MRI report'], conflicts: [], candidates: [1, 4] };
  }
  return {
    kind: 'next',
    cautions: ['Decreased consciousness is recorded: variant 4 applies once brain imaging shows features of intracranial hypotension.'],
  };
}

/**
 * Positive initial imaging without obtundation: brain-imaging features of SIH, or a spine MRI showing a leak or
 * an extradural collection. The seed article: such patients "follow a distinct workup" (where is the leak?),
 * and the 2024 topic has no variant for it (V4 needs obtundation, V5 negative imaging, V1 is the initial
 * imaging already done). Never a confident V1: undetermined, no candidate (radiologist review).
 */
function positiveInitialImaging(f: ClinicalFacts): Step {
  const brain = f.brainFeatures.length > 0;
  const spine = f.spineMri.status === 'positive';
  if (!brain && !spine) return { kind: 'next' };
  const shown = [
    ...(brain ? ['brain-imaging features of intracranial hypotension'] : []),
    ...(spine ? ['a CSF leak or extradural CSF collection on spine MRI'] : []),
  ].join(' and ');
  const missing: string[] = [];
  const candidates: VariantId[] = [];
  if (brain && f.staleConsciousness.length > 0) {
    missing.push(
      `whether the patient is obtunded now (the decreased-consciousness records found are undated or older than ${days('decreased-consciousness-recent')} days): variant 4 would apply`,
    );
    candidates.push(4);
  }
  return {
    kind: 'undetermined',
    missing,
    conflicts: [
      `Initial imaging already shows ${shown}, and no current obtundation is recorded: the question is now where the leak is (localisation), and no ACR variant of this topic covers localisation after positive initial imaging (variant 4 needs obtundation, variant 5 negative initial imaging).`,
    ],
    candidates,
  };
}

const WHOLE_SPINE_PARTIAL =
  'The spine MRI on record covers only part of the spine (not cervical, thoracic and lumbar): the initial work-up is not complete, and an MRI of the complete spine is its missing study.';

/** V5: chronic headache with negative brain AND whole-spine MRI; otherwise says what stops it. */
function chronicNegativeWorkup(f: ClinicalFacts): Step {
  const brainNegative = f.brainMri.status === 'negative' && f.brainFeatures.length === 0;
  const spine = f.spineMri.status;
  const brainUnknown = f.brainMri.status === 'done-unknown' || f.brainMri.status === 'in-progress';
  const spineUnknown = spine === 'done-unknown' || spine === 'in-progress';
  // A regional spine MRI (e.g. lumbar only) is not a negative whole-spine work-up: the initial work-up is not
  // complete, so this is V1 (whose Usually Appropriate list holds MRI complete spine, the missing study), and
  // an invasive myelogram ordered now is rated under V1 (issue 10, class 4).
  if (spine === 'partial') return { kind: 'next', cautions: [WHOLE_SPINE_PARTIAL] };
  const imagingCouldBeNegative = (brainNegative || brainUnknown) && (spine === 'negative' || spineUnknown);
  if (!imagingCouldBeNegative) {
    // The initial work-up is not complete: V1 (whose Usually Appropriate list includes MRI complete spine).
    return { kind: 'next' };
  }
  const missing: string[] = [];
  if (brainUnknown) missing.push('a brain MRI report');
  if (spineUnknown) missing.push('a spine MRI report');
  if (f.chronic.status === 'unknown') missing.push('when the headache began (chronic means more than 3 months)');
  const conflicts = f.chronic.conflict ? [f.chronic.conflict] : [];
  if (f.chronic.status === 'not-chronic' && missing.length === 0) {
    return {
      kind: 'next',
      cautions: ['Brain and spine MRI are negative, but the headache began less than 3 months ago: variant 5 is for chronic daily headache.'],
    };
  }
  if (missing.length > 0 || conflicts.length > 0) {
    return { kind: 'undetermined', missing, conflicts, candidates: [1, 5] };
  }
  const cautionsV5: string[] = [];
  if (f.chronic.fromRecordedDate) cautionsV5.push('Chronicity rests on when the headache was recorded, not its onset.');
  cautionsV5.push(...datingCautions(f));
  return {
    kind: 'variant',
    variant: 5,
    evidence: [...f.chronic.evidence, ...f.brainMri.evidence, ...f.spineMri.evidence, ...ev(f.sihSuspicion)],
    rationale: [
      'Chronic headache with suspected intracranial hypotension.',
      'Final brain MRI and whole-spine MRI reports say they are negative for features of intracranial hypotension.',
    ],
    cautions: cautionsV5,
  };
}

const TEXT_CAUTION = 'Some of the findings behind this choice were matched from free text, not codes: please confirm them.';

function withTextCaution(evidence: Evidence[], cautions: string[]): string[] {
  return evidence.some((e) => e.textMatch) ? [...cautions, TEXT_CAUTION] : cautions;
}

/** Chooses the variant: the first precedence step that decides wins; cautions from earlier steps carry on. */
export function chooseVariant(facts: ClinicalFacts): VariantChoice {
  // The border first: a shunt, a cranial leak or POTS with no in-topic code is another work-up (topic-border.ts).
  if (outsideBorder(facts)) {
    return { status: 'not-applicable', evidence: dedupe([...facts.border, ...allEvidence(facts)]), because: 'outside-border' };
  }
  if (!sihSuspected(facts)) return { status: 'not-applicable', evidence: allEvidence(facts), because: 'no-suspicion' };
  const carried: string[] = [];
  if (facts.imagingNotCounted.length > 0) {
    carried.push('Imaging dated before the headache began is not counted as part of this work-up.');
  }
  // Obtundation with brain features (V4) comes first: it is the one red-flag picture the topic covers, and it
  // wins over a recent puncture (V2/V3) or a patch (V6), whose "no imaging" advice would be unsafe here.
  for (const step of [obtundedWithFeatures, reboundAfterPatch, afterSpinalIntervention, positiveInitialImaging, chronicNegativeWorkup]) {
    const out = step(facts);
    if (out.kind === 'undetermined') {
      // Gathered only here and for not-applicable: a determined variant carries its own evidence.
      const all = allEvidence(facts);
      const evidence = out.evidence ? dedupe([...all, ...out.evidence]) : all;
      return { status: 'undetermined', missing: out.missing, conflicts: out.conflicts, candidates: out.candidates, evidence };
    }
    if (out.kind === 'variant') {
      const cautions = withTextCaution(out.evidence, [...carried, ...(out.cautions ?? [])]);
      return { status: 'determined', variant: out.variant, evidence: dedupe(out.evidence), rationale: out.rationale, cautions };
    }
    carried.push(...(out.cautions ?? []));
  }
  const evidence = dedupe([...ev(facts.sihSuspicion), ...facts.brainFeatures, ...facts.brainMri.evidence, ...facts.spineMri.evidence]);
  return {
    status: 'determined',
    variant: 1,
    evidence,
    rationale: ['Suspected intracranial hypotension without a recent spinal intervention: initial imaging.'],
    cautions: withTextCaution(evidence, carried),
  };
}

/** True when the determined variant rests on at least one fact supported only by text matches. */
export function restsOnText(choice: VariantChoice): boolean {
  if (choice.status !== 'determined') return false;
  const byFact = new Map<string, boolean>();
  for (const e of choice.evidence) byFact.set(e.fact, (byFact.get(e.fact) ?? true) && e.textMatch === true);
  for (const textOnly of byFact.values()) if (textOnly) return true;
  return false;
}

function dedupe(list: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${e.fact}|${e.resourceType}|${e.id ?? ''}|${e.code ?? ''}|${e.display ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function allEvidence(f: ClinicalFacts): Evidence[] {
  return dedupe([
    ...ev(f.sihSuspicion),
    ...f.chronic.evidence,
    ...ev(f.spinalInterventions),
    ...ev(f.patches),
    ...f.decreasedConsciousness,
    ...f.brainFeatures,
    ...f.brainMri.evidence,
    ...f.spineMri.evidence,
    ...f.myelography.evidence,
  ]);
}
