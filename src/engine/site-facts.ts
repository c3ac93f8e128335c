/**
 * Site-defined facts: a hospital teaches the engine how IT records the findings the ACR variants turn on (a
 * flowsheet row "headache worse when upright", a local code for the Glasgow Coma Scale, a structured
 * radiology flag), as FHIRPath expressions over the patient's resources, without a code change.
 *
 * The file (SITE_FACTS_PATH, example in fixtures/site-facts.example.json):
 *   { "site": "…", "budgetMs"?: 100,
 *     "facts": { "<engine fact>": [ { "label": "…", "expression": "…", "date"?: "…", "value"?: "…",
 *                                     "codes"?: [ { "system": "…", "code": "…" } ] } ] } }
 *  - engine facts: SITE_FACT_KINDS below; `value` (a number) is required for `gcs` and not allowed otherwise.
 *  - `expression` is evaluated with each resource of the record as its context; the resource is a finding
 *    when the result is not empty and not `false`. An expression that starts with a resource type
 *    (`Observation.where(…)`) is evaluated on that type only, which is also what keeps it cheap.
 *  - `date` says when the finding is about (first date it yields); `label` is what evidence and cards show
 *    (the site's words: keep patient data out of it).
 *  - `codes` (optional, recommended): the expression is evaluated only on resources whose `code` (ImagingStudy:
 *    `procedureCode`) carries one of these codings, found by a Map lookup. FHIRPath costs tens of µs per
 *    resource evaluated, so on a record of thousands of Observations this is what keeps the budget
 *    (figures: `npm run site-facts:cost`, README).
 *
 * Compiled once at start-up with fhirpath's R4 model and dry-run on an empty resource (unknown functions
 * fail there); a bad file stops start-up with the file, the key and the error. Per record, evaluation stops
 * at the time budget; what was not evaluated becomes a data gap, so the answer is qualified, not guessed.
 * FHIRPath is used here, where a site's own structure must be read, and not for the standard value sets
 * (facts-match.ts: a Map lookup per coding is cheaper).
 */
import fhirpath from 'fhirpath';
import r4model from 'fhirpath/fhir-context/r4/index.js';
import { z } from 'zod';
import { readSiteJson } from '../guideline/site-file.js';
import { codingKey } from '../guideline/site-codes.js';
import { RECORD_TYPES, type DataGap, type PatientRecord, type RecordType } from '../fhir/record.js';
import { parseFhirDate, type FhirInstantRange } from './facts-dates.js';

/** The engine facts a site may define, each merged like a coded Observation of it (site-facts-merge.ts). */
export const SITE_FACT_KINDS = [
  'orthostatic-headache',
  'headache',
  'chronic-headache',
  'post-puncture-headache',
  'rebound-headache',
  'decreased-consciousness',
  'gcs',
  'spinal-intervention',
  'blood-patch',
  'brain-imaging-features',
  'negative-brain-mri',
  'negative-whole-spine-mri',
] as const;
export type SiteFactKind = (typeof SITE_FACT_KINDS)[number];

/**
 * Default per-record budget for all site expressions together (wall-clock ms); the file may set its own. A
 * ceiling for pathological cases (a record of thousands of Observations, an expensive expression), not the
 * expected cost: see README "Reviewing and adapting the guideline" for measured figures.
 */
export const DEFAULT_SITE_FACTS_BUDGET_MS = 100;

type Compiled = (resource: unknown) => unknown[];

export interface SiteFactDef {
  fact: SiteFactKind;
  /** Where it is in the file, e.g. `facts.gcs[0]`: named in errors and evidence. */
  key: string;
  label: string;
  /** The record types it is evaluated on (all when the expression does not start with one). */
  types: readonly RecordType[];
  where: Compiled;
  /** `codingKey`s of the `codes` prefilter; absent = every resource of the types is evaluated. */
  codes?: ReadonlySet<string>;
  date?: Compiled;
  value?: Compiled;
}

export interface SiteFacts {
  source: string;
  site?: string;
  budgetMs: number;
  defs: readonly SiteFactDef[];
}

export interface SiteFinding {
  fact: SiteFactKind;
  key: string;
  label: string;
  resourceType: RecordType;
  id?: string;
  when?: FhirInstantRange;
  value?: number;
}

