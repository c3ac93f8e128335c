/**
 * Override reasons offered on every card (CDS Hooks 2.0.1 §Card attributes `overrideReasons`: each Coding
 * MUST carry a `display`; checklist §F 55).
 *
 * Code system choice: the HL7 example code system that the CDS Hooks 3.0 ballot ships,
 * `http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes` (HL7/cds-hooks
 * `input/vocabulary/CodeSystem-non-adherence-reason-codes.json`, from the AHRQ CDSiC override taxonomy).
 * Why not our own URI: a published, shared code system lets feedback be compared across services, and 2.0.1
 * allows any system. Codes and displays below are copied exactly from that CodeSystem; the subset is the one
 * that fits an imaging-order decision (scenario wrong, study already done, local protocol or expertise,
 * patient-specific risk, study not available).
 */
import type { Coding } from '../protocol/types.js';

export const OVERRIDE_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes';

const reason = (code: string, display: string): Coding => ({ system: OVERRIDE_REASON_SYSTEM, code, display });

export const OVERRIDE_REASONS: readonly Coding[] = [
  reason('patient-ineligible', 'Patient does not meet eligibility for recommended action'),
  reason('action-completed', 'Recommended action was already completed'),
  reason('expert-contradicts', 'Advice from expert contradicts the recommended action'),
  reason('policy-contradicts', 'Institutional policy/guideline contradicts the recommended action'),
  reason('patient-contraindication', 'Patient has contraindication to recommended action'),
  reason('service-not-available', 'Treatment or service is not practically available'),
];

/** A fresh copy per card, so no two cards share (and a caller cannot mutate) the same objects. */
export function overrideReasons(): Coding[] {
  return OVERRIDE_REASONS.map((c) => ({ ...c }));
}
