/**
 * `tsx bench/profile.ts [b|c|d|f] [seconds]`: CPU profile of the service under one scenario's load. The service
 * runs with `node --cpu-prof`; after the load it is stopped (SIGTERM → graceful exit writes the profile) and
 * the top functions by self time are printed. The .cpuprofile stays in bench/results/ (open it in Chrome
 * DevTools or speedscope).
 */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runLoad, startFhirChild, startService, type Child } from './lib.js';
import { draftOnlyBody, makeRecord, orderSelectBody, patientViewBody } from './records.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
  children?: number[];
}

export function summarise(file: string, top = 35): string {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  prof.samples.forEach((id, i) => {
    const n = byId.get(id)!;
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    const f = n.callFrame;
    const where = f.url ? `${f.url.replace(/^.*\/work\/main\//, '').replace(/^file:\/\//, '')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`;
    self.set(key, (self.get(key) ?? 0) + dt);
  });
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  return rows.map(([k, v]) => `${((v / total) * 100).toFixed(1).padStart(5)}%  ${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`).join('\n');
}

async function main(): Promise<void> {
  const scenario = process.argv[2] ?? 'b';
  const seconds = Number(process.argv[3] ?? 10);
  const tmp = mkdtempSync(join(tmpdir(), 'sih-prof-'));
  const profDir = join(tmp, 'prof');
  const children: Child[] = [];
  try {
    let body: string;
    let path = '/cds-services/sih-imaging-order-select';
    if (scenario === 'd') {
      const fhir = await startFhirChild(tmp, 'small');
      children.push(fhir);
      body = JSON.stringify(patientViewBody(makeRecord('small'), fhir.baseUrl));
      path = '/cds-services/sih-imaging-patient-view';
    } else if (scenario === 'f') {
      body = JSON.stringify(draftOnlyBody());
    } else {
      body = JSON.stringify(orderSelectBody(makeRecord(scenario === 'c' ? 'large' : 'small')));
    }
    const service = await startService(tmp, {}, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
    children.push(service);
    const r = await runLoad({ url: `${service.url}${path}`, method: 'POST', body, connections: Number(process.env.PROFILE_CONNECTIONS ?? 10), durationS: seconds });
    console.log(`scenario ${scenario}: ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non2xx ${r.non2xx}`);
    await service.stop();
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    const kept = join(ROOT, `bench/results/profile-${scenario}.cpuprofile`);
    renameSync(join(profDir, file), kept);
    console.log(summarise(kept));
    console.log(`profile: ${kept}`);
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