export interface SiteEvaluation {
  findings: SiteFinding[];
  /** False when the budget ran out before every definition was evaluated on every resource. */
  complete: boolean;
  /** Evaluations that threw (bad data for the expression): counted, treated as "no finding". */
  errors: number;
  elapsedMs: number;
  /** Data gaps for what was not evaluated (empty when complete). */
  gaps: DataGap[];
}

export class SiteFactsError extends Error {
  override name = 'SiteFactsError';
}

const DefSchema = z.strictObject({
  label: z.string().trim().min(1).max(200),
  expression: z.string().trim().min(1).max(4000),
  date: z.string().trim().min(1).max(2000).optional(),
  value: z.string().trim().min(1).max(2000).optional(),
  codes: z.array(z.strictObject({ system: z.string().trim().min(1), code: z.string().trim().min(1) })).min(1).optional(),
  note: z.string().max(1000).optional(),
});
const FileSchema = z.strictObject({
  site: z.string().trim().min(1).max(200).optional(),
  budgetMs: z.number().int().min(1).max(1000).optional(),
  facts: z.record(z.string(), z.union([DefSchema, z.array(DefSchema).min(1)])),
});

/** fhirpath.js throws Errors and, for some evaluation errors, plain strings: the first line of either. */
function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] || 'fails';
}

const LEADING_TYPE = /^\s*([A-Z][A-Za-z]+)\s*(?:\.|$)/;

function compile(expression: string, fail: (msg: string) => never): Compiled {
  let fn: (resource: unknown) => unknown;
  try {
    fn = fhirpath.compile(expression, r4model as never) as (resource: unknown) => unknown;
  } catch (err) {
    fail(messageOf(err));
  }
  return (resource) => {
    const out = fn(resource);
    return Array.isArray(out) ? out : [out];
  };
}

function typesOf(expression: string, fail: (msg: string) => never): readonly RecordType[] {
  const m = LEADING_TYPE.exec(expression);
  if (!m) return RECORD_TYPES;
  const type = m[1]!;
  if ((RECORD_TYPES as readonly string[]).includes(type)) return [type as RecordType];
  fail(`starts with ${type}, which the service does not read (it reads ${RECORD_TYPES.join(', ')})`);
}

