/**
 * The local FHIR server (dev/fhir-server.ts, Medplum in memory) in its own process for the benchmarks, loaded
 * with the benchmark records. Prints one JSON line `{"baseUrl": ...}` on stdout when ready.
 *
 *   BENCH_FHIR_RECORDS=small node --import tsx bench/fhir-child.ts
 */
import { startFhirServer } from '../dev/fhir-server.js';
import { makeRecord, transactionOf } from './records.js';

const names = (process.env.BENCH_FHIR_RECORDS ?? 'small').split(',').filter((n): n is 'small' | 'large' => n === 'small' || n === 'large');
const server = await startFhirServer({ host: '127.0.0.1', port: 0 });
for (const name of names) await server.load(transactionOf(makeRecord(name)));
// The request log would grow by one entry per request for the whole run: keep it empty.
setInterval(() => {
  server.requests.length = 0;
}, 1000).unref();
process.stdout.write(`${JSON.stringify({ baseUrl: server.baseUrl, patients: server.patientIds })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
