import t from 'tap';
import type { Bundle, CapabilityStatement, Condition, FhirResource, OperationOutcome, Patient } from 'fhir/r4.js';
import { startFaultFhir, type FaultFhir, type FaultFhirBehaviour } from './fixtures/fault-fhir.js';

const patient: Patient = { resourceType: 'Patient', id: 'p1' };
const conditions: Condition[] = [1, 2, 3, 4, 5].map((i) => ({
  resourceType: 'Condition',
  id: `c${i}`,
  subject: { reference: 'Patient/p1' },
}));

async function start(t: { teardown(fn: () => unknown): void }, behaviour: FaultFhirBehaviour): Promise<FaultFhir> {
  const fhir = await startFaultFhir(behaviour);
  t.teardown(() => fhir.close());
  return fhir;
}

function nextUrl(bundle: Bundle<FhirResource>): string | undefined {
  return bundle.link?.find((l) => l.relation === 'next')?.url;
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

t.test('ok: searchset pages linked by next, reads by id, POST _search', async (t) => {
  const fhir = await start(t, { types: { Condition: { kind: 'ok', resources: conditions, pageSize: 2 } }, patients: [patient] });
  const sizes: number[] = [];
  const seen: string[] = [];
  let url: string | undefined = `${fhir.baseUrl}/Condition?patient=p1`;
  while (url && sizes.length < 10) {
    const page: Bundle<FhirResource> = await json(await fetch(url));
    sizes.push(page.entry?.length ?? 0);
    seen.push(...(page.entry ?? []).map((e) => e.resource?.id ?? '?'));
    url = nextUrl(page);
  }
  t.same(sizes, [2, 2, 1]);
  t.same(seen, ['c1', 'c2', 'c3', 'c4', 'c5']);

  const read = await fetch(`${fhir.baseUrl}/Patient/p1`);
  t.equal(read.status, 200);
  t.equal((await json<Patient>(read)).id, 'p1');
  const missing = await fetch(`${fhir.baseUrl}/Patient/nobody`);
  t.equal(missing.status, 404);
  t.equal((await json<OperationOutcome>(missing)).resourceType, 'OperationOutcome');

  const posted = await fetch(`${fhir.baseUrl}/Patient/_search`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '_id=p1',
  });
  t.equal((await json<Bundle<FhirResource>>(posted)).entry?.[0]?.resource?.id, 'p1');
});

t.test('ok honours the client _count when no pageSize is set', async (t) => {
  const fhir = await start(t, { fallback: { kind: 'ok', resources: conditions } });
  const page: Bundle<FhirResource> = await json(await fetch(`${fhir.baseUrl}/Condition?_count=4`));
  t.equal(page.entry?.length, 4);
  t.match(nextUrl(page), /_offset=4/);
});

t.test('per-type: a slow Observation does not hold up Condition', async (t) => {
  const fhir = await start(t, {
    types: { Observation: { kind: 'delay', ms: 60_000 }, Condition: { kind: 'ok', resources: conditions } },
  });
  const ac = new AbortController();
  const slow = fetch(`${fhir.baseUrl}/Observation?patient=p1`, { signal: ac.signal });
  const fast: Bundle<FhirResource> = await json(await fetch(`${fhir.baseUrl}/Condition?patient=p1`));
  t.equal(fast.entry?.length, 5, 'Condition answered while Observation is still pending');
  ac.abort();
  await t.rejects(slow, { name: 'AbortError' });
});

t.test('delay then answer', async (t) => {
  const fhir = await start(t, { fallback: { kind: 'delay', ms: 30, then: { kind: 'ok', resources: [patient] } } });
  const res = await fetch(`${fhir.baseUrl}/Patient?_id=p1`);
  t.equal(res.status, 200);
  t.equal((await json<Bundle<FhirResource>>(res)).entry?.length, 1);
});

t.test('bare statuses: 500, 401 with WWW-Authenticate, 404', async (t) => {
  const fhir = await start(t, {
    types: {
      Observation: { kind: 'status', status: 500 },
      Condition: { kind: 'status', status: 401 },
      Procedure: { kind: 'status', status: 404 },
    },
  });
  const r500 = await fetch(`${fhir.baseUrl}/Observation`);
  t.equal(r500.status, 500);
  t.match(r500.headers.get('content-type'), /^text\/plain/);
  await r500.arrayBuffer();
  const r401 = await fetch(`${fhir.baseUrl}/Condition`);
  t.equal(r401.status, 401);
  t.match(r401.headers.get('www-authenticate'), /^Bearer /);
  await r401.arrayBuffer();
  const r404 = await fetch(`${fhir.baseUrl}/Procedure`);
  t.equal(r404.status, 404);
  await r404.arrayBuffer();
});

t.test('OperationOutcome with 400', async (t) => {
  const fhir = await start(t, { fallback: { kind: 'outcome', diagnostics: 'unknown parameter foo' } });
  const res = await fetch(`${fhir.baseUrl}/Observation?foo=1`);
  t.equal(res.status, 400);
  const body = await json<OperationOutcome>(res);
  t.equal(body.resourceType, 'OperationOutcome');
  t.equal(body.issue[0]?.diagnostics, 'unknown parameter foo');
});

t.test('malformed JSON with a FHIR content type', async (t) => {
  const fhir = await start(t, { fallback: { kind: 'malformed' } });
  const res = await fetch(`${fhir.baseUrl}/Observation`);
  t.equal(res.status, 200);
  t.match(res.headers.get('content-type'), /application\/fhir\+json/);
  await t.rejects(res.json(), SyntaxError);
});

