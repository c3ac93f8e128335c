/**
 * `npm run bench:micro`: the decision core without HTTP. Per call: assemble the PatientRecord from a full
 * prefetch + decide + renderResponse (what the hook route does between parsing and replying). The request is
 * parsed once, outside the timed loop (parsing is reported on its own line).
 *
 *   tsx bench/micro.ts [--json out.json] [--seconds 3] [--only small|large]
 *
 * Each record: warm-up, then timed iterations for about `seconds`; median, p99 and mean per call.
 */
import { writeFileSync } from 'node:fs';
import { parseHookRequest } from '../src/protocol/request-schema.js';
import { assemblePatientRecord, type AssembleOptions } from '../src/fhir/assemble.js';
import { createAllowList } from '../src/fhir/allowlist.js';
import { Limiter } from '../src/fhir/limiter.js';
import { createAdvisor } from '../src/advisor.js';
import { fixedClock } from '../src/engine/clock.js';
import type { HookRequest } from '../src/protocol/types.js';
import { makeRecord, orderSelectBody, type BenchRecord } from './records.js';
import { ROOT, machine, saveResult } from './lib.js';

const FIXTURE_NOW = '2026-11-26T12:00:00Z';

export interface MicroResult {
  record: 'small' | 'large';
  resources: number;
  bodyBytes: number;
  iterations: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  parseMedianMs: number;
  variant: string;
  cards: number;
  responseBytes: number;
}

const assembleOpts: AssembleOptions = {
  allowList: createAllowList(['loopback']),
  limiter: new Limiter(32),
  deadlineMs: 2000,
  maxPages: 10,
  pageSize: 200,
  maxResponseBytes: 8 * 1024 * 1024,
};

const advisor = createAdvisor({ now: fixedClock(FIXTURE_NOW).now, render: { mirrorSystemActions: true } });

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

async function once(request: HookRequest) {
  const assembled = await assemblePatientRecord(request, assembleOpts);
  if (!assembled.ok) throw new Error('assemble failed');
  return advisor(request, assembled.record);
}

function parse(body: unknown): HookRequest {
  const parsed = parseHookRequest(body, 'order-select');
  if (!parsed.ok) throw new Error(`bench request does not parse: ${JSON.stringify(parsed.issues)}`);
  return parsed.request;
}

export async function runMicro(record: BenchRecord, seconds: number): Promise<MicroResult> {
  const text = JSON.stringify(orderSelectBody(record));
  const request = parse(JSON.parse(text));

  // Warm-up: let V8 optimise the hot paths.
  const warmUntil = performance.now() + Math.min(1000, seconds * 300);
  let first = await once(request);
  while (performance.now() < warmUntil) first = await once(request);

  const times: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    const t0 = performance.now();
    await once(request);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);

  const parseTimes: number[] = [];
  for (let i = 0; i < 200; i++) {
    const body = JSON.parse(text);
    const t0 = performance.now();
    parse(body);
    parseTimes.push(performance.now() - t0);
  }
  parseTimes.sort((a, b) => a - b);

  const v = first.decision.variant;
  return {
    record: record.name,
    resources: record.total,
    bodyBytes: Buffer.byteLength(text),
    iterations: times.length,
    medianMs: round(quantile(times, 0.5)),
    p99Ms: round(quantile(times, 0.99)),
    meanMs: round(times.reduce((a, b) => a + b, 0) / times.length),
    parseMedianMs: round(quantile(parseTimes, 0.5)),
    variant: v.status === 'determined' ? `V${v.variant}` : v.status,
    cards: first.response.cards.length,
    responseBytes: Buffer.byteLength(JSON.stringify(first.response)),
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export function microTable(results: MicroResult[]): string {
  const head = ['record', 'resources', 'body KB', 'calls', 'median ms', 'p99 ms', 'mean ms', 'parse ms', 'decision', 'resp KB'];
  const rows = results.map((r) => [
    r.record,
    String(r.resources),
    (r.bodyBytes / 1024).toFixed(0),
    String(r.iterations),
    r.medianMs.toFixed(3),
    r.p99Ms.toFixed(3),
    r.meanMs.toFixed(3),
    r.parseMedianMs.toFixed(3),
    `${r.variant}, ${r.cards} card(s)`,
    (r.responseBytes / 1024).toFixed(1),
  ]);
  return formatTable(head, rows);
}

export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const jsonAt = args.indexOf('--json');
  const secAt = args.indexOf('--seconds');
  const seconds = secAt >= 0 ? Number(args[secAt + 1]) : 3;
  const results: MicroResult[] = [];
  const onlyAt = args.indexOf('--only');
  const names = onlyAt >= 0 ? [args[onlyAt + 1] as 'small' | 'large'] : (['small', 'large'] as const);
  for (const name of names) results.push(await runMicro(makeRecord(name), seconds));
  console.log(`decision core (assemble from prefetch + decide + render), Node ${process.version}, ${seconds} s per record after warm-up`);
  console.log(microTable(results));
  if (jsonAt >= 0 && args[jsonAt + 1]) writeFileSync(args[jsonAt + 1]!, JSON.stringify(results, null, 2));
  const file = saveResult('micro', { date: new Date().toISOString(), machine: machine(), seconds, results });
  console.log(`results: ${file.replace(ROOT, '')} and bench/latest.json (key "micro")`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
