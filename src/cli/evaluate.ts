/**
 * npm run evaluate -- --fhir <base URL> --patient <id> [options]
 *
 * Reads one patient from a FHIR R4 server EXACTLY as the service would on a hook call without prefetch
 * (the same request parsing, the same record assembly with deadline, paging and allow-list, the same
 * advisor), and prints the cards for a person, or the CDS Hooks response with --json. Before that it
 * checks the server (`/metadata` must say R4) and the patient (a Patient read), so a wrong URL, a refused
 * token or an unknown id ends with one line and an exit code instead of a page of gaps.
 *
 * The allow-list holds the one server given by --fhir: the person running this chose it explicitly. The
 * running service has its own FHIR_SERVER_ALLOWLIST, which must list a sandbox before it will call it.
 */
import { randomUUID } from 'node:crypto';
import { assemblePatientRecord } from '../fhir/assemble.js';
import { createAllowList } from '../fhir/allowlist.js';
import { Limiter } from '../fhir/limiter.js';
import { RECORD_TYPES } from '../fhir/record.js';
import { parseHookRequest } from '../protocol/request-schema.js';
import { HOOKS, type HookName } from '../protocol/types.js';
import { createAdvisor } from '../advisor.js';
import { ConfigError, loadConfig, type Config } from '../config.js';
import { loadSiteCodes, type SiteCodeMap } from '../guideline/site-codes.js';
import { loadSiteFacts, type SiteFacts } from '../engine/site-facts.js';
import {
  CliFailure,
  EXIT,
  hostOf,
  isMain,
  parseBaseUrl,
  parseInstant,
  parseIntArg,
  parseSystemCode,
  processIo,
  runMain,
  tokenFrom,
  parseFlags,
  usageError,
  type CliIo,
} from './args.js';
import { checkPatient, checkR4Server } from './evaluate-server.js';
import { buildDraftOrders, draftOrdersBundle } from './evaluate-orders.js';
import { formatReport } from './evaluate-report.js';

export const USAGE = `Usage: npm run evaluate -- --fhir <base URL> --patient <id> [options]

Reads the patient from a FHIR R4 server as the service would and prints its cards.

  --fhir URL             FHIR R4 base URL, e.g. http://127.0.0.1:8090/fhir/R4 (required)
  --patient ID           Patient id on that server (required)
  --hook HOOK            patient-view (default), order-select or order-sign
  --order-code SYS|CODE  a draft ServiceRequest with this code, e.g. http://www.ama-assn.org/go/cpt|62305;
                         repeat for several draft orders (order hooks only)
  --order-file PATH      draft order(s) from a ServiceRequest or Bundle JSON file (order hooks only)
  --reason SYS|CODE      a reasonCode added to every draft order, e.g. http://snomed.info/sct|445511002
                         (repeatable)
  --token TOKEN          bearer token for the FHIR server; better: set FHIR_TOKEN (keeps it out of
                         shell history). Never printed.
  --now ISO              pin the clock, e.g. 2026-11-26T12:00:00Z (the fixtures' instant); default: now
  --deadline-ms N        one deadline for all FHIR reads (default: FHIR_DEADLINE_MS, else 2000, as the
                         service); public sandboxes are slow: try 10000
  --json                 print the CDS Hooks response JSON instead of the report
  --help                 print this help

FHIR_PAGE_SIZE, FHIR_MAX_PAGES, FHIR_MAX_RESPONSE_BYTES, SITE_CODES_PATH, SITE_FACTS_PATH,
MIRROR_SYSTEM_ACTIONS and QCDSM_CODE apply as they do to the service.

Exit codes:
  0  cards printed (also when the record leaves the variant undetermined)
  1  other failure (unexpected HTTP status, redirect, internal error)
  2  bad arguments or configuration
  3  FHIR server unreachable (refused, unknown host, TLS, no answer in time)
  4  not a FHIR R4 server (no CapabilityStatement at /metadata, or fhirVersion not 4.0.x)
  5  token refused or required (HTTP 401/403)
  6  no such patient (Patient read 404/410)`;

/** The service's settings that shape a FHIR read or a card, taken from the environment like the service. */
const SERVICE_ENV = [
  'FHIR_DEADLINE_MS',
  'FHIR_MAX_PAGES',
  'FHIR_PAGE_SIZE',
  'FHIR_MAX_RESPONSE_BYTES',
  'FHIR_MAX_CONCURRENCY',
  'MIRROR_SYSTEM_ACTIONS',
  'QCDSM_CODE',
  'SITE_CODES_PATH',
  'SITE_FACTS_PATH',
] as const;

function serviceConfig(env: NodeJS.ProcessEnv): Config {
  const picked: NodeJS.ProcessEnv = {};
  for (const k of SERVICE_ENV) if (env[k] !== undefined) picked[k] = env[k];
  try {
    return loadConfig(picked);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliFailure(EXIT.usage, err.message);
    throw err;
  }
}

interface Args {
  base: string;
  patientId: string;
  hook: HookName;
  orderCodes: Array<{ system: string; code: string }>;
  orderFile?: string;
  reasons: Array<{ system: string; code: string }>;
  token?: string;
  now?: Date;
  deadlineMs?: number;
  json: boolean;
}

