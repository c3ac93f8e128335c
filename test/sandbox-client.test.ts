import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startLocalFhir } from './fixtures/local-fhir.js';
import { fixtureRequest, startService } from './fixtures/service.js';

/**
 * The service as the reference CDS client (cds-hooks/sandbox) uses it: its prefetch (POST `_search`,
 * form-encoded, falling back to GET; a failed key left absent), its captured request shapes, and what it
 * needs from a response to show a rating and accept a suggestion (checklist D 39, L 85, F, G 61).
 * The sandbox's JWT shape is covered by test/client-auth.test.ts.
 */

const PATIENTS = fileURLToPath(new URL('../fixtures/patients/', import.meta.url));
const traffic = (name: string): any =>
  JSON.parse(readFileSync(new URL(`./fixtures/sandbox-traffic/${name}`, import.meta.url), 'utf8'));

const PAMA_RATING = 'http://fhir.org/argonaut/Extension/pama-rating';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ANY_UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** A response with its per-call uuids (cards, suggestions, PAMA consult ids) masked, for comparison. */
const masked = (response: unknown): string => JSON.stringify(response).replace(ANY_UUID, '<uuid>');

/**
 * What the sandbox does with one prefetch template: tokens filled, a search POSTed to `{Type}/_search` as a
 * form, GET when that fails, a read by GET; any failure leaves the key absent (never null).
 */
async function sandboxPrefetch(fhirBase: string, template: string, patientId: string): Promise<unknown> {
  const filled = template.replace(/{{\s*context\.patientId\s*}}/g, patientId).replace(/{{\s*context\.userId\s*}}/g, 'Practitioner/COREPRACTITIONER1');
  if (/{{.*}}/.test(filled)) return undefined; // an unresolved token: the sandbox skips the key
  const headers = { accept: 'application/json' };
  const [path, query] = filled.split('?');
  if (query !== undefined) {
    try {
      const res = await fetch(`${fhirBase}/${path}/_search`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(query).toString(),
      });
      if (res.ok) return await res.json();
    } catch {
      // fall back to GET below
    }
  }
  try {
    const res = await fetch(`${fhirBase}/${filled}`, { headers });
    return res.ok ? await res.json() : undefined;
  } catch {
    return undefined;
  }
}

t.test('prefetch the sandbox way (POST _search) gives the same answer as no prefetch', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: PATIENTS });
  const service = await startService(t);
  const discovery = (await (await fetch(`${service.url}/cds-services`)).json()) as {
    services: Array<{ id: string; hook: string; prefetch: Record<string, string> }>;
  };

  const mrm = fixtureRequest('order-select-v5-mr-myelography.json');
  const sign = fixtureRequest('order-sign-v5-two-orders.json');
  const contexts: Record<string, Record<string, unknown>> = {
    'patient-view': { patientId: 'sih-v5', userId: 'Practitioner/COREPRACTITIONER1' },
    'order-select': mrm.context,
    'order-sign': sign.context,
  };
  for (const svc of discovery.services) {
    fhir.requests.length = 0;
    const prefetch: Record<string, unknown> = {};
    for (const [key, template] of Object.entries(svc.prefetch)) {
      const value = await sandboxPrefetch(fhir.baseUrl, template, 'sih-v5');
      if (value !== undefined) prefetch[key] = value;
    }
    t.same(Object.keys(prefetch).sort(), Object.keys(svc.prefetch).sort(), `${svc.id}: every template satisfied`);
    t.ok(
      fhir.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/_search')).length >= Object.keys(svc.prefetch).length - 1,
      `${svc.id}: searches went as POST _search`,
    );

    const base = { hook: svc.hook, hookInstance: `sbx-${svc.hook}`, fhirServer: fhir.baseUrl, context: contexts[svc.hook] };
    const withPrefetch = await service.post(`/cds-services/${svc.id}`, { ...base, prefetch });
    fhir.requests.length = 0;
    const withoutPrefetch = await service.post(`/cds-services/${svc.id}`, base);
    t.equal(withPrefetch.status, 200);
    t.equal(withoutPrefetch.status, 200);
    t.ok(fhir.requests.length > 0, `${svc.id}: without prefetch the service read the FHIR server itself`);
    t.ok(withPrefetch.json.cards.length > 0, `${svc.id}: there is advice to compare`);
    t.equal(masked(withPrefetch.json), masked(withoutPrefetch.json), `${svc.id}: same answer either way`);
  }
});

