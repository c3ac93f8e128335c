/**
 * Storage faults (issue 12, cases 5 and 6 and store health): a database deleted, replaced, read-only,
 * full, corrupted mid-file, or on a frozen disk. Each time the service must keep answering hooks and
 * probes, say not-ready, and refuse feedback with 503 rather than acknowledge what it cannot keep.
 * Before the fix SQLite ran on the event loop (a frozen disk froze every answer) and feedback into a
 * deleted file got 200 and vanished at restart.
 */
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, renameSync, rmSync, statfsSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { buildAuditRecord } from '../../src/store/audit-record.js';
import { makeAuditInput, makeCard } from '../fixtures/audit-fixtures.js';
import { fixtureRequest } from '../fixtures/service.js';
import {
  FAST_HEALTH,
  SERVICE,
  eventually,
  feedbackBody,
  mountFreezable,
  mountTmpfs,
  postJson,
  readyStatus,
  serveWithStore,
  tempDir,
} from '../fixtures/fault-harness.js';

function assertRefused(t: Test, res: { status: number; json: any; headers: Headers }, what: string): void {
  t.equal(res.status, 503, `${what}: feedback refused with 503, never 200`);
  t.equal(res.json?.resourceType, 'OperationOutcome', `${what}: as an OperationOutcome`);
  t.ok(res.headers.get('retry-after'), `${what}: with Retry-After`);
}

/** Skips a disk case with the reason printed (TAP `1..0 # SKIP reason`). */
function skip(t: Test, reason: string): void {
  t.comment(`skipped: ${reason}`);
  t.plan(0, reason);
}

t.test('database file deleted under the running service: not ready, feedback refused', async (t) => {
  const dir = tempDir(t, 'sih-fault-del-');
  const path = join(dir, 'audit.sqlite');
  const s = await serveWithStore(t, path);
  t.equal((await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('before'))).status, 200);
  t.equal(await readyStatus(s.url), 200);
  for (const f of ['', '-wal', '-shm']) rmSync(path + f, { force: true });
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 503), '/readyz says not-ready within seconds');
  assertRefused(t, await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('after')), 'deleted');
  t.ok(s.logs.some((l) => l.includes('feedback refused: store unhealthy')), 'logged');
  t.equal((await fetch(`${s.url}/healthz`)).status, 200, 'liveness still answers');
});

t.test('database file replaced under the running service: not ready, feedback refused', async (t) => {
  const dir = tempDir(t, 'sih-fault-repl-');
  const path = join(dir, 'audit.sqlite');
  const other = join(dir, 'other.sqlite');
  await openSqliteStore(other).close();
  const s = await serveWithStore(t, path);
  t.equal(await readyStatus(s.url), 200);
  renameSync(other, path);
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 503), '/readyz says not-ready');
  assertRefused(t, await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('x')), 'replaced');
  const h = await s.store.health();
  t.match(h.reason, /replaced/);
});

t.test('read-only database file: not ready, feedback refused', async (t) => {
  const fs = mountTmpfs(t, 4096);
  if ('skip' in fs) return skip(t, fs.skip);
  const path = join(fs.dir, 'audit.sqlite');
  const s = await serveWithStore(t, path, FAST_HEALTH);
  t.equal(await readyStatus(s.url), 200);
  // chattr +i: read-only even for root (chmod is not, and a read-only remount is refused while open).
  execFileSync('chattr', ['+i', path]);
  t.teardown(() => execFileSync('chattr', ['-i', path]));
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 503), '/readyz says not-ready');
  assertRefused(t, await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('x')), 'read-only');
  t.match((await s.store.health()).reason, /read-only/);
  execFileSync('chattr', ['-i', path]);
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 200), 'ready again once writable');
});