/** Validate and compile an already-parsed site facts file. Throws a SiteFactsError naming source, key and error. */
export function parseSiteFacts(json: unknown, source = '<inline>'): SiteFacts {
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    throw new SiteFactsError(`site facts file ${source}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const defs: SiteFactDef[] = [];
  for (const [fact, raw] of Object.entries(parsed.data.facts)) {
    if (!(SITE_FACT_KINDS as readonly string[]).includes(fact)) {
      throw new SiteFactsError(`site facts file ${source}: facts.${fact}: not an engine fact (one of ${SITE_FACT_KINDS.join(', ')})`);
    }
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((d, i) => {
      const key = `facts.${fact}[${i}]`;
      const failAt = (field: string) => (msg: string): never => {
        throw new SiteFactsError(`site facts file ${source}: ${key}.${field}: ${msg}`);
      };
      if (fact === 'gcs' && !d.value) failAt('value')('required for gcs (an expression giving the total score)');
      if (fact !== 'gcs' && d.value) failAt('value')(`only gcs takes a value, not ${fact}`);
      const def: SiteFactDef = {
        fact: fact as SiteFactKind,
        key,
        label: d.label,
        types: typesOf(d.expression, failAt('expression')),
        where: compile(d.expression, failAt('expression')),
        ...(d.codes ? { codes: new Set(d.codes.map((c) => codingKey(c.system, c.code))) } : {}),
        ...(d.date ? { date: compile(d.date, failAt('date')) } : {}),
        ...(d.value ? { value: compile(d.value, failAt('value')) } : {}),
      };
      // Dry run on an empty resource of each type: unknown functions and type errors surface now, not per call.
      for (const type of def.types) {
        for (const [field, fn] of [['expression', def.where], ['date', def.date], ['value', def.value]] as const) {
          if (!fn) continue;
          try {
            fn({ resourceType: type });
          } catch (err) {
            failAt(field)(messageOf(err));
          }
        }
      }
      defs.push(def);
    });
  }
  return {
    source,
    ...(parsed.data.site ? { site: parsed.data.site } : {}),
    budgetMs: parsed.data.budgetMs ?? DEFAULT_SITE_FACTS_BUDGET_MS,
    defs,
  };
}

/** Read, validate and compile a site facts file (once, at start-up). */
export function loadSiteFacts(path: string): SiteFacts {
  return parseSiteFacts(readSiteJson(path, 'site facts file', (m) => new SiteFactsError(m)), path);
}

/** FHIRPath truth of a result: something other than `false`. */
const holds = (out: unknown[]): boolean => out.some((v) => v !== false && v !== undefined && v !== null);

function firstDateOf(out: unknown[]): FhirInstantRange | undefined {
  for (const v of out) {
    const d = parseFhirDate(typeof v === 'string' ? v : v === null || v === undefined ? undefined : String(v));
    if (d) return d;
  }
  return undefined;
}

function firstNumberOf(out: unknown[]): number | undefined {
  for (const v of out) {
    const n = typeof v === 'number' ? v : typeof v === 'object' && v !== null && typeof (v as { value?: unknown }).value === 'number' ? (v as { value: number }).value : undefined;
    if (n !== undefined && Number.isFinite(n)) return n;
  }
  return undefined;
}

/** Whether the resource's code (ImagingStudy: procedureCode) has a coding in `codes`. Defensive: any JSON. */
function carriesCode(resource: unknown, type: RecordType, codes: ReadonlySet<string>): boolean {
  const r = resource as { code?: unknown; procedureCode?: unknown };
  const concepts = type === 'ImagingStudy' ? r.procedureCode : [r.code];
  if (!Array.isArray(concepts)) return false;
  for (const cc of concepts) {
    const codings = (cc as { coding?: unknown } | undefined)?.coding;
    if (!Array.isArray(codings)) continue;
    for (const c of codings as Array<{ system?: unknown; code?: unknown }>) {
      if (typeof c?.system === 'string' && typeof c.code === 'string' && codes.has(codingKey(c.system, c.code))) return true;
    }
  }
  return false;
}

/**
 * Every site finding in the record, within the budget. Synchronous (FHIRPath is), so the budget is checked
 * before each evaluation; one expression on one resource is the unit that can overrun it.
 */
export function evaluateSiteFacts(site: SiteFacts, record: PatientRecord, clock: () => number = () => performance.now()): SiteEvaluation {
  const started = clock();
  const deadline = started + site.budgetMs;
  const findings: SiteFinding[] = [];
  const skipped = new Set<RecordType>();
  let errors = 0;
  for (const def of site.defs) {
    for (const type of def.types) {
      const resources = record.resources[type] as ReadonlyArray<{ id?: string }>;
      for (let i = 0; i < resources.length; i++) {
        if (clock() > deadline) {
          skipped.add(type);
          break;
        }
        const resource = resources[i]!;
        if (def.codes && !carriesCode(resource, type, def.codes)) continue;
        let hit: boolean;
        try {
          hit = holds(def.where(resource));
        } catch {
          errors++;
          continue;
        }
        if (!hit) continue;
        let when: FhirInstantRange | undefined;
        let value: number | undefined;
        try {
          when = def.date ? firstDateOf(def.date(resource)) : undefined;
          value = def.value ? firstNumberOf(def.value(resource)) : undefined;
        } catch {
          errors++;
          continue;
        }
        // A GCS finding without a number says nothing.
        if (def.fact === 'gcs' && value === undefined) continue;
        findings.push({
          fact: def.fact,
          key: def.key,
          label: def.label,
          resourceType: type,
          ...(typeof resource.id === 'string' ? { id: resource.id } : {}),
          ...(when ? { when } : {}),
          ...(value !== undefined ? { value } : {}),
        });
      }
    }
  }
  const gaps: DataGap[] = [...skipped].map((resourceType) => ({
    resourceType,
    reason: 'truncated',
    detail: `site-defined facts not fully evaluated within ${site.budgetMs} ms`,
  }));
  return { findings, complete: skipped.size === 0, errors, elapsedMs: clock() - started, gaps };
}
