/**
 * The shared Store: PostgreSQL, chosen by DATABASE_URL=postgres://..., so that N replicas act as one
 * service (feedback, decision audit and, in pg-replay.ts, the JWT replay cache).
 *
 * Driver: `pg` (node-postgres). Why it rather than `postgres`: explicit transactions on a checked-out
 * client (BEGIN … COMMIT with SET LOCAL per transaction, which is how feedback gets synchronous_commit=on
 * and the audit off), a session-level advisory lock held on one connection for the migrations, per-query
 * timeouts, pure JavaScript (no native build on any Node line), and it is the most used and longest kept
 * PostgreSQL client for Node.
 *
 * Durability: `recordFeedback` resolves after COMMIT with synchronous_commit=on (WAL flushed on the
 * primary, and on synchronous standbys when the operator configures them): the route answers 200 only
 * then. The audit commits with synchronous_commit=off (the analogue of SQLite's NORMAL): a database
 * crash may lose its last few hundred ms, never a client's acknowledged feedback.
 *
 * Migrations run once, under a session advisory lock: replicas starting together wait for the first.
 */
import pg from 'pg';
import type { AuditRecord } from '../audit-record.js';
import type { Migration } from '../migrations.js';
import { idempotencyKey, StoreError } from '../sqlite-store.js';
import type { FeedbackItem, FeedbackOptions, FeedbackResult, Store, StoreHealth } from '../store.js';
import { suggestionLabelsOf, summarize, type ReportSummary, type ShownCardRow, type TimeWindow, type UnknownCardRow } from '../summary.js';
import { PG_MIGRATIONS } from './pg-migrations.js';