t.test('disk (nearly) full: not ready, feedback refused; acknowledged feedback is all there', async (t) => {
  const fs = mountTmpfs(t, 4096);
  if ('skip' in fs) return skip(t, fs.skip);
  const path = join(fs.dir, 'audit.sqlite');
  const s = await serveWithStore(t, path, { ...FAST_HEALTH, minFreeBytes: 512 * 1024 });
  const acked: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody(`full-${i}`, i));
    if (r.status === 200) acked.push(`full-${i}`);
  }
  t.equal(acked.length, 5, 'stored while there is room');
  // Fill the file system, leaving less than the configured minimum free.
  const st = statfsSync(fs.dir);
  const fill = st.bavail * st.bsize - 128 * 1024;
  const fd = openSync(join(fs.dir, 'filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  for (let written = 0; written < fill; written += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, fill - written));
  closeSync(fd);
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 503), '/readyz says not-ready');
  assertRefused(t, await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('full-x', 99)), 'full');
  t.match((await s.store.health()).reason, /full/);
  rmSync(join(fs.dir, 'filler'));
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 200), 'ready again with room');
  await s.store.close();
  const db = new Database(path, { readonly: true });
  const cards = (db.prepare('SELECT card_uuid FROM feedback').pluck().all() as string[]).sort();
  db.close();
  t.same(cards, acked.sort(), 'every acknowledged item is stored, nothing refused is');
});

t.test('corruption in the middle of the file, found later, is reported', async (t) => {
  const dir = tempDir(t, 'sih-fault-corrupt-');
  const path = join(dir, 'audit.sqlite');
  const seed = openSqliteStore(path);
  const recs = Array.from({ length: 400 }, (_, i) =>
    buildAuditRecord(makeAuditInput({ hookInstance: `h-${i}`, cards: [makeCard(`c-${i}`)] })),
  );
  await seed.recordDecisions(recs);
  await seed.close();
  const s = await serveWithStore(t, path, { ...FAST_HEALTH, integrityIntervalMs: 300 });
  t.equal(await readyStatus(s.url), 200, 'sound at start');
  const size = statSync(path).size;
  t.ok(size > 64 * 1024, `a database of several pages (${size} bytes)`);
  // Garbage over a few pages in the middle (not the header, which start-up checks).
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(3 * 4096, 0xa5), 0, 3 * 4096, Math.floor(size / 2 / 4096) * 4096);
  closeSync(fd);
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 503), '/readyz says not-ready');
  t.match((await s.store.health()).reason, /corrupt/);
  assertRefused(t, await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('x')), 'corrupt');
});

t.test('a frozen disk delays neither hooks nor probes; feedback gets 503; audit is dropped and counted', async (t) => {
  const fs = mountFreezable(t);
  if ('skip' in fs) return skip(t, fs.skip);
  const path = join(fs.dir, 'audit.sqlite');
  const s = await serveWithStore(t, path, FAST_HEALTH, {}, { maxQueue: 3, batchMs: 0 });
  t.equal((await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('pre'))).status, 200);
  const hook = fixtureRequest('order-select-v5-mr-myelography.json');
  t.equal((await postJson(`${s.url}/cds-services/sih-imaging-order-select`, hook)).status, 200);

  fs.freeze(20_000);
  let thawed = false;
  // Everything below happens while the disk is frozen: the answers arriving at all is the proof.
  const health = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(8000) });
  t.equal(health.status, 200, '/healthz answers during the freeze');
  for (let i = 0; i < 8; i++) {
    const r = await postJson(`${s.url}/cds-services/sih-imaging-order-select`, { ...hook, hookInstance: `frozen-${i}` }, 8000);
    t.equal(r.status, 200, `hook call ${i} answered during the freeze`);
  }
  const fb = await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('frozen'), 8000);
  assertRefused(t, fb, 'frozen disk');
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 503, 8000), '/readyz not-ready during the freeze');
  t.ok(s.audit.stats.dropped > 0, `audit records dropped when the queue was full (${s.audit.stats.dropped}), counted`);
  t.ok(s.logs.some((l) => l.includes('audit queue full')), 'and logged');
  t.notOk(thawed, 'all of that while the disk was still frozen');
  await fs.thaw();
  thawed = true;
  t.ok(await eventually(async () => (await readyStatus(s.url)) === 200, 10_000), 'ready again after the thaw');
  t.equal((await postJson(`${s.url}/cds-services/${SERVICE}/feedback`, feedbackBody('after'))).status, 200, 'feedback accepted again');
});
