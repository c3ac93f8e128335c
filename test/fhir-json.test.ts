/**
 * pruneEmptyWith (src/cards/fhir-json.ts) must give exactly what pruneEmpty gives for the spread it replaces,
 * key order included: suggested orders and rating stamps are built with it.
 */
import t from 'tap';
import fc from 'fast-check';
import { pruneEmpty, pruneEmptyWith } from '../src/cards/fhir-json.js';

const same = (source: object, changes: object): boolean =>
  JSON.stringify(pruneEmptyWith(source, changes)) === JSON.stringify(pruneEmpty({ ...source, ...changes }));

t.test('pruneEmptyWith = pruneEmpty of the spread, for any JSON objects', async (t) => {
  const obj = fc.dictionary(fc.constantFrom('id', 'code', 'reasonCode', 'extension', 'status', '1', '0', 'text', '__proto__'), fc.jsonValue());
  fc.assert(fc.property(obj, obj, (a, b) => same(a, b)));
  // Straight from JSON.parse, as resources arrive (where `__proto__` is an own key).
  fc.assert(fc.property(obj, obj, (a, b) => same(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)))));
  const cases: Array<[object, object]> = [
    [{}, {}],
    [{ a: '' }, { b: [] }],
    [{ a: 1, code: 'old', z: 2 }, { code: 'new', extension: [{ url: 'u' }] }],
    [{ code: 'old' }, { code: undefined }],
    [JSON.parse('{"__proto__": {"x": 1}}'), {}],
    [JSON.parse('{"__proto__": {"x": 1}, "a": 1}'), { b: 2 }],
    [JSON.parse('{"a": {"__proto__": {"x": 1}}}'), {}],
    [{ 2: 'b', a: 1 }, { 1: 'a' }],
  ];
  cases.forEach(([a, b], i) => t.ok(same(a, b), `case ${i}`));
  const source = { resourceType: 'ServiceRequest', id: 'x', code: { text: 'a' } };
  const before = JSON.stringify(source);
  pruneEmptyWith(source, { code: { text: 'b' } });
  t.equal(JSON.stringify(source), before, 'the source is not changed');
});
