/**
 * No leaks (issue 6, part 6): every fixture call, at log level debug, must leave no token, JWT, patient
 * name, identifier value, patient id or free text in any log line. The forbidden strings are derived from
 * the fixture files themselves, so a new fixture is covered without touching this test.
 */
import t from 'tap';
import '../dev/ws-shim.js'; // before @medplum/core (via the local FHIR server), which needs a WebSocket global on Node 20
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startService, type RunningService } from './fixtures/service.js';
import { startLocalFhir } from './fixtures/local-fhir.js';
import { makeIssuer, signToken, staticIssuerConfig } from './fixtures/jwt.js';

const PATIENTS_DIR = fileURLToPath(new URL('../fixtures/patients/', import.meta.url));
const REQUESTS_DIR = fileURLToPath(new URL('../fixtures/requests/', import.meta.url));
const GUIDELINE_DIR = fileURLToPath(new URL('../src/guideline/', import.meta.url));
const MIN_TEXT = 7;

const readJson = (dir: string, f: string): any => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const patientFiles = readdirSync(PATIENTS_DIR).filter((f) => f.endsWith('.json'));
const requestFiles = readdirSync(REQUESTS_DIR).filter((f) => f.endsWith('.json'));

/** Every resource in a fixture file (transaction bundles, or hook requests with prefetch and draft orders). */
function resourcesIn(doc: any): any[] {
  const out: any[] = [];
  const walk = (v: any): void => {
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(walk);
    if (typeof v.resourceType === 'string' && v.resourceType !== 'Bundle') out.push(v);
    for (const x of Object.values(v)) walk(x);
  };
  walk(doc);
  return out;
}

const allResources = [
  ...patientFiles.flatMap((f) => resourcesIn(readJson(PATIENTS_DIR, f))),
  ...requestFiles.flatMap((f) => resourcesIn(readJson(REQUESTS_DIR, f))),
];

/** Our own words: value-set displays and guideline texts. A fixture text that is also one is excluded. */
const guidelineText = readdirSync(GUIDELINE_DIR)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => readFileSync(join(GUIDELINE_DIR, f), 'utf8'))
  .join('\n')
  .toLowerCase();

interface Forbidden {
  what: string;
  value: string;
}
const forbidden: Forbidden[] = [];
const excluded: Forbidden[] = [];
const add = (what: string, value: unknown, minLength = MIN_TEXT): void => {
  if (typeof value !== 'string' || value.trim().length < minLength) return;
  if (forbidden.some((f) => f.value === value)) return;
  // Free text that is also one of our own value-set terms may legitimately appear (e.g. a display we chose);
  // names, identifiers and ids are never excluded.
  if (what.startsWith('text') && guidelineText.includes(value.toLowerCase())) excluded.push({ what, value });
  else forbidden.push({ what, value });
};
for (const r of allResources) {
  if (r.resourceType === 'Patient') {
    add('patient id', r.id, 3);
    for (const n of r.name ?? []) {
      add('name family', n.family, 3);
      for (const g of n.given ?? []) add('name given', g, 3);
    }
    for (const i of r.identifier ?? []) add('identifier value', i.value, 3);
  }
  if (r.resourceType === 'Condition') add('text Condition.code.text', r.code?.text);
  if (r.resourceType === 'DiagnosticReport') add('text DiagnosticReport.conclusion', r.conclusion);
}

function leaksIn(logs: string[], extra: Forbidden[]): string[] {
  const found: string[] = [];
  for (const line of logs) {
    const lower = line.toLowerCase();
    for (const f of [...forbidden, ...extra]) {
      // JSON-escaped form too: a value with quotes or unicode is escaped in a JSON log line.
      const needles = [f.value, JSON.stringify(f.value).slice(1, -1)];
      // Short names ("Pat", "Ari") are whole words, case-sensitive: "path" and "variant" are not leaks.
      // Free text and secrets: any occurrence, any case.
      const hit = f.what.startsWith('name') || f.what === 'patient id' || f.what === 'identifier value'
        ? needles.some((n) => new RegExp(`(?<![A-Za-z0-9])${n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9])`).test(line))
        : needles.some((n) => lower.includes(n.toLowerCase()));
      if (hit) found.push(`${f.what} ${JSON.stringify(f.value)} in: ${line.slice(0, 300)}`);
    }
  }
  return found;
}

const TOKEN = `leak-canary-token-${randomUUID()}`;
const auth = { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'cds-service' };
const tokenForbidden: Forbidden[] = [{ what: 'bearer token', value: TOKEN }];

t.test('derived forbidden strings', async (t) => {
  t.ok(forbidden.some((f) => f.what === 'name family'), 'names');
  t.ok(forbidden.some((f) => f.what === 'identifier value'), 'identifier values');
  t.ok(forbidden.some((f) => f.what === 'patient id'), 'patient ids');
  t.ok(forbidden.some((f) => f.what.startsWith('text')), 'free text');
  t.comment(`${forbidden.length} forbidden strings; excluded as our own terms: ${JSON.stringify(excluded.map((e) => e.value))}`);
});

