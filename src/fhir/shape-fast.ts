/**
 * A fast "certainly valid" test compiled from a zod schema, for the per-resource shape checks: zod's
 * `safeParse` copies every object it parses, which cost ~5 ms per call on a 2,000-resource record (bench/).
 *
 * The compiled predicate answers `true` only when zod would accept the value; for anything it does not
 * understand it answers `false`, and the caller falls back to zod (which then finds the problem, or accepts).
 * So `fast(v) === true` implies `schema.safeParse(v).success`, and results never change: only the valid
 * majority skips zod. Understood: string, number (finite, as zod 4), boolean, optional, array, and
 * objects with a shape (loose or stripping: unknown keys pass either way).
 */
import type { ZodType } from 'zod';

export type FastCheck = (value: unknown) => boolean;

interface Def {
  type: string;
  innerType?: ZodType;
  element?: ZodType;
  shape?: Record<string, ZodType>;
  catchall?: ZodType;
  checks?: unknown[];
}

function defOf(schema: ZodType): Def | undefined {
  return (schema as unknown as { _zod?: { def?: Def } })._zod?.def;
}

const never: FastCheck = () => false;

export function compileFastCheck(schema: ZodType): FastCheck {
  const def = defOf(schema);
  if (!def) return never;
  // Refinements and length checks are not mirrored: leave such schemas to zod.
  if (def.checks && def.checks.length > 0) return never;
  switch (def.type) {
    case 'string':
      return (v) => typeof v === 'string';
    case 'number':
      return (v) => typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'optional': {
      if (!def.innerType) return never;
      const inner = compileFastCheck(def.innerType);
      return (v) => v === undefined || inner(v);
    }
    case 'array': {
      if (!def.element) return never;
      const element = compileFastCheck(def.element);
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'object': {
      if (!def.shape) return never;
      const catchall = def.catchall ? defOf(def.catchall)?.type : undefined;
      if (catchall !== undefined && catchall !== 'unknown' && catchall !== 'any') return never;
      const fields = Object.entries(def.shape).map(([key, s]) => [key, compileFastCheck(s)] as const);
      // A shape key that objects inherit (e.g. "constructor") would be read through the prototype: leave to zod.
      if (fields.some(([key]) => key in Object.prototype)) return never;
      // Fields that reject undefined are required: read them by name. Optional fields are checked only when
      // present, by walking the object's own keys (few) rather than the schema's (many): reading absent keys
      // one by one is slow on objects of many different shapes.
      const required = fields.filter(([, check]) => !check(undefined));
      const byKey = new Map<string, FastCheck>(fields);
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
        const o = v as Record<string, unknown>;
        for (let i = 0; i < required.length; i++) {
          const [key, check] = required[i]!;
          if (!check(o[key])) return false;
        }
        for (const key in o) {
          const check = byKey.get(key);
          if (check !== undefined && !check(o[key])) return false;
        }
        return true;
      };
    }
    default:
      return never;
  }
}
