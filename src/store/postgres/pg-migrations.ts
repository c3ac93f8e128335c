/**
 * PostgreSQL schema migrations, versioned and applied like the SQLite ones (src/store/migrations.ts):
 * in order, each in its own transaction, recorded in `schema_migrations`. Version 1 is the SQLite
 * version 1 schema in PostgreSQL types; tables and columns keep their names and meanings so that the
 * report's queries read the same on both. Times stay ISO-8601 UTC text (see migrations.ts) for that
 * reason. Never edit a migration that has shipped: add the next version.
 */
import type { Migration } from '../migrations.js';

export const PG_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'decision audit, cards, suggestions and feedback',
    sql: `
      CREATE TABLE decisions (
        id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        received_at    TEXT    NOT NULL,
        service_id     TEXT    NOT NULL,
        hook           TEXT    NOT NULL,
        hook_instance  TEXT    NOT NULL,
        patient_hash   TEXT    NOT NULL,
        variant_status TEXT    NOT NULL,
        variant_number INTEGER,
        variant_key    TEXT    NOT NULL,
        latency_ms     DOUBLE PRECISION NOT NULL,
        record_json    TEXT    NOT NULL
      );
      CREATE INDEX decisions_received_at ON decisions (received_at);
      CREATE INDEX decisions_hook_instance ON decisions (hook_instance);

      CREATE TABLE decision_cards (
        decision_id BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
        card_uuid   TEXT   NOT NULL,
        card_type   TEXT   NOT NULL,
        indicator   TEXT   NOT NULL,
        override_reasons_json TEXT NOT NULL,
        PRIMARY KEY (decision_id, card_uuid)
      );
      CREATE INDEX decision_cards_card_uuid ON decision_cards (card_uuid);

      CREATE TABLE card_suggestions (
        decision_id     BIGINT NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
        card_uuid       TEXT   NOT NULL,
        suggestion_uuid TEXT   NOT NULL,
        label           TEXT   NOT NULL,
        PRIMARY KEY (decision_id, card_uuid, suggestion_uuid)
      );
      CREATE INDEX card_suggestions_suggestion ON card_suggestions (card_uuid, suggestion_uuid);

      CREATE TABLE feedback (
        id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        idempotency_key   TEXT    NOT NULL UNIQUE,
        service_id        TEXT    NOT NULL,
        card_uuid         TEXT    NOT NULL,
        outcome           TEXT    NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
        accepted_suggestions_json TEXT NOT NULL,
        outcome_timestamp TEXT    NOT NULL,
        reason_system     TEXT,
        reason_code       TEXT,
        reason_display    TEXT,
        has_user_comment  INTEGER NOT NULL,
        unknown_card      INTEGER NOT NULL,
        received_at       TEXT    NOT NULL
      );
      CREATE INDEX feedback_card_uuid ON feedback (card_uuid);
      CREATE INDEX feedback_received_at ON feedback (received_at);
    `,
  },
  {
    version: 2,
    description: 'JWT replay cache shared by every replica',
    sql: `
      -- One row per (issuer, jti) until the token could no longer be accepted. UNLOGGED: it is a cache
      -- of short-lived facts; after a database crash it comes back empty, which only reopens replays of
      -- tokens issued before the crash (bounded by the token lifetime).
      CREATE UNLOGGED TABLE replay_jti (
        iss        TEXT        NOT NULL,
        jti        TEXT        NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (iss, jti)
      );
      CREATE INDEX replay_jti_expiry ON replay_jti (expires_at);
    `,
  },
];