const INT8_OID = 20;
const NEVER = '9999-12-31T23:59:59.999Z';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgOptions {
  /** Schema for every table (default `public`); created when missing. Tests use one per run. */
  schema?: string;
  /** Connections per replica (default 10). */
  poolSize?: number;
  /** Upper bound of any one query, ms (default 10 000): a stalled database fails a call, never hangs it. */
  queryTimeoutMs?: number;
  /** How often health is checked in the background, ms (default 2000). */
  healthIntervalMs?: number;
  /** Logs pool errors (a connection dropped by the server); optional. */
  onError?: (err: Error) => void;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** A pool on the given schema, with BIGINT read as a JS number (ids stay far below 2^53). */
export function createPool(url: string, opts: PgOptions = {}): pg.Pool {
  const schema = opts.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new StoreError(`invalid schema name ${JSON.stringify(schema)}`);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    connectionTimeoutMillis: 5000,
    query_timeout: opts.queryTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    options: `-c search_path=${schema}`,
    application_name: 'sih-imaging-cds',
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection dropped by the server must not crash the process: log it, the pool reconnects.
  pool.on('error', (err) => opts.onError?.(err));
  return pool;
}

/**
 * Applies every migration newer than the database, in order, each in its own transaction, while
 * holding an advisory lock keyed by the schema: of N replicas starting at once, one migrates and the
 * others wait, then find nothing to do.
 */
export async function applyPgMigrations(pool: pg.Pool, schema: string, migrations: readonly Migration[] = PG_MIGRATIONS): Promise<number[]> {
  for (let i = 1; i < migrations.length; i++) {
    if ((migrations[i]?.version ?? 0) <= (migrations[i - 1]?.version ?? 0)) {
      throw new StoreError('migrations must have strictly increasing versions');
    }
  }
  const client = await pool.connect();
  const lockKey = `sih-cds-migrations:${schema}`;
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)`);
      const { rows } = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
      const current = rows[0]?.v ?? 0;
      const latest = migrations.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new StoreError(`database schema version ${current} is newer than this service knows (${latest})`);
      }
      const applied: number[] = [];
      for (const m of migrations) {
        if (m.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)', [
            m.version,
            m.description,
            new Date().toISOString(),
          ]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        applied.push(m.version);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

function variantKey(v: AuditRecord['variant']): string {
  return v.status === 'determined' && v.number !== undefined ? `V${v.number}` : v.status;
}

/** Runs `fn` in one transaction on one connection; a broken connection is destroyed, not reused. */
async function inTransaction<T>(pool: pg.Pool, setup: string, fn: (c: pg.PoolClient) => Promise<T | Rollback<T>>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(setup);
    const out = await fn(client);
    if (out instanceof Rollback) {
      await client.query('ROLLBACK');
      return out.value;
    }
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Returned from a transaction body: roll back, and resolve with `value`. */
class Rollback<T> {
  constructor(readonly value: T) {}
}

export class PostgresStore implements Store {
  #health: StoreHealth = { ok: true, checkedAt: new Date().toISOString() };
  readonly #timer: NodeJS.Timeout;
  #closed = false;

  constructor(
    readonly pool: pg.Pool,
    readonly schema: string,
    healthIntervalMs = 2000,
  ) {
    this.#timer = setInterval(() => void this.#checkHealth(), healthIntervalMs);
    this.#timer.unref();
  }

  async #checkHealth(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
      this.#health = { ok: true, checkedAt: new Date().toISOString() };
    } catch (err) {
      this.#health = {
        ok: false,
        reason: `PostgreSQL does not answer (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})`,
        checkedAt: new Date().toISOString(),
      };
    }
  }

  async recordDecisions(recs: readonly AuditRecord[]): Promise<void> {
    if (recs.length === 0) return;
    await inTransaction(this.pool, 'SET LOCAL synchronous_commit = off', async (c) => {
      for (const rec of recs) {
        const { rows } = await c.query<{ id: number }>(
          `INSERT INTO decisions (received_at, service_id, hook, hook_instance, patient_hash, variant_status,
             variant_number, variant_key, latency_ms, record_json)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
          [
            rec.receivedAt,
            rec.serviceId,
            rec.hook,
            rec.hookInstance,
            rec.patientHash,
            rec.variant.status,
            rec.variant.number ?? null,
            variantKey(rec.variant),
            rec.latencyMs,
            JSON.stringify(rec),
          ],
        );
        const id = rows[0]!.id;
        // No row per suggestion (issue 13: one compact record per decision): the labels are in record_json.
        for (const card of rec.cards) {
          await c.query(
            `INSERT INTO decision_cards (decision_id, card_uuid, card_type, indicator, override_reasons_json)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
            [id, card.uuid, card.cardType, card.indicator, JSON.stringify(card.overrideReasons)],
          );
        }
      }
      return undefined;
    });
  }

  async recordFeedback(
    serviceId: string,
    items: readonly FeedbackItem[],
    receivedAt: Date,
    opts: FeedbackOptions = {},
  ): Promise<FeedbackResult> {
    if (this.#closed) throw new StoreError('store is closed');
    const at = receivedAt.toISOString();
    return inTransaction<FeedbackResult>(this.pool, 'SET LOCAL synchronous_commit = on', async (c) => {
      const result: FeedbackResult = { stored: 0, duplicates: 0, unknownCards: 0 };
      for (const item of items) {
        const known = await c.query('SELECT 1 FROM decision_cards WHERE card_uuid = $1 LIMIT 1', [item.cardUuid]);
        const unknownCard = known.rowCount === 0;
        const ins = await c.query(
          `INSERT INTO feedback (idempotency_key, service_id, card_uuid, outcome, accepted_suggestions_json,
             outcome_timestamp, reason_system, reason_code, reason_display, has_user_comment, unknown_card, received_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11)
           ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`,
          [
            idempotencyKey(item),
            serviceId,
            item.cardUuid,
            item.outcome,
            JSON.stringify([...item.acceptedSuggestionIds].sort()),
            item.outcomeTimestamp,
            item.overrideReason?.system ?? null,
            item.overrideReason?.code ?? null,
            item.hasUserComment ? 1 : 0,
            unknownCard ? 1 : 0,
            at,
          ],
        );
        if (ins.rowCount === 0) result.duplicates += 1;
        else {
          result.stored += 1;
          if (unknownCard) result.unknownCards += 1;
        }
      }
      if (opts.maxUnknownCards !== undefined && result.unknownCards > opts.maxUnknownCards) {
        return new Rollback({ stored: 0, duplicates: 0, unknownCards: result.unknownCards, overQuota: true });
      }
      return result;
    });
  }

  async summary(window: TimeWindow): Promise<ReportSummary> {
    const range = [window.from?.toISOString() ?? '', window.to?.toISOString() ?? NEVER];
    // One snapshot for the three reads, as SQLite's transaction gives.
    return inTransaction(this.pool, 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY', async (c) => {
      const decisions = (await c.query<{ n: number }>('SELECT COUNT(*) AS n FROM decisions WHERE received_at >= $1 AND received_at < $2', range))
        .rows[0]!.n;
      const shown = (
        await c.query<ShownCardRow>(
          `SELECT c.decision_id AS "decisionId", c.card_uuid AS "cardUuid", c.card_type AS "cardType",
                  d.variant_key AS "variantKey", c.override_reasons_json AS "overrideReasonsJson",
                  l.outcome AS outcome, l.reason_system AS "reasonSystem", l.reason_code AS "reasonCode",
                  l.reason_display AS "reasonDisplay", l.accepted_suggestions_json AS "acceptedSuggestionsJson"
           FROM decision_cards c
           JOIN decisions d ON d.id = c.decision_id
           LEFT JOIN (
             SELECT * FROM (
               SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.card_uuid ORDER BY f.outcome_timestamp DESC, f.id DESC) AS rn
               FROM feedback f
             ) ranked WHERE rn = 1
           ) l ON l.card_uuid = c.card_uuid
           WHERE d.received_at >= $1 AND d.received_at < $2`,
          range,
        )
      ).rows;
      const unknown = (
        await c.query<UnknownCardRow>(
          `SELECT outcome, reason_system AS "reasonSystem", reason_code AS "reasonCode", reason_display AS "reasonDisplay"
           FROM (
             SELECT f.*, ROW_NUMBER() OVER (PARTITION BY f.card_uuid ORDER BY f.outcome_timestamp DESC, f.id DESC) AS rn
             FROM feedback f
             WHERE f.received_at >= $1 AND f.received_at < $2
               AND NOT EXISTS (SELECT 1 FROM decision_cards c WHERE c.card_uuid = f.card_uuid)
           ) ranked WHERE rn = 1`,
          range,
        )
      ).rows;
      const labels = new Map<string, string>();
      const labelRows = (
        await c.query<{ decisionId: number; cardUuid: string; suggestionUuid: string; label: string }>(
          `SELECT s.decision_id AS "decisionId", s.card_uuid AS "cardUuid", s.suggestion_uuid AS "suggestionUuid", s.label
           FROM card_suggestions s JOIN decisions d ON d.id = s.decision_id
           WHERE d.received_at >= $1 AND d.received_at < $2`,
          range,
        )
      ).rows;
      for (const r of labelRows) labels.set(`${r.decisionId}|${r.cardUuid}|${r.suggestionUuid}`, r.label);
      // Version-2 decisions keep their labels in record_json: read it only for decisions with accepted cards.
      const accepted = [...new Set(shown.filter((r) => r.outcome === 'accepted').map((r) => Number(r.decisionId)))];
      if (accepted.length > 0) {
        const recs = (await c.query<{ id: number; record_json: string }>('SELECT id, record_json FROM decisions WHERE id = ANY($1)', [accepted])).rows;
        for (const r of recs) {
          for (const [key, label] of suggestionLabelsOf(r.record_json)) {
            if (!labels.has(`${r.id}|${key}`)) labels.set(`${r.id}|${key}`, label);
          }
        }
      }
      return summarize(window, decisions, shown, unknown, (d, cu, s) => labels.get(`${d}|${cu}|${s}`));
    });
  }

  async pruneDecisions(before: Date): Promise<number> {
    const res = await this.pool.query('DELETE FROM decisions WHERE received_at < $1', [before.toISOString()]);
    return res.rowCount ?? 0;
  }

  async health(): Promise<StoreHealth> {
    return this.#closed ? { ok: false, reason: 'store is closed', checkedAt: new Date().toISOString() } : this.#health;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    // pool.end waits for checked-out clients (writes in progress) to be released.
    await this.pool.end();
  }
}

/** Connects, migrates (once across replicas) and returns the store. Throws when the database is unreachable. */
export async function openPostgresStore(url: string, opts: PgOptions = {}): Promise<PostgresStore> {
  const schema = opts.schema ?? 'public';
  const pool = createPool(url, opts);
  try {
    await applyPgMigrations(pool, schema);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw err;
  }
  return new PostgresStore(pool, schema, opts.healthIntervalMs);
}
