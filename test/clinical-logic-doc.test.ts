import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderClinicalLogic } from '../src/guideline/clinical-logic-doc.js';
import { AMBIGUITY_RULES, TOPIC_CODES } from '../src/guideline/order-codes.js';
import { PROCEDURES } from '../src/guideline/procedures.js';
import { rowsForVariant } from '../src/guideline/ratings.js';
import { THRESHOLDS } from '../src/guideline/thresholds.js';
import { VARIANT_PRECEDENCE } from '../src/guideline/precedence.js';
import { VALUE_SETS } from '../src/guideline/valuesets.js';
import { VARIANTS } from '../src/guideline/variants.js';
import { TOPIC } from '../src/guideline/topic.js';
import { VARIANT_IDS } from '../src/guideline/types.js';

const doc = renderClinicalLogic();

t.test('docs/clinical-logic.md is what the data renders (run `npm run clinical-logic` when this fails)', async (t) => {
  const path = fileURLToPath(new URL('../docs/clinical-logic.md', import.meta.url));
  t.equal(readFileSync(path, 'utf8'), doc);
});

t.test('the render is deterministic', async (t) => {
  t.equal(renderClinicalLogic(), doc);
});

t.test('the document carries the topic, its caution and every variant with its full table', async (t) => {
  t.ok(doc.includes(TOPIC.title));
  t.ok(doc.includes(TOPIC.doi));
  t.ok(doc.includes(TOPIC.dataCaution));
  const sections = doc.split(/^### /m);
  for (const v of VARIANT_IDS) {
    t.ok(doc.includes(`> ${VARIANTS[v].text}`), `variant ${v} text verbatim`);
    const section = sections.find((s) => s.startsWith(`Variant ${v}:`)) ?? '';
    const tableRows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Procedure'));
    t.equal(tableRows.length, rowsForVariant(v).length, `variant ${v} table has every row`);
    for (const r of rowsForVariant(v)) {
      const line = `| ${PROCEDURES[r.procedure].acrName} | ${r.category} | ${r.rating} | ${r.median} | ${r.adultRrl} | ${r.strengthOfEvidence} |`;
      t.ok(section.includes(line), `V${v} ${r.procedure}`);
    }
  }
});

t.test('the document carries codes, ambiguity rules, precedence, thresholds and value sets', async (t) => {
  for (const rule of AMBIGUITY_RULES) t.ok(doc.includes(rule), rule.slice(0, 40));
  for (const c of TOPIC_CODES) t.ok(doc.includes(`| ${c.code} |`), `code ${c.code}`);
  for (const p of VARIANT_PRECEDENCE) t.ok(doc.includes(p.when.replace(/\|/g, '\\|')), `precedence ${p.rank}`);
  for (const th of Object.values(THRESHOLDS)) t.ok(doc.includes(`| ${th.id} | ${th.value} ${th.unit} |`), th.id);
  for (const vs of Object.values(VALUE_SETS)) t.ok(doc.includes(`(\`${vs.id}\`)`), vs.id);
});
