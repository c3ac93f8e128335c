/**
 * Outbound safety beyond the allow-list: a `next` link never carries the token to another server (even
 * an allowed one), and a patient-view whose required Conditions could not be read answers 412, not an
 * empty "nothing to say".
 */
import t from 'tap';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startService, fixtureRequest } from './fixtures/service.js';

interface Seen {
  url: string;
  authorization?: string;
}

async function listen(handler: (req: IncomingMessage) => unknown): Promise<{ server: Server; base: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    res.setHeader('content-type', 'application/fhir+json');
    res.end(JSON.stringify(handler(req)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`, seen };
}

t.test('a next link to another server is not followed, even when that server is allowed', async (t) => {
  const other = await listen(() => ({ resourceType: 'Bundle', type: 'searchset', entry: [] }));
  t.teardown(() => other.server.close());
  const home = await listen((req) => ({
    resourceType: 'Bundle',
    type: 'searchset',
    entry: [],
    link: req.url?.startsWith('/fhir/Condition') ? [{ relation: 'next', url: `${other.base}/steal?page=2` }] : [],
  }));
  t.teardown(() => home.server.close());
  const svc = await startService(t); // loopback allowed: both servers are on the allow-list
  const req = fixtureRequest('order-select-v5-mr-myelography.json');
  delete req.prefetch;
  req.fhirServer = home.base;
  req.fhirAuthorization = { access_token: 'secret-token-a', token_type: 'Bearer' };
  const r = await svc.post('/cds-services/sih-imaging-order-select', req);
  t.equal(r.status, 200);
  t.same(other.seen, [], 'the other server received nothing, so no token');
  t.ok(home.seen.length > 0 && home.seen.every((s) => s.authorization === 'Bearer secret-token-a'));
  t.ok(svc.logs.some((l) => l.includes('Condition:truncated')), 'the unfollowed page is a gap');
});

t.test('patient-view answers 412 when the FHIR server fails to give the Conditions', async (t) => {
  const failing = await listen(() => ({ resourceType: 'OperationOutcome', issue: [] }));
  t.teardown(() => failing.server.close());
  const svc = await startService(t);
  const req = fixtureRequest('patient-view-v5.json');
  delete req.prefetch;
  req.fhirServer = failing.base; // answers 200 with a non-Bundle to every search
  const r = await svc.post('/cds-services/sih-imaging-patient-view', req);
  t.equal(r.status, 412);
  t.equal(r.json.resourceType, 'OperationOutcome');
  t.match(r.json.issue[0].diagnostics, /Condition could not be read/);
  // The same data missing on an order hook degrades the answer instead: the draft order's reasons remain.
  const order = fixtureRequest('order-select-v5-mr-myelography.json');
  delete order.prefetch;
  order.fhirServer = failing.base;
  t.equal((await svc.post('/cds-services/sih-imaging-order-select', order)).status, 200);
});

t.test('health probes are not shed under load', async (t) => {
  const svc = await startService(t, { SHED_EVENT_LOOP_DELAY_MS: '10' });
  // Block the event loop across under-pressure's 1 s sampling interval, so its next sample (due while
  // blocked, taken right after) sees the delay; the following sample is a second away.
  const until = Date.now() + 1200;
  while (Date.now() < until) {
    /* busy */
  }
  await new Promise((r) => setTimeout(r, 20));
  const health = await fetch(`${svc.url}/healthz`);
  t.equal(health.status, 200, 'liveness answers');
  const discovery = await fetch(`${svc.url}/cds-services`);
  t.equal(discovery.status, 503, 'ordinary calls are shed');
  t.equal(discovery.headers.get('retry-after'), '10');
  t.equal(((await discovery.json()) as { resourceType: string }).resourceType, 'OperationOutcome');
});