t.test('captured 09: the PAMA tab\'s first, empty order → 200, no cards, no rating', async (t) => {
  const service = await startService(t);
  const body = traffic('09-POST-order-select-pama-initial-empty-order.body.json');
  const res = await service.post('/cds-services/sih-imaging-order-select', body);
  t.equal(res.status, 200);
  t.same(res.json, { cards: [] }, 'no cards, no systemActions, no empty extension');
});

t.test('captured 10 and 08: a head CT for headache, and Rx Sign\'s MedicationRequest', async (t) => {
  const service = await startService(t);
  const ct = await service.post('/cds-services/sih-imaging-order-select', traffic('10-POST-order-select-pama-head-ct-headache.body.json'));
  t.equal(ct.status, 200, 'the SMART sandbox is not on the allow-list: the record is a gap, not an error');
  t.same(ct.json.extension?.systemActions, ct.json.systemActions, 'any rating is mirrored where the sandbox reads it');

  const rx = traffic('08-POST-cds-services_probe-sign.json').body;
  const res = await service.post('/cds-services/sih-imaging-order-sign', { ...rx, fhirServer: 'http://127.0.0.1:9/fhir' });
  t.equal(res.status, 200);
  t.same(res.json, { cards: [] }, 'not an imaging order: nothing to say');
});

t.test('what the sandbox needs: mirrored systemActions with the rating, acceptable suggestions, its context', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: PATIENTS });
  const service = await startService(t);
  // The sandbox's shapes (L 85): intent plan (already in the fixture), its default user, no encounterId.
  const request = fixtureRequest('order-select-v5-mr-myelography.json');
  request.context.userId = 'Practitioner/COREPRACTITIONER1';
  delete request.context.encounterId;
  delete request.prefetch;
  request.fhirServer = fhir.baseUrl;
  t.equal(request.context.draftOrders.entry[0].resource.intent, 'plan');

  const res = await service.post('/cds-services/sih-imaging-order-select', request);
  t.equal(res.status, 200);
  const body = res.json;

  // (c) The sandbox reads extension.systemActions, and only the first update with a pama-rating extension.
  t.ok(body.systemActions?.length > 0, 'spec place: systemActions');
  t.same(body.extension?.systemActions, body.systemActions, 'mirrored into extension.systemActions');
  const first = body.extension.systemActions.find(
    (a: any) => a.type === 'update' && a.resource?.extension?.some((e: any) => e.url === PAMA_RATING),
  );
  t.ok(first, 'an update action carries the pama-rating extension');
  t.equal(first.resource.id, 'sih-v5-draft-mrm', 'for the selected draft');
  const rating = first.resource.extension.find((e: any) => e.url === PAMA_RATING).valueCodeableConcept;
  t.equal(rating.coding[0].code, 'appropriate');
  t.equal(rating.text, 'May Be Appropriate (5)');

  // (d) Accepting a suggestion: card uuid, suggestion uuid, code.coding[0], reasonCode[].coding[0], a rating.
  const card = body.cards.find((c: any) => c.suggestions?.length > 0);
  t.ok(card, 'a card with suggestions');
  t.match(card.uuid, UUID);
  for (const s of card.suggestions) {
    t.match(s.uuid, UUID, `${s.label}: uuid`);
    const resource = s.actions?.find((a: any) => a.resource?.resourceType === 'ServiceRequest')?.resource;
    t.ok(resource, `${s.label}: a ServiceRequest to apply`);
    t.ok(resource.code.coding[0].system && resource.code.coding[0].code, `${s.label}: code.coding[0]`);
    t.ok(resource.reasonCode.length > 0 && resource.reasonCode.every((r: any) => r.coding?.[0]?.code), `${s.label}: reasonCode[].coding[0]`);
    t.ok(resource.extension.some((e: any) => e.url === PAMA_RATING), `${s.label}: pama-rating on the suggested order`);
  }
  // (e) The call was read with the sandbox's context and nothing else: no encounter searches.
  t.notOk(fhir.requests.some((r) => r.url.includes('encounter')), 'no encounterId, no encounter-scoped reads');
});
