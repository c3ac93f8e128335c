/**
 * Configuration from environment variables, validated once at start-up. Every variable has an embedded
 * default that is safe for a developer's machine, so `npm start` works on a fresh clone; production
 * (NODE_ENV=production) tightens the defaults that matter (authentication on). Bad values stop start-up
 * with a message that names the variable.
 */
import { z } from 'zod';
import { describeAuth, loadIssuersFile, parseClientAuthConfig, type ResolvedClientAuthConfig } from './security/config.js';
import { GUIDELINE_PAGE_PATHS } from './protocol/guideline-pages.js';
import { readStoreConfig, StoreConfigError, type StoreConfig } from './store/store-config.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const csv = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0));

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** One "request completed" line per request; off leaves errors and each hook call's own "hook answered" line. */
  LOG_ACCESS: bool.default(true),
  /** Largest request body accepted, in bytes (413 beyond). Prefetch of a large record can be several MB. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  /** Browser origins allowed by CORS: a comma list, or `*` (no credentials are ever allowed). */
  CORS_ORIGINS: z.string().default('*'),
  /**
   * FHIR servers the service may call: comma list of http(s) URL prefixes and/or the word `loopback`.
   * Defaults to loopback outside production; production must name its servers (a default that admits
   * every local port would let callers probe the host).
   */
  FHIR_SERVER_ALLOWLIST: csv
    .pipe(
      z.array(
        z.string().refine((e) => e.toLowerCase() === 'loopback' || /^https?:\/\/[^/\s]+/i.test(e), {
          message: 'each entry must be `loopback` or an http(s) URL prefix such as https://fhir.example.org/R4',
        }),
      ),
    )
    .optional(),
  /** One deadline for all FHIR reads of a hook call. */
  FHIR_DEADLINE_MS: z.coerce.number().int().min(50).max(30_000).default(2000),
  /** How many searchset pages per resource type are followed before the data is marked truncated. */
  FHIR_MAX_PAGES: z.coerce.number().int().min(1).max(100).default(10),
  /** `_count` asked of the FHIR server per page. */
  FHIR_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  /** Largest FHIR response body read, in bytes; larger ones are cut off and marked as a gap. */
  FHIR_MAX_RESPONSE_BYTES: z.coerce.number().int().min(1024).default(8 * 1024 * 1024),
  /** After a FHIR server refuses a connection, how long (ms) its reads are not attempted (fhir/breaker.ts). */
  FHIR_BREAKER_COOLDOWN_MS: z.coerce.number().int().min(0).max(600_000).default(5000),
  /**
   * Prefetch templates offered in discovery: `full` (cds-services.json, every resource of each type) or
   * `minimal` (cds-services.minimal.json: Observations narrowed to the codes the guideline reads). The FHIR
   * fallback reads the same narrowed searches. Trade-off: README "Performance".
   */
  PREFETCH_PROFILE: z.enum(['full', 'minimal']).default('full'),
  /** Outbound FHIR requests in flight at once, across all hook calls. */
  FHIR_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  /** Mirror systemActions into `extension.systemActions` for the reference sandbox client. */
  MIRROR_SYSTEM_ACTIONS: bool.default(true),
  /** CMS G-code of this qCDSM, sent in the PAMA `qcdsm-consulted` extension when set. */
  QCDSM_CODE: z.string().min(1).optional(),
  /**
   * IANA time zone in which cards show clock times (e.g. Europe/Paris); the zone is printed beside each time.
   * Dates without a time are shown as written.
   */
  SITE_TIMEZONE: z
    .string()
    .refine(isTimeZone, { message: 'must be an IANA time zone such as UTC or Europe/Paris' })
    .default('UTC'),
  /** Optional JSON file mapping site-specific order codes to ACR procedures. */
  SITE_CODES_PATH: z.string().min(1).optional(),
  /** Optional JSON file of site-defined facts as FHIRPath expressions (src/engine/site-facts.ts). */
  SITE_FACTS_PATH: z.string().min(1).optional(),
  /** Client JWT authentication: `required` (default in production) or `off` (default otherwise). */
  AUTH_MODE: z.enum(['required', 'off']).optional(),
  /** The public base URL clients call; a token's `aud` must equal it plus the path. */
  PUBLIC_BASE_URL: z.url().optional(),
  /** JSON file with the trusted issuers (see fixtures/auth/README.md). */
  AUTH_ISSUERS_FILE: z.string().min(1).optional(),
  /**
   * Used token ids remembered per trusted issuer (replay protection). Needs that issuer's calls/s x
   * (token lifetime + 60 s skew); when full, only that issuer's new tokens are refused (401, logged, counted).
   */
  REPLAY_CACHE_PER_ISSUER: z.coerce.number().int().min(1).max(10_000_000).default(200_000),
  /**
   * Requests per window per client address before 429, counted BEFORE authentication (so token-less and
   * forged-token floods are refused before any signature check). Behind a proxy set TRUST_PROXY.
   */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(6000),
  /** Requests per window per authenticated issuer + tenant, counted after authentication. */
  RATE_LIMIT_CLIENT_MAX: z.coerce.number().int().min(1).default(6000),
  /** The rate-limit window in milliseconds. */
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /**
   * Which X-Forwarded-For hops to believe for the client address (Fastify's trustProxy): `false`
   * (default: the socket's peer), `true` (any: only behind a proxy that overwrites the header), a hop
   * count, or a comma list of proxy addresses/CIDRs.
   */
  TRUST_PROXY: z
    .string()
    .transform((v): boolean | number | string => {
      const t = v.trim().toLowerCase();
      if (t === 'true') return true;
      if (t === 'false') return false;
      if (/^\d+$/.test(t)) return Number(t);
      return v.trim();
    })
    .default(false),
  /** redis://host:port: rate-limit counters shared by every replica. Unset: per process. */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Prefix of this deployment's keys in Redis (several deployments or test runs may share one Redis). */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('sih-cds:'),
  /**
   * postgres://user@host:5432/db: the shared store for several replicas (feedback, audit, JWT replay
   * cache). Unset: the embedded SQLite file (DB_PATH), for one process.
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//i, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /** PostgreSQL schema of the tables (default public). */
  PG_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier').default('public'),
  /** PostgreSQL connections per replica. */
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * GET /metrics (Prometheus). On the service port it needs `Authorization: Bearer <METRICS_TOKEN>` when
   * client authentication is on (open when it is off); METRICS_PORT serves it on a port of its own
   * instead (bind it to a network only the scraper reaches).
   */
  METRICS_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /**
   * Event-loop delay (ms, the mean over the last sampling interval) past which new calls are shed with
   * 503 and Retry-After, before latency collapses.
   */
  SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(10).default(1000),
  /** Requests being processed at once past which new ones are shed with 503 (queue depth). */
  SHED_MAX_IN_FLIGHT: z.coerce.number().int().min(1).default(256),
  /**
   * Open client connections at most; more are closed on accept. Clamped at start-up below the process's
   * file-descriptor limit (minus room for FHIR sockets, the database and logs), so fd exhaustion is met by
   * refusing connections, never by failing inside the process.
   */
  MAX_CONNECTIONS: z.coerce.number().int().min(1).default(2048),
  /** Time for a client to send the request headers (ms): slowloris half-open requests end here (408). */
  HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Time for a client to send the whole request, body included (ms); 408 after it. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** How long an idle keep-alive connection stays open (ms). */
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /** Feedback items for cards the service never showed, per client per hour, before 429. */
  FEEDBACK_UNKNOWN_CARD_MAX: z.coerce.number().int().min(0).default(100),
});

