/**
 * Fastify wiring for CDS client authentication. One root `onRequest` hook (before body parsing, so
 * unauthenticated callers cost us no parsing) checks every request except:
 *   - the configured public paths (health probes), and
 *   - CORS preflights, which browsers send without Authorization by design (checklist item 79).
 * Protection is default-deny: any other path — discovery, services, feedback, /analytics/*, and
 * unknown URLs alike — needs a valid token, so a new route cannot be left open by accident.
 *
 * Failures answer a bare 401 (checklist item 75: say nothing about why); the reason goes to the
 * request log with iss/kid/jti/tenant. The token itself is never logged.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { sendOutcome } from '../protocol/operation-outcome.js';
import {
  isAuthRequired,
  parseClientAuthConfig,
  type ClientAuthConfig,
  type RequiredClientAuthConfig,
} from './config.js';
import { createClientTokenVerifier, type ClientTokenVerifier, type VerifiedClient, type VerifierDeps } from './jwt-verify.js';

export { clientAuthConfigSchema, describeAuth, loadIssuersFile } from './config.js';
export type { ClientAuthConfig, Issuer, ResolvedClientAuthConfig } from './config.js';
export type { VerifiedClient } from './jwt-verify.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated CDS client; null when auth is off or the route is public. */
    cdsClient: VerifiedClient | null;
  }
}

const BEARER = /^Bearer +(\S+)$/i;

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** A preflight is an OPTIONS carrying Access-Control-Request-Method; a plain OPTIONS is not exempt. */
function isCorsPreflight(request: FastifyRequest): boolean {
  return request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
}

function unauthorized(reply: FastifyReply): FastifyReply {
  reply.header('www-authenticate', 'Bearer');
  return sendOutcome(reply, 401, [{ code: 'login', diagnostics: 'Unauthorized' }]);
}

export function createClientAuthHook(cfg: RequiredClientAuthConfig, deps: VerifierDeps = {}) {
  const verifier: ClientTokenVerifier = createClientTokenVerifier(cfg, deps);
  const publicPaths = new Set(cfg.publicPaths);

  // Returning the reply after sending is what tells Fastify to stop the request here.
  return async function clientAuthHook(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const path = pathOf(request.url);
    if (publicPaths.has(path) || isCorsPreflight(request)) return undefined;

    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      request.log.warn({ auth: { reason: 'no bearer token' } }, 'client authentication failed');
      deps.onFailure?.('no bearer token');
      return unauthorized(reply);
    }
    // aud is the exact URL called: configured base (reverse-proxy safe) + raw path, no query.
    const result = await verifier.verify(match[1], cfg.publicBaseUrl + path);
    if (!result.ok) {
      request.log.warn({ auth: result.failure }, 'client authentication failed');
      deps.onFailure?.(result.failure.reason);
      return unauthorized(reply);
    }
    request.cdsClient = result.client;
    return undefined;
  };
}

/**
 * Call on the root instance before routes are registered (and after @fastify/cors, so that 401s
 * still carry CORS headers the browser needs to read them). Throws on invalid configuration.
 */
export function registerClientAuth<Logger extends FastifyBaseLogger>(app: AuthHost<Logger>, opts: ClientAuthConfig): void {
  registerClientAuthWith(app, opts);
}

/**
 * Any root instance, whatever its logger type: `Fastify({ loggerInstance: pino() })` is typed with
 * pino's Logger, which is not assignable to the default FastifyInstance.
 */
export type AuthHost<Logger extends FastifyBaseLogger = FastifyBaseLogger> = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger
>;

/** As registerClientAuth, with injectable dependencies (a clock) for tests. */
export function registerClientAuthWith<Logger extends FastifyBaseLogger>(
  app: AuthHost<Logger>,
  opts: ClientAuthConfig,
  deps: VerifierDeps = {},
): void {
  const cfg = parseClientAuthConfig(opts);
  app.decorateRequest('cdsClient', null);
  if (!isAuthRequired(cfg)) return;
  app.addHook('onRequest', createClientAuthHook(cfg, deps));
}
