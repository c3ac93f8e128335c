/**
 * jsonBytes (src/cards/json-size.ts) is the response budget's measure: it must equal the UTF-8 length of
 * JSON.stringify for every value, or the 64 KB bound would admit a different set of cards.
 */
import t from 'tap';
import fc from 'fast-check';
import { jsonBytes, stringBytes } from '../src/cards/json-size.js';

const exact = (v: unknown): number | undefined => {
  const text = JSON.stringify(v) as string | undefined;
  return text === undefined ? undefined : Buffer.byteLength(text);
};

t.test('strings: escapes, controls, non-ASCII, surrogate pairs and lone surrogates', async (t) => {
  const samples = [
    '',
    'plain ASCII',
    'quote " and backslash \\',
    'line\nbreak\ttab\rreturn\bback\fform',
    '\u0000\u0001\u001f\u007f',
    '☢☢☢☢ 10-30 mSv …',
    'é ß ü',
    '\u2028\u2029',
    '😀 pair',
    'lone high \ud800 here',
    'lone low \udc00 here',
    'reversed \udc00\ud800',
    'at the end \ud83d',
    '\udfff at the start',
  ];
  // Messages name the sample by index: raw U+2028 or lone surrogates would break the TAP stream.
  samples.forEach((s, i) => t.equal(stringBytes(s), exact(s), `string sample ${i}`));
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => stringBytes(s) === exact(s)));
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => stringBytes(s) === exact(s)));
});

t.test('values: any JSON value, and what JSON.stringify drops, nulls or converts', async (t) => {
  fc.assert(fc.property(fc.jsonValue(), (v) => jsonBytes(v) === exact(v)));
  fc.assert(fc.property(fc.anything({ withDate: true, withBoxedValues: true, withNullPrototype: true, withMap: true, withSet: true, withSparseArray: true, withObjectString: true }), (v) => jsonBytes(v) === exact(v)));
  const samples: unknown[] = [
    undefined,
    null,
    () => 1,
    Symbol('s'),
    { a: undefined, b: () => 1, c: Symbol('c'), d: 1 },
    { a: undefined },
    [undefined, () => 1, Symbol('x'), NaN, Infinity, -0, 1e21, 1.5e-7],
    [, 1, ,],
    new Date(0),
    { when: new Date(0), n: new Number(3), s: new String('x'), b: new Boolean(false) },
    { toJSON: () => ({ replaced: true }) },
    { toJSON: () => undefined },
    Object.assign(Object.create(null), { x: 1 }),
    { 2: 'b', 1: 'a', z: 'z' },
    new Map([[1, 2]]),
  ];
  samples.forEach((v, i) => t.equal(jsonBytes(v), exact(v), `value sample ${i}`));
});
