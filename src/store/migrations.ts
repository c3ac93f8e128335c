/**
 * Schema migrations, versioned in the repo and applied in order when the store opens (see
 * `applyMigrations` in sqlite-store.ts). They are TypeScript rather than .sql files so the compiled
 * output needs no copying step. Never edit a migration that has shipped: add the next version.
 *
 * Times are ISO-8601 UTC strings with milliseconds (`Date#toISOString()`), which sort and compare as
 * text, so range queries need no date functions and read the same in any SQL database.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'decision audit, cards, suggestions and feedback',
    sql: `
      CREATE TABLE decisions (
        id             INTEGER PRIMARY KEY,
        received_at    TEXT    NOT NULL,
        service_id     TEXT    NOT NULL,
        hook           TEXT    NOT NULL,
        hook_instance  TEXT    NOT NULL,
        patient_hash   TEXT    NOT NULL,
        variant_status TEXT    NOT NULL,
        variant_number INTEGER,
        -- 'V1'..'V6', 'undetermined' or 'not-applicable': the report's grouping key
        variant_key    TEXT    NOT NULL,
        latency_ms     REAL    NOT NULL,
        -- the whole AuditRecord (evidence, orders, gaps, timings...) as JSON
        record_json    TEXT    NOT NULL
      );
      CREATE INDEX decisions_received_at ON decisions (received_at);
      CREATE INDEX decisions_hook_instance ON decisions (hook_instance);

      CREATE TABLE decision_cards (
        decision_id INTEGER NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
        card_uuid   TEXT    NOT NULL,
        card_type   TEXT    NOT NULL,
        indicator   TEXT    NOT NULL,
        -- the override reasons the card offered (our own codings), JSON array
        override_reasons_json TEXT NOT NULL,
        PRIMARY KEY (decision_id, card_uuid)
      );
      -- feedback joins to its decision through the card uuid
      CREATE INDEX decision_cards_card_uuid ON decision_cards (card_uuid);

      CREATE TABLE card_suggestions (
        decision_id     INTEGER NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
        card_uuid       TEXT    NOT NULL,
        suggestion_uuid TEXT    NOT NULL,
        label           TEXT    NOT NULL,
        PRIMARY KEY (decision_id, card_uuid, suggestion_uuid)
      );
      CREATE INDEX card_suggestions_suggestion ON card_suggestions (card_uuid, suggestion_uuid);

      CREATE TABLE feedback (
        id                INTEGER PRIMARY KEY,
        -- sha256 of (card, outcome, sorted accepted suggestion ids, outcome timestamp, reason system|code)
        idempotency_key   TEXT    NOT NULL UNIQUE,
        service_id        TEXT    NOT NULL,
        card_uuid         TEXT    NOT NULL,
        outcome           TEXT    NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
        accepted_suggestions_json TEXT NOT NULL,
        outcome_timestamp TEXT    NOT NULL,
        reason_system     TEXT,
        reason_code       TEXT,
        reason_display    TEXT,
        -- whether the clinician wrote a comment; the comment itself is never stored
        has_user_comment  INTEGER NOT NULL,
        -- 1 when no audited decision had shown this card when the feedback arrived
        unknown_card      INTEGER NOT NULL,
        received_at       TEXT    NOT NULL
      );
      CREATE INDEX feedback_card_uuid ON feedback (card_uuid);
      CREATE INDEX feedback_received_at ON feedback (received_at);
    `,
  },
  {
    version: 2,
    description: 'one-row table the health check writes, to notice a read-only or failing database',
    sql: `
      CREATE TABLE store_probe (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        at TEXT    NOT NULL
      );
    `,
  },
];
