/**
 * Bad FHIR servers (issue 6, part 5): with a small FHIR_DEADLINE_MS, a patient-view and an order-select
 * with no prefetch against fault servers that are slow, fail, lie or redirect. Each must degrade the
 * answer — 200, the gap named in the "hook answered" log line as `Type:reason` — within the deadline plus
 * 100 ms measured at the client (one retry allowed for a loaded machine), and never carry the bearer
 * token anywhere but the named server.
 */
import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import type { Condition, FhirResource } from 'fhir/r4.js';
import { startService, fixtureRequest, type RunningService } from './fixtures/service.js';
import { startFaultFhir, type FaultBehaviour, type FaultFhir, type FaultFhirBehaviour } from './fixtures/fault-fhir.js';
import { checkResponse } from '../src/protocol/response-rules.js';

const DEADLINE_MS = 400;
const SLACK_MS = 100;
const TOKEN = `fault-token-${randomUUID()}`;
const PATIENT = 'sih-bad-1';
const RECORD_TYPES = ['Condition', 'Observation', 'ImagingStudy', 'DiagnosticReport', 'Procedure', 'ServiceRequest'];

type Hook = 'patient-view' | 'order-select';

function hookRequest(hook: Hook, fhirServer: string): Record<string, unknown> {
  const base = {
    hookInstance: randomUUID(),
    fhirServer,
    fhirAuthorization: { access_token: TOKEN, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'cds-service' },
  };
  if (hook === 'patient-view') {
    return { ...base, hook, context: { userId: 'Practitioner/sih-fixture-clinician', patientId: PATIENT } };
  }
  const fixture = fixtureRequest('order-select-v5-mr-myelography.json');
  return { ...base, hook, context: { ...fixture.context, patientId: PATIENT } };
}

const SERVICE_URL: Record<Hook, string> = {
  'patient-view': '/cds-services/sih-imaging-patient-view',
  'order-select': '/cds-services/sih-imaging-order-select',
};

interface Answer {
  status: number;
  json: any;
  ms: number;
  /** The "hook answered" (or 412) log line of this call, parsed. */
  log: any;
}

