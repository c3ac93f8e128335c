/**
 * Builds the Fastify application from its parts. Everything with state or I/O (logger, clock, advisor,
 * store, authentication) is passed in, so tests build the same app the server runs, with their own parts.
 *
 * Order matters: CORS first (so even a 401 or 429 carries CORS headers and a browser can read it), then
 * load shedding and the per-address rate limit (cheap refusals before any work, a signature check
 * included), then client authentication, then the per-client (issuer/tenant) rate limit, then routes.
 * All of them are root hooks, which run in the order they are added.
 * Below the routes, connection-limits.ts bounds connections and the time a client may take (issue 12).
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { Logger } from 'pino';
import { AccessLog } from './logger.js';
import type { Config } from './config.js';
import type { Discovery } from './protocol/discovery.js';
import { registerErrorHandling } from './protocol/errors.js';
import { registerHookRoutes } from './protocol/routes.js';
import { feedbackRoutes } from './protocol/feedback.js';
import { analyticsRoutes } from './protocol/analytics.js';
import { guidelinePageRoutes } from './protocol/guideline-pages.js';
import { registerClientAuthWith } from './security/client-auth.js';
import type { ReplayGuard } from './security/replay-cache.js';
import { createRateLimits } from './security/rate-limits.js';
import type { Advisor, DecisionEvent } from './advisor.js';
import { sendOutcome } from './protocol/operation-outcome.js';
import { requestIdFor, traceOfRaw } from './protocol/trace-context.js';
import { fhirArtifactRoutes } from './protocol/fhir-artifacts.js';
import type { Store } from './store/store.js';
import type { AuditWriter } from './store/audit-writer.js';
import { createAllowList } from './fhir/allowlist.js';
import { Limiter } from './fhir/limiter.js';
import { metricsTokenMatches, type Metrics } from './metrics.js';
import { registerShedding } from './shedding.js';
import {
  clientErrorHandler,
  effectiveMaxConnections,
  fdReserve,
  fdSoftLimit,
  throttledWarn,
} from './connection-limits.js';
import { CircuitBreaker } from './fhir/breaker.js';

export interface AppParts {
  config: Config;
  logger: Logger;
  discovery: Discovery;
  advisor: Advisor;
  /** Feedback and analytics storage; without it the feedback route is not offered. */
  store?: Store;
  /** Where used JWT ids are remembered; default in memory per process. PostgreSQL shares it across replicas. */
  replay?: ReplayGuard;
  /** Prometheus metrics; GET /metrics is offered when given (see config METRICS_*). */
  metrics?: Metrics;
  /** Decision audit; called after each hook answer is sent. */
  audit?: AuditWriter;
}