async function fixtureCalls(t: any, svc: RunningService, headers: () => Promise<Record<string, string>> = async () => ({})): Promise<number> {
  let calls = 0;
  // 1. Every fixture request against its service (full prefetch), with a bearer token.
  for (const f of requestFiles) {
    const body = readJson(REQUESTS_DIR, f);
    body.fhirAuthorization = auth;
    const id = `sih-imaging-${body.hook}`;
    const r = await svc.post(`/cds-services/${id}`, body, await headers());
    t.equal(r.status, 200, `${f} answered`);
    calls++;
    // Feedback on each card, with a comment that names the patient.
    const cards = (r.json?.cards ?? []) as any[];
    if (cards.length > 0) {
      const fb = await svc.post(
        `/cds-services/${id}/feedback`,
        {
          feedback: cards.map((c) => ({
            card: c.uuid,
            outcome: 'overridden',
            overrideReason: { userComment: `discussed with ${forbidden.find((x) => x.what === 'name given')?.value} today` },
            outcomeTimestamp: '2026-11-26T12:00:00Z',
          })),
        },
        await headers(),
      );
      t.equal(fb.status, 200, `${f} feedback stored`);
      calls++;
    }
    // 2. 400s with the patient data in the body.
    const bad = await svc.post(`/cds-services/${id}`, { ...body, hookInstance: 42 }, await headers());
    t.equal(bad.status, 400, `${f} with a bad hookInstance is 400`);
    const bad2 = await svc.post(`/cds-services/${id}`, `${JSON.stringify(body).slice(0, -40)}`, await headers());
    t.equal(bad2.status, 400, `${f} truncated is 400`);
    const bad3 = await svc.post(`/cds-services/${id}/feedback`, { feedback: [{ card: 'x', outcome: 'bad', overrideReason: { userComment: JSON.stringify(body.prefetch?.patient) } }] }, await headers());
    t.equal(bad3.status, 400, `${f} bad feedback is 400`);
    calls += 3;
  }
  return calls;
}

t.test('fixture calls at debug level leave no secrets or patient data in the logs', async (t) => {
  // Loading the fixture patients blocks this process for seconds on a busy machine: not what is tested here.
  const svc = await startService(t, { LOG_LEVEL: 'debug', SHED_EVENT_LOOP_DELAY_MS: '60000' });
  let calls = await fixtureCalls(t, svc);

  // 3. Every fixture patient's patient-view through the local FHIR server, with the token, no prefetch.
  const fhir = await startLocalFhir(t, { fixturesDir: PATIENTS_DIR });
  t.ok(fhir.patientIds.length >= patientFiles.length, `${fhir.patientIds.length} fixture patients loaded`);
  for (const patientId of fhir.patientIds) {
    const r = await svc.post('/cds-services/sih-imaging-patient-view', {
      hook: 'patient-view',
      hookInstance: randomUUID(),
      fhirServer: fhir.baseUrl,
      fhirAuthorization: auth,
      context: { userId: 'Practitioner/sih-fixture-clinician', patientId },
    });
    t.equal(r.status, 200, `patient-view of ${patientId} via FHIR`);
    calls++;
  }
  t.ok(fhir.requests.length > 0 && fhir.requests.every((r) => r.authorization === `Bearer ${TOKEN}`), 'the token was used on every FHIR request');
  t.comment(`${svc.logs.filter((l) => l.includes('"level":20')).length} debug lines among ${svc.logs.length}`);

  const leaks = leaksIn(svc.logs, tokenForbidden);
  t.same(leaks.slice(0, 20), [], `no leaks in ${svc.logs.length} log lines from ${calls} calls`);
});

t.test('with AUTH_MODE=required and signed JWTs: no token or JWT in the logs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sih-no-leaks-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const issuer = await makeIssuer('ES384');
  const issuersFile = join(dir, 'issuers.json');
  writeFileSync(issuersFile, JSON.stringify([staticIssuerConfig(issuer)]));
  const PUBLIC = 'https://cds.leaks.example';
  const svc = await startService(t, { LOG_LEVEL: 'debug', AUTH_MODE: 'required', PUBLIC_BASE_URL: PUBLIC, AUTH_ISSUERS_FILE: issuersFile });
  const jwts: Forbidden[] = [];
  // The aud is the service URL; feedback posts use their own path. A fresh jti per call.
  const fixturesWithJwt = async (): Promise<number> => {
    let calls = 0;
    for (const f of requestFiles.slice(0, 3)) {
      const body = readJson(REQUESTS_DIR, f);
      body.fhirAuthorization = auth;
      const path = `/cds-services/sih-imaging-${body.hook}`;
      const jwt = await signToken(issuer, { aud: `${PUBLIC}${path}` });
      jwts.push({ what: 'JWT', value: jwt }, { what: 'JWT signature', value: jwt.split('.')[2]! });
      const r = await svc.post(path, body, { authorization: `Bearer ${jwt}` });
      t.equal(r.status, 200, `${f} with a valid JWT`);
      // Refused ones too: a replayed jti, and a token for another audience.
      const replay = await svc.post(path, body, { authorization: `Bearer ${jwt}` });
      t.equal(replay.status, 401, 'replay refused');
      const wrong = await signToken(issuer, { aud: 'https://evil.example/cds-services/x' });
      jwts.push({ what: 'JWT (wrong aud)', value: wrong });
      const w = await svc.post(path, body, { authorization: `Bearer ${wrong}` });
      t.equal(w.status, 401, 'wrong aud refused');
      const none = await svc.post(path, body);
      t.equal(none.status, 401, 'no token refused');
      calls += 4;
    }
    return calls;
  };
  const calls = await fixturesWithJwt();
  const leaks = leaksIn(svc.logs, [...tokenForbidden, ...jwts]);
  t.same(leaks.slice(0, 20), [], `no leaks in ${svc.logs.length} log lines from ${calls} authenticated calls`);
});
