/**
 * Next steps for patient-view: the imaging the chosen variant rates Usually Appropriate that is neither done
 * nor already ordered, and the seed article's downstream path once a myelogram exists.
 *
 *  - V1: MRI head AND MRI complete spine (selection 'all'), each only if that region has no MRI done/ordered
 *    (a spine MRI of only part of the spine does not count as done: the complete spine is still proposed).
 *  - V4: MRI complete spine.
 *  - V5: digital subtraction myelography OR dynamic CT myelography ('one-of'), unless either is ordered or a
 *    myelogram is already on record (then the after-myelography step speaks instead).
 *  - V2, V3, V6: the ACR rates every study Usually Not Appropriate: no imaging step.
 *  - A myelogram on record (any applicable variant): 'after-myelography' with its result.
 * Which study of a region is proposed comes from the rating data (the best-rated Usually Appropriate one).
 */
import type { ServiceRequest } from 'fhir/r4.js';
import type { PatientRecord } from '../fhir/record.js';
import type { ProcedureId, VariantId } from '../guideline/types.js';
import type { NextStep, VariantChoice } from './types.js';
import type { ClinicalFacts } from './facts.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { usuallyAppropriate } from '../guideline/ratings.js';
import { recogniseOrder } from './orders.js';
import type { SiteCodeMap } from '../guideline/site-codes.js';

/** ServiceRequest statuses that mean "already ordered" (not yet done, not abandoned). */
const PENDING: ReadonlySet<string> = new Set(['active', 'draft', 'on-hold']);

/** The topic procedures already ordered in the record. */
export function orderedProcedures(requests: readonly ServiceRequest[], site?: SiteCodeMap): Set<ProcedureId> {
  const out = new Set<ProcedureId>();
  for (const sr of requests) {
    if (!PENDING.has(sr.status)) continue;
    const r = recogniseOrder(sr, site);
    if (r.kind === 'procedure') out.add(r.procedure);
  }
  return out;
}

function isMri(p: ProcedureId, region: 'head' | 'spine'): boolean {
  const def = PROCEDURES[p];
  return def.modality === 'MR' && def.region === region && p !== 'mr-myelography';
}

/** The best-rated Usually Appropriate MRI of a region for a variant (ratings.ts sorts best first). */
function bestMri(variant: VariantId, region: 'head' | 'spine'): ProcedureId | undefined {
  return usuallyAppropriate(variant).find((p) => isMri(p, region));
}

function mriStep(
  variant: VariantId,
  regions: Array<'head' | 'spine'>,
  facts: ClinicalFacts,
  ordered: Set<ProcedureId>,
): NextStep | undefined {
  const procedures: ProcedureId[] = [];
  for (const region of regions) {
    // A spine MRI of only part of the spine ('partial') is not the complete-spine study the variant rates.
    const status = (region === 'head' ? facts.brainMri : facts.spineMri).status;
    const done = status !== 'none' && status !== 'partial';
    const alreadyOrdered = [...ordered].some((p) => isMri(p, region));
    const best = bestMri(variant, region);
    if (!done && !alreadyOrdered && best) procedures.push(best);
  }
  return procedures.length > 0 ? { kind: 'order-imaging', variant, procedures, selection: 'all' } : undefined;
}

export function nextSteps(
  variant: VariantChoice,
  facts: ClinicalFacts,
  record: PatientRecord,
  site?: SiteCodeMap,
): NextStep[] {
  if (variant.status === 'not-applicable') return [];
  const steps: NextStep[] = [];
  if (variant.status === 'determined') {
    const ordered = orderedProcedures(record.resources.ServiceRequest, site);
    let step: NextStep | undefined;
    if (variant.variant === 1) step = mriStep(1, ['head', 'spine'], facts, ordered);
    else if (variant.variant === 4) step = mriStep(4, ['spine'], facts, ordered);
    else if (variant.variant === 5) {
      const options = usuallyAppropriate(5);
      const pending = options.some((p) => ordered.has(p));
      if (!pending && !facts.myelography.done && options.length > 0) {
        step = { kind: 'order-imaging', variant: 5, procedures: options, selection: 'one-of' };
      }
    }
    if (step) steps.push(step);
  }
  if (facts.myelography.done) {
    steps.push({ kind: 'after-myelography', result: facts.myelography.result, evidence: facts.myelography.evidence });
  }
  return steps;
}
