import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import '../dev/ws-shim.js'; // before @medplum/core, which needs a WebSocket global on Node 20
import { getSearchParameters } from '@medplum/core';
import type { Bundle, BundleEntry, CapabilityStatement, FhirResource, OperationOutcome, Resource } from 'fhir/r4.js';
import { splitForTransactionLimits, MAX_UPDATES_PER_TRANSACTION } from '../dev/fixture-bundles.js';
import { narrowExpressionToType, splitTopLevelUnion } from '../dev/search-expression.js';
import { addSearchsetLinks } from '../dev/searchset-paging.js';
import {
  OTHER_SAMPLE_PATIENT_ID,
  SAMPLE_PATIENT_ID,
  sampleBundle,
  startLocalFhir,
  type FhirServer,
} from './fixtures/local-fhir.js';

const FHIR_JSON = { 'content-type': 'application/fhir+json' };

async function getJson<T = Resource>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T };
}

function ids(bundle: Bundle<FhirResource>): string[] {
  return (bundle.entry ?? []).map((e) => e.resource?.id ?? '?');
}

function nextUrl(bundle: Bundle<FhirResource>): string | undefined {
  return bundle.link?.find((l) => l.relation === 'next')?.url;
}

/** Follows `next` like our client does; a guard stops a server bug from looping the test forever. */
async function allPages(firstUrl: string, init?: RequestInit): Promise<Bundle<FhirResource>[]> {
  const pages: Bundle<FhirResource>[] = [];
  let first = await getJson<Bundle<FhirResource>>(firstUrl, init);
  pages.push(first.body);
  let next = nextUrl(first.body);
  while (next && pages.length < 20) {
    first = await getJson<Bundle<FhirResource>>(next);
    pages.push(first.body);
    next = nextUrl(first.body);
  }
  return pages;
}

function bigPutBundle(count: number): Bundle<FhirResource> {
  const entry: BundleEntry<FhirResource>[] = [
    { resource: { resourceType: 'Patient', id: 'bulk-patient' }, request: { method: 'PUT', url: 'Patient/bulk-patient' } },
  ];
  for (let i = 0; i < count; i++) {
    entry.push({
      resource: {
        resourceType: 'Observation',
        id: `bulk-obs-${i}`,
        status: 'final',
        code: { text: 'bulk' },
        subject: { reference: 'Patient/bulk-patient' },
      },
      request: { method: 'PUT', url: `Observation/bulk-obs-${i}` },
    });
  }
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

t.test('pure helpers', async (t) => {
  t.test('shared union expressions are cut to the searched type', async (t) => {
    const concrete = (n: string) => /^(Observation|Condition|AllergyIntolerance)$/.test(n);
    t.same(splitTopLevelUnion("(A.value as Quantity) | A.b.where(x = 'p|q')"), ['(A.value as Quantity)', "A.b.where(x = 'p|q')"]);
    t.equal(
      narrowExpressionToType('AllergyIntolerance.patient | Observation.subject.where(resolve() is Patient) | Condition.subject', 'Observation', concrete),
      'Observation.subject.where(resolve() is Patient)',
    );
    const withResource = 'Resource.id | Observation.code';
    t.equal(narrowExpressionToType(withResource, 'Observation', concrete), withResource, 'non-concrete branch: unchanged');
    t.equal(narrowExpressionToType('Condition.code', 'Observation', concrete), 'Condition.code', 'not a union: unchanged');
  });

  t.test('searchset links and fullUrl', async (t) => {
    const bundle: Bundle<FhirResource> = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: 5,
      entry: [{ resource: { resourceType: 'Patient', id: 'a' } }],
    };
    const ctx = { baseUrl: 'http://h/fhir/R4', resourceType: 'Patient', params: new URLSearchParams('_count=2&_offset=2') };
    addSearchsetLinks(bundle, ctx);
    t.equal(bundle.entry?.[0]?.fullUrl, 'http://h/fhir/R4/Patient/a');
    t.equal(nextUrl(bundle), 'http://h/fhir/R4/Patient?_count=2&_offset=4');
    const last: Bundle<FhirResource> = { resourceType: 'Bundle', type: 'searchset', total: 5 };
    addSearchsetLinks(last, { ...ctx, params: new URLSearchParams('_count=2&_offset=4') });
    t.equal(nextUrl(last), undefined, 'no next on the last page');
    const count0: Bundle<FhirResource> = { resourceType: 'Bundle', type: 'searchset', total: 5 };
    addSearchsetLinks(count0, { ...ctx, params: new URLSearchParams('_count=0') });
    t.equal(nextUrl(count0), undefined, '_count=0 never links to itself');
  });

  t.test('big PUT transactions are split to Medplum limits unless they use urn:uuid', async (t) => {
    const chunks = splitForTransactionLimits(bigPutBundle(120));
    t.equal(chunks.length, 3);
    t.ok(chunks.every((c) => (c.entry?.length ?? 0) <= MAX_UPDATES_PER_TRANSACTION));
    const withUrn = bigPutBundle(60);
    withUrn.entry![0]!.fullUrl = 'urn:uuid:4b8f5a4e-0000-4000-8000-000000000001';
    t.equal(splitForTransactionLimits(withUrn).length, 1);
  });
});

