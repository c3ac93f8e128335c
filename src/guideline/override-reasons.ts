/**
 * The override reasons every card offers (CDS Hooks 2.0.1 §Card attributes `overrideReasons`: each Coding
 * MUST carry a `display`; checklist §F 55). Data, in the guideline layer, because two layers read it: the
 * cards offer it, and the audit store keeps only the codes and the report reads the displays back from here.
 *
 * Code system choice: the HL7 example code system that the CDS Hooks 3.0 ballot ships,
 * `http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes` (HL7/cds-hooks
 * `input/vocabulary/CodeSystem-non-adherence-reason-codes.json`, from the AHRQ CDSiC override taxonomy).
 * Why not our own URI: a published, shared code system lets feedback be compared across services, and 2.0.1
 * allows any system. Codes and displays below are copied exactly from that CodeSystem; the subset is the one
 * that fits an imaging-order decision (scenario wrong, study already done, local protocol or expertise,
 * patient-specific risk, study not available).
 */
export const OVERRIDE_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/non-adherence-reason-codes';

export interface OverrideReason {
  system: string;
  code: string;
  display: string;
}

const reason = (code: string, display: string): OverrideReason => ({ system: OVERRIDE_REASON_SYSTEM, code, display });

export const OVERRIDE_REASONS: readonly OverrideReason[] = [
  reason('patient-ineligible', 'Patient does not meet eligibility for recommended action'),
  reason('action-completed', 'Recommended action was already completed'),
  reason('expert-contradicts', 'Advice from expert contradicts the recommended action'),
  reason('policy-contradicts', 'Institutional policy/guideline contradicts the recommended action'),
  reason('patient-contraindication', 'Patient has contraindication to recommended action'),
  reason('service-not-available', 'Treatment or service is not practically available'),
];

/** Our display for a code of OVERRIDE_REASON_SYSTEM. */
export const OVERRIDE_REASON_DISPLAYS: ReadonlyMap<string, string> = new Map(OVERRIDE_REASONS.map((r) => [r.code, r.display]));
