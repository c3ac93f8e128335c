/**
 * The storage interface for decision audit and card feedback. Small on purpose: the embedded SQLite
 * store implements it for one process; a shared database (PostgreSQL) implements the same methods when
 * several replicas run. Every method returns a Promise so that no implementation runs storage I/O on
 * the event loop (SQLite runs in a worker thread, a network database is asynchronous anyway).
 *
 * Contract, for every implementation:
 * - `recordFeedback` resolves only when every item of the call is durable (committed and flushed as the
 *   database promises: fsync for SQLite, a committed transaction for PostgreSQL). It rejects when the
 *   items cannot be stored (disk full, read-only, file gone, connection lost, timeout); the route then
 *   answers 503, never 200. All items of one call are written in one transaction, or none.
 * - `recordDecisions` is best effort (the audit): it may resolve before an fsync, and may reject; the
 *   caller (`AuditWriter`) counts and logs failures and never lets them reach a hook answer.
 * - `health` resolves promptly (milliseconds, without waiting for a stalled disk or database) with the
 *   last known state; implementations check in the background. `/readyz` and the feedback route use it.
 * - `close` waits for writes already accepted, then releases the database.
 */
import type { AuditRecord } from './audit-record.js';
import type { ReportSummary, TimeWindow } from './summary.js';

/**
 * One feedback item after validation and normalisation (src/protocol/feedback.ts builds it). It holds
 * no clinician free text: `userComment` is reduced to `hasUserComment`, and an override reason is kept
 * as its code only (the display shown in reports is the service's own, never the client's text).
 */
export interface FeedbackItem {
  cardUuid: string;
  outcome: 'accepted' | 'overridden';
  /** Accepted suggestion uuids, sorted and de-duplicated (order carries no meaning). */
  acceptedSuggestionIds: string[];
  /** Normalised to `Date#toISOString()` (UTC, milliseconds) so `…Z` and `…+00:00` are one instant. */
  outcomeTimestamp: string;
  overrideReason?: { system: string; code: string };
  hasUserComment: boolean;
}

export interface FeedbackOptions {
  /**
   * How many items for cards the audit has never shown this call may newly store (the caller's per-client
   * quota). When more would be stored, nothing is written and the result says `overQuota`.
   * Absent: no limit.
   */
  maxUnknownCards?: number;
}

export interface FeedbackResult {
  /** Items newly written. */
  stored: number;
  /** Items already on disk (same idempotency key), not written again. */
  duplicates: number;
  /** Items for cards with no audited decision (stored and flagged, or the reason for `overQuota`). */
  unknownCards: number;
  /** True when `maxUnknownCards` was exceeded: nothing of this call was written. */
  overQuota?: boolean;
}

export interface StoreHealth {
  ok: boolean;
  /** Why not ok, in words an operator can act on (no paths beyond the configured one, no data). */
  reason?: string;
  /** ISO time of the check this state comes from. */
  checkedAt: string;
}

export interface Store {
  /** Writes decision audit records in one transaction (best effort, see above). */
  recordDecisions(recs: readonly AuditRecord[]): Promise<void>;
  /** Stores a feedback POST atomically: resolves only when every item is durable; rejects otherwise. */
  recordFeedback(
    serviceId: string,
    items: readonly FeedbackItem[],
    receivedAt: Date,
    opts?: FeedbackOptions,
  ): Promise<FeedbackResult>;
  summary(window: TimeWindow): Promise<ReportSummary>;
  /**
   * Retention: deletes decision audit records (with their cards) and feedback received before `before`;
   * resolves with how many rows went. May work in several transactions; must not block feedback writes
   * for long.
   */
  pruneDecisions(before: Date): Promise<number>;
  /** The last known state of the database, promptly (for readiness probes and the feedback route). */
  health(): Promise<StoreHealth>;
  close(): Promise<void>;
}
