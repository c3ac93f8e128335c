/**
 * Writes cds-services.minimal.json: the discovery document with "minimum necessary" prefetch templates,
 * generated from the value sets the engine reads, beside the full templates of cds-services.json
 * (PREFETCH_PROFILE=minimal serves it; README "Performance" says what each choice costs and loses).
 *
 * Today only the Observation search is narrowed: it is where a real record's bulk is (years of vital signs
 * and labs, ~95 % of the benchmark's large record) and the engine reads Observations by their code alone
 * for most findings. Narrowed to the codes of every value set matched against Observation.code
 * (engine/facts.ts OBSERVATION_SETS). The other searches stay whole: Conditions are matched by ICD-10
 * hierarchy and by text, reports and studies by text, which a code filter cannot express.
 *
 * `--check` exits 1 (without writing) when the committed file differs, for CI.
 *   npx tsx scripts/gen-minimal-prefetch.ts [--check]
 */
import { readFileSync } from 'node:fs';
import { writeOrCheck } from './generated-file.js';
import { fileURLToPath } from 'node:url';
import { OBSERVATION_SETS } from '../src/engine/facts.js';
import { VALUE_SETS } from '../src/guideline/valuesets.js';

const ROOT = new URL('../', import.meta.url);
const source = fileURLToPath(new URL('cds-services.json', ROOT));
const target = fileURLToPath(new URL('cds-services.minimal.json', ROOT));

/** `system|code` tokens of every code an Observation.code may match, in value-set order, once each. */
export function observationCodeTokens(): string[] {
  const tokens = new Set<string>();
  for (const id of OBSERVATION_SETS) for (const c of VALUE_SETS[id]?.codes ?? []) tokens.add(`${c.system}|${c.code}`);
  return [...tokens];
}

export function renderMinimalDiscovery(full: { services: Array<Record<string, unknown> & { prefetch?: Record<string, string> }> }): string {
  const code = observationCodeTokens().join(',');
  const services = full.services.map((s) => {
    if (!s.prefetch) return s;
    const prefetch = { ...s.prefetch };
    if (prefetch['observations']) prefetch['observations'] = `Observation?patient={{context.patientId}}&code=${code}`;
    return { ...s, prefetch };
  });
  return `${JSON.stringify({ services }, null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rendered = renderMinimalDiscovery(JSON.parse(readFileSync(source, 'utf8')));
  writeOrCheck(target, rendered, 'cds-services.minimal.json', 'npm run prefetch:minimal');
}
