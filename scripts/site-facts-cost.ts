/**
 * The cost of site-defined facts (FHIRPath) per record, next to the engine's own fact extraction, printed as
 * figures (no assertion: speed is measured here, never in a timed unit test). Usage: `npm run site-facts:cost`.
 *
 * Records: the fixture patients, and synthetic records of 50, 500 and 2,000 Observations (vital signs, with
 * a few of the example hospital's flowsheet rows), evaluated with fixtures/site-facts.example.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Bundle, FhirResource, Observation } from 'fhir/r4.js';
import { emptyResources, type PatientRecord } from '../src/fhir/record.js';
import { extractFacts } from '../src/engine/facts.js';
import { evaluateSiteFacts, loadSiteFacts } from '../src/engine/site-facts.js';

const ROOT = new URL('../', import.meta.url);
const example = { ...loadSiteFacts(fileURLToPath(new URL('fixtures/site-facts.example.json', ROOT))), budgetMs: 1000 };
// The same definitions without their `codes` prefilter: FHIRPath on every resource of the type.
const unfiltered = { ...example, defs: example.defs.map(({ codes: _codes, ...d }) => d) };
const NOW = new Date('2026-11-26T12:00:00Z');

function recordOf(resources: readonly FhirResource[]): PatientRecord {
  const r = emptyResources();
  for (const res of resources) {
    const list = (r as unknown as Record<string, FhirResource[]>)[res.resourceType];
    if (list) list.push(res);
  }
  return { patientId: 'p', resources: r, sources: {}, gaps: [], timings: [] };
}

function synthetic(n: number): PatientRecord {
  const vitals = ['8867-4', '8480-6', '8462-4', '9279-1', '8310-5', '29463-7'];
  const obs: Observation[] = [];
  for (let i = 0; i < n; i++) {
    const flowsheet = i % 25 === 0;
    obs.push({
      resourceType: 'Observation',
      id: `o${i}`,
      status: 'final',
      code: flowsheet
        ? { coding: [{ system: 'http://northbridge.example.org/fhir/CodeSystem/flowsheet-rows', code: i % 50 === 0 ? 'NB-NEURO-0107' : 'NB-NEURO-0212' }] }
        : { coding: [{ system: 'http://loinc.org', code: vitals[i % vitals.length]! }], text: 'Vital sign' },
      effectiveDateTime: new Date(NOW.getTime() - i * 3_600_000).toISOString(),
      ...(flowsheet ? (i % 50 === 0 ? { valueInteger: 14 } : { valueBoolean: i % 3 === 0 }) : { valueQuantity: { value: 60 + (i % 40), unit: '/min' } }),
    });
  }
  return recordOf(obs);
}

function measure(label: string, record: PatientRecord, rounds: number, site: typeof example): void {
  const time = (fn: () => void): number[] => {
    for (let i = 0; i < Math.min(20, rounds); i++) fn(); // warm-up
    const out: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      fn();
      out.push(performance.now() - t0);
    }
    return out.sort((a, b) => a - b);
  };
  const cpu0 = process.cpuUsage();
  const sites = time(() => evaluateSiteFacts(site, record));
  const cpuSite = process.cpuUsage(cpu0);
  const facts = time(() => extractFacts(record, [], NOW));
  const q = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
  const evaluations = site.defs.reduce((n, d) => n + d.types.reduce((m, t) => m + record.resources[t].length, 0), 0);
  const perEval = (q(sites, 0.5) * 1000) / Math.max(1, evaluations);
  label = `${label} ${site === example ? '(codes prefilter)' : '(FHIRPath on all)'}`;
  process.stdout.write(
    `${label.padEnd(52)} ${String(evaluations).padStart(5)} resources  site facts median ${q(sites, 0.5).toFixed(3)} ms, p99 ${q(sites, 0.99).toFixed(3)} ms ` +
      `(${perEval.toFixed(2)} µs/resource, CPU ${((cpuSite.user + cpuSite.system) / 1000 / (rounds + Math.min(20, rounds))).toFixed(3)} ms)` +
      `  | engine facts median ${q(facts, 0.5).toFixed(3)} ms\n`,
  );
}

const dir = new URL('fixtures/patients/', ROOT);
process.stdout.write(`site facts: ${example.defs.length} definitions from the example file; ${new Date().toISOString()}\n`);
for (const f of readdirSync(dir).sort()) {
  const bundle = JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Bundle<FhirResource>;
  measure(`fixture ${f.replace(/\.json$/, '')}`, recordOf((bundle.entry ?? []).map((e) => e.resource!)), 500, example);
}
for (const n of [50, 500, 2000]) {
  for (const site of [unfiltered, example]) measure(`synthetic ${n} Observations`, synthetic(n), n >= 2000 ? 50 : 200, site);
}
