import t from 'tap';
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Coding, ServiceRequest } from 'fhir/r4.js';
import { sihRows } from './fixtures/acr-csv.js';
import { rateOrder, recogniseOrder, recogniseText } from '../src/engine/orders.js';
import type { OrderRecognition, VariantChoice } from '../src/engine/types.js';
import { CODE_SYSTEMS, RECOGNITION_NOTES as N, TOPIC_CODES } from '../src/guideline/order-codes.js';
import { PROCEDURES, procedureByAcrName } from '../src/guideline/procedures.js';
import { ratingFor } from '../src/guideline/ratings.js';
import { loadSiteCodes, parseSiteCodes } from '../src/guideline/site-codes.js';
import { PROCEDURE_IDS, type ProcedureId, type VariantId } from '../src/guideline/types.js';
import type { DraftOrder } from '../src/protocol/types.js';

const CPT = CODE_SYSTEMS.cpt;
const LOINC = CODE_SYSTEMS.loinc;
const SNOMED = CODE_SYSTEMS.snomed;

function order(coding: Coding[] | undefined, text?: string): ServiceRequest {
  const code: ServiceRequest['code'] = {};
  if (coding) code.coding = coding;
  if (text !== undefined) code.text = text;
  return { resourceType: 'ServiceRequest', status: 'draft', intent: 'order', subject: { reference: 'Patient/p' }, code };
}
const draft = (resource: ServiceRequest): DraftOrder => ({ resource, reference: 'ServiceRequest/o1', selected: true });
const determined = (variant: VariantId): VariantChoice => ({
  status: 'determined',
  variant,
  evidence: [],
  rationale: [],
  cautions: [],
});
function procedureOf(r: OrderRecognition): ProcedureId | string {
  return r.kind === 'procedure' ? r.procedure : r.kind;
}
function notesOf(r: OrderRecognition): string[] {
  return r.kind === 'procedure' ? r.notes : [];
}

t.test('every CSV row is rated by rateOrder for an order built from the primary order code', async (t) => {
  const rows = sihRows();
  t.equal(rows.length, 88);
  for (const row of rows) {
    const procedure = procedureByAcrName(row.procedure) as ProcedureId;
    const def = PROCEDURES[procedure];
    const o = order([def.orderCodes[0] as Coding], def.acrName);
    const recognition = recogniseOrder(o);
    t.equal(procedureOf(recognition), procedure, `recognised ${row.procedure}`);
    const rated = rateOrder(draft(o), recognition, determined(row.variant as VariantId));
    t.equal(rated.outcome, 'rated', `V${row.variant} ${row.procedure}`);
    t.equal(rated.category, row.category);
    t.equal(rated.row?.rating, row.rating);
    t.equal(rated.row?.median, row.median);
    t.equal(rated.row, ratingFor(row.variant as VariantId, procedure));
  }
});

t.test('the primary code alone names its procedure, except where no code can', async (t) => {
  // No code distinguishes dynamic CTM, or the contrast of a complete-spine CT (clinical doc §2.1, §2.3).
  const needsText: Partial<Record<ProcedureId, { as: ProcedureId; note: string }>> = {
    'ct-myelography-dynamic': { as: 'ct-myelography', note: N.ctmNotDynamic },
    'ct-spine-wo-w': { as: 'ct-spine-wo', note: N.contrastUnspecified },
  };
  for (const id of PROCEDURE_IDS) {
    const primary = PROCEDURES[id].orderCodes[0] as Coding;
    const r = recogniseOrder(order([{ system: primary.system, code: primary.code }]));
    const expected = needsText[id];
    t.equal(procedureOf(r), expected?.as ?? id, id);
    if (expected) t.ok(notesOf(r).includes(expected.note), `${id}: the assumption is noted`);
  }
});

