/**
 * npm run site:check -- --orders <file.json> [--site-codes <file.json>] [--facts <file.json>] [--json]
 *
 * What a site's adaptation does, before it goes live:
 *  - `--orders`: each order code of the site's catalogue, and the ACR procedure the service recognises it as
 *    (through the site's SITE_CODES_PATH map first, then the standard codes, then the order's name), or that it
 *    is unmapped. Recognition is the service's own (src/engine/orders.ts), so what this prints is what a hook
 *    call would do with an order carrying that code and name.
 *  - `--facts`: compiles a SITE_FACTS_PATH file as start-up would and lists its definitions (or names the
 *    file, key and error, exit 2).
 *
 * The order file: a JSON array of { system, code, display? }, or { "orders": [...] }, or a FHIR CodeSystem
 * (concept[], system = its url) or ValueSet (compose.include[].concept[] or expansion.contains[]).
 */
import { readFileSync } from 'node:fs';
import type { ServiceRequest } from 'fhir/r4.js';
import { CliFailure, EXIT, isMain, parseFlags, processIo, runMain, usageError, type CliIo } from './args.js';
import { recogniseOrder } from '../engine/orders.js';
import { loadSiteFacts } from '../engine/site-facts.js';
import { CODE_SYSTEMS, OUTSIDE_TOPIC_CODES } from '../guideline/order-codes.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { codingKey, loadSiteCodes, type SiteCodeMap } from '../guideline/site-codes.js';

export const USAGE = `Usage: npm run site:check -- --orders <file.json> [--site-codes <file.json>] [--facts <file.json>] [--json]

  --orders FILE      the site's order catalogue: a JSON array of {system, code, display}, {"orders": [...]},
                     or a FHIR CodeSystem / ValueSet. Lists which codes map to which ACR procedure, and which
                     are unmapped.
  --site-codes FILE  the site's order-code map (default: SITE_CODES_PATH, if set)
  --facts FILE       a site facts file (SITE_FACTS_PATH format): compile and list it
  --json             machine-readable output

Exit codes: 0 done, 2 bad arguments or a file that does not load.`;

export interface CatalogueOrder {
  system: string;
  code: string;
  display?: string;
}

