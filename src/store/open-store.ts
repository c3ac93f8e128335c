/**
 * Chooses the store from the configuration: PostgreSQL when DATABASE_URL is a postgres:// URL (shared
 * by every replica: feedback, audit and the JWT replay cache), otherwise the embedded SQLite file
 * (one process; the replay cache stays in memory).
 */
import type { Logger } from 'pino';
import type { ReplayGuard } from '../security/replay-cache.js';
import { openSqliteStore } from './sqlite-store.js';
import { openSqliteWorkerStore } from './worker-store.js';
import type { Store } from './store.js';
import { isPostgresUrl, openPostgresStore } from './postgres/pg-store.js';
import { PgReplayGuard } from './postgres/pg-replay.js';

export interface StoreChoice {
  databaseUrl?: string;
  pgSchema?: string;
  pgPoolSize?: number;
  sqlitePath: string;
  /** Free-space floor for the SQLite file's disk (worker store health). */
  sqliteMinFreeBytes?: number;
  /** SQLite in this thread (tests, ':memory:') instead of the worker thread the service uses. */
  sqliteInline?: boolean;
  replayPerIssuer: number;
}

export interface OpenedStore {
  store: Store;
  /** Present when the replay cache is shared (PostgreSQL). */
  replay?: ReplayGuard & { close(): void };
  /** For the start-up log: which database, never credentials. */
  description: string;
}

export async function openStore(choice: StoreChoice, logger: Pick<Logger, 'error'>): Promise<OpenedStore> {
  if (isPostgresUrl(choice.databaseUrl)) {
    const store = await openPostgresStore(choice.databaseUrl, {
      ...(choice.pgSchema ? { schema: choice.pgSchema } : {}),
      ...(choice.pgPoolSize ? { poolSize: choice.pgPoolSize } : {}),
      onError: (err) => logger.error({ errType: err.name, code: (err as NodeJS.ErrnoException).code }, 'PostgreSQL connection error'),
    });
    const replay = new PgReplayGuard(store.pool, { maxEntriesPerIssuer: choice.replayPerIssuer });
    const url = new URL(choice.databaseUrl);
    return { store, replay, description: `postgresql://${url.host}${url.pathname} schema ${store.schema}` };
  }
  const store = choice.sqliteInline
    ? openSqliteStore(choice.sqlitePath)
    : await openSqliteWorkerStore(choice.sqlitePath, choice.sqliteMinFreeBytes !== undefined ? { minFreeBytes: choice.sqliteMinFreeBytes } : {});
  return { store, description: `sqlite ${choice.sqlitePath}` };
}
