/**
 * Builds the Fastify application from its parts. Everything with state or I/O (logger, clock, advisor,
 * store, authentication) is passed in, so tests build the same app the server runs, with their own parts.
 *
 * Order matters: CORS first (so even a 401 or 429 carries CORS headers and a browser can read it), then
 * load shedding and rate limits (cheap refusals before any work), then client authentication, then routes.
 * Below the routes, connection-limits.ts bounds connections and the time a client may take (issue 12).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import { AccessLog } from './logger.js';
import type { Config } from './config.js';
import type { Discovery } from './protocol/discovery.js';
import { registerErrorHandling } from './protocol/errors.js';
import { registerHookRoutes } from './protocol/routes.js';
import { feedbackRoutes } from './protocol/feedback.js';
import { analyticsRoutes } from './protocol/analytics.js';
import { registerClientAuth } from './security/client-auth.js';
import type { Advisor } from './advisor.js';
import type { Store } from './store/store.js';
import type { AuditWriter } from './store/audit-writer.js';
import { createAllowList } from './fhir/allowlist.js';
import { Limiter } from './fhir/limiter.js';
import { registerShedding } from './shedding.js';
import {
  clientErrorHandler,
  effectiveMaxConnections,
  fdReserve,
  fdSoftLimit,
  throttledWarn,
} from './connection-limits.js';

export interface AppParts {
  config: Config;
  logger: Logger;
  discovery: Discovery;
  advisor: Advisor;
  /** Feedback and analytics storage; without it the feedback route is not offered. */
  store?: Store;
  /** Decision audit; called after each hook answer is sent. */
  audit?: AuditWriter;
}

const PROBES = new Set(['/healthz', '/readyz']);

export async function buildApp(parts: AppParts): Promise<FastifyInstance> {
  const { config } = parts;
  const app = Fastify({
    loggerInstance: parts.logger as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Bounds for clients that stall: no request may hold a socket forever. Node checks the header and
    // request deadlines every `connectionsCheckingInterval` (30 s by default, which let a trickled body
    // live 80-90 s): check every second so the configured times hold.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_MS,
    connectionTimeout: Math.max(config.REQUEST_TIMEOUT_MS, 30_000),
    http: {
      headersTimeout: Math.min(config.HEADERS_TIMEOUT_MS, config.REQUEST_TIMEOUT_MS),
      connectionsCheckingInterval: 1000,
    },
    clientErrorHandler,
    // Closing is answered by the shedding hook, as an OperationOutcome (Fastify's own 503 is plain JSON).
    return503OnClosing: false,
    logController: new AccessLog(),
  });
  const log = app.log;
  const fdLimit = fdSoftLimit();
  app.server.maxConnections = effectiveMaxConnections(config.MAX_CONNECTIONS, fdLimit, fdReserve(config.FHIR_MAX_CONCURRENCY));
  // Past maxConnections Node closes the new connection at once ('drop'); say so, at most every 10 s.
  const dropped = throttledWarn(log, 'connection refused: MAX_CONNECTIONS reached');
  app.server.on('drop', () => dropped({ maxConnections: app.server.maxConnections }));
  // accept() failing (EMFILE at the fd limit) is emitted as 'error' on the server: without a listener it
  // would be thrown and end the process. libuv keeps listening; the connection is refused.
  const acceptFailed = throttledWarn(log, 'connection refused: accept failed');
  app.server.on('error', (err: NodeJS.ErrnoException) => acceptFailed({ code: err.code }));

  // FHIR clients send application/fhir+json: the same JSON parser and protections (prototype poisoning
  // refused) apply.
  // CDS Hooks bodies are JSON only: Fastify's built-in text/plain parser would turn a mislabelled body into a
  // string and a vague 400; without it the client gets a clear 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  await app.register(cors, {
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
    credentials: false,
    maxAge: 600,
  });
  registerErrorHandling(app);

  registerShedding(app, {
    maxEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS,
    maxInFlight: config.SHED_MAX_IN_FLIGHT,
    retryAfterS: 10,
    exempt: (url) => PROBES.has(url),
  });
  await app.register(rateLimit, {
    max: config.RATE_LIMIT_MAX,
    timeWindow: 60_000,
    allowList: (request) => PROBES.has(request.url),
  });

  if (config.auth.mode === 'required') registerClientAuth(app, config.auth);

  const serviceIds = parts.discovery.services.map((s) => s.id);
  if (parts.store) {
    await app.register(feedbackRoutes, {
      store: parts.store,
      serviceIds,
      unknownCardQuota: { max: config.FEEDBACK_UNKNOWN_CARD_MAX, windowMs: 60 * 60_000 },
    });
    if (config.store.analyticsEnabled) await app.register(analyticsRoutes, { store: parts.store });
  }

  const audit = parts.audit;
  const store = parts.store;
  registerHookRoutes(app, {
    discovery: parts.discovery,
    advisor: parts.advisor,
    assemble: {
      allowList: createAllowList(config.FHIR_SERVER_ALLOWLIST),
      limiter: new Limiter(config.FHIR_MAX_CONCURRENCY),
      deadlineMs: config.FHIR_DEADLINE_MS,
      maxPages: config.FHIR_MAX_PAGES,
      pageSize: config.FHIR_PAGE_SIZE,
      maxResponseBytes: config.FHIR_MAX_RESPONSE_BYTES,
    },
    ...(audit ? { onDecision: (event) => audit.record(event) } : {}),
    ...(store ? { ready: async () => (await store.health()).ok } : {}),
  });
  return app;
}
