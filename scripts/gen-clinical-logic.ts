/**
 * Writes docs/clinical-logic.md from the guideline data. `--check` exits 1 (without writing) when the
 * committed file differs, for CI. Usage: `npx tsx scripts/gen-clinical-logic.ts [--check]`.
 */
import { writeOrCheck } from './generated-file.js';
import { fileURLToPath } from 'node:url';
import { renderClinicalLogic } from '../src/guideline/clinical-logic-doc.js';

const target = fileURLToPath(new URL('../docs/clinical-logic.md', import.meta.url));
const rendered = renderClinicalLogic();

writeOrCheck(target, rendered, 'docs/clinical-logic.md', 'npm run clinical-logic');
