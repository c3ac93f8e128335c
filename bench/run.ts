/**
 * `npm run bench`: the service over HTTP on loopback, next to same-bytes ceilings measured in the same run,
 * plus the decision core without HTTP. Bounded: about two minutes with the defaults
 * on an idle 2-core machine.
 *
 * Processes: the service as production runs it (`node dist/src/server.js`, compiled first), the ceiling app
 * (bench/ceiling.ts) and the local FHIR server (bench/fhir-child.ts) are child processes; autocannon runs here
 * in the parent, so the load generator never shares the service's event loop.
 *
 * Service settings for the run: AUTH_MODE=off, RATE_LIMIT_MAX=1e9 (the default 6000/min per client would
 * turn most of the load into 429s), audit to a temp SQLite file (DB_PATH), LOG_LEVEL=info (the "hook
 * answered" line is written per call, to a log file). Load shedding (SHED_EVENT_LOOP_DELAY_MS, 1 s) stays on.
 * Node flags: the Dockerfile's (productionNodeArgs, e.g. --max-semi-space-size=64) for the service and the
 * ceiling alike; SERVICE_NODE_OPTIONS replaces them (e.g. "" for Node's defaults, or "--max-semi-space-size=16").
 *
 * The main figure is CPU ms per request of each server process (/proc/<pid>/stat): on a machine shared
 * with other work it is far steadier than requests/s. Each service row is set against a ceiling that
 * parses the same request body and sends the same answer (bench/ceiling.ts): the difference is our work.
 * Rounds are interleaved (every scenario once, then again, ...) so drift hits every scenario alike.
 *
 *   tsx bench/run.ts [--rounds 3] [--seconds 2] [--warmup 1] [--connections 10] [--no-build]
 */
import { mkdtempSync, rmSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type autocannon from 'autocannon';
import {
  ROOT,
  buildService,
  cpuMs,
  freePort,
  machine,
  median,
  productionNodeArgs,
  rssKiB,
  runLoad,
  saveResult,
  startCeiling,
  startFhirChild,
  startService,
  type Child,
} from './lib.js';
import { draftOnlyBody, makeRecord, orderSelectBody, orderSelectMinimalBody, patientViewBody, patientViewQueries } from './records.js';
import { observationCodeTokens } from '../scripts/gen-minimal-prefetch.js';
import { formatTable, microTable, runMicro } from './micro.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const ROUNDS = arg('rounds', 3);
const SECONDS = arg('seconds', 2);
const WARMUP = arg('warmup', 1);
const CONNECTIONS = arg('connections', 10);

interface Scenario {
  key: string;
  label: string;
  target: 'service' | 'ceiling';
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Other than the run's connections (the single-connection latency row). */
  connections?: number;
  /** The same-bytes ceiling scenario this one is compared with. */
  ceiling?: string;
}

interface RunFigures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  cpuMsPerReq: number;
  /** Response counts by status code (to tell a 503 from load shedding from a 500). */
  statusCodes: Record<string, number>;
}

interface ScenarioResult {
  key: string;
  label: string;
  bodyBytes: number;
  connections: number;
  runs: RunFigures[];
  median: RunFigures;
  ratioToCeiling?: number;
  /** CPU ms/req over its same-bytes ceiling's. */
  cpuToCeiling?: number;
}

function figures(r: autocannon.Result, cpuDeltaMs: number): RunFigures {
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
    cpuMsPerReq: r.requests.total > 0 ? cpuDeltaMs / r.requests.total : NaN,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, v.count ?? 0])),
  };
}

function medianOf(runs: RunFigures[]): RunFigures {
  const pick = (k: 'rps' | 'p50' | 'p99' | 'cpuMsPerReq') => median(runs.map((r) => r[k]));
  return {
    rps: pick('rps'),
    p50: pick('p50'),
    p99: pick('p99'),
    errors: runs.reduce((a, r) => a + r.errors, 0),
    non2xx: runs.reduce((a, r) => a + r.non2xx, 0),
    requests: runs.reduce((a, r) => a + r.requests, 0),
    cpuMsPerReq: pick('cpuMsPerReq'),
    statusCodes: runs.reduce<Record<string, number>>((acc, r) => {
      for (const [code, n] of Object.entries(r.statusCodes)) acc[code] = (acc[code] ?? 0) + n;
      return acc;
    }, {}),
  };
}

async function post(url: string, body: string): Promise<{ status: number; json: any; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const json = await res.json().catch(() => undefined);
  return { status: res.status, json, ms: performance.now() - t0 };
}