t.test('a non-Bundle where a searchset belongs', async (t) => {
  const fhir = await start(t, { fallback: { kind: 'non-bundle' } });
  const body = await json<FhirResource>(await fetch(`${fhir.baseUrl}/Condition?patient=p1`));
  t.equal(body.resourceType, 'Patient');
});

t.test('endless next chain', async (t) => {
  const fhir = await start(t, { fallback: { kind: 'endless' } });
  let url: string | undefined = `${fhir.baseUrl}/Observation?patient=p1`;
  const pageIds: string[] = [];
  for (let i = 0; i < 6 && url; i++) {
    const page: Bundle<FhirResource> = await json(await fetch(url));
    pageIds.push(page.entry?.[0]?.resource?.id ?? '?');
    url = nextUrl(page);
  }
  t.equal(pageIds.length, 6);
  t.equal(new Set(pageIds).size, 6, 'each page is a new page');
  t.ok(url, 'still a next link after 6 pages');
});

t.test('huge Bundle: 20,000 entries in one page', async (t) => {
  const fhir = await start(t, { fallback: { kind: 'huge' } });
  const page: Bundle<FhirResource> = await json(await fetch(`${fhir.baseUrl}/Observation?patient=p1`));
  t.equal(page.entry?.length, 20_000);
  t.equal(nextUrl(page), undefined);
});

t.test('302 to another loopback host', async (t) => {
  const fhir = await start(t, { types: { Observation: { kind: 'redirect', then: { kind: 'ok', resources: [] } } } });
  const manual = await fetch(`${fhir.baseUrl}/Observation?patient=p1`, { redirect: 'manual', headers: { authorization: 'Bearer secret-1' } });
  t.equal(manual.status, 302);
  t.equal(manual.headers.get('location'), `${fhir.redirectBaseUrl}/Observation?patient=p1`);
  t.match(fhir.redirectBaseUrl, /^http:\/\/127\.0\.0\.2:\d+\/fhir\/R4$/);
  t.notOk(fhir.requests.some((r) => r.host.startsWith('127.0.0.2')), 'manual: nothing reached the other host');

  // A client that follows redirects lands on the other host, which records it (and any token it was sent).
  const followed = await fetch(`${fhir.baseUrl}/Observation?patient=p1`, { headers: { authorization: 'Bearer secret-2' } });
  t.equal(followed.status, 200);
  await followed.arrayBuffer();
  const landed = fhir.requests.filter((r) => r.host.startsWith('127.0.0.2'));
  t.equal(landed.length, 1);
  t.equal(landed[0]?.url, '/fhir/R4/Observation?patient=p1');
  t.comment(`Node fetch forwarded Authorization across hosts: ${landed[0]?.authorization !== undefined}`);
});

t.test('metadata: configurable fhirVersion (a non-R4 server)', async (t) => {
  const stu3 = await start(t, { fhirVersion: '3.0.2' });
  const cs = await json<CapabilityStatement>(await fetch(`${stu3.baseUrl}/metadata`));
  t.equal(cs.resourceType, 'CapabilityStatement');
  t.equal(cs.fhirVersion, '3.0.2');
  const r4 = await start(t, {});
  t.equal((await json<CapabilityStatement>(await fetch(`${r4.baseUrl}/metadata`))).fhirVersion, '4.0.1');
  const broken = await start(t, { metadata: { kind: 'status', status: 503 } });
  const res = await fetch(`${broken.baseUrl}/metadata`);
  t.equal(res.status, 503);
  await res.arrayBuffer();
});

t.test('sequence: 500 first, then ok (for retry tests)', async (t) => {
  const fhir = await start(t, {
    types: { Condition: { kind: 'sequence', steps: [{ kind: 'status', status: 500 }, { kind: 'ok', resources: conditions }] } },
  });
  const first = await fetch(`${fhir.baseUrl}/Condition`);
  t.equal(first.status, 500);
  await first.arrayBuffer();
  const second = await fetch(`${fhir.baseUrl}/Condition`);
  t.equal(second.status, 200);
  t.equal((await json<Bundle<FhirResource>>(second)).entry?.length, 5);
});

t.test('records method, url and Authorization of every request', async (t) => {
  const fhir = await start(t, { patients: [patient] });
  await (await fetch(`${fhir.baseUrl}/Patient/p1`, { headers: { authorization: 'Bearer abc' } })).arrayBuffer();
  await (await fetch(`${fhir.baseUrl}/metadata`)).arrayBuffer();
  t.match(fhir.requests, [
    { method: 'GET', url: '/fhir/R4/Patient/p1', authorization: 'Bearer abc' },
    { method: 'GET', url: '/fhir/R4/metadata' },
  ]);
  t.equal(fhir.requests[1]?.authorization, undefined);
});

t.test('close() does not wait for a pending delayed answer', async (t) => {
  const fhir = await startFaultFhir({ fallback: { kind: 'delay', ms: 10 * 60_000 } });
  const pending = fetch(`${fhir.baseUrl}/Observation`);
  // Wait until the server has the request, so close() really has an open socket and a live timer.
  while (fhir.requests.length === 0) await new Promise((r) => setImmediate(r));
  await fhir.close();
  await t.rejects(pending, TypeError, 'the client sees the connection drop');
  await fhir.close(); // idempotent
});
