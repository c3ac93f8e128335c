/**
 * Two request-rate limits, both as root `onRequest` hooks so their order against authentication is
 * explicit (route-level hooks, which is how @fastify/rate-limit installs itself by default, run after
 * every root hook, i.e. after the signature check they were meant to protect):
 *
 *   1. per client address, BEFORE authentication: token-less floods and forged tokens are refused with
 *      429 before a signature is checked. The address is `request.ip`, which honours Fastify's
 *      `trustProxy` (TRUST_PROXY), so behind an ingress the real caller is counted, not the ingress.
 *   2. per authenticated issuer and tenant, AFTER authentication: one EHR behind a NAT or an ingress is
 *      one budget, however many addresses it uses; two tenants of one issuer are two budgets.
 *
 * The counting is @fastify/rate-limit's own (`createRateLimit`), in memory per process, or in Redis
 * (its Lua INCR+PEXPIRE store, via ioredis) when REDIS_URL is set, so N replicas share one budget.
 * A Redis outage lets requests through (skipOnError) rather than failing every hook call: the limit is
 * a protection, and the service advises, never blocks; the outage is logged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { sendOutcome } from '../protocol/operation-outcome.js';

export interface RateLimitSettings {
  /** Requests per window per client address (before authentication). */
  perAddressMax: number;
  /** Requests per window per authenticated issuer + tenant. */
  perClientMax: number;
  windowMs: number;
  /** When set, counters live in Redis and are shared by every replica using it. */
  redisUrl?: string;
  /** Key prefix in Redis. */
  redisPrefix?: string;
  /** Paths (without query) that are never limited: the orchestrator's probes. */
  exemptPaths: ReadonlySet<string>;
}

export type LimitKind = 'address' | 'client';

export interface RateLimitHooks {
  /** Called once per refused request (for metrics). */
  onLimited?: (kind: LimitKind) => void;
}

interface LimitResult {
  isAllowed: boolean;
  isExceeded?: boolean;
  max?: number;
  ttlInSeconds?: number;
}
type Limiter = (req: FastifyRequest) => Promise<LimitResult>;

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The key of an authenticated caller: issuer and tenant, length-prefixed so no two pairs collide. */
export function clientKey(iss: string, tenant: string | undefined): string {
  return `client:${iss.length}:${iss}|${tenant ?? ''}`;
}

function tooMany(reply: FastifyReply, result: LimitResult, kind: LimitKind): FastifyReply {
  const retryAfter = Math.max(1, result.ttlInSeconds ?? 1);
  reply.header('retry-after', String(retryAfter));
  if (result.max !== undefined) reply.header('x-ratelimit-limit', String(result.max));
  return sendOutcome(reply, 429, [
    {
      code: 'throttled',
      diagnostics: `Too many requests from this ${kind === 'address' ? 'address' : 'client'}; retry after ${retryAfter} s`,
    },
  ]);
}

/**
 * Registers the plugin (without its per-route hooks) and returns the two hooks; the caller adds the
 * address hook before authentication and the client hook after it. `close` ends the Redis connection.
 */
export async function createRateLimits(
  app: FastifyInstance,
  settings: RateLimitSettings,
  logger: Logger,
  hooks: RateLimitHooks = {},
): Promise<{
  beforeAuth: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  afterAuth: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
}> {
  let redis: Redis | undefined;
  if (settings.redisUrl) {
    redis = new Redis(settings.redisUrl, {
      // Fail fast instead of queueing while Redis is away: the request goes on unlimited (skipOnError).
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      lazyConnect: false,
    });
    let lastLogged = 0;
    redis.on('error', (err: Error) => {
      const now = Date.now();
      if (now - lastLogged < 10_000) return; // one line per 10 s, not one per request
      lastLogged = now;
      logger.warn({ errType: err.name, code: (err as NodeJS.ErrnoException).code }, 'rate-limit store (Redis) unavailable: requests are not limited');
    });
    app.addHook('onClose', async () => {
      redis?.disconnect();
    });
    // Start limited when Redis is there; never refuse to start because it is not (it may come later).
    const connecting = redis;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        connecting.off('ready', done);
        connecting.off('error', done);
        resolve();
      };
      const timer = setTimeout(done, 3000);
      connecting.once('ready', done);
      connecting.once('error', done);
    });
  }
  await app.register(rateLimit, {
    global: false,
    timeWindow: settings.windowMs,
    skipOnError: true,
    ...(redis ? { redis, nameSpace: `${settings.redisPrefix ?? 'sih-cds:'}rl:` } : {}),
  });
  const create = (app as unknown as { createRateLimit: (o: object) => Limiter }).createRateLimit;
  const byAddress = create({ max: settings.perAddressMax, timeWindow: settings.windowMs });
  const byClient = create({
    max: settings.perClientMax,
    timeWindow: settings.windowMs,
    keyGenerator: (req: FastifyRequest) => clientKey(req.cdsClient?.iss ?? '', req.cdsClient?.tenant),
  });

  const run = (limiter: Limiter, kind: LimitKind) =>
    async function limit(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
      if (settings.exemptPaths.has(pathOf(request.url))) return undefined;
      if (kind === 'client' && !request.cdsClient) return undefined; // auth off or public path: address limit only
      const result = await limiter(request);
      if (result.isAllowed || !result.isExceeded) return undefined;
      hooks.onLimited?.(kind);
      request.log.warn({ rateLimit: kind }, 'rate limit exceeded: 429');
      return tooMany(reply, result, kind);
    };
  return { beforeAuth: run(byAddress, 'address'), afterAuth: run(byClient, 'client') };
}