export type Env = z.infer<typeof envSchema>;

/** Every environment variable the service reads (here, in store-config.ts and tracing.ts): deployment files are checked against it. */
export const ENV_NAMES: readonly string[] = [
  ...Object.keys(envSchema.shape),
  'DB_PATH',
  'AUDIT_HASH_KEY',
  'AUDIT_HASH_KEY_ID',
  'ANALYTICS_ENABLED',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
];

export interface Config extends Omit<Env, 'FHIR_SERVER_ALLOWLIST'> {
  FHIR_SERVER_ALLOWLIST: string[];
  production: boolean;
  corsOrigins: '*' | string[];
  auth: ResolvedClientAuthConfig;
  /** One line for the start-up log; a loud warning when authentication is off. */
  authDescription: string;
  store: StoreConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset": shells and compose files often export VAR= for optional settings.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const corsOrigins =
    e.CORS_ORIGINS.trim() === '*'
      ? ('*' as const)
      : e.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  const production = e.NODE_ENV === 'production';
  if (production && !e.FHIR_SERVER_ALLOWLIST) {
    throw new ConfigError('Invalid configuration:\n  FHIR_SERVER_ALLOWLIST: required in production (the FHIR servers this service may call)');
  }
  const authMode = e.AUTH_MODE ?? (production ? 'required' : 'off');
  if (authMode === 'required' && !e.PUBLIC_BASE_URL) {
    // The expected `aud` is the URL clients call; behind a proxy or in a container it cannot be guessed.
    throw new ConfigError('Invalid configuration:\n  PUBLIC_BASE_URL: required when client authentication is on (the URL clients call)');
  }
  let auth: ResolvedClientAuthConfig;
  let store: StoreConfig;
  try {
    const input = {
      mode: authMode,
      publicBaseUrl: e.PUBLIC_BASE_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`,
      issuers: e.AUTH_ISSUERS_FILE ? loadIssuersFile(e.AUTH_ISSUERS_FILE) : [],
      replayCacheMaxEntriesPerIssuer: e.REPLAY_CACHE_PER_ISSUER,
      // The guideline pages hold no patient data and are opened from a card link in a browser, which sends
      // no token: they are public, like the probes.
      publicPaths: ['/healthz', '/readyz', ...GUIDELINE_PAGE_PATHS] as string[],
    } as const;
    auth = parseClientAuthConfig(input);
    store = readStoreConfig(cleaned);
  } catch (err) {
    if (err instanceof StoreConfigError || err instanceof Error) {
      throw new ConfigError(`Invalid configuration:\n  ${err.message}`);
    }
    throw err;
  }
  return {
    ...e,
    FHIR_SERVER_ALLOWLIST: e.FHIR_SERVER_ALLOWLIST ?? ['loopback'],
    production,
    corsOrigins,
    auth,
    authDescription: describeAuth(auth),
    store,
  };
}
