/**
 * Process entry: configuration, logger, discovery, advisor, store; listen; stop gracefully on SIGTERM
 * (in-flight calls finish, new ones get 503, queued audit records are flushed, the database is closed)
 * so a rolling deploy loses nothing the service accepted.
 */
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { DiscoveryError, loadDiscovery } from './protocol/discovery.js';
import { HOOKS } from './protocol/types.js';
import { createAdvisor } from './advisor.js';
import { loadSiteCodes } from './guideline/site-codes.js';
import { loadSiteFacts } from './engine/site-facts.js';
import { openSqliteStore } from './store/sqlite-store.js';
import { AuditWriter } from './store/audit-writer.js';

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
    discovery = loadDiscovery(HOOKS);
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

  const store = openSqliteStore(config.store.dbPath);
  const audit = new AuditWriter(store, config.store.hashKey, logger);
  const advisor = createAdvisor({
    now: () => new Date(),
    ...(siteCodes ? { siteCodes } : {}),
    ...(siteFacts ? { siteFacts } : {}),
    render: {
      mirrorSystemActions: config.MIRROR_SYSTEM_ACTIONS,
      ...(config.QCDSM_CODE ? { qcdsmCode: config.QCDSM_CODE } : {}),
    },
  });
  const app = await buildApp({ config, logger, discovery, advisor, store, audit });

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => {
        audit.flush();
        store.close();
        process.exit(0);
      },
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
      db: config.store.dbPath,
      analytics: config.store.analyticsEnabled,
    },
    'CDS service ready',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${(err as Error).message}\n`);
  process.exit(1);
});