t.test('every standard code of the recognition table is recognised, with the system spelt several ways', async (t) => {
  for (const entry of TOPIC_CODES) {
    const uri = CODE_SYSTEMS[entry.system];
    const expected = entry.procedure;
    for (const system of [uri, uri.replace('http:', 'https:'), `${uri}/`, undefined]) {
      const r = recogniseOrder(order([system === undefined ? { code: entry.code } : { system, code: entry.code }]));
      t.equal(procedureOf(r), expected, `${entry.system} ${entry.code} system=${String(system)}`);
      if (r.kind === 'procedure') {
        t.same(r.matchedBy, { system: uri, code: entry.code }, 'matched by code, not text');
      }
    }
  }
  t.equal(procedureOf(recogniseOrder(order([{ system: 'urn:oid:2.16.840.1.113883.6.12', code: '70553' }]))), 'mri-head-wo-w');
  t.equal(procedureOf(recogniseOrder(order([{ system: 'urn:oid:2.16.840.1.113883.6.1', code: '30657-1' }]))), 'mri-head-wo');
  // A standard code under some other system is not that standard code.
  t.equal(recogniseOrder(order([{ system: 'http://example.org/local', code: '70553' }])).kind, 'outside-topic');
});

t.test('CPT, LOINC and SNOMED examples', async (t) => {
  t.equal(procedureOf(recogniseOrder(order([{ system: CPT, code: '70553' }]))), 'mri-head-wo-w');
  t.equal(procedureOf(recogniseOrder(order([{ system: LOINC, code: '30854-4' }]))), 'mri-spine-wo');
  t.equal(procedureOf(recogniseOrder(order([{ system: SNOMED, code: '713206003' }]))), 'mr-myelography');
  t.equal(procedureOf(recogniseOrder(order([{ system: LOINC, code: '24663-7' }]))), 'dtpa-cisternography');
});

t.test('text-only orders are recognised and flagged', async (t) => {
  const cases: Array<[string, ProcedureId]> = [
    ['MRI brain w/wo', 'mri-head-wo-w'],
    ['MRI brain w/ and w/o contrast', 'mri-head-wo-w'],
    ['MRI Brain with and without contrast', 'mri-head-wo-w'],
    ['MR brain pre and post gad', 'mri-head-wo-w'],
    ['MRI head without contrast', 'mri-head-wo'],
    ['MRI brain without contrast, patient with claustrophobia', 'mri-head-wo'],
    ['MRI brain with & without contrast', 'mri-head-wo-w'],
    ['MR brain with gadolinium', 'mri-head-w'],
    ['MRI brain w/o', 'mri-head-wo'],
    ['MR Brain W contrast IV', 'mri-head-w'],
    ['MR C/T/L spine wo', 'mri-spine-wo'],
    ['MRI whole spine w/wo', 'mri-spine-wo-w'],
    // Changed (review finding 3): a bare "DSM" is no longer enough on its own; it needs a myelogram word.
    ['DSM myelogram', 'dsm'],
    ['DSM myelography complete spine', 'dsm'],
    ['Digital subtraction myelography', 'dsm'],
    ['dCTM', 'ct-myelography-dynamic'],
    ['Dynamic CT myelogram complete spine', 'ct-myelography-dynamic'],
    ['CTM', 'ct-myelography'],
    ['CT myelogram', 'ct-myelography'],
    ['MR myelogram', 'mr-myelography'],
    ['myelogram', 'dsm'],
    ['Radionuclide cisternogram', 'dtpa-cisternography'],
    ['In-111 DTPA', 'dtpa-cisternography'],
    ['NM CSF leak study', 'dtpa-cisternography'],
    ['CT cisternogram', 'ct-head-cisternography'],
    ['CT head w/o contrast', 'ct-head-wo'],
    ['CT Complete Spine Without and With IV Contrast', 'ct-spine-wo-w'],
  ];
  for (const [text, expected] of cases) {
    const r = recogniseOrder(order([{ system: 'http://hospital.example.org/orders', code: 'X1' }], text));
    t.equal(procedureOf(r), expected, text);
    if (r.kind === 'procedure') {
      t.equal(r.matchedBy.text, true, `${text}: flagged as text`);
      t.ok(r.notes.includes(N.textOnly), `${text}: text-only note`);
    }
  }
  // A display without any code is text too.
  const r = recogniseOrder(order([{ display: 'MRI lumbar spine without contrast' }]));
  t.equal(procedureOf(r), 'mri-spine-wo');
  t.ok(notesOf(r).includes(N.singleRegion), 'single region noted from text');
});

