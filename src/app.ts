/**
 * Builds the Fastify application from its parts. Everything with state or I/O (logger, clock, advisor,
 * store, authentication) is passed in, so tests build the same app the server runs, with their own parts.
 *
 * Order matters: CORS first (so even a 401 or 429 carries CORS headers and a browser can read it), then
 * load shedding and rate limits (cheap refusals before any work), then client authentication, then routes.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import type { Logger } from 'pino';
import { AccessLog } from './logger.js';
import type { Config } from './config.js';
import type { Discovery } from './protocol/discovery.js';
import { registerErrorHandling } from './protocol/errors.js';
import { registerHookRoutes } from './protocol/routes.js';
import { feedbackRoutes } from './protocol/feedback.js';
import { analyticsRoutes } from './protocol/analytics.js';
import { fhirArtifactRoutes } from './protocol/fhir-artifacts.js';
import { registerClientAuth } from './security/client-auth.js';
import type { Advisor } from './advisor.js';
import type { Store } from './store/store.js';
import type { AuditWriter } from './store/audit-writer.js';
import { createAllowList } from './fhir/allowlist.js';
import { Limiter } from './fhir/limiter.js';

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
    // Bounds for clients that stall: no request may hold a socket forever.
    requestTimeout: Math.max(10_000, config.FHIR_DEADLINE_MS * 3),
    connectionTimeout: 30_000,
    return503OnClosing: true,
    logController: new AccessLog(),
  });

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

  await app.register(underPressure, {
    maxEventLoopDelay: config.SHED_EVENT_LOOP_DELAY_MS,
    // Sheds with 503 + Retry-After through our error handler, which answers an OperationOutcome.
    retryAfter: 10,
  });
  await app.register(rateLimit, {
    max: config.RATE_LIMIT_MAX,
    timeWindow: 60_000,
    allowList: (request) => PROBES.has(request.url),
  });

  if (config.auth.mode === 'required') registerClientAuth(app, config.auth);

  const serviceIds = parts.discovery.services.map((s) => s.id);
  if (parts.store) {
    await app.register(feedbackRoutes, { store: parts.store, serviceIds });
    if (config.store.analyticsEnabled) await app.register(analyticsRoutes, { store: parts.store });
  }

  // The guideline as FHIR artifacts (ValueSet, CodeSystem, PlanDefinition, Library), read-only.
  await app.register(fhirArtifactRoutes);

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
    ...(store ? { ready: () => store.ping() } : {}),
  });
  return app;
}
