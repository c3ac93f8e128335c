/**
 * The store's settings from the environment, for src/config.ts to fold in (or call) at start-up.
 *   DB_PATH            SQLite file, created on first start (default ./data/sih-cds.sqlite)
 *   AUDIT_HASH_KEY     key of the patient-id HMAC; required when NODE_ENV=production (>= 32 characters)
 *   AUDIT_HASH_KEY_ID  the key's name, stored with each audit record (default: a fingerprint of the key)
 *   ANALYTICS_ENABLED  "true" registers GET /analytics/summary (default false: it reveals usage figures)
 *   AUDIT_RETENTION_DAYS  decisions and feedback older than this are deleted daily (default 400)
 *   STORE_MIN_FREE_MB  free space on the database's file system below which the store reports itself
 *                      unhealthy and feedback is refused, before SQLite fails mid-write (default 16)
 */
export const DEFAULT_DB_PATH = './data/sih-cds.sqlite';

/** Public on purpose: it only makes development runs work. Hashes made with it protect nothing. */
export const DEV_AUDIT_HASH_KEY = 'dev-only-audit-hash-key-do-not-use-in-production';

export interface StoreConfig {
  dbPath: string;
  hashKey: string;
  /** Set when the operator names the key; otherwise records carry a fingerprint of it. */
  hashKeyId?: string;
  analyticsEnabled: boolean;
  retentionDays: number;
  minFreeBytes: number;
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

  const hashKeyId = (env.AUDIT_HASH_KEY_ID ?? '').trim();
  if (hashKeyId !== '' && !/^[A-Za-z0-9._-]{1,32}$/.test(hashKeyId)) {
    throw new StoreConfigError('AUDIT_HASH_KEY_ID: 1-32 characters of letters, digits, ".", "_" or "-"');
  }

  const raw = (env.ANALYTICS_ENABLED ?? '').trim().toLowerCase();
  if (raw !== '' && !['true', 'false', '1', '0', 'yes', 'no'].includes(raw)) {
    throw new StoreConfigError('ANALYTICS_ENABLED: expected true or false');
  }
  const analyticsEnabled = raw === 'true' || raw === '1' || raw === 'yes';
  const retentionDays = positiveInt(env, 'AUDIT_RETENTION_DAYS', 400);
  const minFreeBytes = positiveInt(env, 'STORE_MIN_FREE_MB', 16, true) * 1024 * 1024;
  return { dbPath, hashKey, ...(hashKeyId !== '' ? { hashKeyId } : {}), analyticsEnabled, retentionDays, minFreeBytes, warnings };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, zeroOk = false): number {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < (zeroOk ? 0 : 1)) {
    throw new StoreConfigError(`${name}: expected a whole number${zeroOk ? '' : ' of at least 1'}`);
  }
  return n;
}