t.test('text that names no topic procedure is outside the topic', async (t) => {
  for (const text of ['MRI knee', 'MRA head', 'CTA head and neck', 'Tc-99m DTPA renal scan', 'MR cisternogram', 'Chest X-ray']) {
    t.equal(recogniseOrder(order(undefined, text)).kind, 'outside-topic', text);
  }
  t.equal(recogniseText('CT chest'), undefined);
});

t.test('order text misfires: psychiatric DSM, head and neck, neck (review finding 3)', async (t) => {
  const LOCAL = { system: 'http://hospital.example.org/orders', code: 'X1' };
  // "DSM" is also the psychiatric manual: never digital subtraction myelography without a myelogram context.
  for (const text of [
    'DSM-5 psychiatric assessment',
    'DSM 5 diagnostic interview',
    'Psychiatric evaluation per DSM-IV-TR criteria',
    'DSM-III review',
    'DSM',
    'Digital subtraction angiography',
    'Digital subtraction',
  ]) {
    t.equal(recogniseOrder(order([LOCAL], text)).kind, 'outside-topic', text);
    t.equal(recogniseOrder(order(undefined, text)).kind, 'outside-topic', `${text} (text only)`);
  }
  // The psychiatric manual on a myelography code is still not DSM: the code's default row, with its note.
  let r = recogniseOrder(order([{ system: CPT, code: '62305' }], 'DSM-5 psychiatric assessment'));
  t.equal(procedureOf(r), 'dsm');
  t.ok(notesOf(r).includes(N.myelogramTechnique), 'the text did not settle the technique');
  // A bare "DSM" on a myelography code is DSM: the code gives the myelogram context.
  r = recogniseOrder(order([{ system: CPT, code: '62305' }], 'DSM'));
  t.equal(procedureOf(r), 'dsm');
  t.notOk(notesOf(r).includes(N.myelogramTechnique), 'technique stated');
  // Neck imaging is not head imaging.
  for (const text of ['MRI head and neck', 'MRI head & neck w/wo', 'CT head and neck with contrast', 'MRI neck soft tissue', 'CT neck']) {
    t.equal(recogniseOrder(order([LOCAL], text)).kind, 'outside-topic', text);
    t.equal(recogniseText(text), undefined, `${text}: names no topic procedure`);
  }
  // "MR Brain" (contrast open) with a head-and-neck text keeps the code's row and note.
  r = recogniseOrder(order([{ system: LOINC, code: '24590-2' }], 'MRI head and neck w/wo'));
  t.equal(procedureOf(r), 'mri-head-wo');
  t.ok(notesOf(r).includes(N.contrastUnspecified));
  // Head imaging and neck-region spine words still work.
  t.equal(procedureOf(recogniseOrder(order([LOCAL], 'MRI head w/wo'))), 'mri-head-wo-w');
  t.equal(procedureOf(recogniseOrder(order([LOCAL], 'MRI cervical spine wo'))), 'mri-spine-wo');
});

