/**
 * `npm run bench:memory`: RSS of the service under a steady load. order-select with the small record at a
 * fixed overall rate (autocannon `overallRate`, default 200 req/s, 10 connections) for 60 s; the service's
 * RSS is read from /proc/<pid>/status every second (no debug route: the service is unchanged). Growth is
 * measured from the 10 s after a 10 s warm-up to the last 10 s (medians of the 1 s samples). Target: < 10 %.
 *
 *   tsx bench/memory.ts [--seconds 60] [--rate 200] [--warmup 10]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, machine, median, rssKiB, runLoad, saveResult, startService } from './lib.js';
import { makeRecord, orderSelectBody } from './records.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 60);
  const rate = arg('rate', 200);
  const warmup = arg('warmup', 10);
  const tmp = mkdtempSync(join(tmpdir(), 'sih-mem-'));
  const service = await startService(tmp);
  try {
    const body = JSON.stringify(orderSelectBody(makeRecord('small')));
    const samples: Array<{ t: number; rssMiB: number }> = [];
    const t0 = Date.now();
    const sample = () => samples.push({ t: Math.round((Date.now() - t0) / 1000), rssMiB: Math.round((rssKiB(service.pid) / 1024) * 10) / 10 });
    sample();
    const timer = setInterval(sample, 1000);
    const result = await runLoad({
      url: `${service.url}/cds-services/sih-imaging-order-select`,
      method: 'POST',
      body,
      connections: 10,
      durationS: seconds,
      overallRate: rate,
    });
    clearInterval(timer);
    sample();

    // RSS swings ±15% with each major GC: compare the median of the 10 s after the warm-up with the median
    // of the last 10 s, rather than two single samples.
    const window = (from: number, to: number) => median(samples.filter((s) => s.t >= from && s.t < to).map((s) => s.rssMiB));
    const startRss = window(warmup, warmup + 10);
    const endRss = window(seconds - 10, seconds + 1);
    const peak = Math.max(...samples.filter((s) => s.t >= warmup).map((s) => s.rssMiB));
    const growth = (endRss - startRss) / startRss;
    const line = samples.filter((s) => s.t % 5 === 0).map((s) => `${s.t}s:${s.rssMiB}`).join(' ');
    const m = machine();
    const out = [
      `memory: order-select small record, ${rate} req/s target for ${seconds} s, 10 connections (${m.cpus} x ${m.cpuModel}, Node ${m.node})`,
      `achieved ${Math.round(result.requests.average)} req/s, ${result.requests.total} requests, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, errors ${result.errors}, non-2xx ${result.non2xx}`,
      `RSS MiB every 5 s: ${line}`,
      `RSS median ${warmup}-${warmup + 10} s: ${startRss} MiB; median of the last 10 s: ${endRss} MiB; peak: ${peak} MiB; growth: ${(growth * 100).toFixed(1)}% (target < 10%: ${growth < 0.1 ? 'met' : 'NOT met'})`,
    ].join('\n');
    console.log(out);
    const json = {
      date: new Date().toISOString(),
      machine: m,
      settings: { seconds, rate, warmupSeconds: warmup, connections: 10 },
      achievedRps: result.requests.average,
      requests: result.requests.total,
      latency: { p50: result.latency.p50, p99: result.latency.p99 },
      errors: result.errors,
      non2xx: result.non2xx,
      rss: { afterWarmupMiB: startRss, endMiB: endRss, peakMiB: peak, growth },
      samples,
      table: out,
    };
    const file = saveResult('memory', json);
    console.log(`results: ${file.replace(ROOT, '')} and bench/latest.json (key "memory")`);
  } finally {
    await service.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
