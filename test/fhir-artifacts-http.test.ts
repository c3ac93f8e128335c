/** The artifacts over HTTP: searchset Bundles and reads as application/fhir+json, 404 OperationOutcomes otherwise. */
import t from 'tap';
import { startService } from './fixtures/service.js';
import { renderArtifactFiles } from '../src/guideline/artifacts/files.js';
import { ACR_PROCEDURE_SYSTEM } from '../src/guideline/canonical.js';

async function get(url: string): Promise<{ status: number; type: string | null; json: any }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), json: await res.json() };
}

t.test('GET /fhir/{type} and /fhir/{type}/{id} serve exactly the published artifacts', async (t) => {
  const svc = await startService(t);
  const published = [...renderArtifactFiles().values()].map((text) => JSON.parse(text));
  for (const type of ['ValueSet', 'CodeSystem', 'PlanDefinition', 'Library']) {
    const list = await get(`${svc.url}/fhir/${type}`);
    t.equal(list.status, 200, type);
    t.match(list.type, /^application\/fhir\+json/);
    t.equal(list.json.resourceType, 'Bundle');
    t.equal(list.json.type, 'searchset');
    const expected = published.filter((a) => a.resourceType === type);
    t.equal(list.json.total, expected.length, `${type} total`);
    t.same(list.json.entry.map((e: any) => e.resource), expected, `${type} entries`);
    for (const a of expected) {
      const one = await get(`${svc.url}/fhir/${type}/${a.id}`);
      t.equal(one.status, 200);
      t.match(one.type, /^application\/fhir\+json/);
      t.same(one.json, a, `${type}/${a.id}`);
    }
  }
});

t.test('search by canonical url and version', async (t) => {
  const svc = await startService(t);
  const hit = await get(`${svc.url}/fhir/CodeSystem?url=${encodeURIComponent(ACR_PROCEDURE_SYSTEM)}`);
  t.equal(hit.json.total, 1);
  t.equal(hit.json.entry[0].resource.url, ACR_PROCEDURE_SYSTEM);
  const miss = await get(`${svc.url}/fhir/CodeSystem?url=${encodeURIComponent(ACR_PROCEDURE_SYSTEM)}&version=0.0.0`);
  t.equal(miss.status, 200);
  t.equal(miss.json.total, 0);
  const byId = await get(`${svc.url}/fhir/ValueSet?_id=sih-suspicion`);
  t.same(byId.json.entry.map((e: any) => e.resource.id), ['sih-suspicion']);
});

t.test('unknown types and ids are 404 OperationOutcomes; nothing can be written', async (t) => {
  const svc = await startService(t);
  for (const path of ['/fhir/Patient', '/fhir/Patient/1', '/fhir/ValueSet/no-such-set', '/fhir/__proto__', '/fhir/ValueSet/constructor']) {
    const res = await get(`${svc.url}${path}`);
    t.equal(res.status, 404, path);
    t.match(res.type, /^application\/fhir\+json/);
    t.equal(res.json.resourceType, 'OperationOutcome', path);
    t.equal(res.json.issue[0].code, 'not-found');
  }
  const put = await fetch(`${svc.url}/fhir/ValueSet/sih-suspicion`, {
    method: 'PUT',
    headers: { 'content-type': 'application/fhir+json' },
    body: '{"resourceType":"ValueSet"}',
  });
  t.equal(put.status, 404);
  t.equal((await put.json()).resourceType, 'OperationOutcome');
});
