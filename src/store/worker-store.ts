/**
 * The service's SQLite store: the same SqliteDb code as the in-thread store, run in a worker thread
 * (sqlite-worker.ts), so that storage never blocks the event loop. A stalled disk holds the worker, not
 * hook answers or probes; this side then notices the silence and reports the store unhealthy.
 *
 * Every request has a deadline (`requestTimeoutMs`): a feedback write that has not committed by then is
 * rejected (the route answers 503; the client retries and the idempotency key makes that safe even if
 * the write completes later). Health comes from the worker's periodic reports; when none has arrived for
 * `staleAfterMs` the store is "not answering".
 */
import { Worker } from 'node:worker_threads';
import { StoreError } from './sqlite-store.js';
import type { WorkerMessage, WorkerOptions, WorkerRequest } from './sqlite-worker.js';
import type { AuditRecord } from './audit-record.js';
import type { FeedbackItem, FeedbackOptions, FeedbackResult, Store, StoreHealth } from './store.js';
import type { ReportSummary, TimeWindow } from './summary.js';

export interface WorkerStoreOptions {
  /** How often the worker checks the database (ms). */
  healthIntervalMs?: number;
  /** No health report for this long = the store is stalled (ms). */
  staleAfterMs?: number;
  /** Deadline of one request to the worker (ms). */
  requestTimeoutMs?: number;
  /** How often `PRAGMA quick_check` runs (ms). */
  integrityIntervalMs?: number;
  /** Free space below this on the database's file system = not healthy (bytes). */
  minFreeBytes?: number;
  /** How long a failed write keeps the store unhealthy (ms). */
  errorHoldMs?: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/**
 * The worker: the compiled .js in production; under tsx (tests, `npm run dev`) the .ts file, loaded
 * after registering tsx in the worker, since loader hooks of the main thread do not reach workers.
 */
function startWorker(workerData: WorkerOptions): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./sqlite-worker.js', import.meta.url), { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./sqlite-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

export async function openSqliteWorkerStore(path: string, o: WorkerStoreOptions = {}): Promise<Store> {
  const opts: WorkerOptions = {
    path,
    healthIntervalMs: o.healthIntervalMs ?? 1000,
    integrityIntervalMs: o.integrityIntervalMs ?? 60 * 60_000,
    minFreeBytes: o.minFreeBytes ?? 16 * 1024 * 1024,
    errorHoldMs: o.errorHoldMs ?? 10_000,
  };
  const worker = startWorker(opts);
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: WorkerMessage): void => {
      if (m.type === 'ready') done(undefined);
      else if (m.type === 'open-failed') done(new StoreError(m.message));
    };
    const onError = (err: Error): void => done(err);
    const onExit = (code: number): void => done(new StoreError(`storage worker exited (${code}) while opening ${path}`));
    const done = (err: Error | undefined): void => {
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      if (err) {
        void worker.terminate();
        reject(err);
      } else resolve();
    };
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
  return new WorkerStore(worker, {
    staleAfterMs: o.staleAfterMs ?? Math.max(3000, opts.healthIntervalMs * 3),
    requestTimeoutMs: o.requestTimeoutMs ?? 5000,
  });
}

class WorkerStore implements Store {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private last: StoreHealth = { ok: true, checkedAt: new Date().toISOString() };
  private lastAt = Date.now();
  private dead: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly t: { staleAfterMs: number; requestTimeoutMs: number },
  ) {
    worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    worker.on('error', (err) => this.stop(`storage worker failed: ${err.message}`));
    worker.on('exit', (code) => this.stop(`storage worker exited (${code})`));
    // Idle, the worker must not keep a finished process alive (close() ends it properly); while a request
    // is pending it must (see call()).
    worker.unref();
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'health') {
      this.last = m.health;
      this.lastAt = Date.now();
    } else if (m.type === 'reply') {
      const p = this.pending.get(m.id);
      if (!p) return; // timed out already
      this.settle(m.id);
      clearTimeout(p.timer);
      if (m.ok) p.resolve(m.value);
      else p.reject(Object.assign(new StoreError(m.message), m.code ? { code: m.code } : {}));
    }
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  private stop(reason: string): void {
    this.dead ??= reason;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(new StoreError(reason));
      this.pending.delete(id);
    }
  }

  private call<T>(op: WorkerRequest['op'], args: unknown[], timeoutMs = this.t.requestTimeoutMs): Promise<T> {
    if (this.dead) return Promise.reject(new StoreError(this.dead));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id);
        reject(new StoreError(`storage did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.worker.postMessage({ id, op, args } as WorkerRequest);
    });
  }

  recordDecisions(recs: readonly AuditRecord[]): Promise<void> {
    return this.call('recordDecisions', [recs]);
  }

  recordFeedback(serviceId: string, items: readonly FeedbackItem[], receivedAt: Date, opts?: FeedbackOptions): Promise<FeedbackResult> {
    return this.call('recordFeedback', [serviceId, items, receivedAt, opts]);
  }

  summary(window: TimeWindow): Promise<ReportSummary> {
    return this.call('summary', [window], 60_000);
  }

  pruneDecisions(before: Date): Promise<number> {
    // A large backlog takes a while; it runs in batches that let other writes in.
    return this.call('prune', [before], 60 * 60_000);
  }

  async health(): Promise<StoreHealth> {
    if (this.dead) return { ok: false, reason: this.dead, checkedAt: new Date().toISOString() };
    const age = Date.now() - this.lastAt;
    if (age > this.t.staleAfterMs) {
      return { ok: false, reason: `storage not answering for ${Math.round(age / 1000)} s (stalled disk?)`, checkedAt: this.last.checkedAt };
    }
    return this.last;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        if (!this.dead) await this.call('close', [], 10_000);
      } catch {
        // A stalled disk must not hang shutdown: terminate below.
      }
      this.dead ??= 'store closed';
      await this.worker.terminate();
    })();
    return this.closing;
  }
}
