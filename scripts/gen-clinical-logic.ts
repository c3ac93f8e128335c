/**
 * Writes docs/clinical-logic.md from the guideline data. `--check` exits 1 (without writing) when the
 * committed file differs, for CI. Usage: `npx tsx scripts/gen-clinical-logic.ts [--check]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderClinicalLogic } from '../src/guideline/clinical-logic-doc.js';

const target = fileURLToPath(new URL('../docs/clinical-logic.md', import.meta.url));
const rendered = renderClinicalLogic();

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // a missing file is stale
  }
  if (current !== rendered) {
    process.stderr.write('docs/clinical-logic.md is stale: run `npm run clinical-logic`\n');
    process.exit(1);
  }
  process.stdout.write('docs/clinical-logic.md is up to date\n');
} else {
  writeFileSync(target, rendered);
  process.stdout.write(`wrote ${target}\n`);
}
