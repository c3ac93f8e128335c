/**
 * Red flags found in the facts, grouped by flag, with whether the chosen variant covers the picture
 * (src/guideline/red-flags.ts holds the list and the rule).
 */
import { RED_FLAGS, RED_FLAG_IDS, type RedFlagId } from '../guideline/red-flags.js';
import type { ClinicalFacts } from './facts.js';
import type { Evidence, RedFlagFinding, VariantChoice } from './types.js';

export function findRedFlags(facts: ClinicalFacts, variant: VariantChoice): RedFlagFinding[] {
  const byFlag = new Map<RedFlagId, Evidence[]>();
  const add = (flag: RedFlagId, e: Evidence): void => {
    const list = byFlag.get(flag) ?? [];
    list.push(e);
    byFlag.set(flag, list);
  };
  // Decreased consciousness NOW (recent records, a low recent GCS, an order's reason): facts.ts applies the window.
  for (const e of facts.decreasedConsciousness) add('decreased-consciousness', e);
  for (const r of facts.redFlags) add(r.flag, r.evidence);
  const out: RedFlagFinding[] = [];
  for (const id of RED_FLAG_IDS) {
    const evidence = byFlag.get(id);
    if (!evidence) continue;
    const def = RED_FLAGS[id];
    out.push({
      flag: id,
      label: def.label,
      concern: def.concern,
      evidence,
      coveredByVariant:
        def.coveredByVariant !== undefined && variant.status === 'determined' && variant.variant === def.coveredByVariant,
    });
  }
  return out;
}