t.test('ambiguous codes are rated as documented, with notes', async (t) => {
  let r = recogniseOrder(order([{ system: CPT, code: '62305' }]));
  t.equal(procedureOf(r), 'dsm', 'myelogram without technique → DSM row');
  t.ok(notesOf(r).includes(N.myelogramTechnique));

  r = recogniseOrder(order([{ system: CPT, code: '62305' }], 'Digital subtraction myelogram, complete spine'));
  t.equal(procedureOf(r), 'dsm');
  t.notOk(notesOf(r).includes(N.myelogramTechnique), 'technique stated: no technique note');

  r = recogniseOrder(order([{ system: CPT, code: '62305' }], 'CT myelogram'));
  t.equal(procedureOf(r), 'dsm', 'text cannot move a code outside its refinement list');

  r = recogniseOrder(order([{ system: SNOMED, code: '241589001' }]));
  t.equal(procedureOf(r), 'ct-myelography', 'CT myelogram not saying dynamic → non-dynamic row');
  t.ok(notesOf(r).includes(N.ctmNotDynamic));

  r = recogniseOrder(order([{ system: SNOMED, code: '241589001' }], 'Dynamic CT myelogram'));
  t.equal(procedureOf(r), 'ct-myelography-dynamic');
  t.same(r.kind === 'procedure' && r.matchedBy, { system: SNOMED, code: '241589001', text: true });
  t.notOk(notesOf(r).includes(N.ctmNotDynamic));

  r = recogniseOrder(order([{ system: CPT, code: '72148' }]));
  t.equal(procedureOf(r), 'mri-spine-wo', 'lumbar MRI w/o → complete-spine MRI w/o');
  t.ok(notesOf(r).includes(N.singleRegion));

  r = recogniseOrder(order([{ system: CPT, code: '72133' }]));
  t.equal(procedureOf(r), 'ct-spine-wo-w', 'CT lumbar w/o and w → complete-spine CT w/o and w');
  t.ok(notesOf(r).includes(N.singleRegion));

  r = recogniseOrder(order([{ system: LOINC, code: '24590-2', display: 'MR Brain' }]));
  t.equal(procedureOf(r), 'mri-head-wo', 'MR Brain, contrast not stated → without contrast');
  t.ok(notesOf(r).includes(N.contrastUnspecified));

  r = recogniseOrder(order([{ system: LOINC, code: '24590-2' }], 'MRI brain w/wo'));
  t.equal(procedureOf(r), 'mri-head-wo-w', 'MR Brain with contrast in the text');
  t.notOk(notesOf(r).includes(N.contrastUnspecified));

  r = recogniseOrder(order([{ system: CPT, code: '62284' }]));
  t.equal(procedureOf(r), 'ct-myelography', 'injection only → CT myelography');
  t.ok(notesOf(r).includes(N.injectionOnly));
  t.ok(notesOf(r).includes(N.ctmNotDynamic));

  r = recogniseOrder(order([{ system: CPT, code: '62284' }], 'DSM'));
  t.equal(procedureOf(r), 'dsm', 'injection + DSM text');

  r = recogniseOrder(order([{ system: CPT, code: '78630' }]));
  t.equal(procedureOf(r), 'dtpa-cisternography');
  t.same(notesOf(r), []);

  r = recogniseOrder(order([{ system: CPT, code: '78650' }]));
  t.equal(procedureOf(r), 'dtpa-cisternography');
  t.same(notesOf(r), [N.csfLeakNm]);

  r = recogniseOrder(order([{ system: CPT, code: '70551' }], 'MRI brain w/wo'));
  t.equal(procedureOf(r), 'mri-head-wo', 'a code that states contrast is not overridden by text');

  r = recogniseOrder(order([{ system: CPT, code: '62284' }, { system: CPT, code: '72132' }]));
  t.equal(procedureOf(r), 'ct-myelography', 'injection + CT lumbar with contrast → the more specific CT myelography');
  t.ok(notesOf(r).some((n) => n.startsWith("The order's codes name different ACR procedures")));
});

