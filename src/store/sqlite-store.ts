/**
 * The embedded Store: one SQLite file, opened by one service process.
 *
 * Durability: journal_mode=WAL with synchronous=FULL. In WAL mode, NORMAL would skip the fsync at each
 * commit (a power cut could lose the last transactions although the service had answered 200); FULL
 * fsyncs the WAL on every commit, so when `recordFeedback` returns the feedback is on disk, and only then
 * does the route answer 200. Decision audit writes alone use NORMAL (see `recordDecisions`). WAL also
 * lets the report read while the service writes.
 *
 * Several replicas must not share this file (SQLite locking over network file systems is unreliable):
 * implement `Store` over a shared database instead (see store.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditRecord } from './audit-record.js';
import { MIGRATIONS, type Migration } from './migrations.js';
import type { FeedbackItem, FeedbackOptions, FeedbackResult, Store, StoreHealth } from './store.js';
import { suggestionLabelsOf, summarize, type ShownCardRow, type TimeWindow, type UnknownCardRow, type ReportSummary } from './summary.js';

export class StoreError extends Error {
  override name = 'StoreError';
}

export interface OpenOptions {
  /**
   * For the report: the file must already exist, nothing is created or migrated, and the schema must be
   * the one this code knows.
   */
  readonly?: boolean;
}

/**
 * The store in this thread, with the `Store` interface over synchronous calls: for the report CLI and
 * tests. The service uses `openSqliteWorkerStore`, which runs the same code in a worker thread.
 */
export function openSqliteStore(path: string, opts: OpenOptions = {}): Store {
  return new InlineStore(openSqliteDb(path, opts));
}

/** Opens (creating and migrating unless read-only) the database: the synchronous core both stores use. */
export function openSqliteDb(path: string, opts: OpenOptions = {}): SqliteDb {
  const memory = path === ':memory:';
  if (opts.readonly) {
    if (memory || !existsSync(path)) throw new StoreError(`database file not found: ${path}`);
  } else if (!memory) {
    mkdirSync(dirname(path), { recursive: true });
  }
  const db = new Database(path, opts.readonly ? { readonly: true, fileMustExist: true } : {});
  try {
    // Another process (the report, a second CLI run) may hold the write lock briefly: wait, don't fail.
    db.pragma('busy_timeout = 5000');
    if (opts.readonly) {
      checkSchemaCurrent(db);
    } else {
      configureConnection(db);
      applyMigrations(db, MIGRATIONS);
    }
    return new SqliteDb(db, path);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** The durability settings explained at the top of this file. */
export function configureConnection(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}

/** Applies, in order and each in its own transaction, every migration newer than the database. */
export function applyMigrations(db: Database.Database, migrations: readonly Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  for (let i = 1; i < migrations.length; i++) {
    if ((migrations[i]?.version ?? 0) <= (migrations[i - 1]?.version ?? 0)) {
      throw new StoreError('migrations must have strictly increasing versions');
    }
  }
  const current = currentVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    // Older code on a newer database could misread it: refuse rather than guess.
    throw new StoreError(`database schema version ${current} is newer than this service knows (${latest})`);
  }
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.description, new Date().toISOString());
    }).immediate();
    applied.push(m.version);
  }
  return applied;
}

function currentVersion(db: Database.Database): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

function checkSchemaCurrent(db: Database.Database): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  const version = exists ? currentVersion(db) : 0;
  const latest = MIGRATIONS.at(-1)?.version ?? 0;
  if (version !== latest) {
    throw new StoreError(
      version === 0
        ? 'not a feedback database (no schema_migrations table)'
        : `database schema version ${version}, this tool reads ${latest}: start the service once to migrate it`,
    );
  }
}

