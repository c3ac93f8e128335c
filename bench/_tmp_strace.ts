import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync, spawn } from 'node:child_process';
import { runLoad, startService, startCeiling } from './lib.js';
import { draftOnlyBody } from './records.js';
const tmp = mkdtempSync(join(tmpdir(), 'st-'));
const body = JSON.stringify(draftOnlyBody());
const svc = await startService(tmp, {});
const res = await (await fetch(`${svc.url}/cds-services/sih-imaging-order-select`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json();
writeFileSync(join(tmp, 'a.json'), JSON.stringify({ f: res }));
const ceil = await startCeiling(tmp, join(tmp, 'a.json'));
for (const [name, c, path] of [['service', svc, '/cds-services/sih-imaging-order-select'], ['ceiling', ceil, '/ceiling/f']] as const) {
  await runLoad({ url: c.url + path, method: 'POST', body, connections: 10, durationS: 1 });
  const st = spawn('strace', ['-c', '-f', '-p', String(c.pid), '-o', join(tmp, name + '.strace')]);
  await new Promise((r) => setTimeout(r, 500));
  const r = await runLoad({ url: c.url + path, method: 'POST', body, connections: 10, durationS: 3 });
  st.kill('SIGINT'); await new Promise((r) => st.once('exit', r));
  console.log(name, r.requests.total, 'requests');
  console.log(spawnSync('head', ['-25', join(tmp, name + '.strace')]).stdout.toString());
}
await svc.stop(); await ceil.stop();
