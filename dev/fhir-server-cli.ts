/**
 * `npm run fhir-server`: the dev FHIR R4 server on a fixed port, loaded with the fixture patients.
 *
 *   FHIR_HOST      default 127.0.0.1 (loopback only; this server has no authentication)
 *   FHIR_PORT      default 8090 (0 = any free port)
 *   FHIR_FIXTURES  default fixtures/patients (every *.json transaction/batch Bundle in it is loaded)
 *   FHIR_CORS_ORIGINS  default * (browser clients such as the CDS Hooks sandbox); a comma list of origins,
 *                  or `none`
 *
 * Requests are never printed: they may carry bearer tokens.
 */
import { resolve } from 'node:path';
import { startFhirServer } from './fhir-server.js';

function portFromEnv(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 8090;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`FHIR_PORT must be an integer 0-65535, got '${raw}'`);
  }
  return port;
}

function corsFromEnv(raw: string | undefined): '*' | string[] | false {
  const value = (raw ?? '').trim();
  if (value === '' || value === '*') return '*';
  if (value.toLowerCase() === 'none') return false;
  return value.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

async function main(): Promise<void> {
  const host = process.env.FHIR_HOST || '127.0.0.1';
  const port = portFromEnv(process.env.FHIR_PORT);
  const fixturesDir = resolve(process.env.FHIR_FIXTURES || 'fixtures/patients');

  const started = performance.now();
  const server = await startFhirServer({ host, port, fixturesDir, corsOrigins: corsFromEnv(process.env.FHIR_CORS_ORIGINS) });
  const ms = Math.round(performance.now() - started);

  console.log(`FHIR R4 server listening at ${server.baseUrl} (ready in ${ms} ms)`);
  console.log(`fixtures: ${fixturesDir}`);
  console.log(
    server.patientIds.length > 0
      ? `loaded ${server.patientIds.length} patients: ${server.patientIds.join(', ')}`
      : 'loaded 0 patients (no fixture bundles found)',
  );

  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return; // a second Ctrl-C while closing must not start another close
    closing = true;
    console.log(`${signal}: closing`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('close failed:', err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error('fhir-server failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