t.test('real Medplum server over HTTP', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fhir-fixtures-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'a-sample.json'), JSON.stringify(sampleBundle()));
  await writeFile(join(dir, 'b-bulk.json'), JSON.stringify(bigPutBundle(120))); // > 50 PUTs: split on load
  await writeFile(join(dir, 'notes.txt'), 'not JSON, not *.json: ignored');
  await writeFile(join(dir, 'c-expected-cards.json'), '{"cards": []}'); // JSON but not a Bundle: skipped

  const fhir: FhirServer = await startLocalFhir(t, { fixturesDir: dir });
  const base = fhir.baseUrl;

  t.test('start-up loads every fixture bundle and reports the Patient ids', async (t) => {
    t.match(base, /^http:\/\/127\.0\.0\.1:\d+\/fhir\/R4$/);
    t.same(fhir.patientIds, [SAMPLE_PATIENT_ID, OTHER_SAMPLE_PATIENT_ID, 'bulk-patient']);
    const bulk = await getJson<Bundle<FhirResource>>(`${base}/Observation?subject=Patient/bulk-patient&_summary=count`);
    t.equal(bulk.body.total, 120);
  });

  t.test('shared search expressions were narrowed to their type at start-up', async (t) => {
    t.equal(getSearchParameters('Observation')?.patient?.expression, 'Observation.subject.where(resolve() is Patient)');
    t.equal(getSearchParameters('Condition')?.code?.expression, 'Condition.code');
  });

  t.test('metadata is an R4 CapabilityStatement', async (t) => {
    const { status, body } = await getJson<CapabilityStatement>(`${base}/metadata`);
    t.equal(status, 200);
    t.equal(body.resourceType, 'CapabilityStatement');
    t.equal(body.fhirVersion, '4.0.1');
    const obs = body.rest?.[0]?.resource?.find((r) => r.type === 'Observation');
    t.ok(obs?.searchParam?.some((p) => p.name === 'patient'), 'lists the Observation patient param');
  });

  t.test('transaction POST at the base resolves urn:uuid references', async (t) => {
    const patientUrn = 'urn:uuid:8c6c0f0e-3c1a-4c59-9d0f-2f1d0c7b1a11';
    const tx: Bundle<FhirResource> = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: patientUrn, resource: { resourceType: 'Patient', name: [{ family: 'Tx' }] }, request: { method: 'POST', url: 'Patient' } },
        {
          resource: { resourceType: 'Condition', subject: { reference: patientUrn }, code: { text: 'headache' } },
          request: { method: 'POST', url: 'Condition' },
        },
      ],
    };
    const { status, body } = await getJson<Bundle<FhirResource>>(`${base}/`, { method: 'POST', headers: FHIR_JSON, body: JSON.stringify(tx) });
    t.equal(status, 200);
    t.equal(body.type, 'transaction-response');
    const patientId = body.entry?.[0]?.resource?.id;
    t.ok(patientId);
    const conds = await getJson<Bundle<FhirResource>>(`${base}/Condition?patient=${patientId}`);
    t.equal(conds.body.entry?.length, 1, 'the Condition now points at the created Patient');
  });

  t.test('patient search without _count returns everything in one page', async (t) => {
    const { status, body } = await getJson<Bundle<FhirResource>>(`${base}/Observation?patient=${SAMPLE_PATIENT_ID}`);
    t.equal(status, 200);
    t.equal(body.type, 'searchset');
    t.equal(body.entry?.length, 7);
    t.equal(nextUrl(body), undefined);
    t.equal(body.link?.[0]?.relation, 'self');
    t.ok(body.entry?.every((e) => e.fullUrl === `${base}/Observation/${e.resource?.id}`));
    const ref = await getJson<Bundle<FhirResource>>(`${base}/Observation?patient=Patient/${OTHER_SAMPLE_PATIENT_ID}`);
    t.same(ids(ref.body), ['sample-obs-other'], 'Patient/id form, and no cross-patient leakage');
  });

  t.test('patient search with _count pages via next until done', async (t) => {
    const pages = await allPages(`${base}/Observation?patient=${SAMPLE_PATIENT_ID}&_count=3&_sort=date`);
    t.same(pages.map((p) => p.entry?.length), [3, 3, 1]);
    const all = pages.flatMap(ids);
    t.equal(new Set(all).size, 7, 'no duplicates across pages');
    t.same(all, [1, 2, 3, 4, 5, 6, 7].map((i) => `sample-obs-${i}`), '_sort=date holds across pages');
    t.match(nextUrl(pages[0]!), /[?&]patient=sample-sih-1(&|$)/, 'next keeps the client’s own params');
  });

  t.test('every record type answers patient= searches', async (t) => {
    const expected: Record<string, number> = { Condition: 1, ImagingStudy: 1, DiagnosticReport: 1, Procedure: 1, ServiceRequest: 1 };
    for (const [type, n] of Object.entries(expected)) {
      const { body } = await getJson<Bundle<FhirResource>>(`${base}/${type}?patient=${SAMPLE_PATIENT_ID}`);
      t.equal(body.entry?.length, n, type);
    }
  });

  t.test('POST _search with a form body, as the CDS Hooks sandbox sends it', async (t) => {
    const { status, body } = await getJson<Bundle<FhirResource>>(`${base}/Observation/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ patient: SAMPLE_PATIENT_ID, _count: '5' }).toString(),
    });
    t.equal(status, 200);
    t.equal(body.entry?.length, 5);
    const next = nextUrl(body);
    t.ok(next, 'paging works for POST searches too (next is a GET)');
    const rest = await getJson<Bundle<FhirResource>>(next!);
    t.equal(rest.body.entry?.length, 2);
  });

  t.test('batch GET entries are searched', async (t) => {
    const batch: Bundle<FhirResource> = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: `Condition?patient=${SAMPLE_PATIENT_ID}` } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
      ],
    };
    const { body } = await getJson<Bundle<FhirResource>>(`${base}`, { method: 'POST', headers: FHIR_JSON, body: JSON.stringify(batch) });
    t.equal(body.type, 'batch-response');
    t.equal((body.entry?.[0]?.resource as Bundle<FhirResource> | undefined)?.entry?.length, 1);
    t.match(body.entry?.[1]?.response?.status, /^404/);
  });

  t.test('the Authorization header is recorded, per request', async (t) => {
    fhir.requests.length = 0;
    await fetch(`${base}/Patient/${SAMPLE_PATIENT_ID}`, { headers: { authorization: 'Bearer test-token-123' } });
    await fetch(`${base}/metadata`);
    t.same(fhir.requests, [
      { method: 'GET', url: `/fhir/R4/Patient/${SAMPLE_PATIENT_ID}`, authorization: 'Bearer test-token-123' },
      { method: 'GET', url: '/fhir/R4/metadata' },
    ]);
  });

  t.test('create, update, read, delete', async (t) => {
    const created = await fetch(`${base}/Patient`, {
      method: 'POST',
      headers: FHIR_JSON,
      body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Crud' }] }),
    });
    t.equal(created.status, 201);
    const p = (await created.json()) as Resource;
    t.match(created.headers.get('location'), new RegExp(`/fhir/R4/Patient/${p.id}/_history/`));
    const put = await fetch(`${base}/Patient/${p.id}`, {
      method: 'PUT',
      headers: FHIR_JSON,
      body: JSON.stringify({ resourceType: 'Patient', id: p.id, name: [{ family: 'Updated' }] }),
    });
    t.equal(put.status, 200);
    t.equal((await getJson<{ name: { family: string }[] }>(`${base}/Patient/${p.id}`)).body.name[0]?.family, 'Updated');
    t.equal((await fetch(`${base}/Patient/${p.id}`, { method: 'DELETE' })).status, 200);
    const gone = await fetch(`${base}/Patient/${p.id}`);
    t.ok(gone.status === 404 || gone.status === 410, `gone after delete (${gone.status})`);
  });

  t.test('bad input gets an OperationOutcome with the right status', async (t) => {
    const cases: [string, RequestInit | undefined, number][] = [
      [`${base}/NotAType?x=1`, undefined, 404],
      [`${base}/Patient/nope`, undefined, 404],
      [`${base}/Observation?date=not-a-date`, undefined, 400],
      [`${base}/`, { method: 'POST', headers: FHIR_JSON, body: '{"resourceType": "Bun' }, 400],
      [`${base}/Patient`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }, 415],
      [`${base}/Patient`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=b' }, 415],
      [`${base}/Patient`, { method: 'POST', headers: FHIR_JSON, body: JSON.stringify({ resourceType: 'Observation' }) }, 400],
      [`${base.replace('/fhir/R4', '')}/elsewhere`, undefined, 404],
    ];
    for (const [url, init, status] of cases) {
      const res = await fetch(url, init);
      const body = (await res.json()) as OperationOutcome;
      t.equal(res.status, status, `${init?.method ?? 'GET'} ${url.replace(base, '')}`);
      t.equal(body.resourceType, 'OperationOutcome');
    }
    t.equal((await fetch(`${base}/metadata`)).status, 200, 'still serving after bad input');
  });
});

t.test('a fixture directory that does not exist starts an empty server', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: join(tmpdir(), 'no-such-fixtures-dir-xyz') });
  t.same(fhir.patientIds, []);
  const { body } = await getJson<Bundle<FhirResource>>(`${fhir.baseUrl}/Patient`);
  t.equal(body.entry, undefined);
});

t.test('a rejected fixture bundle names its file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fhir-bad-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'broken.json'), '{"resourceType":"Bundle","type":"collection"}');
  await t.rejects(startLocalFhir(t, { fixturesDir: dir }), /broken\.json: expected a transaction or batch Bundle/);
});
