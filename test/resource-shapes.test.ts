/**
 * Wrong JSON types in the FHIR fields the engine reads: a prefetched or fetched resource is left out with
 * a 'malformed' gap (the call still answers); a malformed draft order is a 400 naming the field.
 */
import t from 'tap';
import { shapeProblem } from '../src/fhir/resource-shapes.js';
import { startService, fixtureRequest } from './fixtures/service.js';

t.test('shapeProblem names the first wrong-typed field', async (t) => {
  t.equal(shapeProblem({ resourceType: 'Condition', code: { coding: [{ code: '445511002' }] } }), undefined);
  t.equal(shapeProblem({ resourceType: 'Condition', code: { coding: { code: 'x' } } }), 'code.coding');
  t.equal(shapeProblem({ resourceType: 'Condition', code: { coding: [{ code: 42 }] } }), 'code.coding[0].code');
  t.equal(shapeProblem({ resourceType: 'Observation', valueQuantity: { value: '7' } }), 'valueQuantity.value');
  t.equal(shapeProblem({ resourceType: 'ImagingStudy', series: [{ modality: [{ code: 'MR' }] }] }), 'series[0].modality');
  t.equal(shapeProblem({ resourceType: 'ServiceRequest', id: { toString: 1 } }), 'id');
  t.equal(shapeProblem({ resourceType: 'Basic', code: 'anything' }), undefined, 'types the engine does not read pass');
  t.equal(shapeProblem(null), '(resource)');
});

t.test('a malformed prefetched resource is left out and said; the call answers', async (t) => {
  const svc = await startService(t);
  const req = fixtureRequest('order-select-v5-mr-myelography.json');
  req.prefetch.conditions.entry.push({ resource: { resourceType: 'Condition', id: 'bad', code: { coding: { code: 7 } } } });
  const r = await svc.post('/cds-services/sih-imaging-order-select', req);
  t.equal(r.status, 200);
  t.match(r.json.cards[0].detail, /wrong data types/);
  t.match(r.json.cards[0].summary, /May Be Appropriate/, 'the well-formed data still decides');
  t.ok(svc.logs.some((l) => l.includes('Condition:malformed')), 'the gap is logged');
});

t.test('a malformed draft order is a 400 naming the field', async (t) => {
  const svc = await startService(t);
  const req = fixtureRequest('order-select-v5-mr-myelography.json');
  req.context.draftOrders.entry[0].resource.code.coding[0].code = 62305;
  const r = await svc.post('/cds-services/sih-imaging-order-select', req);
  t.equal(r.status, 400);
  t.equal(r.json.resourceType, 'OperationOutcome');
  t.same(r.json.issue[0].expression, ['context.draftOrders.entry[0].resource.code.coding[0].code']);
});

t.test('the compiled check accepts and refuses exactly what the zod shapes do', async (t) => {
  // The validator is compiled from the zod schemas (json-schema-check.ts); zod stays the definition.
  const fc = (await import('fast-check')).default;
  const { SHAPES } = await import('../src/fhir/resource-shapes.js');
  const { pathExpression } = await import('../src/protocol/operation-outcome.js');
  const leaf = fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean(), fc.constant(null));
  const value = fc.letrec((tie) => ({
    v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 2 }), fc.dictionary(fc.constantFrom('code', 'coding', 'system', 'value', 'start', 'text'), tie('v'), { maxKeys: 2 })),
  })).v;
  const fields = ['id', 'status', 'code', 'category', 'valueQuantity', 'onsetPeriod', 'series', 'modality', 'reasonCode', 'component', 'evidence', 'imagingStudy', 'birthDate'];
  const types = Object.keys(SHAPES) as Array<keyof typeof SHAPES>;
  fc.assert(
    fc.property(fc.constantFrom(...types), fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 4 }), (type, body) => {
      const resource = { ...body, resourceType: type };
      const zod = SHAPES[type].safeParse(resource);
      const ours = shapeProblem(resource);
      if (zod.success) return ours === undefined;
      return ours === (pathExpression(zod.error.issues[0]?.path ?? []) || '(resource)');
    }),
    { numRuns: 2000, seed: 13 },
  );
  t.pass('2,000 random resources: same verdict and same first field');
});