/** Same card, outcome, chosen suggestions, time and reason: the same feedback, whoever sends it again. */
export function idempotencyKey(item: FeedbackItem): string {
  const parts = [
    item.cardUuid,
    item.outcome,
    [...item.acceptedSuggestionIds].sort(),
    item.outcomeTimestamp,
    item.overrideReason ? `${item.overrideReason.system}|${item.overrideReason.code}` : '',
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

function variantKey(v: AuditRecord['variant']): string {
  return v.status === 'determined' && v.number !== undefined ? `V${v.number}` : v.status;
}

const NEVER = '9999-12-31T23:59:59.999Z';

export class SqliteDb {
  private readonly insertDecision: Database.Statement;
  private readonly insertCard: Database.Statement;
  private readonly insertFeedback: Database.Statement;
  private readonly cardKnown: Database.Statement;
  private readonly writeDecisions: Database.Transaction<(recs: readonly AuditRecord[]) => void>;
  private readonly writeFeedback: Database.Transaction<
    (serviceId: string, items: readonly FeedbackItem[], receivedAt: Date, opts: FeedbackOptions) => FeedbackResult
  >;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    // Preparing writes on a read-only connection is fine: only running them would fail.
    this.insertDecision = db.prepare(`INSERT INTO decisions (received_at, service_id, hook, hook_instance, patient_hash,
          variant_status, variant_number, variant_key, latency_ms, record_json)
          VALUES (@receivedAt, @serviceId, @hook, @hookInstance, @patientHash,
          @variantStatus, @variantNumber, @variantKey, @latencyMs, @recordJson)`)
    this.insertCard = db.prepare(`INSERT OR IGNORE INTO decision_cards (decision_id, card_uuid, card_type, indicator, override_reasons_json)
          VALUES (?, ?, ?, ?, ?)`)
    this.insertFeedback = db.prepare(`INSERT INTO feedback (idempotency_key, service_id, card_uuid, outcome, accepted_suggestions_json,
          outcome_timestamp, reason_system, reason_code, reason_display, has_user_comment, unknown_card, received_at)
          VALUES (@key, @serviceId, @cardUuid, @outcome, @accepted, @outcomeTimestamp, @reasonSystem, @reasonCode,
          @reasonDisplay, @hasUserComment, @unknownCard, @receivedAt)
          ON CONFLICT (idempotency_key) DO NOTHING`)
    this.cardKnown = db.prepare('SELECT 1 FROM decision_cards WHERE card_uuid = ? LIMIT 1').pluck();

    this.writeDecisions = db.transaction((recs: readonly AuditRecord[]) => {
      for (const rec of recs) this.insertOne(rec);
    });
    this.writeFeedback = db.transaction((serviceId: string, items: readonly FeedbackItem[], receivedAt: Date, opts: FeedbackOptions) => {
      const result: FeedbackResult = { stored: 0, duplicates: 0, unknownCards: 0 };
      const at = receivedAt.toISOString();
      for (const item of items) {
        const unknownCard = this.cardKnown.get(item.cardUuid) === undefined;
        const info = this.insertFeedback.run({
          key: idempotencyKey(item),
          serviceId,
          cardUuid: item.cardUuid,
          outcome: item.outcome,
          accepted: JSON.stringify([...item.acceptedSuggestionIds].sort()),
          outcomeTimestamp: item.outcomeTimestamp,
          reasonSystem: item.overrideReason?.system ?? null,
          reasonCode: item.overrideReason?.code ?? null,
          // Never the client's text: reports show the service's own display for the code.
          reasonDisplay: null,
          hasUserComment: item.hasUserComment ? 1 : 0,
          unknownCard: unknownCard ? 1 : 0,
          receivedAt: at,
        });
        if (info.changes === 0) result.duplicates += 1;
        else {
          result.stored += 1;
          if (unknownCard) result.unknownCards += 1;
        }
      }
      if (opts.maxUnknownCards !== undefined && result.unknownCards > opts.maxUnknownCards) {
        // Thrown inside the transaction so that nothing of this call stays written.
        throw new OverQuota(result.unknownCards);
      }
      return result;
    });
  }

  private insertOne(rec: AuditRecord): void {
    const info = this.insertDecision.run({
      receivedAt: rec.receivedAt,
      serviceId: rec.serviceId,
      hook: rec.hook,
      hookInstance: rec.hookInstance,
      patientHash: rec.patientHash,
      variantStatus: rec.variant.status,
      variantNumber: rec.variant.number ?? null,
      variantKey: variantKey(rec.variant),
      latencyMs: rec.latencyMs,
      recordJson: JSON.stringify(rec),
    });
    const decisionId = info.lastInsertRowid;
    for (const card of rec.cards) {
      // No row per suggestion (issue 13: one compact record per decision): the labels are in record_json.
      this.insertCard.run(decisionId, card.uuid, card.cardType, card.indicator, JSON.stringify(card.overrideReasons));
    }
  }

  /**
   * Audit records are written with synchronous=NORMAL: in WAL mode the commit survives a crash of the
   * process but is fsynced only at the next FULL commit (any feedback) or checkpoint. The audit is what the
   * service produced, not what a client handed it; an fsync per hook call would cost every clinician a
   * disk flush on the event loop. Feedback, which the service acknowledges with 200, stays FULL.
   */
  recordDecisions(recs: readonly AuditRecord[]): void {
    if (recs.length === 0) return;
    this.db.pragma('synchronous = NORMAL');
    try {
      this.writeDecisions.immediate(recs);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  recordFeedback(serviceId: string, items: readonly FeedbackItem[], receivedAt: Date, opts: FeedbackOptions = {}): FeedbackResult {
    // IMMEDIATE takes the write lock up front, so a concurrent writer waits (busy_timeout) instead of
    // failing half-way with SQLITE_BUSY when a read transaction tries to upgrade.
    try {
      return this.writeFeedback.immediate(serviceId, items, receivedAt, opts);
    } catch (err) {
      if (err instanceof OverQuota) return { stored: 0, duplicates: 0, unknownCards: err.unknownCards, overQuota: true };
      throw err;
    }
  }

  /**
   * Retention: deletes decisions (with, by cascade, their cards and suggestions) and feedback received
   * before `before`, all of it in batches of `batch` rows per transaction.
   */
  pruneDecisions(before: Date): number {
    let total = 0;
    for (;;) {
      const n = this.pruneBatch(before, 5000);
      total += n;
      if (n === 0) return total;
    }
  }

  /**
   * One bounded retention step (its own transaction), so that a worker can let other writes in between
   * batches instead of holding the write lock for the whole backlog. Resolves with the rows deleted.
   */
  pruneBatch(before: Date, batch: number): number {
    const at = before.toISOString();
    return this.db.transaction(() => {
      const d = this.db
        .prepare('DELETE FROM decisions WHERE id IN (SELECT id FROM decisions WHERE received_at < ? ORDER BY id LIMIT ?)')
        .run(at, batch).changes;
      const f = this.db
        .prepare('DELETE FROM feedback WHERE id IN (SELECT id FROM feedback WHERE received_at < ? ORDER BY id LIMIT ?)')
        .run(at, batch).changes;
      return d + f;
    }).immediate();
  }

  /** A tiny durable write: fails when the database is read-only, full or its disk fails; stalls with it. */
  probeWrite(at: Date): void {
    this.db
      .prepare('INSERT INTO store_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at')
      .run(at.toISOString());
  }

  /**
   * SQLite's quick_check: ['ok'] when the file is sound, else the problems it found (first few). On a
   * fresh read-only connection, so that pages this connection has cached do not hide damage on disk.
   */
  quickCheck(): string[] {
    if (this.path === ':memory:') return ['ok'];
    const check = new Database(this.path, { readonly: true, fileMustExist: true });
    try {
      return (check.prepare('PRAGMA quick_check(5)').pluck().all() as unknown[]).map(String);
    } finally {
      check.close();
    }
  }

  summary(window: TimeWindow): ReportSummary {
    const range = { from: window.from?.toISOString() ?? '', to: window.to?.toISOString() ?? NEVER };
    return this.db.transaction(() => {
      const decisions = this.db
        .prepare('SELECT COUNT(*) FROM decisions WHERE received_at >= @from AND received_at < @to')
        .pluck()
        .get(range) as number;
      const shown = this.db
        .prepare(
          `SELECT c.decision_id AS decisionId, c.card_uuid AS cardUuid, c.card_type AS cardType,
                  d.variant_key AS variantKey, c.override_reasons_json AS overrideReasonsJson,
                  l.outcome AS outcome, l.reason_system AS reasonSystem, l.reason_code AS reasonCode,
                  l.reason_display AS reasonDisplay, l.accepted_suggestions_json AS acceptedSuggestionsJson
           FROM decision_cards c
           JOIN decisions d ON d.id = c.decision_id
           LEFT JOIN (
             SELECT * FROM (
               SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.card_uuid ORDER BY f.outcome_timestamp DESC, f.id DESC) AS rn
               FROM feedback f
             ) WHERE rn = 1
           ) l ON l.card_uuid = c.card_uuid
           WHERE d.received_at >= @from AND d.received_at < @to`,
        )
        .all(range) as ShownCardRow[];
      const unknown = this.db
        .prepare(
          `SELECT outcome, reason_system AS reasonSystem, reason_code AS reasonCode, reason_display AS reasonDisplay
           FROM (
             SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.card_uuid ORDER BY f.outcome_timestamp DESC, f.id DESC) AS rn
             FROM feedback f
             WHERE f.received_at >= @from AND f.received_at < @to
               AND NOT EXISTS (SELECT 1 FROM decision_cards c WHERE c.card_uuid = f.card_uuid)
           ) WHERE rn = 1`,
        )
        .all(range) as UnknownCardRow[];
      // Labels of accepted suggestions: from card_suggestions for version-1 decisions, from the record JSON
      // of the decisions whose cards were accepted for version-2 ones (read only for those).
      const labels = new Map<string, string>();
      const labelRows = this.db
        .prepare(
          `SELECT s.decision_id AS decisionId, s.card_uuid AS cardUuid, s.suggestion_uuid AS suggestionUuid, s.label AS label
           FROM card_suggestions s JOIN decisions d ON d.id = s.decision_id
           WHERE d.received_at >= @from AND d.received_at < @to`,
        )
        .all(range) as Array<{ decisionId: number; cardUuid: string; suggestionUuid: string; label: string }>;
      for (const r of labelRows) labels.set(`${r.decisionId}|${r.cardUuid}|${r.suggestionUuid}`, r.label);
      const accepted = [...new Set(shown.filter((r) => r.outcome === 'accepted').map((r) => r.decisionId))];
      const recordOf = this.db.prepare('SELECT record_json FROM decisions WHERE id = ?').pluck();
      for (const id of accepted) {
        for (const [key, label] of suggestionLabelsOf(recordOf.get(id) as string)) {
          if (!labels.has(`${id}|${key}`)) labels.set(`${id}|${key}`, label);
        }
      }
      return summarize(window, decisions, shown, unknown, (d, c, s) => labels.get(`${d}|${c}|${s}`));
    })();
  }

  /** True when the database answers a trivial query. */
  ping(): boolean {
    try {
      return this.db.prepare('SELECT 1').pluck().get() === 1;
    } catch {
      return false;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

class OverQuota extends Error {
  constructor(readonly unknownCards: number) {
    super('unknown-card feedback over quota');
  }
}

/** `Store` over `SqliteDb` in the calling thread (the report, tests): same behaviour, same results. */
class InlineStore implements Store {
  constructor(private readonly db: SqliteDb) {}

  async recordDecisions(recs: readonly AuditRecord[]): Promise<void> {
    this.db.recordDecisions(recs);
  }

  async recordFeedback(serviceId: string, items: readonly FeedbackItem[], receivedAt: Date, opts?: FeedbackOptions): Promise<FeedbackResult> {
    return this.db.recordFeedback(serviceId, items, receivedAt, opts);
  }

  async summary(window: TimeWindow): Promise<ReportSummary> {
    return this.db.summary(window);
  }

  async pruneDecisions(before: Date): Promise<number> {
    return this.db.pruneDecisions(before);
  }

  async health(): Promise<StoreHealth> {
    const ok = this.db.ping();
    return { ok, ...(ok ? {} : { reason: 'database does not answer' }), checkedAt: new Date().toISOString() };
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