t.test('the site map comes first', async (t) => {
  const site = parseSiteCodes({
    mappings: [
      { system: 'http://hospital.example.org/orders', code: 'NEU-1', procedure: 'dsm', note: 'Local DSM protocol.' },
      { system: 'http://hospital.example.org/orders', code: 'MSK-1', procedure: 'outside-topic' },
      { system: CPT, code: '72148', procedure: 'mri-spine-wo', note: 'Whole-spine screening at this site.' },
    ],
  });
  let r = recogniseOrder(order([{ system: 'http://hospital.example.org/orders', code: 'NEU-1' }]), site);
  t.same(r, {
    kind: 'procedure',
    procedure: 'dsm',
    matchedBy: { system: 'http://hospital.example.org/orders', code: 'NEU-1', siteMap: true },
    notes: ['Local DSM protocol.'],
  });
  // https spelling of the same site system
  r = recogniseOrder(order([{ system: 'https://hospital.example.org/orders/', code: 'NEU-1' }]), site);
  t.equal(procedureOf(r), 'dsm');
  // The site overrides the standard mapping (and its single-region note).
  r = recogniseOrder(order([{ system: CPT, code: '72148' }]), site);
  t.same(notesOf(r), ['Whole-spine screening at this site.']);
  t.equal(r.kind === 'procedure' && r.matchedBy.siteMap, true);
  // Outside-topic by the site, even when the text would match.
  r = recogniseOrder(order([{ system: 'http://hospital.example.org/orders', code: 'MSK-1' }], 'MRI brain w/wo'), site);
  t.equal(r.kind, 'outside-topic');
  // Without the site map the local code falls back to text.
  r = recogniseOrder(order([{ system: 'http://hospital.example.org/orders', code: 'MSK-1' }], 'MRI brain w/wo'));
  t.equal(procedureOf(r), 'mri-head-wo-w');
});

