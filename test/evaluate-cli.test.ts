import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Patient } from 'fhir/r4.js';
import { startLocalFhir } from './fixtures/local-fhir.js';
import { startFaultFhir } from './fixtures/fault-fhir.js';
import { evaluate as runEvaluate } from '../src/cli/evaluate.js';
import { USAGE as LOAD_USAGE } from '../src/cli/fixtures-load.js';
import { runMain } from '../src/cli/args.js';

/**
 * The CLIs as a person runs them: child processes (node --import tsx) against a real local FHIR server
 * started here, and against the fault-injecting one for the failures. Children are spawned asynchronously:
 * the FHIR servers run in this process and must keep answering while a child waits on them.
 */

const NOW = '2026-11-26T12:00:00Z';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: new URL('..', import.meta.url),
      // FHIR_TOKEN from the developer's shell must not leak into the test's runs.
      env: { ...process.env, FHIR_TOKEN: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const evaluate = (args: string[], env?: Record<string, string>) => runCli('src/cli/evaluate.ts', args, env);
const load = (args: string[], env?: Record<string, string>) => runCli('src/cli/fixtures-load.ts', args, env);

/** One error line from the CLI, and no stack trace anywhere on stderr. */
function assertOneLineError(t: Test, run: Run, exit: number, pattern: RegExp): void {
  t.equal(run.code, exit, `exit code ${exit}`);
  const errors = run.stderr.split('\n').filter((l) => l.startsWith('evaluate:'));
  t.equal(errors.length, 1, 'exactly one error line');
  t.match(errors[0] ?? '', pattern);
  t.notMatch(run.stderr, /\n\s+at\s|Error:|node:internal/, 'no stack trace');
  t.equal(run.stdout, '', 'nothing on stdout');
}

/** A loopback port with nothing listening: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

t.test('--help documents the flags and exit codes', async (t) => {
  const run = await evaluate(['--help']);
  t.equal(run.code, 0);
  for (const flag of ['--fhir', '--patient', '--hook', '--order-code', '--order-file', '--reason', '--token', '--now', '--deadline-ms', '--json']) {
    t.match(run.stdout, flag);
  }
  t.match(run.stdout, /Exit codes:[\s\S]*3 {2}FHIR server unreachable[\s\S]*4 {2}not a FHIR R4 server[\s\S]*5 {2}token refused[\s\S]*6 {2}no such patient/);
  t.match(LOAD_USAGE, /--prefix[\s\S]*--max-entries[\s\S]*Exit codes/);
});

t.test('bad arguments: exit 2 with one line (in process: no FHIR server is involved)', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--patient', 'x'], /--fhir <FHIR base URL> is required/],
    [['--fhir', 'http://127.0.0.1:9/fhir', '--patient', 'x', '--hook', 'order-select'], /needs a draft order/],
    [['--fhir', 'http://127.0.0.1:9/fhir', '--patient', 'x', '--reason', 'http://snomed.info/sct|1'], /need --hook order-select or order-sign/],
    [['--fhir', 'http://127.0.0.1:9/fhir', '--patient', 'x', '--hook', 'order-sign', '--order-code', '62305'], /--order-code must be system\|code/],
    [['--fhir', 'http://127.0.0.1:9/fhir', '--patient', 'x', '--now', '2026-11-26'], /--now must be an ISO date-time/],
    [['--fhir', 'http://u:p@127.0.0.1:9/fhir', '--patient', 'x'], /must not contain credentials/],
    [['--fhir', 'http://127.0.0.1:9/fhir', '--patient', 'x', '--bogus'], /Unknown option/],
  ];
  for (const [argv, pattern] of cases) {
    const err: string[] = [];
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), env: {} };
    const code = await runMain('evaluate', () => runEvaluate(argv, io), io);
    t.equal(code, 2, argv.join(' '));
    t.equal(err.length, 1, 'one line');
    t.match(err[0], pattern);
    t.same(out, []);
  }
});

t.test('fixtures:load twice, then evaluate fixture patients at the fixtures\' instant', async (t) => {
  const fhir = await startLocalFhir(t);
  const count = async (query: string): Promise<number> =>
    ((await (await fetch(`${fhir.baseUrl}/${query}`)).json()) as { total: number }).total;

  const first = await load(['--fhir', fhir.baseUrl, '--json']);
  t.equal(first.code, 0, first.stderr);
  const loaded = JSON.parse(first.stdout) as { patients: Array<{ patientId: string; expected: string }> };
  t.equal(loaded.patients.length, 14, 'every fixture patient reported');
  const patients = await count('Patient?_summary=count');
  const conditions = await count('Condition?_summary=count');
  t.equal(patients, 14);

  const second = await load(['--fhir', fhir.baseUrl]);
  t.equal(second.code, 0, second.stderr);
  t.equal(await count('Patient?_summary=count'), patients, 'second run: no duplicate Patients');
  t.equal(await count('Condition?_summary=count'), conditions, 'second run: no duplicate Conditions');
  t.match(second.stdout, /sih-v5\s+Variant 5\s+v5-chronic-negative-mri\.json/);
  t.match(second.stdout, new RegExp(`npm run evaluate -- --fhir ${fhir.baseUrl.replace(/[.]/g, '\\.')} --patient sih-v5`));

  const expected: Record<string, string> = {
    'sih-v2': 'Variant 2',
    'sih-v5text': 'Variant 5',
    'sih-noreport': 'undetermined',
    'sih-migraine': 'not-applicable',
  };
  for (const [id, want] of Object.entries(expected)) {
    t.equal(loaded.patients.find((p) => p.patientId === id)?.expected, want, `fixtures:load expects ${want} for ${id}`);
    const run = await evaluate(['--fhir', fhir.baseUrl, '--patient', id, '--now', NOW]);
    t.equal(run.code, 0, `${id}: exit 0`);
    t.match(run.stdout, new RegExp(`^Result: ${want}$`, 'm'), `${id}: ${want}`);
    t.match(run.stdout, /^FHIR reads:$/m, `${id}: timings shown`);
    t.match(run.stderr, /reading Patient, Condition, Observation, ImagingStudy, DiagnosticReport, Procedure, ServiceRequest from 127\.0\.0\.1:\d+/);
    t.notMatch(run.stderr, id, `${id}: the patient id stays out of progress output`);
  }
});

t.test('evaluate: the V5 report, an order-select rating, --json, and the token', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: new URL('../fixtures/patients/', import.meta.url).pathname });

  const report = await evaluate(['--fhir', fhir.baseUrl, '--patient', 'sih-v5', '--now', NOW]);
  t.equal(report.code, 0);
  t.match(report.stdout, /ACR: "Adult\. Chronic daily headache/, 'the variant text');
  t.match(report.stdout, /Next imaging step:\n {2}- one of: Radiographic Myelography Digital Subtraction/);
  t.match(report.stdout, /Cards \(1\):\n {2}\[info\] /);
  t.match(report.stdout, /suggestion: Order Radiographic Myelography Digital Subtraction Complete Spine \(recommended\)/);
  t.match(report.stdout, /Evidence:\n {2}- chronic-headache: Condition\/sih-v5-c2 SNOMED 431237007/);
  t.match(report.stdout, /Missing data:\n {2}\(none/);
  t.notMatch(report.stdout, /Testfall|Alex/, 'no patient name');

  const select = await evaluate(
    [
      '--fhir', fhir.baseUrl, '--patient', 'sih-v5', '--now', NOW, '--hook', 'order-select',
      '--order-code', 'http://snomed.info/sct|713206003', '--reason', 'http://snomed.info/sct|445511002', '--json',
    ],
    { FHIR_TOKEN: 'cli-secret-token' },
  );
  t.equal(select.code, 0, select.stderr);
  const response = JSON.parse(select.stdout) as {
    cards: Array<{ indicator: string; summary: string }>;
    systemActions?: Array<{ resource: { id: string; extension: Array<{ url: string; valueCodeableConcept?: { text?: string } }> } }>;
  };
  t.equal(response.cards[0]?.indicator, 'warning', 'MR myelography in V5 is rated lower: a warning');
  t.match(response.cards[0]?.summary, /May Be Appropriate \(5\)/);
  const rating = response.systemActions?.[0]?.resource.extension.find((e) => e.url === 'http://fhir.org/argonaut/Extension/pama-rating');
  t.equal(rating?.valueCodeableConcept?.text, 'May Be Appropriate (5)', 'the PAMA rating as a systemAction');

  const withToken = fhir.requests.filter((r) => r.authorization === 'Bearer cli-secret-token');
  t.ok(withToken.some((r) => r.url.includes('/metadata')), 'metadata read with the token');
  t.ok(withToken.some((r) => r.url.includes('/Condition?patient=sih-v5')), 'record reads carry the token');
  t.notMatch(select.stdout + select.stderr, 'cli-secret-token', 'the token is never printed');
});

t.test('evaluate: SITE_FACTS_PATH applies as in the service (how a site tests its facts on a sandbox patient)', async (t) => {
  // In-process (the CLI's own function, its environment passed in): child processes are the slow part here.
  const fhir = await startLocalFhir(t, { fixturesDir: new URL('../fixtures/patients/', import.meta.url).pathname });
  const run = async (env: NodeJS.ProcessEnv, argv = ['--fhir', fhir.baseUrl, '--patient', 'sih-posmri', '--now', NOW]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), env };
    const code = await runMain('evaluate', () => runEvaluate(argv, io), io);
    return { code, stdout: out.join(''), stderr: err.join('') };
  };
  const plain = await run({});
  t.equal(plain.code, 0, plain.stderr);
  t.match(plain.stdout, /undetermined/);
  const site = await run({ SITE_FACTS_PATH: 'fixtures/site-facts.example.json' });
  t.equal(site.code, 0, site.stderr);
  t.match(site.stdout, /ACR: "Adult\. Obtundation with initial brain imaging features/, 'variant 4 with the site facts');
  t.match(site.stdout, /GCS total \(Northbridge neuro flowsheet\) \(site-defined\)/);
  const bad = await run({ SITE_FACTS_PATH: 'fixtures/no-such-file.json' });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^evaluate: SITE_FACTS_PATH: site facts file fixtures\/no-such-file\.json: cannot be read/);
});

t.test('evaluate: failures are one line, a documented exit code, no stack trace', async (t) => {
  const port = await closedPort();
  assertOneLineError(t, await evaluate(['--fhir', `http://127.0.0.1:${port}/fhir/R4`, '--patient', 'x']), 3, /cannot reach 127\.0\.0\.1:\d+: connection refused/);

  const stu3 = await startFaultFhir({ fhirVersion: '3.0.2' });
  t.teardown(stu3.close);
  assertOneLineError(t, await evaluate(['--fhir', stu3.baseUrl, '--patient', 'x']), 4, /reports fhirVersion 3\.0\.2; this service reads FHIR R4/);

  const notFhir = await startFaultFhir({ metadata: { kind: 'status', status: 404 } });
  t.teardown(notFhir.close);
  assertOneLineError(t, await evaluate(['--fhir', notFhir.baseUrl, '--patient', 'x']), 4, /is not a FHIR server at that base URL/);

  const patient: Patient = { resourceType: 'Patient', id: 'known' };
  const empty = await startFaultFhir({ patients: [patient] });
  t.teardown(empty.close);
  assertOneLineError(t, await evaluate(['--fhir', empty.baseUrl, '--patient', 'unknown-one']), 6, /has no Patient with the id given by --patient \(HTTP 404\)/);

  const locked = await startFaultFhir({ types: { Patient: { kind: 'status', status: 401 } } });
  t.teardown(locked.close);
  const refused = await evaluate(['--fhir', locked.baseUrl, '--patient', 'x'], { FHIR_TOKEN: 'expired-token-value' });
  assertOneLineError(t, refused, 5, /HTTP 401: the token was refused/);
  t.notMatch(refused.stderr, 'expired-token-value', 'the token is not echoed');
  const noToken = await evaluate(['--fhir', locked.baseUrl, '--patient', 'x']);
  assertOneLineError(t, noToken, 5, /needs a token: pass --token or set FHIR_TOKEN/);

  const forbidden = await startFaultFhir({ metadata: { kind: 'status', status: 403 } });
  t.teardown(forbidden.close);
  assertOneLineError(t, await evaluate(['--fhir', forbidden.baseUrl, '--patient', 'x', '--token', 't']), 5, /HTTP 403/);
});

t.test('fixtures:load: failures are one line with the documented exit code', async (t) => {
  const port = await closedPort();
  const unreachable = await load(['--fhir', `http://127.0.0.1:${port}/fhir/R4`]);
  t.equal(unreachable.code, 3);
  t.match(unreachable.stderr, /^fixtures:load: cannot reach 127\.0\.0\.1:\d+: connection refused$/m);

  const stu3 = await startFaultFhir({ fhirVersion: '3.0.2' });
  t.teardown(stu3.close);
  const wrong = await load(['--fhir', stu3.baseUrl]);
  t.equal(wrong.code, 4);
  t.match(wrong.stderr, /fhirVersion 3\.0\.2/);
  t.equal(stu3.requests.filter((r) => r.method !== 'GET').length, 0, 'nothing written to a non-R4 server');
  t.notMatch(unreachable.stderr + wrong.stderr, /\n\s+at\s/);
});
