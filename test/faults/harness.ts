/**
 * Shared pieces of the fault tests: the real app over the real worker-thread SQLite store at a path the
 * test chooses (often on a small file system it mounts), and small file-system helpers that need root.
 * Disk cases skip with a printed reason when the machine does not allow them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { loadDiscovery } from '../../src/protocol/discovery.js';
import { HOOKS } from '../../src/protocol/types.js';
import { createAdvisor } from '../../src/advisor.js';
import { fixedClock } from '../../src/engine/clock.js';
import { openSqliteWorkerStore, type WorkerStoreOptions } from '../../src/store/worker-store.js';
import { AuditWriter, type AuditWriterOptions } from '../../src/store/audit-writer.js';
import type { Store } from '../../src/store/store.js';
import { FIXTURE_NOW } from '../fixtures/service.js';

export interface HasTeardown {
  teardown(fn: () => unknown): void;
}

export interface Served {
  url: string;
  app: FastifyInstance;
  store: Store;
  audit: AuditWriter;
  logs: string[];
}

/** Quick health checks so a fault is noticed within a test's patience. */
export const FAST_HEALTH: WorkerStoreOptions = {
  healthIntervalMs: 200,
  staleAfterMs: 1000,
  requestTimeoutMs: 1500,
  errorHoldMs: 2000,
  // The test file systems are a few MB: the production default (16 MB) would call them full.
  minFreeBytes: 256 * 1024,
};

export async function serveWithStore(
  t: HasTeardown,
  dbPath: string,
  storeOpts: WorkerStoreOptions = FAST_HEALTH,
  env: Record<string, string> = {},
  auditOpts: AuditWriterOptions = {},
): Promise<Served> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({ LOG_LEVEL: 'info', DB_PATH: dbPath, ...env });
  const logger = createLogger(config.LOG_LEVEL, sink);
  const store = await openSqliteWorkerStore(dbPath, storeOpts);
  const audit = new AuditWriter(store, config.store.hashKey, logger, auditOpts);
  const advisor = createAdvisor({ now: fixedClock(FIXTURE_NOW).now, render: { mirrorSystemActions: true } });
  const app = await buildApp({ config, logger, discovery: loadDiscovery(HOOKS), advisor, store, audit });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    await app.close();
    await audit.flush();
    await store.close();
  });
  return { url, app, store, audit, logs };
}

export const SERVICE = 'sih-imaging-order-sign';

export function feedbackBody(card: string, i = 0): unknown {
  return { feedback: [{ card, outcome: 'accepted', outcomeTimestamp: new Date(Date.UTC(2026, 10, 3, 10, 0, 0, i)).toISOString() }] };
}

export async function postJson(url: string, body: unknown, timeoutMs = 15_000): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, json, headers: res.headers };
}

/** Polls `check` every 100 ms until it is true or `withinMs` passed; resolves with the last result. */
export async function eventually(check: () => Promise<boolean>, withinMs = 10_000): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The /readyz status, or 0 when the request failed (a reused keep-alive socket may be reset). */
export async function readyStatus(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

export function tempDir(t: HasTeardown, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A small tmpfs of `sizeKb`, unmounted at teardown; undefined (with the reason) where not allowed. */
export function mountTmpfs(t: HasTeardown, sizeKb: number): { dir: string } | { skip: string } {
  if (!isRoot) return { skip: 'not root: cannot mount a small file system' };
  const dir = mkdtempSync(join(tmpdir(), 'sih-fault-fs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return { skip: `mount tmpfs failed: ${String((err as Error).message).split('\n')[0]}` };
  }
  t.teardown(() => {
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir };
}

/**
 * A small ext4 file system on a loop device (tmpfs cannot be frozen), unmounted at teardown. `freeze`
 * freezes it and arms a watchdog that thaws it after `maxFrozenMs` whatever happens to the test, so a
 * failing test never leaves the machine with a frozen mount.
 */
export function mountFreezable(t: HasTeardown): { dir: string; freeze: (maxFrozenMs: number) => void; thaw: () => void } | { skip: string } {
  if (!isRoot) return { skip: 'not root: cannot mount and freeze a file system' };
  const base = mkdtempSync(join(tmpdir(), 'sih-fault-loop-'));
  const img = join(base, 'fs.img');
  const dir = join(base, 'mnt');
  mkdirSync(dir);
  try {
    writeFileSync(img, '');
    execFileSync('truncate', ['-s', '16M', img], { stdio: 'pipe' });
    execFileSync('mkfs.ext4', ['-q', '-F', img], { stdio: 'pipe' });
    execFileSync('mount', ['-o', 'loop', img, dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(base, { recursive: true, force: true });
    return { skip: `loop-mounting ext4 failed: ${String((err as Error).message).split('\n')[0]}` };
  }
  let frozen = false;
  const thaw = (): void => {
    if (!frozen) return;
    frozen = false;
    try {
      execFileSync('fsfreeze', ['-u', dir], { stdio: 'pipe' });
    } catch {
      // the watchdog got there first
    }
  };
  t.teardown(() => {
    thaw();
    try {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    } catch {
      // already gone
    }
    rmSync(base, { recursive: true, force: true });
  });
  return {
    dir,
    thaw,
    freeze: (maxFrozenMs: number) => {
      const watchdog = spawn('sh', ['-c', `sleep ${Math.ceil(maxFrozenMs / 1000)}; fsfreeze -u '${dir}' 2>/dev/null`], {
        detached: true,
        stdio: 'ignore',
      });
      watchdog.unref();
      execFileSync('fsfreeze', ['-f', dir], { stdio: 'pipe' });
      frozen = true;
    },
  };
}