export interface OrderCheck extends CatalogueOrder {
  /** mapped: an ACR procedure of this topic; outside-topic: known, and not this topic's; unmapped: unknown. */
  status: 'mapped' | 'outside-topic' | 'unmapped';
  procedure?: string;
  acrName?: string;
  /** site-map, code, or text (the order's name only: worth a site-map entry). */
  by?: 'site-map' | 'code' | 'text';
  notes: string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function entry(system: unknown, raw: unknown): CatalogueOrder | undefined {
  const r = raw as Record<string, unknown> | null;
  const sys = str(system) ?? str(r?.['system']);
  const code = str(r?.['code']);
  if (!sys || !code) return undefined;
  const display = str(r?.['display']) ?? str(r?.['text']);
  return { system: sys, code, ...(display ? { display } : {}) };
}

/** The orders of a catalogue file in any of the accepted shapes. Throws a usage error naming what is wrong. */
export function catalogueOrders(json: unknown, file: string): CatalogueOrder[] {
  const obj = json as Record<string, unknown> | null;
  let raw: Array<[unknown, unknown]>;
  if (Array.isArray(json)) raw = json.map((o) => [undefined, o]);
  else if (Array.isArray(obj?.['orders'])) raw = (obj['orders'] as unknown[]).map((o) => [undefined, o]);
  else if (obj?.['resourceType'] === 'CodeSystem') raw = ((obj['concept'] as unknown[]) ?? []).map((c) => [obj['url'], c]);
  else if (obj?.['resourceType'] === 'ValueSet') {
    const compose = (obj['compose'] as { include?: Array<{ system?: string; concept?: unknown[] }> } | undefined)?.include ?? [];
    const contains = (obj['expansion'] as { contains?: unknown[] } | undefined)?.contains ?? [];
    raw = [...compose.flatMap((inc) => (inc.concept ?? []).map((c): [unknown, unknown] => [inc.system, c])), ...contains.map((c): [unknown, unknown] => [undefined, c])];
  } else throw new CliFailure(EXIT.usage, `${file}: expected an array of {system, code}, {"orders": [...]}, a CodeSystem or a ValueSet`);
  const out: CatalogueOrder[] = [];
  raw.forEach(([system, o], i) => {
    const e = entry(system, o);
    if (!e) throw new CliFailure(EXIT.usage, `${file}: order ${i} has no system and code`);
    out.push(e);
  });
  return out;
}

const OUTSIDE = new Set(OUTSIDE_TOPIC_CODES.map((c) => codingKey(CODE_SYSTEMS[c.system], c.code)));

/** What the service makes of one catalogue order (its code and its name, as a draft order would carry them). */
export function checkOrder(order: CatalogueOrder, siteCodes?: SiteCodeMap): OrderCheck {
  const request: ServiceRequest = {
    resourceType: 'ServiceRequest',
    status: 'draft',
    intent: 'order',
    subject: { reference: 'Patient/site-check' },
    code: { coding: [{ system: order.system, code: order.code, ...(order.display ? { display: order.display } : {}) }], ...(order.display ? { text: order.display } : {}) },
  };
  const r = recogniseOrder(request, siteCodes);
  if (r.kind === 'procedure') {
    const by = r.matchedBy.siteMap ? 'site-map' : r.matchedBy.code ? 'code' : 'text';
    return { ...order, status: 'mapped', procedure: r.procedure, acrName: PROCEDURES[r.procedure].acrName, by, notes: r.notes };
  }
  const key = codingKey(order.system, order.code);
  if (siteCodes?.index.get(key)?.procedure === 'outside-topic') return { ...order, status: 'outside-topic', by: 'site-map', notes: [] };
  if (OUTSIDE.has(key)) return { ...order, status: 'outside-topic', by: 'code', notes: [] };
  return { ...order, status: 'unmapped', notes: [] };
}

function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CliFailure(EXIT.usage, `${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliFailure(EXIT.usage, `${path}: not valid JSON (${(err as Error).message})`);
  }
}

export async function siteCheck(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, {
    orders: { type: 'string' },
    'site-codes': { type: 'string' },
    facts: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (flags.help) {
    io.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (!flags.orders && !flags.facts) throw usageError('--orders <file.json> or --facts <file.json> is required');
  const siteCodesPath = flags['site-codes'] ?? io.env['SITE_CODES_PATH'];
  let siteCodes: SiteCodeMap | undefined;
  try {
    siteCodes = siteCodesPath ? loadSiteCodes(siteCodesPath) : undefined;
  } catch (err) {
    throw new CliFailure(EXIT.usage, (err as Error).message);
  }
  const report: { orders?: OrderCheck[]; facts?: Array<{ key: string; fact: string; label: string; types: readonly string[] }> } = {};
  if (flags.facts) {
    try {
      report.facts = loadSiteFacts(flags.facts).defs.map((d) => ({ key: d.key, fact: d.fact, label: d.label, types: d.types }));
    } catch (err) {
      throw new CliFailure(EXIT.usage, (err as Error).message);
    }
  }
  if (flags.orders) report.orders = catalogueOrders(readJsonFile(flags.orders), flags.orders).map((o) => checkOrder(o, siteCodes));

  if (flags.json) {
    io.out(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.ok;
  }
  if (report.facts) {
    io.out(`Site facts (${flags.facts}): ${report.facts.length} definition(s), all compiled\n`);
    for (const f of report.facts) io.out(`  ${f.key}  ${f.label}  [on ${f.types.join(', ')}]\n`);
  }
  if (report.orders) {
    const orders = report.orders;
    const count = (s: OrderCheck['status']) => orders.filter((o) => o.status === s).length;
    io.out(
      `Orders (${flags.orders}${siteCodesPath ? `, site map ${siteCodesPath}` : ', no site map'}): ${count('mapped')} mapped, ` +
        `${count('outside-topic')} outside this topic, ${count('unmapped')} unmapped\n`,
    );
    for (const o of orders) {
      const name = o.display ? ` "${o.display}"` : '';
      const what =
        o.status === 'mapped'
          ? `→ ${o.procedure} (${o.acrName}) by ${o.by}${o.by === 'text' ? ': by the order name only, consider a site-map entry' : ''}`
          : o.status === 'outside-topic'
            ? `outside this topic (${o.by === 'site-map' ? 'site map' : 'known code'})`
            : 'UNMAPPED: neither the site map, a standard code nor the name says which ACR procedure';
      io.out(`  ${o.system}|${o.code}${name}  ${what}\n`);
      for (const n of o.notes) io.out(`      note: ${n}\n`);
    }
  }
  return EXIT.ok;
}

if (isMain(import.meta.url)) {
  process.exitCode = await runMain('site:check', () => siteCheck(process.argv.slice(2), processIo));
}
