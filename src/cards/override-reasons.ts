/**
 * Override reasons offered on every card: the table is guideline data (src/guideline/override-reasons.ts,
 * with its source), shared with the audit store.
 */
import type { Coding } from '../protocol/types.js';
import { OVERRIDE_REASONS, OVERRIDE_REASON_SYSTEM } from '../guideline/override-reasons.js';

export { OVERRIDE_REASONS, OVERRIDE_REASON_SYSTEM };

/** A fresh copy per card, so no two cards share (and a caller cannot mutate) the same objects. */
export function overrideReasons(): Coding[] {
  return OVERRIDE_REASONS.map((c) => ({ ...c }));
}