t.test('out-of-topic orders', async (t) => {
  let r = recogniseOrder(order([{ system: CPT, code: '73721', display: 'MRI knee without contrast' }], 'MRI knee'));
  t.same(r, { kind: 'outside-topic' }, 'knee MRI');
  r = recogniseOrder(order([{ system: CPT, code: '72159', display: 'MRA spinal canal and contents' }], 'MR spine'));
  t.same(r, { kind: 'outside-topic' }, 'a known out-of-topic code wins over a matching text');
  r = recogniseOrder(order([{ system: CPT, code: '99999' }]));
  t.same(r, { kind: 'outside-topic' }, 'unknown code, no text');
  r = recogniseOrder(order([{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1049502' }]));
  t.same(r, { kind: 'outside-topic' }, 'a drug');
});

t.test('empty orders', async (t) => {
  // The sandbox's first PAMA order-select (spec/sandbox-client-traffic/09): code.coding = [{}].
  const sandboxFirst = {
    resourceType: 'ServiceRequest',
    id: 'example-request-id',
    status: 'draft',
    intent: 'plan',
    code: { coding: [{}] },
    subject: { reference: 'Patient/smart-1288992' },
    reasonCode: [],
  } as ServiceRequest;
  t.same(recogniseOrder(sandboxFirst), { kind: 'empty' });
  const { code: _code, ...noCode } = sandboxFirst;
  t.same(recogniseOrder(noCode as ServiceRequest), { kind: 'empty' }, 'no code at all');
  t.same(recogniseOrder(order([], '   ')), { kind: 'empty' }, 'blank text');
  t.same(recogniseOrder(order([{ system: CPT, code: '' }])), { kind: 'empty' }, 'empty code string');
  // And the sandbox's second call (traffic 10): CT head without contrast.
  const headCt = order(
    [{ code: '70450', display: 'Computed tomography, head or brain; without contrast material', system: CPT }],
    'Computed tomography, head or brain; without contrast material',
  );
  t.equal(procedureOf(recogniseOrder(headCt)), 'ct-head-wo');
});

t.test('recogniseOrder never throws on odd input', async (t) => {
  const odd: unknown[] = [
    null,
    undefined,
    42,
    'ServiceRequest',
    [],
    { code: 'x' },
    { code: { coding: 'x' } },
    { code: { coding: [null, 1, 'a', [], { code: 7 }, { system: 5, code: '70551' }] } },
    { code: { text: 12, coding: [{ display: {} }] } },
    { code: { text: 'x'.repeat(100_000) } },
  ];
  for (const o of odd) t.doesNotThrow(() => recogniseOrder(o as ServiceRequest));
  t.same(recogniseOrder({ code: { coding: [{ system: 5, code: '70551' }] } } as unknown as ServiceRequest).kind, 'procedure',
    'a non-string system is treated as missing; 70551 is unambiguous');
  fc.assert(
    fc.property(fc.anything(), (o) => {
      const r = recogniseOrder(o as ServiceRequest);
      return r.kind === 'procedure' || r.kind === 'outside-topic' || r.kind === 'empty';
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      const r = recogniseOrder(order([{}], text));
      return r.kind === 'procedure' ? PROCEDURE_IDS.includes(r.procedure) : true;
    }),
    { numRuns: 300 },
  );
});

t.test('rateOrder outcomes', async (t) => {
  const o = order([{ system: CPT, code: '72148' }]);
  const rec = recogniseOrder(o);
  const rated = rateOrder(draft(o), rec, determined(4));
  t.equal(rated.outcome, 'rated');
  t.equal(rated.category, 'Usually Appropriate');
  t.same(rated.notes, [N.singleRegion], 'recognition notes are carried');
  t.equal(rated.order.reference, 'ServiceRequest/o1');

  const head = order([{ system: CPT, code: '70553' }]);
  const notListed = rateOrder(draft(head), recogniseOrder(head), determined(5));
  t.equal(notListed.outcome, 'not-listed', 'V5 does not list MRI head');
  t.equal(notListed.row, undefined);
  t.equal(notListed.category, undefined);

  const undetermined = rateOrder(draft(o), rec, {
    status: 'undetermined',
    missing: ['date of the dural puncture'],
    conflicts: [],
    candidates: [1, 2, 3],
    evidence: [],
  });
  t.equal(undetermined.outcome, 'undetermined');
  t.same(undetermined.notes, [N.singleRegion]);

  t.equal(rateOrder(draft(o), rec, { status: 'not-applicable', evidence: [] }).outcome, 'not-applicable');

  const knee = order([{ system: CPT, code: '73721' }]);
  t.equal(rateOrder(draft(knee), recogniseOrder(knee), determined(1)).outcome, 'outside-topic');
  const empty = order([{}]);
  t.equal(rateOrder(draft(empty), recogniseOrder(empty), determined(1)).outcome, 'empty');
});

t.test('loadSiteCodes validates the file and names file and field on error', async (t) => {
  const example = fileURLToPath(new URL('../fixtures/site-codes.example.json', import.meta.url));
  const map = loadSiteCodes(example);
  t.equal(map.mappings.length, 4);
  t.equal(map.source, example);

  const dir = mkdtempSync(join(tmpdir(), 'site-codes-'));
  const write = (name: string, body: string): string => {
    const p = join(dir, name);
    writeFileSync(p, body);
    return p;
  };
  const badProc = write('bad-proc.json', JSON.stringify({ mappings: [{ system: 's', code: 'c', procedure: 'mri-knee' }] }));
  t.throws(() => loadSiteCodes(badProc), { message: new RegExp(`${badProc}.*mappings\\[0\\]\\.procedure`) });
  const missingCode = write('no-code.json', JSON.stringify({ mappings: [{ system: 's', procedure: 'dsm' }] }));
  t.throws(() => loadSiteCodes(missingCode), { message: /mappings\[0\]\.code/ });
  const extra = write('extra.json', JSON.stringify({ mappings: [], extra: 1 }));
  t.throws(() => loadSiteCodes(extra), { message: /extra\.json/ });
  const notJson = write('not.json', '{ mappings: ');
  t.throws(() => loadSiteCodes(notJson), { message: /not\.json: not valid JSON/ });
  t.throws(() => loadSiteCodes(join(dir, 'absent.json')), { message: /absent\.json: cannot be read/ });
  const dup = write(
    'dup.json',
    JSON.stringify({
      mappings: [
        { system: 's', code: 'c', procedure: 'dsm' },
        { system: 's', code: 'c', procedure: 'ct-myelography' },
      ],
    }),
  );
  t.throws(() => loadSiteCodes(dup), { message: /mappings\[1\].*mapped twice/ });
});
