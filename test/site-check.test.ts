/** npm run site:check: which of a site's order codes map to which ACR procedure, which are unmapped; site facts compile. */
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { siteCheck, catalogueOrders } from '../src/cli/site-check.js';
import { runMain, type CliIo } from '../src/cli/args.js';

function io(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (s) => (out += s), err: (s) => (err += s), env, stdout: () => out, stderr: () => err };
}

const ORDERS = 'fixtures/site-orders.example.json';
const CODES = 'fixtures/site-codes.example.json';

t.test('lists mapped, outside-topic and unmapped codes, the site map first', async (t) => {
  const cli = io({ SITE_CODES_PATH: CODES });
  t.equal(await siteCheck(['--orders', ORDERS, '--json'], cli), 0);
  const report = JSON.parse(cli.stdout());
  t.same(
    report.orders.map((o: any) => [o.code, o.status, o.procedure ?? null, o.by ?? null]),
    [
      ['IMG-NEU-0412', 'mapped', 'dsm', 'site-map'],
      ['IMG-NEU-0413', 'mapped', 'ct-myelography-dynamic', 'site-map'],
      ['IMG-NEU-0101', 'mapped', 'mri-head-wo-w', 'text'],
      ['IMG-NEU-0150', 'unmapped', null, null],
      ['IMG-MSK-0101', 'outside-topic', null, 'site-map'],
    ],
  );
});

t.test('without a site map the local codes are unmapped unless their name says; standard codes map', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'site-check-'));
  const file = join(dir, 'orders.json');
  writeFileSync(
    file,
    JSON.stringify({
      orders: [
        { system: 'http://www.ama-assn.org/go/cpt', code: '70553' },
        { system: 'http://www.ama-assn.org/go/cpt', code: '73721', display: 'MRI knee' },
        { system: 'urn:local', code: 'X1', display: 'Spine CSF leak study (DSM, lateral decubitus)' },
      ],
    }),
  );
  const cli = io();
  t.equal(await siteCheck(['--orders', file], cli), 0);
  const out = cli.stdout();
  t.match(out, /no site map\): 1 mapped, 1 outside this topic, 1 unmapped/);
  t.match(out, /cpt\|70553 +→ mri-head-wo-w \(MRI Head Without and With IV Contrast\) by code/);
  t.match(out, /urn:local\|X1 .* UNMAPPED/);
});

t.test('reads CodeSystem and ValueSet catalogues; refuses other shapes naming the file', async (t) => {
  t.same(
    catalogueOrders({ resourceType: 'ValueSet', compose: { include: [{ system: 's', concept: [{ code: 'a', display: 'A' }] }] }, expansion: { contains: [{ system: 't', code: 'b' }] } }, 'vs.json'),
    [{ system: 's', code: 'a', display: 'A' }, { system: 't', code: 'b' }],
  );
  t.throws(() => catalogueOrders({ resourceType: 'Patient' }, 'p.json'), /p\.json: expected an array/);
  t.throws(() => catalogueOrders([{ code: 'x' }], 'o.json'), /o\.json: order 0 has no system and code/);
});

t.test('--facts compiles a site facts file, or names file, key and error (exit 2)', async (t) => {
  const ok = io();
  t.equal(await siteCheck(['--facts', 'fixtures/site-facts.example.json'], ok), 0);
  t.match(ok.stdout(), /5 definition\(s\), all compiled/);
  const dir = mkdtempSync(join(tmpdir(), 'site-check-'));
  const bad = join(dir, 'facts.json');
  writeFileSync(bad, JSON.stringify({ facts: { headache: { label: 'x', expression: 'Observation.where(' } } }));
  const cli = io();
  t.equal(await runMain('site:check', () => siteCheck(['--facts', bad], cli), cli), 2);
  t.match(cli.stderr(), /facts\.json: facts\.headache\[0\]\.expression: /);
  const none = io();
  t.equal(await runMain('site:check', () => siteCheck([], none), none), 2, 'nothing to check is a usage error');
});
