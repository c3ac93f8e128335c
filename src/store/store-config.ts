/**
 * The store's settings from the environment, for src/config.ts to fold in (or call) at start-up.
 *   DB_PATH            SQLite file, created on first start (default ./data/sih-cds.sqlite)
 *   AUDIT_HASH_KEY     key of the patient-id HMAC; required when NODE_ENV=production (>= 32 characters)
 *   ANALYTICS_ENABLED  "true" registers GET /analytics/summary (default false: it reveals usage figures)
 */
export const DEFAULT_DB_PATH = './data/sih-cds.sqlite';

/** Public on purpose: it only makes development runs work. Hashes made with it protect nothing. */
export const DEV_AUDIT_HASH_KEY = 'dev-only-audit-hash-key-do-not-use-in-production';

export interface StoreConfig {
  dbPath: string;
  hashKey: string;
  analyticsEnabled: boolean;
  /** Things to log loudly at start-up (e.g. the dev hash key is in use). */
  warnings: string[];
}

export class StoreConfigError extends Error {
  override name = 'StoreConfigError';
}

export function readStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const production = env.NODE_ENV === 'production';
  const warnings: string[] = [];
  const dbPath = env.DB_PATH && env.DB_PATH.trim() !== '' ? env.DB_PATH : DEFAULT_DB_PATH;

  let hashKey = env.AUDIT_HASH_KEY ?? '';
  if (hashKey === '') {
    if (production) throw new StoreConfigError('AUDIT_HASH_KEY: required in production (a secret of at least 32 characters)');
    hashKey = DEV_AUDIT_HASH_KEY;
    warnings.push(
      'AUDIT_HASH_KEY is not set: using the public development key. Audited patient hashes are NOT protected; set AUDIT_HASH_KEY before using real data.',
    );
  } else if (hashKey.length < 32) {
    if (production) throw new StoreConfigError('AUDIT_HASH_KEY: must be at least 32 characters');
    warnings.push('AUDIT_HASH_KEY is shorter than 32 characters: use a longer random secret.');
  }

  const raw = (env.ANALYTICS_ENABLED ?? '').trim().toLowerCase();
  if (raw !== '' && !['true', 'false', '1', '0', 'yes', 'no'].includes(raw)) {
    throw new StoreConfigError('ANALYTICS_ENABLED: expected true or false');
  }
  const analyticsEnabled = raw === 'true' || raw === '1' || raw === 'yes';
  return { dbPath, hashKey, analyticsEnabled, warnings };
}
