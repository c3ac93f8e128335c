import t from 'tap';
import { sihRows, readCsvRows } from './fixtures/acr-csv.js';
import { PROCEDURES, procedureByAcrName, radiationLevel, orderCodeableConcept } from '../src/guideline/procedures.js';
import { RATINGS, categoryOf, ratingFor, rowsForVariant, usuallyAppropriate } from '../src/guideline/ratings.js';
import { VARIANTS } from '../src/guideline/variants.js';
import { TOPIC } from '../src/guideline/topic.js';
import { CODE_SYSTEMS } from '../src/guideline/order-codes.js';
import { PROCEDURE_IDS, VARIANT_IDS, type VariantId } from '../src/guideline/types.js';

const csv = sihRows();

t.test('the CSV holds the 88 rows of the 2024 topic and RATINGS holds exactly those', async (t) => {
  t.equal(csv.length, 88);
  t.equal(RATINGS.length, 88);
  const keys = new Set(RATINGS.map((r) => `${r.variant}|${r.procedure}`));
  t.equal(keys.size, 88, 'no duplicate variant × procedure row');
});

t.test('every CSV row is reproduced by ratingFor', async (t) => {
  for (const row of csv) {
    const procedure = procedureByAcrName(row.procedure);
    if (!procedure) {
      t.fail(`no procedure for ACR name "${row.procedure}"`);
      continue;
    }
    const got = ratingFor(row.variant as VariantId, procedure);
    t.same(
      got && {
        category: got.category,
        rating: got.rating,
        median: got.median,
        adultRrl: got.adultRrl,
        soe: got.strengthOfEvidence,
      },
      {
        category: row.category,
        rating: row.rating,
        median: row.median,
        adultRrl: row.adultRrl,
        soe: row.strengthOfEvidence,
      },
      `V${row.variant} ${row.procedure}`,
    );
  }
});

t.test('the Headache 2022 rows are not in the table', async (t) => {
  const headache = readCsvRows().filter((r) => r.topic.startsWith('Headache'));
  t.ok(headache.length > 0, 'the CSV does hold Headache rows');
  // Headache V5 rates MRI head w/wo Usually Appropriate; SIH V5 does not list it at all.
  t.equal(ratingFor(5, 'mri-head-wo-w'), undefined);
});

t.test('row counts per variant follow the ACR table', async (t) => {
  const counts = Object.fromEntries(VARIANT_IDS.map((v) => [v, rowsForVariant(v).length]));
  t.same(counts, { 1: 18, 2: 18, 3: 18, 4: 11, 5: 5, 6: 18 });
});

t.test('each row carries the RRL of its procedure and a category matching its rating', async (t) => {
  for (const r of RATINGS) {
    t.equal(r.adultRrl, PROCEDURES[r.procedure].adultRrl, `${r.variant} ${r.procedure} RRL`);
    t.equal(categoryOf(r.rating), r.category, `${r.variant} ${r.procedure} category`);
  }
});

t.test('categoryOf uses the ACR bands and rejects impossible ratings', async (t) => {
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 8, 9].map(categoryOf),
    [
      'Usually Not Appropriate',
      'Usually Not Appropriate',
      'Usually Not Appropriate',
      'May Be Appropriate',
      'May Be Appropriate',
      'May Be Appropriate',
      'Usually Appropriate',
      'Usually Appropriate',
      'Usually Appropriate',
    ],
  );
  t.throws(() => categoryOf(0), RangeError);
  t.throws(() => categoryOf(10), RangeError);
  t.throws(() => categoryOf(4.5), RangeError);
});

t.test('Usually Appropriate sets, best rating first, then less radiation', async (t) => {
  t.same(usuallyAppropriate(1), ['mri-head-wo-w', 'mri-spine-wo', 'mri-head-wo', 'mri-spine-wo-w']);
  t.same(usuallyAppropriate(2), []);
  t.same(usuallyAppropriate(3), []);
  t.same(usuallyAppropriate(4), ['mri-spine-wo', 'mri-spine-wo-w']);
  // Both rated 8 (seed article): DSM (☢☢☢☢) before dynamic CTM (☢☢☢☢☢).
  t.same(usuallyAppropriate(5), ['dsm', 'ct-myelography-dynamic']);
  t.same(usuallyAppropriate(6), []);
});

t.test('radiationLevel counts the ☢ signs', async (t) => {
  t.equal(radiationLevel('O 0 mSv'), 0);
  t.equal(radiationLevel('☢☢☢ 1-10 mSv'), 3);
  t.equal(radiationLevel('☢☢☢☢ 10-30 mSv'), 4);
  t.equal(radiationLevel('☢☢☢☢☢ 30-100 mSv'), 5);
});

t.test('variant texts are verbatim from the CSV', async (t) => {
  for (const v of VARIANT_IDS) {
    const text = csv.find((r) => r.variant === v)?.variantText;
    t.equal(VARIANTS[v].text, text, `variant ${v}`);
    t.equal(VARIANTS[v].id, v);
    t.match(VARIANTS[v].shortName, new RegExp(`^V${v}: `));
    t.equal(VARIANTS[v].phase, text?.endsWith('Next imaging study.') ? 'Next imaging study' : 'Initial imaging');
  }
});

t.test('procedures: 18, ACR names from the CSV, codes ordered CPT, LOINC, SNOMED', async (t) => {
  t.same(Object.keys(PROCEDURES).sort(), [...PROCEDURE_IDS].sort());
  const csvNames = new Set(csv.map((r) => r.procedure.toLowerCase()));
  const order = [CODE_SYSTEMS.cpt, CODE_SYSTEMS.loinc, CODE_SYSTEMS.snomed] as string[];
  for (const id of PROCEDURE_IDS) {
    const p = PROCEDURES[id];
    t.equal(p.id, id);
    t.ok(csvNames.has(p.acrName.toLowerCase()), `${id} name is in the CSV`);
    t.ok(p.orderCodes.length > 0, `${id} has an order code`);
    const ranks = p.orderCodes.map((c) => order.indexOf(c.system));
    t.notOk(ranks.includes(-1), `${id} uses only CPT, LOINC, SNOMED`);
    t.same(ranks, [...ranks].sort((a, b) => a - b), `${id} codes in CPT, LOINC, SNOMED order`);
  }
  // The data set spells V3's MR myelography in lower case.
  t.equal(procedureByAcrName('MR Myelography complete spine'), 'mr-myelography');
  t.equal(procedureByAcrName('MRI Knee'), undefined);
  // DSM has no code of its own: CPT 62305 stands in (clinical doc §2.1).
  t.equal(PROCEDURES.dsm.orderCodes[0]?.code, '62305');
  t.same(orderCodeableConcept('ct-myelography-dynamic').text, 'CT Myelography Dynamic Complete Spine');
});

t.test('topic citation', async (t) => {
  t.equal(TOPIC.year, 2024);
  t.equal(TOPIC.title, 'ACR Appropriateness Criteria® Imaging of Suspected Intracranial Hypotension');
  t.equal(TOPIC.doiUrl, 'https://doi.org/10.1016/j.jacr.2024.08.020');
  t.match(TOPIC.citation, /S396–S412/);
  t.match(TOPIC.dataCaution, /third-party/);
});
