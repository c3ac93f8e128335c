/**
 * `--max-semi-space-size` for the service: the young generation's size decides how often V8 scavenges, and a
 * 1.3 MB hook body allocates several MB per call. Each setting runs in its own child process (the flag is a
 * start-up flag), taking turns round after round; each process does what the hook route does between
 * receiving the bytes and answering, for `seconds`: JSON.parse of the body, validation, assembly,
 * decision, rendering, JSON.stringify of the answer. Reported per call: CPU ms (process.cpuUsage), GC ms
 * and the longest pause (perf_hooks 'gc' entries), and the RSS at the end.
 *
 *   tsx bench/gc.ts [--sizes 0,16,32,64] [--rounds 3] [--seconds 4] [--record large|small]
 * (0 = Node's default). A child is this file with --child.
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseHookRequest } from '../src/protocol/request-schema.js';
import { assemblePatientRecord, type AssembleOptions } from '../src/fhir/assemble.js';
import { createAllowList } from '../src/fhir/allowlist.js';
import { Limiter } from '../src/fhir/limiter.js';
import { createAdvisor } from '../src/advisor.js';
import { fixedClock } from '../src/engine/clock.js';
import { makeRecord, orderSelectBody } from './records.js';
import { ROOT, median } from './lib.js';
import { formatTable } from './micro.js';

const opt = (name: string, d: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : d;
};

interface ChildResult {
  calls: number;
  cpuMsPerCall: number;
  gcMsPerCall: number;
  maxPauseMs: number;
  rssMiB: number;
}

async function child(): Promise<void> {
  const record = makeRecord(opt('record', 'large') as 'large' | 'small');
  const text = JSON.stringify(orderSelectBody(record));
  const opts: AssembleOptions = { allowList: createAllowList(['loopback']), limiter: new Limiter(32), deadlineMs: 2000, maxPages: 10, pageSize: 200, maxResponseBytes: 8e6 };
  const advisor = createAdvisor({ now: fixedClock('2026-11-26T12:00:00Z').now, render: { mirrorSystemActions: true } });
  const once = async (): Promise<void> => {
    const parsed = parseHookRequest(JSON.parse(text), 'order-select');
    if (!parsed.ok) throw new Error('bench body does not parse');
    const assembled = await assemblePatientRecord(parsed.request, opts);
    if (!assembled.ok) throw new Error('assemble failed');
    JSON.stringify(advisor(parsed.request, assembled.record).response);
  };
  const warmUntil = performance.now() + 1500;
  while (performance.now() < warmUntil) await once();
  let gcMs = 0;
  let maxPause = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      maxPause = Math.max(maxPause, e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const c0 = process.cpuUsage();
  const until = performance.now() + Number(opt('seconds', '4')) * 1000;
  let calls = 0;
  while (performance.now() < until) {
    await once();
    calls++;
  }
  const c = process.cpuUsage(c0);
  await new Promise((r) => setTimeout(r, 50)); // let the observer deliver
  obs.disconnect();
  const out: ChildResult = { calls, cpuMsPerCall: (c.user + c.system) / 1000 / calls, gcMsPerCall: gcMs / calls, maxPauseMs: maxPause, rssMiB: process.memoryUsage().rss / 1048576 };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function parent(): void {
  const sizes = opt('sizes', '0,16,32,64').split(',').map(Number);
  const rounds = Number(opt('rounds', '3'));
  const results = new Map<number, ChildResult[]>(sizes.map((s) => [s, []]));
  const self = fileURLToPath(import.meta.url);
  for (let r = 0; r < rounds; r++) {
    for (const size of sizes) {
      const flags = size > 0 ? [`--max-semi-space-size=${size}`] : [];
      const run = spawnSync(process.execPath, [...flags, '--import', 'tsx', self, '--child', '--record', opt('record', 'large'), '--seconds', opt('seconds', '4')], { cwd: ROOT, encoding: 'utf8' });
      if (run.status !== 0) throw new Error(run.stderr);
      const res = JSON.parse(run.stdout.trim().split('\n').pop()!) as ChildResult;
      results.get(size)!.push(res);
      process.stderr.write(`  round ${r + 1} semi-space ${size || 'default'}: ${res.cpuMsPerCall.toFixed(2)} CPU ms, GC ${res.gcMsPerCall.toFixed(2)} ms/call, max pause ${res.maxPauseMs.toFixed(1)} ms, RSS ${res.rssMiB.toFixed(0)} MiB\n`);
    }
  }
  const rows = sizes.map((size) => {
    const rs = results.get(size)!;
    const m = (k: keyof ChildResult) => median(rs.map((x) => x[k]));
    return [size ? `${size} MB` : 'default', m('cpuMsPerCall').toFixed(2), m('gcMsPerCall').toFixed(2), m('maxPauseMs').toFixed(1), m('rssMiB').toFixed(0)];
  });
  console.log(`--max-semi-space-size, record ${opt('record', 'large')}, Node ${process.version}: median of ${rounds} rounds x ${opt('seconds', '4')} s, settings interleaved`);
  console.log(formatTable(['semi-space', 'CPU ms/call', 'GC ms/call', 'max GC pause ms', 'RSS MiB'], rows));
}

if (process.argv.includes('--child')) await child();
else parent();
