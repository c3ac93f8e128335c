/**
 * Writes decision audit records without ever touching the hook response: `record()` returns at once,
 * never throws, and the write happens later, after the reply has gone out, through the asynchronous
 * Store (in a worker thread for SQLite). Records queued in the same moment are written in one
 * transaction, and one batch at most is in flight: when the disk stalls, records wait in a bounded queue
 * and beyond it are dropped and counted, so memory stays bounded and hook answers never wait for storage.
 * A failed write is logged (hookInstance and the error message only: never the record, which would put
 * the patient hash and resource ids in the logs) and counted, for metrics and the readiness report.
 */
import { tracer } from '../tracing.js';
import { buildAuditRecord, type AuditInput, type AuditRecord } from './audit-record.js';
import type { Store } from './store.js';

export interface AuditLogger {
  error(obj: object, msg: string): void;
}

export interface AuditWriterOptions {
  /** Records waiting beyond this are dropped (and counted): memory stays bounded if the disk stalls. */
  maxQueue?: number;
  /**
   * How long records wait to be written together (ms). One transaction per batch instead of per call;
   * the records are small (ids and codes), so holding them briefly costs little memory. 0 = next tick.
   */
  batchMs?: number;
  /** The operator's name for the hash key (AUDIT_HASH_KEY_ID); default a fingerprint of the key. */
  hashKeyId?: string;
}

export class AuditWriter {
  private queue: AuditRecord[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | undefined;
  private failed = 0;
  private dropped = 0;
  private written = 0;
  private readonly maxQueue: number;
  private readonly batchMs: number;
  private readonly hashKeyId: string | undefined;

  constructor(
    private readonly store: Store,
    private readonly hashKey: string,
    private readonly log: AuditLogger,
    opts: AuditWriterOptions = {},
  ) {
    this.maxQueue = opts.maxQueue ?? 1000;
    this.batchMs = opts.batchMs ?? 20;
    this.hashKeyId = opts.hashKeyId;
  }

  /** Records one hook call. Call it after the reply is sent; it cannot throw. */
  record(input: Omit<AuditInput, 'hashKey' | 'hashKeyId'>): void {
    let rec: AuditRecord;
    try {
      rec = buildAuditRecord({ ...input, hashKey: this.hashKey, ...(this.hashKeyId !== undefined ? { hashKeyId: this.hashKeyId } : {}) });
    } catch (err) {
      this.fail([input.request?.hookInstance], err);
      return;
    }
    this.write(rec);
  }

  /** Queues an already built record. Cannot throw. */
  write(rec: AuditRecord): void {
    if (this.queue.length >= this.maxQueue) {
      this.dropped += 1;
      this.fail([rec.hookInstance], new Error('audit queue full, record dropped'));
      return;
    }
    this.queue.push(rec);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    const run = (): void => {
      this.scheduled = false;
      void this.flush();
    };
    if (this.batchMs > 0) setTimeout(run, this.batchMs).unref();
    else setImmediate(run);
  }

  /**
   * Writes everything queued now, after the batch in flight (also called on shutdown, before
   * `store.close()`). Never rejects.
   */
  async flush(): Promise<void> {
    while (this.inFlight) await this.inFlight;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    // A store that throws instead of rejecting is still a failure, not an exception.
    const write = new Promise<void>((resolve) =>
      resolve(tracer().span('cds.store.audit', { records: batch.length }, () => this.store.recordDecisions(batch))),
    ).then(
      () => {
        this.written += batch.length;
      },
      (err: unknown) => this.fail(batch.map((r) => r.hookInstance), err),
    );
    this.inFlight = write;
    try {
      await write;
    } finally {
      this.inFlight = undefined;
      // Records that arrived while this batch was written go in the next one.
      if (this.queue.length > 0) this.schedule();
    }
  }

  /** Audit records that could not be written (build errors, write errors, drops). */
  get failures(): number {
    return this.failed;
  }

  get stats(): { written: number; failed: number; dropped: number; queued: number } {
    return { written: this.written, failed: this.failed, dropped: this.dropped, queued: this.queue.length };
  }

  private fail(hookInstances: Array<string | undefined>, err: unknown): void {
    this.failed += hookInstances.length;
    try {
      const message = err instanceof Error ? err.message : String(err);
      this.log.error({ hookInstances, err: message }, 'decision audit write failed');
    } catch {
      // A broken logger must not turn an audit failure into a hook failure.
    }
  }
}
