/**
 * The real process entry: starts on its embedded defaults, answers, and stops cleanly on SIGTERM (exit 0,
 * audit flushed); a bad configuration stops start-up with a message that names the variable.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line: ${out} ${err}`)), 30_000);
    child.stdout.on('data', () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`exited early: ${err}`));
    });
  });
  // Tests that expect an early exit never await `listening`: keep its rejection from going unhandled.
  listening.catch(() => undefined);
  return { child, exited, listening, output: () => out, errors: () => err };
}

t.test('starts on defaults, answers, and exits 0 on SIGTERM', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sih-proc-'));
  const p = startProcess({ DB_PATH: join(dir, 'audit.sqlite') });
  t.teardown(() => p.child.kill('SIGKILL'));
  const url = await p.listening;
  const res = await fetch(`${url}/cds-services/sih-imaging-order-select`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: readFileSync(join(ROOT, 'fixtures/requests/order-select-v5-mr-myelography.json')),
  });
  t.equal(res.status, 200);
  t.match(p.output(), /authentication is OFF/, 'development mode says loudly that authentication is off');
  p.child.kill('SIGTERM');
  t.equal(await p.exited, 0, 'clean exit');
  t.match(p.output(), /shutting down/);
});

t.test('a bad configuration stops start-up naming the variable', async (t) => {
  const p = startProcess({ FHIR_DEADLINE_MS: 'soon' });
  t.teardown(() => p.child.kill('SIGKILL'));
  t.equal(await p.exited, 2);
  t.match(p.errors(), /FHIR_DEADLINE_MS/);
  t.notMatch(p.errors(), /at .*\.ts:\d+/, 'no stack trace');
});

t.test('a bad site facts file stops start-up naming the file, the key and the error', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sih-proc-'));
  const file = join(dir, 'site-facts.json');
  writeFileSync(file, JSON.stringify({ facts: { gcs: [{ label: 'GCS', expression: 'Observation.where(code.coding.exists(', value: 'value' }] } }));
  const p = startProcess({ SITE_FACTS_PATH: file, DB_PATH: join(dir, 'audit.sqlite') });
  t.teardown(() => p.child.kill('SIGKILL'));
  t.equal(await p.exited, 2);
  t.match(p.errors(), /SITE_FACTS_PATH: site facts file .*site-facts\.json: facts\.gcs\[0\]\.expression: /);
  t.notMatch(p.errors(), /at .*\.ts:\d+/, 'no stack trace');
});

t.test('production refuses to start without its required settings, naming the first missing one', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /FHIR_SERVER_ALLOWLIST: required in production/],
    [{ FHIR_SERVER_ALLOWLIST: 'https://fhir.example.org/R4' }, /PUBLIC_BASE_URL: required/],
    [{ FHIR_SERVER_ALLOWLIST: 'https://fhir.example.org/R4', PUBLIC_BASE_URL: 'https://cds.example.org' }, /no issuer is trusted/],
  ];
  for (const [env, message] of cases) {
    const p = startProcess({ NODE_ENV: 'production', AUDIT_HASH_KEY: '', ...env });
    t.teardown(() => p.child.kill('SIGKILL'));
    t.equal(await p.exited, 2);
    t.match(p.errors(), message);
  }
});
