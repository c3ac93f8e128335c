/**
 * The UTF-8 size of a value's JSON text, without writing the text. The response budget (render.ts) measures
 * every card and rating stamp it admits; writing each one out with JSON.stringify only to count its bytes was
 * about a fifth of the cost of rendering a response, and the route serialises the response again anyway.
 *
 * Exact, not an estimate: `jsonBytes(v) === Buffer.byteLength(JSON.stringify(v))` for every value
 * JSON.stringify accepts, so the budget admits exactly what it admitted when it stringified. The walk
 * follows JSON.stringify (ECMA-262 §25.5.2): own enumerable string keys in order; `undefined`, functions and
 * symbols omitted from objects and written `null` in arrays; non-finite numbers written `null`; strings
 * escaped as JSON.stringify escapes them (well-formed: a lone surrogate becomes `\uXXXX`). Anything the walk
 * does not model (a `toJSON` method, a boxed primitive, a bigint, a class instance) is measured by
 * JSON.stringify itself, so the answer stays exact for any input.
 */

/** True when every unit is printable ASCII other than `"` and `\`: then the JSON text is the string plus quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Bytes of the JSON string literal of `s`, quotes included. */
export function stringBytes(s: string): number {
  // Most strings (codes, URLs, ids, labels) are plain: one native regex test. The others (markdown with line
  // breaks, radiation symbols) are escaped by JSON.stringify itself, so every escape is counted as written.
  return PLAIN.test(s) ? s.length + 2 : Buffer.byteLength(JSON.stringify(s));
}

/**
 * Sizes of property names already measured. Why: a response repeats a few dozen names (`system`, `code`,
 * `display`, `url`...) hundreds of times, and a name's size is a function of the name alone. Bounded: names
 * past the first 1024 are measured each time, never stored.
 */
const KEY_BYTES = new Map<string, number>();
const MAX_KEY_BYTES = 1024;

function keyBytes(key: string): number {
  let n = KEY_BYTES.get(key);
  if (n === undefined) {
    n = stringBytes(key);
    if (KEY_BYTES.size < MAX_KEY_BYTES) KEY_BYTES.set(key, n);
  }
  return n;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Bytes of `value` as JSON.stringify writes it with no replacer and no indentation, or undefined where
 * JSON.stringify returns undefined (a bare `undefined`, function or symbol).
 */
export function jsonBytes(value: unknown): number | undefined {
  switch (typeof value) {
    case 'string':
      return stringBytes(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      if (value === null) return 4;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype || 'toJSON' in value) return stringified(value);
        let n = 2 + Math.max(0, value.length - 1); // brackets and commas
        for (let i = 0; i < value.length; i++) n += jsonBytes(value[i]) ?? 4; // `null` for what has no JSON
        return n;
      }
      if (!isPlainObject(value) || 'toJSON' in value) return stringified(value);
      {
        const source = value as Record<string, unknown>;
        // Names and values as two native lists (the same order, each getter read once): cheaper than a keyed
        // read of every property.
        const keys = Object.keys(source);
        const values = Object.values(source);
        let n = 2;
        let written = 0;
        for (let i = 0; i < keys.length; i++) {
          const size = jsonBytes(values[i]);
          if (size === undefined) continue;
          n += keyBytes(keys[i]!) + 1 + size; // "key":value
          written++;
        }
        return n + Math.max(0, written - 1);
      }
    default:
      // bigint: JSON.stringify throws, as it did before.
      return stringified(value);
  }
}

function stringified(value: unknown): number | undefined {
  const text = JSON.stringify(value) as string | undefined;
  return text === undefined ? undefined : Buffer.byteLength(text);
}
