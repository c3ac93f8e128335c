/**
 * The discovery document: `cds-services.json` at the project root is the single source of the service
 * ids, hooks and prefetch templates. It is validated at start-up against the CDS Hooks 2.0 rules that a
 * mistake would silently break (token-eligible prefetch only, unique ids) and against the handlers this
 * build has; a mismatch stops start-up with a message naming the entry.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { HOOKS, type HookName } from './types.js';

/**
 * Only first-level primitive context fields and the user tokens may appear in prefetch templates
 * (CDS Hooks 2.0.1 §prefetch-tokens; checklist D 29–30): never `{{context.draftOrders}}`.
 */
const ALLOWED_TOKENS = new Set([
  'context.patientId',
  'context.userId',
  'context.encounterId',
  'userPractitionerId',
  'userPractitionerRoleId',
  'userPatientId',
  'userRelatedPersonId',
]);

const serviceSchema = z.strictObject({
  hook: z.enum(HOOKS),
  id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'id must be URL-safe'),
  title: z.string().min(1),
  description: z.string().min(1),
  prefetch: z.record(z.string().min(1), z.string().min(1)).optional(),
  usageRequirements: z.string().min(1).optional(),
  extension: z.record(z.string(), z.unknown()).optional(),
});

const discoverySchema = z.strictObject({ services: z.array(serviceSchema).min(1) });

export type ServiceDefinition = z.infer<typeof serviceSchema>;
export interface Discovery {
  services: ServiceDefinition[];
}

export class DiscoveryError extends Error {
  override name = 'DiscoveryError';
}

/** cds-services.json at the project root, whether running from src/ (tsx) or from dist/src/ (compiled). */
export function defaultDiscoveryPath(): string {
  const up = import.meta.url.includes('/dist/src/') ? '../../../' : '../../';
  return fileURLToPath(new URL(`${up}cds-services.json`, import.meta.url));
}

export function validateDiscovery(raw: unknown, handledHooks: readonly HookName[], origin: string): Discovery {
  const parsed = discoverySchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new DiscoveryError(`${origin} is not a valid CDS Hooks discovery document:\n${lines.join('\n')}`);
  }
  const seen = new Set<string>();
  for (const [index, s] of parsed.data.services.entries()) {
    if (seen.has(s.id)) throw new DiscoveryError(`${origin}: services[${index}].id "${s.id}" is used twice`);
    seen.add(s.id);
    if (!handledHooks.includes(s.hook)) {
      throw new DiscoveryError(`${origin}: services[${index}] declares hook "${s.hook}", which no handler serves`);
    }
    for (const [key, template] of Object.entries(s.prefetch ?? {})) {
      for (const m of template.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
        if (!ALLOWED_TOKENS.has(m[1] ?? '')) {
          throw new DiscoveryError(
            `${origin}: services[${index}].prefetch.${key} uses token {{${m[1]}}}, which is not a first-level context field`,
          );
        }
      }
    }
  }
  return parsed.data;
}

export function loadDiscovery(handledHooks: readonly HookName[], path = defaultDiscoveryPath()): Discovery {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DiscoveryError(`cannot read discovery document ${path}: ${(err as Error).message}`);
  }
  return validateDiscovery(raw, handledHooks, path);
}