/** The slowest of patient-view's FHIR reads, each timed alone (median of `n` sequential fetches). */
async function fhirQueryTimes(baseUrl: string, queries: string[], n: number): Promise<Array<{ query: string; medianMs: number; entries: number }>> {
  const out: Array<{ query: string; medianMs: number; entries: number }> = [];
  for (const q of queries) {
    const times: number[] = [];
    let entries = 0;
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await fetch(`${baseUrl}/${q}`, { headers: { accept: 'application/fhir+json' } });
      const body = (await res.json()) as { entry?: unknown[] };
      times.push(performance.now() - t0);
      entries = body.entry?.length ?? 1;
    }
    out.push({ query: q.replace(/patient=[^&]+/, 'patient=…'), medianMs: round1(median(times)), entries });
  }
  return out;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg().map((l) => l.toFixed(1)).join(' ');
  const tmp = mkdtempSync(join(tmpdir(), 'sih-bench-'));
  const children: Child[] = [];
  const cleanup = async () => {
    await Promise.all(children.map((c) => c.stop()));
  };
  process.on('SIGINT', () => {
    void cleanup().then(() => process.exit(130));
  });

  try {
    if (!process.argv.includes('--no-build')) buildService();
    const small = makeRecord('small');
    const large = makeRecord('large');
    const fhir = await startFhirChild(tmp, 'small');
    children.push(fhir);
    const serviceNodeArgs = process.env.SERVICE_NODE_OPTIONS !== undefined ? process.env.SERVICE_NODE_OPTIONS.split(' ').filter(Boolean) : productionNodeArgs();
    const service = await startService(tmp, {}, serviceNodeArgs);
    children.push(service);
    const refusing = `http://127.0.0.1:${await freePort()}/fhir/R4`; // nothing listens there

    const smallBody = JSON.stringify(orderSelectBody(small));
    const largeBody = JSON.stringify(orderSelectBody(large));
    const largeMinimalBody = JSON.stringify(orderSelectMinimalBody(large, observationCodeTokens()));
    const pvBody = JSON.stringify(patientViewBody(small, fhir.baseUrl));
    const draftBody = JSON.stringify(draftOnlyBody());
    const downBody = JSON.stringify(draftOnlyBody(refusing));
    const OS = '/cds-services/sih-imaging-order-select';

    const scenarios: Scenario[] = [
      { key: 'b', label: `(b) order-select, prefetch ${small.total} res`, target: 'service', method: 'POST', path: OS, body: smallBody, ceiling: 'eb' },
      { key: 'c', label: `(c) order-select, prefetch ${large.total} res`, target: 'service', method: 'POST', path: OS, body: largeBody, ceiling: 'ec' },
      { key: 'c1', label: `(c') the same, 1 connection`, target: 'service', method: 'POST', path: OS, body: largeBody, connections: 1, ceiling: 'ec1' },
      { key: 'h', label: '(h) record (c), minimal prefetch', target: 'service', method: 'POST', path: OS, body: largeMinimalBody, ceiling: 'eh' },
      { key: 'f', label: '(f) order-select, draft order only', target: 'service', method: 'POST', path: OS, body: draftBody, ceiling: 'ef' },
      { key: 'g', label: "(g) (f) + fhirServer refusing connections", target: 'service', method: 'POST', path: OS, body: downBody, ceiling: 'ef' },
      { key: 'd', label: `(d) patient-view via FHIR (${small.total} res)`, target: 'service', method: 'POST', path: '/cds-services/sih-imaging-patient-view', body: pvBody },
      { key: 'eb', label: '(e-b) ceiling, same bytes as (b)', target: 'ceiling', method: 'POST', path: '/ceiling/b', body: smallBody },
      { key: 'ec', label: '(e-c) ceiling, same bytes as (c)', target: 'ceiling', method: 'POST', path: '/ceiling/c', body: largeBody },
      { key: 'ec1', label: "(e-c') the same, 1 connection", target: 'ceiling', method: 'POST', path: '/ceiling/c', body: largeBody, connections: 1 },
      { key: 'eh', label: '(e-h) ceiling, same bytes as (h)', target: 'ceiling', method: 'POST', path: '/ceiling/h', body: largeMinimalBody },
      { key: 'ef', label: '(e-f) ceiling, same bytes as (f)', target: 'ceiling', method: 'POST', path: '/ceiling/f', body: draftBody },
      { key: 'e0', label: '(e0) ceiling, body (b), 12-byte answer', target: 'ceiling', method: 'POST', path: OS, body: smallBody },
    ];

    // Sanity: each service scenario answers 200 with the expected decision before any load; its answer
    // becomes the same-bytes ceiling's answer.
    const answers: Record<string, unknown> = {};
    for (const s of scenarios.filter((x) => x.target === 'service')) {
      const res = s.method === 'GET' ? await fetch(`${service.url}${s.path}`) : await fetch(`${service.url}${s.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: s.body! });
      if (res.status !== 200) throw new Error(`${s.label}: HTTP ${res.status} ${await res.text()}`);
      const json = (await res.json()) as { cards?: Array<{ summary: string; detail?: string }>; services?: unknown[] };
      if (s.key === 'b' || s.key === 'c' || s.key === 'c1' || s.key === 'h') {
        if (!json.cards?.[0]?.summary.includes('May Be Appropriate')) throw new Error(`${s.label}: unexpected answer ${JSON.stringify(json).slice(0, 300)}`);
      }
      if (s.key === 'd' && !(json.cards?.length)) throw new Error(`${s.label}: no card (FHIR read failed?)`);
      if (s.key === 'g' && !JSON.stringify(json.cards).includes('Not read from the record')) throw new Error(`${s.label}: the answer does not say what was missing`);
      answers[s.key] = json;
    }
    const answersFile = join(tmp, 'ceiling-answers.json');
    writeFileSync(answersFile, JSON.stringify(answers));
    const ceiling = await startCeiling(tmp, answersFile, serviceNodeArgs);
    children.push(ceiling);
    for (const s of scenarios.filter((x) => x.target === 'ceiling')) {
      const res = await fetch(`${ceiling.url}${s.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: s.body! });
      if (res.status !== 200) throw new Error(`${s.label}: HTTP ${res.status}`);
    }

    // Warm-up (JIT, connection pools, SQLite pages), then interleaved rounds.
    for (const s of scenarios) {
      const base = s.target === 'service' ? service.url : ceiling.url;
      await runLoad({ url: `${base}${s.path}`, method: s.method, ...(s.body ? { body: s.body } : {}), connections: s.connections ?? CONNECTIONS, durationS: WARMUP });
    }
    // Patient-view at rest (warm, no other load): the whole hook call against the slowest single FHIR query,
    // each timed alone from here (median of 20 sequential fetches).
    const queries = await fhirQueryTimes(fhir.baseUrl, patientViewQueries(small), 20);
    const pvAtRest: number[] = [];
    for (let i = 0; i < 30; i++) pvAtRest.push((await post(`${service.url}/cds-services/sih-imaging-patient-view`, pvBody)).ms);
    const slowest = Math.max(...queries.map((q) => q.medianMs));
    const pvMedian = round1(median(pvAtRest));

    const runs = new Map<string, RunFigures[]>(scenarios.map((s) => [s.key, []]));
    /** CPU of the FHIR server process per patient-view call (its 7 reads), to see who is the bottleneck. */
    const fhirCpuPerCall: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of scenarios) {
        const child = s.target === 'service' ? service : ceiling;
        const cpu0 = cpuMs(child.pid);
        const fhirCpu0 = cpuMs(fhir.pid);
        const r = await runLoad({ url: `${child.url}${s.path}`, method: s.method, ...(s.body ? { body: s.body } : {}), connections: s.connections ?? CONNECTIONS, durationS: SECONDS });
        runs.get(s.key)!.push(figures(r, cpuMs(child.pid) - cpu0));
        if (s.key === 'd') fhirCpuPerCall.push((cpuMs(fhir.pid) - fhirCpu0) / Math.max(1, r.requests.total));
        process.stderr.write(`  round ${round + 1}/${ROUNDS} ${s.label}: ${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms\n`);
      }
    }

    const results: ScenarioResult[] = scenarios.map((s) => ({
      key: s.key,
      label: s.label,
      bodyBytes: s.body ? Buffer.byteLength(s.body) : 0,
      connections: s.connections ?? CONNECTIONS,
      runs: runs.get(s.key)!,
      median: medianOf(runs.get(s.key)!),
    }));
    const byKey = (k: string): ScenarioResult => results.find((r) => r.key === k)!;
    for (const s of scenarios) {
      if (!s.ceiling) continue;
      // Per round (the service and its ceiling ran minutes apart at most), then the median of the rounds.
      const mine = runs.get(s.key)!;
      const theirs = runs.get(s.ceiling)!;
      const r = byKey(s.key);
      r.cpuToCeiling = median(mine.map((x, i) => x.cpuMsPerReq / theirs[i]!.cpuMsPerReq));
      r.ratioToCeiling = r.median.rps / byKey(s.ceiling).median.rps;
    }

    // The decision core without HTTP (bench/micro.ts), in this process, after the HTTP rounds.
    const micro = [await runMicro(small, 2), await runMicro(large, 2)];

    const serviceRss = rssKiB(service.pid);
    const hookLines = (() => {
      const log = join(tmp, 'service.log');
      if (!existsSync(log)) return 0;
      return (readFileSync(log, 'utf8').match(/"msg":"hook answered"/g) ?? []).length;
    })();

    const head = ['scenario', 'bytes in', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'CPU ms/req', 'CPU vs same-bytes ceiling'];
    const rows = results.map((r) => [
      r.label,
      r.bodyBytes ? String(r.bodyBytes) : '–',
      r.median.rps.toFixed(0),
      r.median.p50.toFixed(1),
      r.median.p99.toFixed(1),
      String(r.median.errors),
      r.median.non2xx === 0
        ? '0'
        : `${r.median.non2xx} (${Object.entries(r.median.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${n}x${c}`).join(' ')})`,
      r.median.cpuMsPerReq.toFixed(3),
      r.cpuToCeiling !== undefined ? `${r.cpuToCeiling.toFixed(2)}x` : '–',
    ]);
    const m = machine();
    const table = formatTable(head, rows);
    const x = (k: string) => `${byKey(k).cpuToCeiling!.toFixed(2)}x`;
    const targets = [
      `order-select small (b): ${x('b')} its same-bytes ceiling's CPU (target <= 2x), p99 ${byKey('b').median.p99} ms (target < 15)`,
      `order-select large (c): ${x('c')} its ceiling's CPU (target <= 1.3x), p99 ${byKey('c').median.p99} ms at ${CONNECTIONS} connections (target < 100), ${byKey('c1').median.p99} ms at 1`,
      `fhirServer refusing (g): ${byKey('g').median.cpuMsPerReq.toFixed(3)} CPU ms vs ${byKey('f').median.cpuMsPerReq.toFixed(3)} without fhirServer (f) (target: within 0.2 ms)`,
      `patient-view at rest: median ${pvMedian} ms vs slowest single FHIR query ${slowest} ms (target <= slowest + 20 ms: ${pvMedian <= slowest + 20 ? 'met' : 'NOT met'})`,
    ];
    const output = [
      `SIH CDS benchmark: ${m.cpus} x ${m.cpuModel}, ${m.memGiB} GiB, Node ${m.node}, ${m.os}, load average at start ${loadAtStart}`,
      `${CONNECTIONS} connections (rows with ' : 1); each figure is the median of ${ROUNDS} runs x ${SECONDS} s after a ${WARMUP} s warm-up per scenario; rounds interleaved.`,
      `Service: node ${serviceNodeArgs.join(' ')}${serviceNodeArgs.length ? ' ' : ''}dist/src/server.js, AUTH_MODE=off, RATE_LIMIT_MAX=1e9, LOG_LEVEL=info (to a file), audit to a temp SQLite file.`,
      `Ceilings: bare Fastify parsing the same body and sending the same answer object (e0: the old 12-byte answer), same node flags.`,
      'errors and non-2xx are totals over all runs. CPU ms/req = server process CPU time / requests; "vs ceiling" is per round, then the median.',
      '',
      table,
      '',
      'decision core without HTTP (assemble from prefetch + decide + render, per call):',
      microTable(micro),
      '',
      'patient-view at rest (after warm-up, sequential): median of 30 hook calls vs its FHIR reads, each alone (median of 20):',
      ...queries.map((q) => `  ${q.query.padEnd(48)} ${String(q.medianMs).padStart(6)} ms  (${q.entries} entries)`),
      ...targets.map((t) => `- ${t}`),
      `- under load, the FHIR server process spent ${median(fhirCpuPerCall).toFixed(2)} CPU ms per patient-view call (its 7 reads), the service ${byKey('d').median.cpuMsPerReq.toFixed(2)}`,
      `service RSS at the end: ${(serviceRss / 1024).toFixed(0)} MiB; "hook answered" log lines: ${hookLines}`,
      `total time: ${((Date.now() - started) / 1000).toFixed(0)} s`,
    ].join('\n');
    console.log(output);

    const json = {
      date: new Date().toISOString(),
      machine: { ...m, loadAverageAtStart: loadAtStart },
      settings: { connections: CONNECTIONS, rounds: ROUNDS, seconds: SECONDS, warmupSeconds: WARMUP, service: { entry: 'dist/src/server.js', nodeArgs: serviceNodeArgs, AUTH_MODE: 'off', RATE_LIMIT_MAX: 1e9, LOG_LEVEL: 'info' } },
      records: { small: small.total, large: large.total },
      scenarios: results.map((r) => ({ ...r, median: { ...r.median } })),
      micro,
      patientView: { fhirCpuMsPerCall: median(fhirCpuPerCall), fhirQueries: queries, slowestQueryMs: slowest, atRestMedianMs: pvMedian, atRestRuns: pvAtRest.length },
      serviceRssMiB: Math.round(serviceRss / 1024),
      hookAnsweredLines: hookLines,
      totalSeconds: Math.round((Date.now() - started) / 1000),
      table: output,
    };
    const file = saveResult('http', json);
    console.log(`results: ${file.replace(ROOT, '')} and bench/latest.json (key "http")`);
  } finally {
    await cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
