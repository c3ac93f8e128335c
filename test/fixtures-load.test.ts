import t, { type Test } from 'tap';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import type { Bundle, FhirResource } from 'fhir/r4.js';
import { fixturesLoad } from '../src/cli/fixtures-load.js';
import { runMain, type CliIo } from '../src/cli/args.js';
import { chunkEntries, expectedVariant, withIdPrefix, FIXTURES_NOW } from '../src/cli/evaluate-fixtures.js';
import { startLocalFhir } from './fixtures/local-fhir.js';

const PATIENTS_DIR = new URL('../fixtures/patients/', import.meta.url);
const fixtureFiles = readdirSync(PATIENTS_DIR).filter((f) => f.endsWith('.json')).sort();
const readFixture = (f: string): Bundle<FhirResource> => JSON.parse(readFileSync(new URL(f, PATIENTS_DIR), 'utf8')) as Bundle<FhirResource>;

interface Captured extends CliIo {
  stdout: string[];
  stderr: string[];
}
function captureIo(): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s), env: {} };
}
const run = (argv: string[], io: CliIo = captureIo()) => runMain('fixtures:load', () => fixturesLoad(argv, io), io);

t.test('--prefix rewrites every id and reference, and nothing else', async (t) => {
  for (const file of fixtureFiles) {
    const original = readFixture(file);
    const before = JSON.stringify(original);
    const copy = withIdPrefix(original, 'alice-7.');
    t.equal(JSON.stringify(original), before, `${file}: the input is not changed`);
    const text = JSON.stringify(copy);
    const left = (text.match(/"[^"]*\bsih-[^"]*"/g) ?? []).filter((s) => !s.startsWith('"urn:sih-cds:'));
    t.same(left, [], `${file}: no sih- id or reference is left`);
    for (const e of copy.entry ?? []) {
      t.equal(e.request?.url, `${e.resource?.resourceType}/${e.resource?.id}`, `${file}: the PUT url follows the id`);
      t.match(e.resource?.id, /^alice-7\./);
    }
    t.equal(text.split('alice-7.').length, before.split(/(?<=[/"])sih-/).length, `${file}: as many rewrites as sih- ids`);
    t.same(
      (copy.entry ?? []).map((e) => (e.resource as { identifier?: unknown }).identifier),
      (original.entry ?? []).map((e) => (e.resource as { identifier?: unknown }).identifier),
      `${file}: identifiers are data, not ids: kept`,
    );
  }
  const v5 = withIdPrefix(readFixture('v5-chronic-negative-mri.json'), 'bob-');
  const report = v5.entry?.find((e) => e.resource?.resourceType === 'DiagnosticReport' && (e.resource as { imagingStudy?: unknown }).imagingStudy);
  t.match((report?.resource as { imagingStudy: Array<{ reference: string }> }).imagingStudy[0]?.reference, /^ImagingStudy\/bob-v5-i\d+$/, 'links between resources follow');
  t.same(withIdPrefix(readFixture('v5-chronic-negative-mri.json'), 'sih-'), readFixture('v5-chronic-negative-mri.json'), 'the default prefix changes nothing');
});

t.test('transactions are cut to the limit', async (t) => {
  t.same(chunkEntries([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  t.same(chunkEntries([1, 2], 50), [[1, 2]]);
  t.same(chunkEntries([], 50), []);
});

t.test('the expected variant derived by the engine agrees with the table in fixtures/README.md', async (t) => {
  const readme = readFileSync(new URL('../fixtures/README.md', import.meta.url), 'utf8');
  const rows = [...readme.matchAll(/^\| `([^`]+\.json)` \| `([^`]+)` \| (Variant \d|Undetermined|Not applicable)/gm)];
  t.equal(rows.length, fixtureFiles.length, 'one README row per fixture');
  for (const [, file, patientId, said] of rows) {
    const bundle = readFixture(file ?? '');
    const want = said === 'Undetermined' ? 'undetermined' : said === 'Not applicable' ? 'not-applicable' : said;
    t.equal(expectedVariant(bundle, new Date(FIXTURES_NOW)), want, `${file} (${patientId})`);
    t.equal(expectedVariant(withIdPrefix(bundle, 'x-'), new Date(FIXTURES_NOW)), want, `${file}: the prefix does not change the answer`);
  }
});

t.test('against the local FHIR server: idempotent, and prefixes keep loads apart', async (t) => {
  const fhir = await startLocalFhir(t);
  const total = async (q: string) => ((await (await fetch(`${fhir.baseUrl}/${q}`)).json()) as { total: number }).total;

  t.equal(await run(['--fhir', fhir.baseUrl, '--prefix', 'ann-', '--dir', PATIENTS_DIR.pathname]), 0);
  const resources = await Promise.all(['Patient', 'Condition', 'DiagnosticReport', 'ImagingStudy'].map((type) => total(`${type}?_summary=count`)));
  t.equal(resources[0], 14);
  const io = captureIo();
  t.equal(await run(['--fhir', fhir.baseUrl, '--prefix', 'ann-', '--dir', PATIENTS_DIR.pathname], io), 0);
  t.same(
    await Promise.all(['Patient', 'Condition', 'DiagnosticReport', 'ImagingStudy'].map((type) => total(`${type}?_summary=count`))),
    resources,
    'a second run creates nothing new',
  );
  t.match(io.stdout.join(''), /ann-v5\s+Variant 5\s+v5-chronic-negative-mri\.json/);
  t.match(io.stdout.join(''), /--patient ann-v5 --now 2026-11-26T12:00:00\.000Z/);

  t.equal(await run(['--fhir', fhir.baseUrl, '--dir', PATIENTS_DIR.pathname]), 0);
  t.equal(await total('Patient?_summary=count'), 28, 'the default sih- load sits beside the ann- one');
  t.equal(await total('Condition?patient=ann-v5&_summary=count'), await total('Condition?patient=sih-v5&_summary=count'));
  t.ok(fhir.requests.every((r) => r.method === 'GET' || r.url === '/fhir/R4'), 'only transactions at the base were written');
});

/**
 * A FHIR server that takes transactions of at most `limit` entries (400 beyond), as Medplum does with 50,
 * and records what it accepted.
 */
async function limitedServer(t: Test, limit: number, opts: { failEntry?: string; status?: number } = {}) {
  const accepted: string[] = [];
  const sizes: number[] = [];
  const prefer: Array<string | undefined> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/fhir+json' });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'GET' && req.url === '/fhir/metadata') {
        return send(200, { resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', rest: [{ mode: 'server', interaction: [{ code: 'transaction' }] }] });
      }
      if (req.method !== 'POST' || req.url !== '/fhir') return send(404, { resourceType: 'OperationOutcome', issue: [] });
      if (opts.status) return send(opts.status, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'security' }] });
      const bundle = JSON.parse(body) as Bundle;
      const entries = bundle.entry ?? [];
      sizes.push(entries.length);
      prefer.push(String(req.headers['prefer']));
      if (entries.length > limit) {
        return send(400, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: `Transaction contains more than ${limit} update operations` }] });
      }
      const statuses = entries.map((e) => (e.request?.url === opts.failEntry ? '400 Bad Request' : '200 OK'));
      if (!statuses.includes('400 Bad Request')) accepted.push(...entries.map((e) => e.request?.url ?? ''));
      return send(200, { resourceType: 'Bundle', type: 'transaction-response', entry: statuses.map((status) => ({ response: { status } })) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`, accepted, sizes, prefer };
}

const allEntryUrls = (): string[] => fixtureFiles.flatMap((f) => (readFixture(f).entry ?? []).map((e) => e.request?.url ?? '')).sort();

t.test('a server that refuses large transactions gets them split, and every entry lands once', async (t) => {
  const server = await limitedServer(t, 4);
  const io = captureIo();
  t.equal(await run(['--fhir', server.baseUrl, '--dir', PATIENTS_DIR.pathname], io), 0, io.stderr.join(''));
  t.same([...server.accepted].sort(), allEntryUrls(), 'every fixture entry accepted exactly once');
  t.ok(server.sizes.some((n) => n > 4), 'the whole bundle was tried first');
  t.match(io.stderr.join(''), /refused \d+ entries in one transaction \(HTTP 400\); retrying in halves/);
  t.ok(server.prefer.every((p) => p === 'return=minimal'), 'Prefer: return=minimal on every transaction');

  const capped = await limitedServer(t, 4);
  t.equal(await run(['--fhir', capped.baseUrl, '--dir', PATIENTS_DIR.pathname, '--max-entries', '4']), 0);
  t.ok(capped.sizes.every((n) => n <= 4), '--max-entries cuts before sending: no refusals');
});

t.test('a rejected entry or a refused token ends the run with one line', async (t) => {
  const server = await limitedServer(t, 50, { failEntry: 'Condition/sih-v5-c2' });
  const io = captureIo();
  t.equal(await run(['--fhir', server.baseUrl, '--dir', PATIENTS_DIR.pathname], io), 1);
  t.equal(io.stderr.filter((l) => l.startsWith('fixtures:load:')).length, 1);
  t.match(io.stderr.at(-1), /v5-chronic-negative-mri\.json: Condition\/sih-v5-c2 failed with 400 Bad Request/);

  const locked = await limitedServer(t, 50, { status: 403 });
  const io2 = captureIo();
  t.equal(await run(['--fhir', locked.baseUrl, '--dir', PATIENTS_DIR.pathname, '--token', 'read-only-token'], io2), 5);
  t.match(io2.stderr.at(-1), /refused the transaction \(HTTP 403\)/);
  t.notMatch(io2.stderr.join(''), 'read-only-token');

  const io3 = captureIo();
  t.equal(await run(['--fhir', server.baseUrl, '--prefix', 'bad/prefix'], io3), 2);
  t.match(io3.stderr.at(-1), /--prefix must be/);
});