const PROBES = new Set(['/healthz', '/readyz']);
const METRICS_PATH = '/metrics';

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
    // Which X-Forwarded-For hops are believed for request.ip (the per-address rate limit's key).
    // A hop count n trusts the n nearest proxies (what proxy-addr does for a number; Fastify's types omit it).
    trustProxy:
      typeof config.TRUST_PROXY === 'number'
        ? ((hops: number) => (_addr: string, i: number) => i < hops)(config.TRUST_PROXY)
        : config.TRUST_PROXY,
    logController: new AccessLog(config.LOG_ACCESS),
    // Correlation: the caller's X-Request-ID (or the trace id of its traceparent) is the request id, and
    // every log line of the request carries the trace id (src/tracing.ts).
    genReqId: requestIdFor,
    // A child per request (issue 13 measured its cost as small beside the redaction it dropped): the trace id
    // must be on every line of the request, including lines written by Fastify and plugins.
    // (A plain copy, then a field: on Node 20 a spread followed by more properties takes V8's slow path.)
    childLoggerFactory: (logger, bindings, opts, raw) => {
      const withTrace: Record<string, unknown> = { ...bindings };
      withTrace['traceId'] = traceOfRaw(raw)?.traceId;
      return logger.child(withTrace, opts);
    },
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

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const metrics = parts.metrics;
  // /metrics on the service port: open when client authentication is off, else only with METRICS_TOKEN
  // (a scraper cannot sign CDS client JWTs). METRICS_PORT serves it on its own port instead (server.ts).
  const metricsHere = metrics !== undefined && !config.METRICS_PORT && (config.auth.mode === 'off' || config.METRICS_TOKEN !== undefined);
  if (metrics) {
    app.addHook('onResponse', async (request, reply) => {
      metrics.onResponse(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
    });
  }

  registerShedding(app, {
    maxEventLoopDelayMs: config.SHED_EVENT_LOOP_DELAY_MS,
    maxInFlight: config.SHED_MAX_IN_FLIGHT,
    retryAfterS: 10,
    exempt: (url) => PROBES.has(url) || (metricsHere && url === METRICS_PATH),
  });
  const limits = await createRateLimits(
    app,
    {
      perAddressMax: config.RATE_LIMIT_MAX,
      perClientMax: config.RATE_LIMIT_CLIENT_MAX,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      exemptPaths: metricsHere ? new Set([...PROBES, METRICS_PATH]) : PROBES,
      ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL, redisPrefix: config.REDIS_KEY_PREFIX } : {}),
    },
    parts.logger,
    metrics ? { onLimited: (kind) => metrics.rateLimited.inc({ kind }) } : {},
  );
  app.addHook('onRequest', limits.beforeAuth);
  if (config.auth.mode === 'required') {
    const publicPaths = metricsHere ? [...config.auth.publicPaths, METRICS_PATH] : config.auth.publicPaths;
    registerClientAuthWith(app, { ...config.auth, publicPaths }, {
      ...(parts.replay ? { replay: parts.replay } : {}),
      ...(metrics
        ? { onFailure: (reason: string) => metrics.onAuthFailure(reason), onReplayFull: (iss: string) => metrics.replayFull.inc({ issuer: iss }) }
        : {}),
    });
  }
  app.addHook('onRequest', limits.afterAuth);

  const serviceIds = parts.discovery.services.map((s) => s.id);
  if (parts.store) {
    await app.register(feedbackRoutes, {
      store: parts.store,
      serviceIds,
      unknownCardQuota: { max: config.FEEDBACK_UNKNOWN_CARD_MAX, windowMs: 60 * 60_000 },
    });
    if (config.store.analyticsEnabled) await app.register(analyticsRoutes, { store: parts.store });
  }

  await app.register(guidelinePageRoutes);
  // The guideline as FHIR artifacts (ValueSet, CodeSystem, PlanDefinition, Library), read-only.
  await app.register(fhirArtifactRoutes);

  const audit = parts.audit;
  const store = parts.store;
  const limiter = new Limiter(config.FHIR_MAX_CONCURRENCY);
  if (metrics) {
    metrics.observe({ ...(audit ? { audit } : {}), ...(store ? { store } : {}), limiter });
    if (metricsHere) {
      const token = config.METRICS_TOKEN;
      app.get(METRICS_PATH, { config: { pressureHandler: () => undefined } }, async (request, reply) => {
        if (token !== undefined && !metricsTokenMatches(request.headers.authorization, token)) {
          reply.header('www-authenticate', 'Bearer');
          return sendOutcome(reply, 401, [{ code: 'login', diagnostics: 'Unauthorized' }]);
        }
        return reply.type(metrics.contentType).send(await metrics.text());
      });
    }
  }
  const sinks = [audit ? (e: DecisionEvent) => audit.record(e) : undefined, metrics ? (e: DecisionEvent) => metrics.onDecision(e) : undefined].filter(
    (f): f is (e: DecisionEvent) => void => f !== undefined,
  );
  registerHookRoutes(app, {
    discovery: parts.discovery,
    advisor: parts.advisor,
    assemble: {
      allowList: createAllowList(config.FHIR_SERVER_ALLOWLIST),
      limiter,
      deadlineMs: config.FHIR_DEADLINE_MS,
      maxPages: config.FHIR_MAX_PAGES,
      pageSize: config.FHIR_PAGE_SIZE,
      maxResponseBytes: config.FHIR_MAX_RESPONSE_BYTES,
      breaker: new CircuitBreaker(config.FHIR_BREAKER_COOLDOWN_MS),
    },
    ...(sinks.length > 0
      ? {
          onDecision: (event: DecisionEvent) => {
            for (const sink of sinks) sink(event);
          },
        }
      : {}),
    ...(store ? { ready: async () => (await store.health()).ok } : {}),
  });
  return app;
}
