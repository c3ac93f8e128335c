/**
 * Process entry: configuration, logger, discovery, advisor, store; listen; stop gracefully on SIGTERM
 * (in-flight calls finish, new ones get 503) so a rolling deploy loses no answered call.
 */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { DiscoveryError, loadDiscovery } from './protocol/discovery.js';
import { HOOKS } from './protocol/types.js';
import { createAdvisor } from './advisor.js';
import { loadSiteCodes } from './guideline/site-codes.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.LOG_LEVEL);
  let discovery;
  try {
    discovery = loadDiscovery(HOOKS);
  } catch (err) {
    if (err instanceof DiscoveryError) {
      logger.fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  const siteCodes = config.SITE_CODES_PATH ? loadSiteCodes(config.SITE_CODES_PATH) : undefined;
  const advisor = createAdvisor({
    now: () => new Date(),
    ...(siteCodes ? { siteCodes } : {}),
    render: {
      mirrorSystemActions: config.MIRROR_SYSTEM_ACTIONS,
      ...(config.QCDSM_CODE ? { qcdsmCode: config.QCDSM_CODE } : {}),
    },
  });
  const app = await buildApp({ config, logger, discovery, advisor });

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.HOST, port: config.PORT });
  logger.info(
    { services: discovery.services.map((s) => s.id), fhirAllowList: config.FHIR_SERVER_ALLOWLIST },
    'CDS service ready',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`start-up failed: ${(err as Error).message}\n`);
  process.exit(1);
});
