/**
 * Verifies the JWT a CDS client sends as `Authorization: Bearer …` (checklist §I, items 70–77).
 * The header and payload are first decoded WITHOUT verification only to choose the issuer and its key
 * set; every decision after that rests on jose's signature and claim checks plus our own (exact aud,
 * lifetime bound, tenant allow-list, jti replay).
 *
 * Results carry a reason for the log, never for the client: the HTTP layer answers a bare 401.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { RequiredClientAuthConfig } from './config.js';
import { IssuerRegistry } from './issuers.js';
import { ReplayCache, type ReplayGuard } from './replay-cache.js';

/** Who called, once the token is proven. Safe to log and to store (no token material). */
export interface VerifiedClient {
  iss: string;
  kid: string;
  jti: string;
  tenant?: string;
  /** Token expiry, seconds since the epoch. */
  exp: number;
  keySource: 'static' | 'jku';
}

/** Why a token was refused, with whatever identifying fields were readable. For logs only. */
export interface AuthFailure {
  reason: string;
  iss?: string;
  kid?: string;
  jti?: string;
  tenant?: string;
}

export type VerifyResult = { ok: true; client: VerifiedClient } | { ok: false; failure: AuthFailure };

export interface ClientTokenVerifier {
  /** `audience` is the exact URL the client called (public base URL + path, no query). */
  verify(token: string, audience: string): Promise<VerifyResult>;
}

export interface VerifierDeps {
  /** Milliseconds since the epoch; injectable so tests can move time without waiting. */
  now?: () => number;
  /** Where used jtis are remembered; default: in memory, per process, with the configured per-issuer quota. */
  replay?: ReplayGuard;
  /** Told the reason of every refused token (for metrics). */
  onFailure?: (reason: string) => void;
  /** Told when an issuer's replay quota is full (for metrics). */
  onReplayFull?: (iss: string) => void;
}

/** Compact JWS: three base64url parts. Rejects JWE (five parts) and junk before any decoding. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
/** Logged strings come from unverified input: cap them so a client cannot flood the log. */
const MAX_LOGGED_LENGTH = 128;

function loggable(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length > MAX_LOGGED_LENGTH ? `${value.slice(0, MAX_LOGGED_LENGTH)}…` : value;
}

/** Same normalisation jose applies to `typ`: media types are case-insensitive, `application/` optional. */
function isJwtTyp(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toLowerCase().replace(/^application\//, '') === 'jwt';
}

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTClaimValidationFailed || err instanceof errors.JWTExpired) {
    return `claim "${err.claim}" rejected: ${err.message}`;
  }
  if (err instanceof errors.JOSEError) return `${err.code}: ${err.message}`;
  // Not from jose: typically the jku fetch failing at network level.
  return `key retrieval or verification error: ${err instanceof Error ? err.message : String(err)}`;
}

export function createClientTokenVerifier(cfg: RequiredClientAuthConfig, deps: VerifierDeps = {}): ClientTokenVerifier {
  const now = deps.now ?? Date.now;
  const registry = new IssuerRegistry(cfg.issuers);
  const replay = deps.replay ?? new ReplayCache({ maxEntriesPerIssuer: cfg.replayCacheMaxEntriesPerIssuer, now });
  const allowedAlgorithms: readonly string[] = cfg.allowedAlgorithms;

  async function verify(token: string, audience: string): Promise<VerifyResult> {
    const fail = (reason: string, known: Omit<AuthFailure, 'reason'> = {}): VerifyResult => ({
      ok: false,
      failure: { reason, ...known },
    });

    if (!COMPACT_JWS.test(token)) return fail('malformed token: not a compact JWS');
    let header: ReturnType<typeof decodeProtectedHeader>;
    let claims: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      claims = decodeJwt(token);
    } catch {
      return fail('malformed token: header or payload is not valid JSON');
    }

    const known = {
      iss: loggable(claims.iss),
      kid: loggable(header.kid),
      jti: loggable(claims.jti),
      tenant: loggable(claims['tenant']),
    };
    const alg = header.alg;
    if (typeof alg !== 'string' || !allowedAlgorithms.includes(alg)) {
      return fail(`alg ${JSON.stringify(loggable(alg) ?? null)} is not allowed`, known);
    }
    if (typeof header.kid !== 'string' || header.kid.length === 0) return fail('header kid is missing', known);
    if (!isJwtTyp(header.typ)) return fail('header typ is not JWT', known);
    if (header.jku !== undefined && typeof header.jku !== 'string') return fail('header jku is not a string', known);
    if (typeof claims.iss !== 'string') return fail('iss claim is missing', known);

    const keySet = registry.keySetFor(claims.iss, header.jku);
    if (!keySet.ok) return fail(keySet.reason, known);

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet.getKey, {
        issuer: claims.iss,
        audience,
        algorithms: [...allowedAlgorithms],
        typ: 'JWT',
        clockTolerance: cfg.clockSkewSeconds,
        // maxTokenAge makes jose require iat and refuse one in the future beyond the skew.
        maxTokenAge: cfg.maxTokenLifetimeSeconds,
        requiredClaims: ['exp', 'iat', 'jti'],
        currentDate: new Date(now()),
      }));
    } catch (err) {
      return fail(describeJoseError(err), known);
    }

    // From here on the claims are signed by a trusted key.
    const { jti, exp, iat } = payload;
    if (typeof jti !== 'string' || jti.length === 0) return fail('jti claim is not a non-empty string', known);
    if (typeof exp !== 'number' || typeof iat !== 'number') return fail('exp or iat is not a number', known);
    if (exp - iat > cfg.maxTokenLifetimeSeconds) {
      return fail(`token lifetime ${exp - iat}s exceeds ${cfg.maxTokenLifetimeSeconds}s`, known);
    }
    const tenant = payload['tenant'];
    if (tenant !== undefined && typeof tenant !== 'string') return fail('tenant claim is not a string', known);
    const allowedTenants = keySet.issuer.tenants;
    if (allowedTenants && (tenant === undefined || !allowedTenants.includes(tenant))) {
      return fail(tenant === undefined ? 'tenant claim missing but required for this issuer' : 'tenant not allowed', known);
    }

    // Last, so that only otherwise-valid tokens occupy the cache.
    let verdict;
    try {
      verdict = await replay.check(claims.iss, jti, (exp + cfg.clockSkewSeconds) * 1000);
    } catch (err) {
      // The shared cache cannot be reached: refuse (fail closed) rather than skip the replay check.
      return fail(`replay cache unavailable (${(err as NodeJS.ErrnoException).code ?? (err as Error).name})`, known);
    }
    if (verdict === 'replayed') return fail('jti already used (replay)', known);
    if (verdict === 'full') {
      deps.onReplayFull?.(claims.iss);
      return fail("replay cache quota of this issuer is full of unexpired tokens; refusing this issuer's new tokens rather than skipping the replay check", known);
    }

    return {
      ok: true,
      client: {
        iss: claims.iss,
        kid: header.kid,
        jti,
        ...(tenant !== undefined ? { tenant } : {}),
        exp,
        keySource: keySet.source,
      },
    };
  }

  return { verify };
}
