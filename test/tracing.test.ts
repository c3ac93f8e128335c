/**
 * Tracing: a caller's traceparent and X-Request-ID are accepted, the trace id is on every log line of
 * the request, FHIR calls carry the same trace; with an OTLP endpoint, spans of the hook call reach a
 * (local, real HTTP) collector as children of the caller's span.
 */
import t from 'tap';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { startService } from './fixtures/service.js';
import { startFaultFhir } from './fixtures/fault-fhir.js';
import { randomHex, startTracing, traceContextOf, tracer } from '../src/tracing.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

async function hookCall(t: { teardown(fn: () => unknown): void }, headers: Record<string, string>) {
  const svc = await startService(t, { LOG_LEVEL: 'info' });
  const fhir = await startFaultFhir({ patients: [{ resourceType: 'Patient', id: 'tr-1', birthDate: '1980-01-01' }] });
  t.teardown(() => fhir.close());
  const res = await svc.post(
    '/cds-services/sih-imaging-patient-view',
    { hook: 'patient-view', hookInstance: randomUUID(), fhirServer: fhir.baseUrl, context: { userId: 'Practitioner/1', patientId: 'tr-1' } },
    headers,
  );
  return { svc, fhir, res };
}

t.test('traceparent and X-Request-ID: logged on every line, echoed, forwarded to FHIR', async (t) => {
  const { svc, fhir, res } = await hookCall(t, { traceparent: `00-${TRACE_ID}-${PARENT}-01`, 'x-request-id': 'ehr-req-42' });
  t.equal(res.status, 200);
  t.equal(res.headers.get('x-request-id'), 'ehr-req-42');
  const lines = svc.logs.map((l) => JSON.parse(l)).filter((l) => l.reqId === 'ehr-req-42');
  t.ok(lines.length >= 2, 'the request logged several lines');
  t.ok(lines.every((l) => l.traceId === TRACE_ID), 'each carries the trace id');
  t.ok(fhir.requests.length > 0);
  for (const r of fhir.requests) {
    t.match(r.traceparent, new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`), 'same trace on the FHIR call');
    t.not(r.traceparent?.split('-')[2], PARENT, 'a span of ours, not the caller’s');
    t.equal(r.requestId, 'ehr-req-42');
  }
});

t.test('without (or with a bad) traceparent a trace id is made; unsafe request ids are not used', async (t) => {
  const { svc, fhir } = await hookCall(t, { traceparent: '00-zzzz-bad', 'x-request-id': 'has spaces\tand tabs' });
  const rid = fhir.requests[0]?.requestId ?? '';
  t.match(rid, /^[0-9a-f]{32}$/, 'the request id falls back to the new trace id');
  t.match(fhir.requests[0]?.traceparent, new RegExp(`^00-${rid}-[0-9a-f]{16}-00$`));
  t.ok(svc.logs.some((l) => l.includes(`"traceId":"${rid}"`)));
  t.equal(traceContextOf({ traceparent: `00-${'0'.repeat(32)}-${PARENT}-01` }).traceId === '0'.repeat(32), false, 'all-zero trace id refused');
});

t.test('OTLP export: hook, assembly, FHIR reads, decide, render and store spans in the caller’s trace', async (t) => {
  const bodies: any[] = [];
  const collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') bodies.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise((r) => collector.close(r)));
  t.equal(tracer().enabled, false, 'off by default');
  await startTracing(`http://127.0.0.1:${(collector.address() as AddressInfo).port}`);
  t.teardown(() => tracer().shutdown());
  const { svc, res } = await hookCall(t, { traceparent: `00-${TRACE_ID}-${PARENT}-01` });
  t.equal(res.status, 200);
  await new Promise((r) => setTimeout(r, 50));
  await svc.audit.flush();
  await tracer().shutdown(); // flushes the batch
  const spans = bodies.flatMap((b) => b.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
  const names = new Set(spans.map((s: any) => s.name));
  for (const name of ['cds.hook', 'cds.assemble', 'fhir.read', 'cds.decide', 'cds.render', 'cds.store.audit']) t.ok(names.has(name), `${name} span`);
  const hook = spans.find((s: any) => s.name === 'cds.hook');
  t.equal(hook.traceId, TRACE_ID, 'in the caller’s trace');
  t.equal(hook.parentSpanId, PARENT, 'child of the caller’s span');
  const assemble = spans.find((s: any) => s.name === 'cds.assemble');
  t.equal(assemble.parentSpanId, hook.spanId, 'assembly inside the hook span');
  t.ok(spans.filter((s: any) => s.name === 'fhir.read').every((s: any) => s.parentSpanId === assemble.spanId), 'FHIR reads inside the assembly');
});

t.test('new trace ids: 32 hex characters, never repeated, across refills of the random pool', async (t) => {
  const seen = new Set<string>();
  // 4 KB pool, 16 bytes per id: 1,000 ids cross the refill boundary several times.
  for (let i = 0; i < 1000; i++) {
    const id = traceContextOf({}).traceId;
    if (!/^[0-9a-f]{32}$/.test(id)) t.fail(`not a trace id: ${id}`);
    seen.add(id);
  }
  t.equal(seen.size, 1000, 'all distinct');
  const spans = new Set(Array.from({ length: 600 }, () => randomHex(8)));
  t.equal(spans.size, 600, 'span ids distinct too');
  t.match(randomHex(8), /^[0-9a-f]{16}$/);
});