async function call(svc: RunningService, hook: Hook, fhir: FaultFhir): Promise<Answer> {
  const body = hookRequest(hook, fhir.baseUrl);
  const started = performance.now();
  const res = await fetch(`${svc.url}${SERVICE_URL[hook]}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  const ms = performance.now() - started;
  // The log line is written before the answer leaves; give the sink a tick anyway.
  await new Promise((r) => setImmediate(r));
  const line = svc.logs.find((l) => l.includes(body.hookInstance as string) && (l.includes('"hook answered"') || l.includes('412')));
  return { status: res.status, json, ms, log: line ? JSON.parse(line) : undefined };
}

/** Calls once, and once more if the first call overshot the deadline (a loaded CI machine). */
async function timedCall(t: Test, svc: RunningService, hook: Hook, fhir: FaultFhir, label: string): Promise<Answer> {
  let a = await call(svc, hook, fhir);
  if (a.ms > DEADLINE_MS + SLACK_MS) {
    t.comment(`${label}: ${Math.round(a.ms)} ms on the first try; retrying once`);
    a = await call(svc, hook, fhir);
  }
  t.comment(`${label}: ${Math.round(a.ms)} ms (deadline ${DEADLINE_MS} + ${SLACK_MS})`);
  elapsed.push({ label, ms: Math.round(a.ms) });
  t.ok(a.ms <= DEADLINE_MS + SLACK_MS, `${label}: answered in ${Math.round(a.ms)} ms <= ${DEADLINE_MS + SLACK_MS}`);
  return a;
}

const elapsed: Array<{ label: string; ms: number }> = [];

async function fault(t: Test, behaviour: FaultFhirBehaviour): Promise<FaultFhir> {
  const fhir = await startFaultFhir(behaviour);
  t.teardown(() => fhir.close());
  return fhir;
}

function checkTokens(t: Test, fhir: FaultFhir, label: string): void {
  t.ok(fhir.requests.length > 0, `${label}: the FHIR server was asked`);
  const main = fhir.requests.filter((r) => r.host.startsWith('127.0.0.1:'));
  t.equal(main.length, fhir.requests.length, `${label}: every request went to the named server, none elsewhere`);
  t.ok(
    main.every((r) => r.authorization === `Bearer ${TOKEN}`),
    `${label}: the bearer token reached the FHIR server on every request (${main.length})`,
  );
}

interface Case {
  name: string;
  behaviour: FaultBehaviour;
  /** The gap expected on the Condition search (and every other record type). */
  reason: 'timeout' | 'fetch-failed' | 'truncated';
}

const CASES: Case[] = [
  { name: 'slow past the deadline', behaviour: { kind: 'delay', ms: 5_000 }, reason: 'timeout' },
  { name: '500', behaviour: { kind: 'status', status: 500 }, reason: 'fetch-failed' },
  { name: '401', behaviour: { kind: 'status', status: 401 }, reason: 'fetch-failed' },
  { name: '404', behaviour: { kind: 'status', status: 404 }, reason: 'fetch-failed' },
  { name: 'OperationOutcome 400', behaviour: { kind: 'outcome' }, reason: 'fetch-failed' },
  { name: 'malformed JSON', behaviour: { kind: 'malformed' }, reason: 'fetch-failed' },
  { name: 'a non-Bundle', behaviour: { kind: 'non-bundle' }, reason: 'fetch-failed' },
  { name: 'an endless next chain', behaviour: { kind: 'endless' }, reason: 'truncated' },
  { name: 'redirect to another host', behaviour: { kind: 'redirect' }, reason: 'fetch-failed' },
];

t.test('every record type failing the same way: order-select 200 with the gaps, patient-view 412, in time, logged', async (t) => {
  const svc = await startService(t, { FHIR_DEADLINE_MS: String(DEADLINE_MS) });
  for (const c of CASES) {
    for (const hook of ['patient-view', 'order-select'] as const) {
      await t.test(`${c.name}: ${hook}`, async (t) => {
        const fhir = await fault(t, { fallback: c.behaviour });
        const a = await timedCall(t, svc, hook, fhir, `${c.name} / ${hook}`);
        if (hook === 'patient-view') {
          // The Conditions patient-view needs could not be read: 412, as CDS Hooks 2.0.1 says for a failed
          // FHIR call, rather than an empty answer that would read as "nothing to say".
          t.equal(a.status, 412, 'required data unobtainable');
          t.equal(a.json.resourceType, 'OperationOutcome');
          t.ok(a.log, 'the call is logged');
          checkTokens(t, fhir, c.name);
          return;
        }
        t.equal(a.status, 200, 'degraded, not failed');
        t.same(checkResponse(a.json), [], 'a valid CDS Hooks response');
        t.ok(a.log, 'the call is logged ("hook answered")');
        const gaps: string[] = a.log?.gaps ?? [];
        for (const type of RECORD_TYPES) t.ok(gaps.includes(`${type}:${c.reason}`), `gap ${type}:${c.reason} in ${JSON.stringify(gaps)}`);
        checkTokens(t, fhir, c.name);
        if (c.behaviour.kind === 'redirect') {
          t.equal(fhir.requests.filter((r) => r.host.startsWith('127.0.0.2:')).length, 0, 'the redirect target got NO request');
          t.notOk(fhir.requests.some((r) => r.url.includes(TOKEN)), 'the token is in no URL');
        }
      });
    }
  }
});

t.test('a huge Bundle (20,000 entries)', async (t) => {
  const huge: FaultBehaviour = { kind: 'huge', entries: 20_000 };
  await t.test('under FHIR_MAX_RESPONSE_BYTES: read, in time', async (t) => {
    const svc = await startService(t, { FHIR_DEADLINE_MS: String(DEADLINE_MS) });
    const fhir = await fault(t, { types: { Observation: huge } });
    for (const hook of ['patient-view', 'order-select'] as const) {
      const a = await timedCall(t, svc, hook, fhir, `huge under the cap / ${hook}`);
      t.equal(a.status, 200);
      t.same(checkResponse(a.json), []);
      const gaps: string[] = a.log?.gaps ?? [];
      // 20,000 Observations within the deadline are read (ok); if the machine is too slow, a timeout gap.
      t.ok(gaps.every((g) => g === 'Observation:timeout'), `no gap but perhaps a timeout: ${JSON.stringify(gaps)}`);
    }
    checkTokens(t, fhir, 'huge');
  });
  await t.test('above FHIR_MAX_RESPONSE_BYTES: cut off, gap "truncated"', async (t) => {
    const svc = await startService(t, { FHIR_DEADLINE_MS: String(DEADLINE_MS), FHIR_MAX_RESPONSE_BYTES: String(512 * 1024) });
    // One type only: the fault server builds its ~3 MB answers in this very process, and seven at once
    // would make the client wait on the test, not on the service.
    // Observations, not Conditions: patient-view cannot do without Conditions (that is the 412 case above).
    const fhir = await fault(t, { types: { Observation: huge } });
    for (const hook of ['patient-view', 'order-select'] as const) {
      const a = await timedCall(t, svc, hook, fhir, `huge above the cap / ${hook}`);
      t.equal(a.status, 200);
      t.same(checkResponse(a.json), []);
      t.same(a.log?.gaps, ['Observation:truncated'], 'the oversized answer is cut off and said');
    }
    checkTokens(t, fhir, 'huge above the cap');
  });
});

t.test('one type slow, the others fine: the fine ones are used', async (t) => {
  const svc = await startService(t, { FHIR_DEADLINE_MS: String(DEADLINE_MS) });
  const v5 = fixtureRequest('patient-view-v5.json');
  const resources = (key: string): FhirResource[] =>
    (v5.prefetch[key].entry ?? []).map((e: any) => {
      const r = structuredClone(e.resource);
      if (r.subject) r.subject.reference = `Patient/${PATIENT}`;
      return r;
    });
  const conditions = resources('conditions') as Condition[];
  const fhir = await fault(t, {
    types: {
      Observation: { kind: 'delay', ms: 5_000 },
      Condition: { kind: 'ok', resources: conditions },
      ImagingStudy: { kind: 'ok', resources: resources('imagingStudies') },
      DiagnosticReport: { kind: 'ok', resources: resources('diagnosticReports') },
      Procedure: { kind: 'ok', resources: resources('procedures') },
      ServiceRequest: { kind: 'ok', resources: resources('serviceRequests') },
    },
    patients: [{ resourceType: 'Patient', id: PATIENT }],
  });
  for (const hook of ['patient-view', 'order-select'] as const) {
    const a = await timedCall(t, svc, hook, fhir, `Observation slow, rest fine / ${hook}`);
    t.equal(a.status, 200);
    t.same(checkResponse(a.json), []);
    t.same(a.log?.gaps, ['Observation:timeout'], 'only the slow type is a gap');
    const fetched = Object.fromEntries((a.log?.fetch ?? []).map((f: any) => [f.type, f.status]));
    for (const type of ['Condition', 'ImagingStudy', 'DiagnosticReport', 'Procedure', 'ServiceRequest']) {
      t.equal(fetched[type], 'ok', `${type} read ok`);
    }
    // The V5 record without Observations still settles variant 5: the fine types were used.
    t.equal(a.log?.variant, 5, `variant decided from the fine types (${a.log?.variant})`);
  }
  checkTokens(t, fhir, 'one slow');
});

t.test('elapsed per case', async (t) => {
  t.comment(elapsed.map((e) => `${e.label}: ${e.ms} ms`).join('\n'));
  t.ok(elapsed.length > 0);
});
