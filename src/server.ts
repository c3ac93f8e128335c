/**
 * Process entry: configuration, logger, discovery, advisor, store; listen; stop gracefully on SIGTERM
 * (in-flight calls finish, new ones get 503, queued audit records are flushed, the database is closed)
 * so a rolling deploy loses nothing the service accepted.
 */
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { DiscoveryError, defaultDiscoveryPath, loadDiscovery } from './protocol/discovery.js';
import { HOOKS } from './protocol/types.js';
import { createAdvisor } from './advisor.js';
import { loadSiteCodes } from './guideline/site-codes.js';
import { openStore } from './store/open-store.js';
import { Metrics } from './metrics.js';
import { startTracing } from './tracing.js';
import { createServer } from 'node:http';
import { loadSiteFacts } from './engine/site-facts.js';
import { AuditWriter } from './store/audit-writer.js';
import { startRetention } from './store/retention.js';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let discovery;
  try {
    const path = defaultDiscoveryPath();
    discovery = loadDiscovery(HOOKS, config.PREFETCH_PROFILE === 'minimal' ? path.replace(/\.json$/, '.minimal.json') : path);
  } catch (err) {
    if (err instanceof DiscoveryError) fail(err.message);
    throw err;
  }
  let siteCodes;
  try {
    siteCodes = config.SITE_CODES_PATH ? loadSiteCodes(config.SITE_CODES_PATH) : undefined;
  } catch (err) {
    fail(`SITE_CODES_PATH: ${(err as Error).message}`);
  }
  let siteFacts;
  try {
    siteFacts = config.SITE_FACTS_PATH ? loadSiteFacts(config.SITE_FACTS_PATH) : undefined;
  } catch (err) {
    fail(`SITE_FACTS_PATH: ${(err as Error).message}`);
  }
  if (config.auth.mode === 'off') logger.warn(config.authDescription);
  else logger.info(config.authDescription);
  for (const warning of config.store.warnings) logger.warn(warning);

  // PostgreSQL when DATABASE_URL is set (shared by replicas); else SQLite in a worker thread, so a
  // stalled disk never holds the event loop. A corrupt or unreadable file stops start-up here.
  const { store, replay, description: storeDescription } = await openStore(
    {
      ...(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : {}),
      pgSchema: config.PG_SCHEMA,
      pgPoolSize: config.PG_POOL_SIZE,
      sqlitePath: config.store.dbPath,
      sqliteMinFreeBytes: config.store.minFreeBytes,
      replayPerIssuer: config.REPLAY_CACHE_PER_ISSUER,
    },
    logger,
  );
  const audit = new AuditWriter(store, config.store.hashKey, logger, config.store.hashKeyId !== undefined ? { hashKeyId: config.store.hashKeyId } : {});
  const retention = startRetention(store, config.store.retentionDays, logger);
  // Health changes are logged once each, so an operator sees when and why /readyz went not-ready.
  let lastReason: string | undefined;
  const healthLog = setInterval(() => {
    void store.health().then((h) => {
      const reason = h.ok ? undefined : h.reason;
      if (reason === lastReason) return;
      if (reason) logger.error({ reason }, 'store unhealthy: feedback refused, /readyz not-ready');
      else logger.info('store healthy again');
      lastReason = reason;
    }, () => undefined);
  }, 1000);
  healthLog.unref();
  const advisor = createAdvisor({
    now: () => new Date(),
    ...(siteCodes ? { siteCodes } : {}),
    ...(siteFacts ? { siteFacts } : {}),
    render: {
      mirrorSystemActions: config.MIRROR_SYSTEM_ACTIONS,
      timeZone: config.SITE_TIMEZONE,
      guidelineBaseUrl: config.auth.publicBaseUrl ?? `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${config.PORT}`,
      ...(config.QCDSM_CODE ? { qcdsmCode: config.QCDSM_CODE } : {}),
    },
  });
  // Span export only when an OTLP endpoint is configured; the SDK is not even loaded otherwise.
  const otlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const tracing = otlp ? await startTracing(otlp, process.env.OTEL_SERVICE_NAME || undefined) : undefined;
  if (tracing) logger.info({ otlp: new URL(otlp!).origin }, 'OpenTelemetry span export on');
  const metrics = new Metrics();
  const app = await buildApp({ config, logger, discovery, advisor, store, audit, metrics, ...(replay ? { replay } : {}) });
  if (config.METRICS_PORT) {
    // Its own port: no client authentication, so bind it where only the scraper reaches (see README).
    const metricsServer = createServer((req, res) => {
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      metrics.text().then(
        (body) => res.writeHead(200, { 'content-type': metrics.contentType }).end(body),
        () => res.writeHead(500).end(),
      );
    });
    metricsServer.listen(config.METRICS_PORT, config.HOST);
    metricsServer.unref();
  }

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    retention.stop();
    clearInterval(healthLog);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app
      .close()
      .then(() => audit.flush())
      .then(() => replay?.close())
      .then(() => tracing?.shutdown())
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.HOST, port: config.PORT });
  logger.info(
    {
      services: discovery.services.map((s) => s.id),
      fhirAllowList: config.FHIR_SERVER_ALLOWLIST,
      db: storeDescription,
      analytics: config.store.analyticsEnabled,
    },
    'CDS service ready',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${(err as Error).message}\n`);
  process.exit(1);
});
