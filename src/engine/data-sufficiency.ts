/**
 * Qualify a variant choice by what could not be read and by the topic's population (adults). The
 * precedence in variant.ts decides from the facts it has; this step says when those facts are not
 * enough: an answer that depends on unread data becomes undetermined (with what is missing) or carries a
 * caution, per guideline/data-dependencies.ts.
 */
import type { Patient } from 'fhir/r4.js';
import type { DataGap } from '../fhir/record.js';
import { DATA_DEPENDENCIES } from '../guideline/data-dependencies.js';
import { thresholdValue } from '../guideline/thresholds.js';
import type { VariantChoice } from './types.js';

const TYPE_WORDS: Record<string, string> = {
  Condition: 'conditions',
  Observation: 'observations',
  ImagingStudy: 'imaging studies',
  DiagnosticReport: 'imaging reports',
  Procedure: 'procedures',
  ServiceRequest: 'orders',
};

const REASON_WORDS: Record<DataGap['reason'], string> = {
  'not-available': 'not provided',
  'prefetch-error': 'the EHR could not provide them',
  'fetch-failed': 'the FHIR server failed',
  timeout: 'the FHIR server was too slow',
  truncated: 'only partly read',
  refused: 'the FHIR server is not allowed',
  malformed: 'some were malformed and left out',
};

function describe(gap: DataGap): string {
  return `the patient's ${TYPE_WORDS[gap.resourceType] ?? gap.resourceType} (${REASON_WORDS[gap.reason]})`;
}

/** Whole years between a FHIR date (YYYY, YYYY-MM or YYYY-MM-DD) and now; undefined when unreadable. */
export function ageInYears(birthDate: string | undefined, now: Date): number | undefined {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/.exec(birthDate ?? '');
  if (!m) return undefined;
  const year = Number(m[1]);
  // With a partial date, assume the latest possible birthday: never call an adult a child by rounding.
  const month = m[2] ? Number(m[2]) : 1;
  const day = m[3] ? Number(m[3]) : 1;
  let age = now.getUTCFullYear() - year;
  const beforeBirthday = now.getUTCMonth() + 1 < month || (now.getUTCMonth() + 1 === month && now.getUTCDate() < day);
  if (beforeBirthday) age -= 1;
  return age;
}

export function qualifyVariant(choice: VariantChoice, gaps: readonly DataGap[], patient: Patient | undefined, now: Date): VariantChoice {
  const age = ageInYears(patient?.birthDate, now);
  if (age !== undefined && age < thresholdValue('adult-age')) {
    // Every variant is for adults: the topic does not apply, whatever the record says.
    return {
      status: 'not-applicable',
      evidence: [{ fact: 'not-adult', resourceType: 'Patient', ...(patient?.id ? { id: patient.id } : {}) }],
      because: 'not-adult',
    };
  }
  if (gaps.length === 0 || choice.status === 'undetermined') return choice;

  const answer = choice.status === 'determined' ? choice.variant : 'not-applicable';
  const rule = DATA_DEPENDENCIES.find((d) => d.answer === answer);
  if (!rule) return choice;
  const blocking = gaps.filter((g) => rule.undetermineIfMissing.includes(g.resourceType));
  if (blocking.length > 0) {
    return {
      status: 'undetermined',
      missing: blocking.map((g) => `${describe(g)}: ${rule.why}`),
      conflicts: [],
      candidates: [...rule.candidates],
      evidence: choice.evidence,
    };
  }
  const softer = gaps.filter((g) => rule.cautionIfMissing.includes(g.resourceType));
  if (choice.status === 'determined' && softer.length > 0) {
    return {
      ...choice,
      cautions: [...choice.cautions, `Not everything could be read — ${softer.map(describe).join('; ')}: ${rule.why}.`],
    };
  }
  return choice;
}
