/**
 * Writes decision audit records without ever touching the hook response: `record()` returns at once,
 * never throws, and the write happens on a later turn of the event loop, after the reply has gone out.
 * Records queued in the same moment are written in one transaction, so under load the service pays one
 * fsync per batch rather than one per hook call. A failed write is logged (hookInstance and the error
 * message only: never the record, which would put the patient hash and resource ids in the logs) and
 * counted, for metrics and the readiness report.
 */
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
}

export class AuditWriter {
  private queue: AuditRecord[] = [];
  private scheduled = false;
  private failed = 0;
  private dropped = 0;
  private written = 0;
  private readonly maxQueue: number;
  private readonly batchMs: number;

  constructor(
    private readonly store: Store,
    private readonly hashKey: string,
    private readonly log: AuditLogger,
    opts: AuditWriterOptions = {},
  ) {
    this.maxQueue = opts.maxQueue ?? 1000;
    this.batchMs = opts.batchMs ?? 20;
  }

  /** Records one hook call. Call it after the reply is sent; it cannot throw. */
  record(input: Omit<AuditInput, 'hashKey'>): void {
    let rec: AuditRecord;
    try {
      rec = buildAuditRecord({ ...input, hashKey: this.hashKey });
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
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.batchMs > 0) setTimeout(() => this.flush(), this.batchMs).unref();
      else setImmediate(() => this.flush());
    }
  }

  /** Writes everything queued now (also called on shutdown, before `store.close()`). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    try {
      this.store.recordDecisions(batch);
      this.written += batch.length;
    } catch (err) {
      this.fail(batch.map((r) => r.hookInstance), err);
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
