/**
 * Copying FHIR resources into a response. Resources in a Decision belong to the request: we never change
 * them, we copy. And the copy must obey CDS Hooks 2.0.1 §Use of JSON (checklist §A 2): no `null`, `""`, `[]`
 * or `{}` anywhere. Clients do send such values (the reference sandbox's PAMA tab sends `code.coding: [{}]`
 * and `reasonCode: []`), and FHIR JSON forbids them too, so dropping them changes nothing a reader could see.
 */

/** A deep copy with `null`, `undefined`, `""`, `[]` and `{}` removed at every depth (bottom-up). */
export function pruneEmpty<T>(value: T): T {
  return (prune(value) ?? {}) as T;
}

function prune(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (Array.isArray(value)) {
    // One loop, no intermediate arrays (this runs over every resource copied into a response).
    const items: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const p = prune(value[i]);
      if (p !== undefined) items.push(p);
    }
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    const source = value as Record<string, unknown>;
    const keys = Object.keys(source);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const p = prune(source[key]);
      if (p !== undefined) out[key] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}
