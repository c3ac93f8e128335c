/**
 * A FHIR server that refuses connections (issue 13): after the first refused connection of a call the other
 * reads are not attempted, later calls do not try it again until the cool-down ends, and the answer still
 * says what was missing. Against a real closed loopback port and a real FHIR-shaped server, no stubs.
 */
import t from 'tap';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { FhirClient } from '../src/fhir/client.js';
import { CircuitBreaker } from '../src/fhir/breaker.js';
import { createAllowList } from '../src/fhir/allowlist.js';
import { Limiter } from '../src/fhir/limiter.js';
import { freePort } from '../bench/lib.js';
import { startService, fixtureRequest } from './fixtures/service.js';

const TYPES = ['Condition', 'Observation', 'ImagingStudy', 'DiagnosticReport', 'Procedure', 'ServiceRequest'];

function client(baseUrl: string, breaker: CircuitBreaker): FhirClient {
  return new FhirClient({ baseUrl, allowList: createAllowList(['loopback']), limiter: new Limiter(32), maxPages: 3, pageSize: 50, maxResponseBytes: 1e6, breaker });
}

/** An empty searchset for any search: a reachable FHIR server with nothing on file. Counts requests. */
async function emptyFhir(port: number): Promise<{ server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [] }));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { server, hits: () => hits };
}

t.test('one refused connection per call, then none until the cool-down ends; a server back up is used again', async (t) => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}/fhir/R4`;
  let now = 1_000_000;
  const breaker = new CircuitBreaker(5000, 100, () => now);
  const search = (c: FhirClient) => Promise.all(TYPES.map((type) => c.searchByPatient(type, 'p1', AbortSignal.timeout(5000))));

  const first = await search(client(base, breaker));
  const details = first.map((r) => r.detail);
  t.equal(details.filter((d) => d === 'connection failed').length, 1, `one read tried the server: ${JSON.stringify(details)}`);
  t.equal(details.filter((d) => d === 'not attempted: FHIR server unreachable').length, TYPES.length - 1, 'the others were not attempted');
  t.ok(first.every((r) => r.status === 'error'), 'every read is a failure the record will say');

  const second = await search(client(base, breaker));
  t.ok(second.every((r) => r.detail === 'not attempted: FHIR server unreachable'), 'within the cool-down, nothing is attempted');

  // The server comes up; after the cool-down one probe reaches it and the rest follow.
  const fhir = await emptyFhir(port);
  t.teardown(() => fhir.server.close());
  now += 4000;
  const stillOpen = await search(client(base, breaker));
  t.ok(stillOpen.every((r) => r.status === 'error') && fhir.hits() === 0, 'before the cool-down ends the server is left alone');
  now += 1001;
  const back = await search(client(base, breaker));
  t.ok(back.every((r) => r.status === 'ok'), 'after the cool-down every read goes out and succeeds');
  t.equal(fhir.hits(), TYPES.length, 'each read reached the server once');
});

t.test('an HTTP error is a reachable server: the circuit stays closed', async (t) => {
  const server = createServer((_req, res) => res.writeHead(500).end());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const breaker = new CircuitBreaker(5000);
  const c = client(`http://127.0.0.1:${port}/fhir`, breaker);
  for (let i = 0; i < 2; i++) {
    const results = await Promise.all(TYPES.map((type) => c.searchByPatient(type, 'p1', AbortSignal.timeout(5000))));
    t.ok(results.every((r) => r.detail === 'HTTP 500'), `call ${i + 1}: every read was attempted and answered 500`);
  }
});

t.test('over HTTP: a fhirServer refusing connections still gives an answer that says what is missing', async (t) => {
  const svc = await startService(t);
  const port = await freePort();
  const req = fixtureRequest('order-select-v5-mr-myelography.json');
  delete req.prefetch;
  req.fhirServer = `http://127.0.0.1:${port}/fhir/R4`;
  for (let call = 1; call <= 2; call++) {
    const r = await svc.post('/cds-services/sih-imaging-order-select', req);
    t.equal(r.status, 200, `call ${call}: answered`);
    t.ok(r.json.cards.length > 0, `call ${call}: a card`);
    t.match(JSON.stringify(r.json.cards), /could not be read|not read|missing/i, `call ${call}: the card says data was missing`);
  }
  const lines = svc.logs.filter((l) => l.includes('"hook answered"')).map((l) => JSON.parse(l));
  t.equal(lines.length, 2);
  for (const line of lines) for (const type of TYPES) t.ok(line.gaps.includes(`${type}:fetch-failed`), `gap ${type} said: ${line.gaps}`);
});
