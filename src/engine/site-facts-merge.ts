/**
 * Where site-defined findings (site-facts.ts) join the engine's facts: once, right after extraction, each
 * finding counted as a coded Observation of its fact would be in facts.ts (dated by its date expression;
 * never an onset, so it does not date the work-up or prove chronicity by itself). Evidence carries the
 * site's label, marked "(site-defined)", and `siteDefined: true`.
 */
import type { ClinicalFacts, DatedEvidence } from './facts.js';
import type { Evidence } from './types.js';
import type { SiteFinding } from './site-facts.js';
import { thresholdMs, thresholdValue } from '../guideline/thresholds.js';

/** The engine's fact names, as evidence uses them (facts.ts / facts-imaging.ts). */
const EVIDENCE_FACT: Record<SiteFinding['fact'], string> = {
  'orthostatic-headache': 'sih-suspicion',
  headache: 'headache',
  'chronic-headache': 'chronic-headache',
  'post-puncture-headache': 'post-puncture-headache',
  'rebound-headache': 'headache',
  'decreased-consciousness': 'decreased-consciousness',
  gcs: 'gcs',
  'spinal-intervention': 'spinal-intervention',
  'blood-patch': 'blood-patch',
  'brain-imaging-features': 'brain-imaging-features',
  'negative-brain-mri': 'brain-mri-negative',
  'negative-whole-spine-mri': 'spine-mri-negative',
};

function evidenceOf(f: SiteFinding, fact = EVIDENCE_FACT[f.fact]): Evidence {
  return {
    fact,
    resourceType: f.resourceType,
    ...(f.id ? { id: f.id } : {}),
    // Said in the display too, so every card and report that shows evidence says whose definition it was.
    display: `${f.label} (site-defined)`,
    ...(f.when ? { date: f.when.iso } : {}),
    siteDefined: true,
  };
}

function dated(f: SiteFinding, extra: Partial<DatedEvidence> = {}, fact?: string): DatedEvidence {
  return { evidence: evidenceOf(f, fact), ...(f.when ? { when: f.when } : {}), active: true, ...extra };
}

/** Merges the findings into `facts` (mutated, as extraction leaves it). */
export function mergeSiteFindings(facts: ClinicalFacts, findings: readonly SiteFinding[]): void {
  const now = facts.now.getTime();
  const recentFrom = now - thresholdMs('decreased-consciousness-recent');
  const isRecent = (f: SiteFinding): boolean => f.when !== undefined && f.when.end >= recentFrom;
  const notFuture = (f: SiteFinding): boolean => !f.when || f.when.start <= now;
  // Imaging and brain features count only when not dated before the headache began (as in facts-imaging.ts).
  const beforeOnset = (f: SiteFinding): boolean =>
    facts.workupOnset !== undefined && f.when !== undefined && f.when.end <= facts.workupOnset.start;

  for (const f of findings) {
    switch (f.fact) {
      case 'orthostatic-headache':
        facts.sihSuspicion.push(dated(f));
        facts.headache.push(dated(f, { character: 'orthostatic' }, 'headache'));
        break;
      case 'headache':
        facts.headache.push(dated(f, { character: 'unspecified' }));
        break;
      case 'rebound-headache':
        facts.headache.push(dated(f, { character: 'rebound' }));
        break;
      case 'post-puncture-headache':
        facts.sihSuspicion.push(dated(f, { postPuncture: true }, 'sih-suspicion'));
        facts.headache.push(dated(f, { character: 'orthostatic', postPuncture: true }, 'headache'));
        if (notFuture(f)) facts.spinalInterventions.push(dated(f, { postPuncture: true }));
        break;
      case 'chronic-headache': {
        const chronic = facts.chronic;
        const conflict =
          chronic.status === 'not-chronic'
            ? 'a chronic headache is recorded (site-defined), but the recorded onset of the headache is less than 3 months ago'
            : chronic.conflict;
        facts.chronic = {
          ...chronic,
          status: 'chronic',
          coded: true,
          evidence: [...chronic.evidence, evidenceOf(f)],
          fromRecordedDate: chronic.status === 'chronic' ? chronic.fromRecordedDate : false,
          ...(conflict ? { conflict } : {}),
        };
        break;
      }
      case 'decreased-consciousness':
        (isRecent(f) ? facts.decreasedConsciousness : facts.staleConsciousness).push(evidenceOf(f));
        break;
      case 'gcs':
        mergeGcs(facts, f, isRecent(f));
        break;
      case 'spinal-intervention':
        if (notFuture(f)) facts.spinalInterventions.push(dated(f));
        break;
      case 'blood-patch':
        if (notFuture(f)) facts.patches.push(dated(f));
        break;
      case 'brain-imaging-features':
        if (beforeOnset(f)) facts.imagingNotCounted.push(evidenceOf(f));
        else facts.brainFeatures.push(evidenceOf(f));
        break;
      case 'negative-brain-mri':
      case 'negative-whole-spine-mri': {
        const key = f.fact === 'negative-brain-mri' ? 'brainMri' : 'spineMri';
        if (beforeOnset(f)) {
          facts.imagingNotCounted.push(evidenceOf(f));
          break;
        }
        if (!f.when || !facts.workupOnset) facts.imagingDatingUncertain = true;
        // A positive study in the record is never overruled by a site's negative flag.
        if (facts[key].status === 'positive') break;
        facts[key] = { status: 'negative', evidence: [...facts[key].evidence.filter((e) => e.fact.endsWith('-negative')), evidenceOf(f)] };
        break;
      }
    }
  }
}

/** A site GCS total competes with the coded ones: the latest wins, and only the latest can mean obtundation. */
function mergeGcs(facts: ClinicalFacts, f: SiteFinding, recent: boolean): void {
  const current = facts.latestGcs;
  const currentStart = current?.evidence.date ? Date.parse(current.evidence.date) : -Infinity;
  if (current && (f.when?.start ?? -Infinity) <= currentStart) return;
  if (current) {
    // The older latest GCS no longer speaks for the patient's state now.
    facts.decreasedConsciousness = facts.decreasedConsciousness.filter((e) => e !== current.evidence);
    facts.staleConsciousness = facts.staleConsciousness.filter((e) => e !== current.evidence);
  }
  const evidence = evidenceOf(f);
  facts.latestGcs = { value: f.value!, evidence };
  if (f.value! <= thresholdValue('decreased-consciousness-gcs')) (recent ? facts.decreasedConsciousness : facts.staleConsciousness).push(evidence);
}
