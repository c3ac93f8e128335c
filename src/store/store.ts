/**
 * The storage interface for decision audit and card feedback. Small on purpose: the embedded SQLite
 * store implements it for one process; a shared database (PostgreSQL) can implement the same five
 * methods when several replicas run. Every method is synchronous because the SQLite driver is, and
 * because "answered 200" must mean "committed": an implementation over a network database would make
 * these async, and the two route plugins would `await` them (they are the only callers).
 */
import type { AuditRecord } from './audit-record.js';
import type { ReportSummary, TimeWindow } from './summary.js';

/**
 * One feedback item after validation and normalisation (src/protocol/feedback.ts builds it). It holds
 * no clinician free text: `userComment` is reduced to `hasUserComment` before it reaches the store.
 */
export interface FeedbackItem {
  cardUuid: string;
  outcome: 'accepted' | 'overridden';
  /** Accepted suggestion uuids, sorted and de-duplicated (order carries no meaning). */
  acceptedSuggestionIds: string[];
  /** Normalised to `Date#toISOString()` (UTC, milliseconds) so `…Z` and `…+00:00` are one instant. */
  outcomeTimestamp: string;
  overrideReason?: { system: string; code: string; display?: string };
  hasUserComment: boolean;
}

export interface FeedbackResult {
  /** Items newly written. */
  stored: number;
  /** Items already on disk (same idempotency key), not written again. */
  duplicates: number;
  /** Newly stored items whose card uuid has no audited decision (stored and flagged, never refused). */
  unknownCards: number;
}

export interface Store {
  /** Writes one decision audit record. Throws on failure: wrap it with `AuditWriter`. */
  recordDecision(rec: AuditRecord): void;
  /** Writes several in one transaction (one fsync): what `AuditWriter` uses under load. */
  recordDecisions(recs: readonly AuditRecord[]): void;
  /** Stores a feedback POST atomically: when it returns, every item is durable. */
  recordFeedback(serviceId: string, items: readonly FeedbackItem[], receivedAt: Date): FeedbackResult;
  summary(window: TimeWindow): ReportSummary;
  /** True when the database answers a trivial query (for readiness probes). */
  ping(): boolean;
  close(): void;
}