function parse(argv: readonly string[], env: NodeJS.ProcessEnv): Args | 'help' {
  const values = parseFlags(argv, {
    fhir: { type: 'string' },
    patient: { type: 'string' },
    hook: { type: 'string' },
    'order-code': { type: 'string', multiple: true },
    'order-file': { type: 'string' },
    reason: { type: 'string', multiple: true },
    token: { type: 'string' },
    now: { type: 'string' },
    'deadline-ms': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  const base = parseBaseUrl(values.fhir);
  const patientId = values.patient?.trim();
  if (!patientId) throw usageError('--patient <id> is required');
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(patientId)) throw usageError('--patient must be a FHIR id (letters, digits, - and ., at most 64)');
  const hook = (values.hook ?? 'patient-view') as HookName;
  if (!HOOKS.includes(hook)) throw usageError(`--hook must be one of ${HOOKS.join(', ')}`);
  const orderCodes = (values['order-code'] ?? []).map((c) => parseSystemCode(c, 'order-code'));
  const reasons = (values.reason ?? []).map((c) => parseSystemCode(c, 'reason'));
  const hasOrders = orderCodes.length > 0 || values['order-file'] !== undefined;
  if (hook === 'patient-view' && (hasOrders || reasons.length > 0)) {
    throw usageError('--order-code, --order-file and --reason need --hook order-select or order-sign');
  }
  if (hook !== 'patient-view' && !hasOrders) throw usageError(`${hook} needs a draft order: --order-code or --order-file`);
  const now = parseInstant(values.now, 'now');
  const deadlineMs = parseIntArg(values['deadline-ms'], 'deadline-ms', 50, 120_000);
  const token = tokenFrom(values.token, env);
  return {
    base,
    patientId,
    hook,
    orderCodes,
    reasons,
    json: values.json ?? false,
    ...(values['order-file'] !== undefined ? { orderFile: values['order-file'] } : {}),
    ...(token ? { token } : {}),
    ...(now ? { now } : {}),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
  };
}

/** The hook request an EHR would send for this run, with no prefetch: everything is read from --fhir. */
function hookBody(args: Args): Record<string, unknown> {
  const context: Record<string, unknown> = { patientId: args.patientId };
  if (args.hook !== 'patient-view') {
    const orders = buildDraftOrders({
      patientId: args.patientId,
      codes: args.orderCodes,
      reasons: args.reasons,
      ...(args.orderFile ? { file: args.orderFile } : {}),
    });
    context['draftOrders'] = draftOrdersBundle(orders);
    // order-select judges the selections: here, every draft order given.
    if (args.hook === 'order-select') context['selections'] = orders.map((o) => `ServiceRequest/${o.id}`);
  }
  return {
    hook: args.hook,
    hookInstance: randomUUID(),
    fhirServer: args.base,
    ...(args.token ? { fhirAuthorization: { access_token: args.token, token_type: 'Bearer', expires_in: 300, scope: 'patient/*.read', subject: 'sih-imaging-cds-evaluate' } } : {}),
    context,
  };
}

export async function evaluate(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv, io.env);
  if (args === 'help') {
    io.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  const config = serviceConfig(io.env);
  let siteCodes: SiteCodeMap | undefined;
  try {
    siteCodes = config.SITE_CODES_PATH ? loadSiteCodes(config.SITE_CODES_PATH) : undefined;
  } catch (err) {
    throw new CliFailure(EXIT.usage, `SITE_CODES_PATH: ${(err as Error).message}`);
  }
  // As the service does: a site's FHIRPath facts apply to evaluation too, so a site can test them here.
  let siteFacts: SiteFacts | undefined;
  try {
    siteFacts = config.SITE_FACTS_PATH ? loadSiteFacts(config.SITE_FACTS_PATH) : undefined;
  } catch (err) {
    throw new CliFailure(EXIT.usage, `SITE_FACTS_PATH: ${(err as Error).message}`);
  }
  const deadlineMs = args.deadlineMs ?? config.FHIR_DEADLINE_MS;
  // The checks are single requests, not the hook's reads: they get a generous timeout of their own.
  const checkTimeoutMs = Math.max(deadlineMs, 10_000);
  const host = hostOf(args.base);

  io.err(`checking ${host}/metadata and the patient …\n`);
  await checkR4Server(args.base, args.token, checkTimeoutMs);
  await checkPatient(args.base, args.patientId, args.token, checkTimeoutMs);

  const parsed = parseHookRequest(hookBody(args), args.hook);
  if (!parsed.ok) throw usageError(parsed.issues.map((i) => i.diagnostics).join('; '));
  const request = parsed.request;

  io.err(`reading Patient, ${RECORD_TYPES.join(', ')} from ${host} (deadline ${deadlineMs} ms) …\n`);
  const assembled = await assemblePatientRecord(request, {
    allowList: createAllowList([args.base]),
    limiter: new Limiter(config.FHIR_MAX_CONCURRENCY),
    deadlineMs,
    maxPages: config.FHIR_MAX_PAGES,
    pageSize: config.FHIR_PAGE_SIZE,
    maxResponseBytes: config.FHIR_MAX_RESPONSE_BYTES,
  });
  if (!assembled.ok) {
    // The service would answer 412 here: required data could not be read.
    throw new CliFailure(EXIT.failed, `the service would answer 412: ${assembled.reason}`);
  }
  const now = args.now ?? new Date();
  const advisor = createAdvisor({
    now: () => now,
    ...(siteCodes ? { siteCodes } : {}),
    ...(siteFacts ? { siteFacts } : {}),
    render: {
      mirrorSystemActions: config.MIRROR_SYSTEM_ACTIONS,
      ...(config.QCDSM_CODE ? { qcdsmCode: config.QCDSM_CODE } : {}),
    },
  });
  const { decision, response } = advisor(request, assembled.record);
  io.out(
    args.json
      ? `${JSON.stringify(response, null, 2)}\n`
      : formatReport({ request, record: assembled.record, decision, response, host, now }),
  );
  return EXIT.ok;
}

if (isMain(import.meta.url)) {
  process.exitCode = await runMain('evaluate', () => evaluate(process.argv.slice(2), processIo));
}
