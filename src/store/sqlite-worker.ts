/**
 * Worker-thread entry of the SQLite store (opened by worker-store.ts). Every SQLite call and every
 * fsync runs here, so a stalled or failing disk stalls this thread only, never the event loop that
 * answers hooks and probes.
 *
 * Besides answering requests, the worker checks the database every `healthIntervalMs` and posts the
 * result; the main thread treats a missing report as a stall. What it notices:
 * - the file deleted or replaced under the service (its inode changed): SQLite would keep writing to the
 *   unlinked file and every acknowledgement would be lost at restart, so this is sticky until restart;
 * - the file or its directory not writable (read-only mount, permissions), or a probe write failing;
 * - free space on the file system below `minFreeBytes`;
 * - a write that failed with a disk error (full, I/O, read-only): not-ok for `errorHoldMs` afterwards;
 * - corruption: any SQLITE_CORRUPT/NOTADB error, or `PRAGMA quick_check` (every `integrityIntervalMs`)
 *   finding a problem: sticky.
 */
import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteDb, type SqliteDb } from './sqlite-store.js';
import type { StoreHealth } from './store.js';

export interface WorkerOptions {
  path: string;
  healthIntervalMs: number;
  integrityIntervalMs: number;
  minFreeBytes: number;
  errorHoldMs: number;
}

export type WorkerRequest =
  | { id: number; op: 'recordDecisions'; args: [unknown[]] }
  | { id: number; op: 'recordFeedback'; args: [string, unknown[], Date, object | undefined] }
  | { id: number; op: 'summary'; args: [object] }
  | { id: number; op: 'prune'; args: [Date] }
  | { id: number; op: 'close'; args: [] };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'open-failed'; message: string }
  | { type: 'health'; health: StoreHealth }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; message: string; code?: string };

const port = parentPort;
if (!port) throw new Error('sqlite-worker must run in a worker thread');
const opts = workerData as WorkerOptions;

let db: SqliteDb;
try {
  db = openSqliteDb(opts.path);
} catch (err) {
  port.postMessage({ type: 'open-failed', message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage);
  process.exit(0);
}
const identity = fileIdentity(opts.path);

let sticky: string | undefined;
let lastError: { reason: string; at: number } | undefined;
let lastIntegrity = Date.now();

function fileIdentity(path: string): string | undefined {
  if (path === ':memory:') return undefined;
  const s = statSync(path);
  return `${s.dev}:${s.ino}`;
}

/** A SQLite error code in words, and whether it means the disk or file is at fault. */
function classify(err: unknown): { reason: string; disk: boolean; corrupt: boolean } {
  const code = (err as { code?: unknown }).code;
  const c = typeof code === 'string' ? code : '';
  if (c.startsWith('SQLITE_CORRUPT') || c === 'SQLITE_NOTADB') return { reason: `database corrupt (${c})`, disk: true, corrupt: true };
  if (c.startsWith('SQLITE_FULL')) return { reason: 'disk full (SQLITE_FULL)', disk: true, corrupt: false };
  if (c.startsWith('SQLITE_READONLY')) return { reason: `database read-only (${c})`, disk: true, corrupt: false };
  if (c.startsWith('SQLITE_IOERR') || c.startsWith('SQLITE_CANTOPEN')) return { reason: `disk I/O error (${c})`, disk: true, corrupt: false };
  return { reason: c || 'write failed', disk: false, corrupt: false };
}

function noteError(err: unknown): void {
  const k = classify(err);
  if (k.corrupt) sticky ??= k.reason;
  else if (k.disk) lastError = { reason: k.reason, at: Date.now() };
}

function check(): StoreHealth {
  const now = new Date();
  const bad = (reason: string): StoreHealth => ({ ok: false, reason, checkedAt: now.toISOString() });
  if (sticky) return bad(sticky);
  if (identity !== undefined) {
    let current: string | undefined;
    try {
      current = fileIdentity(opts.path);
    } catch {
      sticky = 'database file was deleted under the running service (restart it)';
      return bad(sticky);
    }
    if (current !== identity) {
      sticky = 'database file was replaced under the running service (restart it)';
      return bad(sticky);
    }
    try {
      accessSync(opts.path, constants.W_OK);
      accessSync(dirname(opts.path), constants.W_OK);
    } catch {
      return bad('database file or directory is read-only');
    }
    try {
      const fs = statfsSync(dirname(opts.path));
      const free = fs.bavail * fs.bsize;
      if (free < opts.minFreeBytes) return bad(`disk nearly full (${free} bytes free)`);
    } catch {
      // statfs unsupported here: the probe write below still notices a full disk.
    }
  }
  try {
    db.probeWrite(now);
  } catch (err) {
    noteError(err);
    return bad(classify(err).reason);
  }
  if (Date.now() - lastIntegrity >= opts.integrityIntervalMs) {
    lastIntegrity = Date.now();
    try {
      const result = db.quickCheck();
      if (result.length !== 1 || result[0] !== 'ok') sticky = `database corrupt (quick_check: ${result.slice(0, 2).join('; ').slice(0, 200)})`;
    } catch (err) {
      const k = classify(err);
      sticky = k.corrupt ? k.reason : `integrity check failed (${k.reason})`;
    }
    if (sticky) return bad(sticky);
  }
  if (lastError && now.getTime() - lastError.at < opts.errorHoldMs) return bad(lastError.reason);
  return { ok: true, checkedAt: now.toISOString() };
}

function postHealth(): void {
  port!.postMessage({ type: 'health', health: check() } satisfies WorkerMessage);
}

const PRUNE_BATCH = 2000;

async function prune(before: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const n = db.pruneBatch(before, PRUNE_BATCH);
    total += n;
    if (n === 0) return total;
    // Let queued feedback and audit writes in between batches.
    await new Promise((r) => setImmediate(r));
  }
}

async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'recordDecisions':
      return db.recordDecisions(req.args[0] as never);
    case 'recordFeedback':
      return db.recordFeedback(req.args[0], req.args[1] as never, req.args[2], req.args[3] as never);
    case 'summary':
      return db.summary(req.args[0] as never);
    case 'prune':
      return prune(req.args[0]);
    case 'close':
      clearInterval(timer);
      db.close();
      return undefined;
  }
}

port.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (value) => port.postMessage({ type: 'reply', id: req.id, ok: true, value } satisfies WorkerMessage),
    (err: unknown) => {
      noteError(err);
      const code = (err as { code?: unknown }).code;
      port.postMessage({
        type: 'reply',
        id: req.id,
        ok: false,
        message: err instanceof Error ? err.message : String(err),
        ...(typeof code === 'string' ? { code } : {}),
      } satisfies WorkerMessage);
    },
  );
});

const timer = setInterval(postHealth, opts.healthIntervalMs);
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
postHealth();
