/**
 * "Minimum necessary" prefetch (issue 13): cds-services.minimal.json is generated from the value sets and
 * kept beside the full templates; the FHIR fallback reads the same narrowed searches, and falls back to the
 * whole search on a server that refuses the narrowing.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { observationCodeTokens, renderMinimalDiscovery } from '../scripts/gen-minimal-prefetch.js';
import { loadDiscovery, defaultDiscoveryPath } from '../src/protocol/discovery.js';
import { HOOKS } from '../src/protocol/types.js';
import { narrowingFromTemplates } from '../src/fhir/assemble.js';
import { FhirClient } from '../src/fhir/client.js';
import { createAllowList } from '../src/fhir/allowlist.js';
import { Limiter } from '../src/fhir/limiter.js';
import { VALUE_SETS } from '../src/guideline/valuesets.js';

const minimalPath = fileURLToPath(new URL('../cds-services.minimal.json', import.meta.url));

t.test('cds-services.minimal.json is what the value sets generate (run `npm run prefetch:minimal` when this fails)', async (t) => {
  const full = JSON.parse(readFileSync(defaultDiscoveryPath(), 'utf8'));
  t.equal(readFileSync(minimalPath, 'utf8'), renderMinimalDiscovery(full));
  const minimal = loadDiscovery(HOOKS, minimalPath);
  t.same(minimal.services.map((s) => s.id), full.services.map((s: { id: string }) => s.id), 'same services');
});

t.test('the narrowed Observation search asks for every code the engine reads there, and only the other searches stay whole', async (t) => {
  const tokens = observationCodeTokens();
  for (const id of ['gcs-total', 'headache', 'decreased-consciousness']) {
    for (const c of VALUE_SETS[id]!.codes) t.ok(tokens.includes(`${c.system}|${c.code}`), `${id}: ${c.code}`);
  }
  const minimal = loadDiscovery(HOOKS, minimalPath);
  for (const s of minimal.services) {
    const narrowing = narrowingFromTemplates(s.prefetch);
    t.same(Object.keys(narrowing), ['Observation'], `${s.id}: only Observations narrowed`);
    t.equal(narrowing.Observation, `code=${tokens.join(',')}`);
  }
  for (const s of loadDiscovery(HOOKS).services) t.same(narrowingFromTemplates(s.prefetch), {}, `${s.id}: full templates narrow nothing`);
});

t.test('the FHIR fallback sends the narrowing, and asks again without it when the server refuses it', async (t) => {
  const seen: string[] = [];
  let refuseCode = false;
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (refuseCode && (req.url ?? '').includes('code=')) return res.writeHead(400, { 'content-type': 'application/fhir+json' }).end('{"resourceType":"OperationOutcome"}');
    res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Observation', id: 'o1' } }] }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const client = new FhirClient({ baseUrl: `http://127.0.0.1:${port}/fhir`, allowList: createAllowList(['loopback']), limiter: new Limiter(4), maxPages: 2, pageSize: 50, maxResponseBytes: 1e6 });
  const narrowing = 'code=http://loinc.org|9269-2';

  const ok = await client.searchByPatient('Observation', 'p1', AbortSignal.timeout(5000), narrowing);
  t.equal(ok.status, 'ok');
  t.same(seen, ['/fhir/Observation?patient=p1&code=http://loinc.org|9269-2&_count=50'], 'one narrowed search');

  seen.length = 0;
  refuseCode = true;
  const retried = await client.searchByPatient('Observation', 'p1', AbortSignal.timeout(5000), narrowing);
  t.equal(retried.status, 'ok');
  t.equal(retried.resources.length, 1);
  t.same(seen, ['/fhir/Observation?patient=p1&code=http://loinc.org|9269-2&_count=50', '/fhir/Observation?patient=p1&_count=50'], 'refused, then the whole search');
});
