/**
 * Builds the Fastify application from its parts. Everything with state or I/O (logger, clock, advisor,
 * store, authentication) is passed in, so tests build the same app the server runs, with their own parts.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Discovery } from './protocol/discovery.js';
import { registerErrorHandling } from './protocol/errors.js';
import { registerHookRoutes, type DecisionEvent } from './protocol/routes.js';
import type { Advisor } from './advisor.js';
import { createAllowList } from './fhir/allowlist.js';
import { Limiter } from './fhir/limiter.js';

export interface AppParts {
  config: Config;
  logger: Logger;
  discovery: Discovery;
  advisor: Advisor;
  onDecision?: (event: DecisionEvent) => void;
  ready?: () => boolean;
  /** Registers routes and hooks that other modules own (feedback, analytics, authentication). */
  plugins?: Array<(app: FastifyInstance) => void | Promise<void>>;
}

export async function buildApp(parts: AppParts): Promise<FastifyInstance> {
  const { config } = parts;
  const app = Fastify({
    loggerInstance: parts.logger as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // Answer within bounds even when a client stalls: no request may hold a socket forever.
    requestTimeout: Math.max(10_000, config.FHIR_DEADLINE_MS * 3),
    connectionTimeout: 30_000,
    return503OnClosing: true,
    disableRequestLogging: false,
  });

  // FHIR clients send application/fhir+json; it is JSON with the same parser and the same protections
  // (prototype poisoning refused).
  app.addContentTypeParser('application/fhir+json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  await app.register(cors, {
    origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept'],
    credentials: false,
    maxAge: 600,
  });
  registerErrorHandling(app);
  for (const plugin of parts.plugins ?? []) await plugin(app);

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
    ...(parts.onDecision ? { onDecision: parts.onDecision } : {}),
    ...(parts.ready ? { ready: parts.ready } : {}),
  });
  return app;
}
