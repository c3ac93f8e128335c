/**
 * A/B of two service builds or settings on the same machine in the same run: the figure each change in
 * issue 13 was judged by. Both services run as production runs them (`node dist/src/server.js`, compiled
 * beforehand in their own trees), on loopback, and take turns scenario by scenario (A b, B b, A c, B c, …,
 * round after round) so drift on a shared machine hits both alike. Reported: CPU ms per request of each
 * server process (/proc/<pid>/stat), median over rounds, and p99.
 *
 *   tsx bench/ab.ts [--a DIR] [--b DIR] [--env-a K=V,K=V] [--env-b K=V] [--node-a "--flag"] [--node-b "--flag"]
 *                   [--only b,c,f,g] [--rounds 3] [--seconds 4] [--connections 10]
 *
 * DIR is a checkout with node_modules reachable and `dist/` built (`npx tsc -p tsconfig.build.json`);
 * both default to this tree. Scenarios: b small record full prefetch, c large record full prefetch,
 * f draft order only (no fhirServer), g draft order only with a fhirServer that refuses connections.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, cpuMs, freePort, median, rssKiB, runLoad, startService, type Child } from './lib.js';
import { draftOnlyBody, makeRecord, orderSelectBody } from './records.js';
import { formatTable } from './micro.js';

function opt(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const num = (name: string, d: number): number => Number(opt(name) ?? d);
const envOf = (s: string | undefined): Record<string, string> =>
  Object.fromEntries((s ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

const ROUNDS = num('rounds', 3);
const SECONDS = num('seconds', 4);
const CONNECTIONS = num('connections', 10);

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'sih-ab-'));
  const children: Child[] = [];
  try {
    const closed = await freePort(); // nothing listens here: connections are refused
    const bodies: Record<string, { label: string; body: string; service: string }> = {
      b: { label: 'small record, full prefetch', body: JSON.stringify(orderSelectBody(makeRecord('small'))), service: 'sih-imaging-order-select' },
      c: { label: 'large record, full prefetch', body: JSON.stringify(orderSelectBody(makeRecord('large'))), service: 'sih-imaging-order-select' },
      f: { label: 'draft order only', body: JSON.stringify(draftOnlyBody()), service: 'sih-imaging-order-select' },
      g: { label: 'draft order only, FHIR refusing', body: JSON.stringify(draftOnlyBody(`http://127.0.0.1:${closed}/fhir/R4`)), service: 'sih-imaging-order-select' },
    };
    const keys = (opt('only') ?? 'b,c,f,g').split(',').filter((k) => k in bodies);
    const sides = [
      { name: 'A', dir: opt('a') ?? ROOT, env: envOf(opt('env-a')), node: (opt('node-a') ?? '').split(' ').filter(Boolean) },
      { name: 'B', dir: opt('b') ?? ROOT, env: envOf(opt('env-b')), node: (opt('node-b') ?? '').split(' ').filter(Boolean) },
    ];
    const services = await Promise.all(sides.map((s) => startService(tmp, s.env, s.node, s.dir, `service-${s.name}`)));
    children.push(...services);
    for (const s of sides) process.stderr.write(`${s.name}: ${s.dir} env=${JSON.stringify(s.env)} node=${s.node.join(' ')}\n`);

    const results = new Map<string, { cpu: number[]; p99: number[]; p50: number[]; non2xx: number }>();
    /** B's CPU over A's, per scenario, per round: the two ran back to back, so load drift mostly cancels. */
    const ratios = new Map<string, number[]>();
    const load = (svc: Child, key: string, seconds: number) =>
      runLoad({ url: `${svc.url}/cds-services/${bodies[key]!.service}`, method: 'POST', body: bodies[key]!.body, connections: CONNECTIONS, durationS: seconds });
    for (const key of keys) for (const svc of services) await load(svc, key, 2); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      for (const key of keys) {
        for (const [i, svc] of services.entries()) {
          const c0 = cpuMs(svc.pid);
          const r = await load(svc, key, SECONDS);
          const cpu = (cpuMs(svc.pid) - c0) / Math.max(1, r.requests.total);
          const id = `${key}|${sides[i]!.name}`;
          const acc = results.get(id) ?? { cpu: [], p99: [], p50: [], non2xx: 0 };
          acc.cpu.push(cpu);
          acc.p99.push(r.latency.p99);
          acc.p50.push(r.latency.p50);
          acc.non2xx += r.non2xx + r.errors;
          results.set(id, acc);
          if (i === 1) ratios.set(key, [...(ratios.get(key) ?? []), cpu / results.get(`${key}|A`)!.cpu.at(-1)!]);
          process.stderr.write(`  round ${round + 1} ${key} ${sides[i]!.name}: ${cpu.toFixed(3)} CPU ms/req, p99 ${r.latency.p99} ms\n`);
        }
      }
    }
    const rows = keys.map((key) => {
      const a = results.get(`${key}|A`)!;
      const b = results.get(`${key}|B`)!;
      const ca = median(a.cpu);
      const cb = median(b.cpu);
      return [
        `${key} ${bodies[key]!.label}`,
        ca.toFixed(3),
        cb.toFixed(3),
        `${((median(ratios.get(key)!) - 1) * 100).toFixed(0)}%`,
        `${median(a.p99)} / ${median(b.p99)}`,
        `${a.non2xx} / ${b.non2xx}`,
      ];
    });
    console.log(`${CONNECTIONS} connections, median of ${ROUNDS} interleaved rounds x ${SECONDS} s`);
    console.log(formatTable(['scenario', 'A CPU ms/req', 'B CPU ms/req', 'B vs A (median of rounds)', 'p99 ms A / B', 'errors+non2xx A / B'], rows));
    console.log(`RSS at the end: A ${(rssKiB(services[0]!.pid) / 1024).toFixed(0)} MiB, B ${(rssKiB(services[1]!.pid) / 1024).toFixed(0)} MiB`);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
