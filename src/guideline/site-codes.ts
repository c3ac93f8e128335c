/**
 * Site-specific order codes: an optional JSON file mapping a hospital's own order codes (an EAP/chargemaster
 * code, a local order catalogue) to ACR procedures or to "outside-topic". Recognition consults it before the
 * standard codes, so a site can correct or extend the mapping without a release.
 *
 * File shape: { "mappings": [ { "system": "...", "code": "...", "procedure": "<ProcedureId>" | "outside-topic",
 * "note"?: "..." } ] }. The lead's config reads the path from SITE_CODES_PATH and calls loadSiteCodes once at
 * start-up; a bad file stops the start with an Error that names the file and the field.
 */
import { readSiteJson } from './site-file.js';
import { z } from 'zod';
import { PROCEDURE_IDS, type ProcedureId } from './types.js';

export interface SiteCodeMapping {
  system: string;
  code: string;
  procedure: ProcedureId | 'outside-topic';
  /** Shown to clinicians on the card (the site's words; keep patient data out). */
  note?: string;
}

export interface SiteCodeMap {
  /** Where the map came from (a path, or "<inline>"), for error messages and logs. */
  readonly source: string;
  readonly mappings: readonly SiteCodeMapping[];
  /** `${normalisedSystem}|${code}` → mapping, built once so recognition is a Map lookup. */
  readonly index: ReadonlyMap<string, SiteCodeMapping>;
}

const MappingSchema = z.strictObject({
  system: z.string().trim().min(1),
  code: z.string().trim().min(1),
  procedure: z.enum([...PROCEDURE_IDS, 'outside-topic']),
  note: z.string().trim().min(1).max(500).optional(),
});
const FileSchema = z.strictObject({ mappings: z.array(MappingSchema) });

/**
 * The key a coding is looked up by. Systems are compared case-insensitively, with https treated as http and a
 * trailing slash ignored, because EHRs differ in exactly these ways; codes are compared exactly (trimmed).
 */
export function codingKey(system: string, code: string): string {
  return `${normaliseSystem(system)}|${code.trim()}`;
}

export function normaliseSystem(system: string): string {
  return system.trim().toLowerCase().replace(/^https:/, 'http:').replace(/\/+$/, '');
}

/** Validate an already-parsed site map. Throws an Error naming the source and the offending field. */
export function parseSiteCodes(json: unknown, source = '<inline>'): SiteCodeMap {
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? formatPath(issue.path) : '(root)';
    throw new Error(`site codes file ${source}: ${field}: ${issue?.message ?? 'invalid'}`);
  }
  const index = new Map<string, SiteCodeMapping>();
  parsed.data.mappings.forEach((m, i) => {
    const key = codingKey(m.system, m.code);
    const previous = index.get(key);
    if (previous && previous.procedure !== m.procedure) {
      throw new Error(
        `site codes file ${source}: mappings[${i}]: code ${m.code} of ${m.system} is mapped twice, to ` +
          `${previous.procedure} and ${m.procedure}`,
      );
    }
    index.set(key, m);
  });
  return { source, mappings: parsed.data.mappings, index };
}

/** Read and validate a site map file. Throws an Error naming the file (and the field when the JSON is wrong). */
export function loadSiteCodes(path: string): SiteCodeMap {
  return parseSiteCodes(readSiteJson(path, 'site codes file', (m) => new Error(m)), path);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}
