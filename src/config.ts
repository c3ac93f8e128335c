/**
 * Configuration from environment variables, validated once at start-up. Every variable has an embedded
 * default that is safe for a developer's machine, so `npm start` works on a fresh clone; production
 * (NODE_ENV=production) tightens the defaults that matter (authentication on). Bad values stop start-up
 * with a message that names the variable.
 */
import { z } from 'zod';
import { describeAuth, loadIssuersFile, parseClientAuthConfig, type ResolvedClientAuthConfig } from './security/config.js';
import { readStoreConfig, StoreConfigError, type StoreConfig } from './store/store-config.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0));

const envSchema = z.object({
  NODE_ENV: z.string().default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
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
  /** Outbound FHIR requests in flight at once, across all hook calls. */
  FHIR_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(32),
  /** Mirror systemActions into `extension.systemActions` for the reference sandbox client. */
  MIRROR_SYSTEM_ACTIONS: bool.default(true),
  /** CMS G-code of this qCDSM, sent in the PAMA `qcdsm-consulted` extension when set. */
  QCDSM_CODE: z.string().min(1).optional(),
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
  /** Requests per minute per client address before 429. A hospital EHR is one client: size it for all its calls. */
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(6000),
  /** Event-loop delay (ms) past which new calls are shed with 503 and Retry-After, before latency collapses. */
  SHED_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(10).default(1000),
});

export type Env = z.infer<typeof envSchema>;

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
