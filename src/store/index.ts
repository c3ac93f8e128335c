/** The public API of the audit and feedback store. */
export type { Store, FeedbackItem, FeedbackResult, FeedbackOptions, StoreHealth } from './store.js';
export { openSqliteStore, openSqliteDb, SqliteDb, applyMigrations, idempotencyKey, StoreError, type OpenOptions } from './sqlite-store.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export {
  buildAuditRecord,
  cardTypeOf,
  CARD_TYPES,
  AUDIT_RECORD_VERSION,
  type AuditRecord,
  type AuditInput,
  type AuditCard,
  type AuditEvidence,
  type AuditOrder,
  type CardType,
} from './audit-record.js';
export { AuditWriter, type AuditLogger, type AuditWriterOptions } from './audit-writer.js';
export { hashPatientId } from './patient-hash.js';
export {
  summarize,
  parseTimeWindow,
  formatSummaryText,
  type ReportSummary,
  type GroupSummary,
  type TimeWindow,
  type WindowParse,
} from './summary.js';
export { readStoreConfig, DEFAULT_DB_PATH, DEV_AUDIT_HASH_KEY, StoreConfigError, type StoreConfig } from './store-config.js';
