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
    const items = value.map(prune).filter((v) => v !== undefined);
    return items.length === 0 ? undefined : items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const p = prune(v);
      if (p !== undefined) out[key] = p;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}
