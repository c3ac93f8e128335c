/**
 * npm run fixtures:load -- --fhir <base URL> [--prefix TEXT] [options]
 *
 * Pushes fixtures/patients/*.json to a FHIR R4 server as transactions of PUTs with fixed ids, so running it
 * twice creates nothing new, then prints each patient id with the variant the engine gives it at the
 * fixtures' instant: the ids and the answers to expect from `npm run evaluate`.
 *
 * Written for real servers, not only the dev one:
 *  - `/metadata` is checked first (FHIR R4, token accepted) so nothing is written to the wrong server;
 *  - `--prefix` rewrites every `sih-` id and reference, so people sharing a public server (HAPI's, the
 *    SMART sandbox) do not overwrite each other's patients;
 *  - transactions are cut to `--max-entries` (Medplum: at most 50 updates per transaction), and one the
 *    server refuses anyway is retried in halves (the fixtures' references are `Type/id`, never `urn:uuid`,
 *    so entries do not depend on sharing a transaction);
 *  - `Prefer: return=minimal`: the server need not echo every resource back.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Bundle, BundleEntry, FhirResource, OperationOutcome } from 'fhir/r4.js';
import {
  CliFailure,
  EXIT,
  hostOf,
  isMain,
  parseBaseUrl,
  parseInstant,
  parseIntArg,
  processIo,
  runMain,
  tokenFrom,
  parseFlags,
  usageError,
  type CliIo,
} from './args.js';
import { checkR4Server, fhirHttp } from './evaluate-server.js';
import {
  FIXTURES_NOW,
  FIXTURE_ID_PREFIX,
  PREFIX_PATTERN,
  chunkEntries,
  expectedVariant,
  transactionOf,
  withIdPrefix,
} from './evaluate-fixtures.js';

export const USAGE = `Usage: npm run fixtures:load -- --fhir <base URL> [options]

Loads the synthetic fixture patients (fixtures/patients/*.json) into a FHIR R4 server and prints their ids
with the variant the engine expects for each at the fixtures' instant. Idempotent: every entry is a PUT
with a fixed id, so a second run updates the same resources.

  --fhir URL         FHIR R4 base URL (required), e.g. http://127.0.0.1:8090/fhir/R4
  --prefix TEXT      replaces the fixtures' "${FIXTURE_ID_PREFIX}" id prefix in every id and reference, so ids on a
                     shared public server do not collide with anyone else's (e.g. --prefix jdoe-sih-)
  --token TOKEN      bearer token; better: set FHIR_TOKEN. Never printed.
  --dir PATH         fixture bundles (default fixtures/patients)
  --max-entries N    entries per transaction (default 50, Medplum's limit); refused ones are split further
  --now ISO          the instant for the expected variants (default ${FIXTURES_NOW})
  --timeout-ms N     per request (default 30000)
  --json             print the loaded patients as JSON
  --help             print this help

Exit codes: 0 loaded; 1 the server rejected a transaction or entry; 2 bad arguments or fixture files;
3 server unreachable; 4 not a FHIR R4 server; 5 token refused or required (401/403).`;

interface Args {
  base: string;
  prefix: string;
  token?: string;
  dir: string;
  maxEntries: number;
  now: Date;
  timeoutMs: number;
  json: boolean;
}

function parse(argv: readonly string[], env: NodeJS.ProcessEnv): Args | 'help' {
  const values = parseFlags(argv, {
    fhir: { type: 'string' },
    prefix: { type: 'string' },
    token: { type: 'string' },
    dir: { type: 'string' },
    'max-entries': { type: 'string' },
    now: { type: 'string' },
    'timeout-ms': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (values.help) return 'help';
  const base = parseBaseUrl(values.fhir);
  const prefix = values.prefix ?? FIXTURE_ID_PREFIX;
  if (!PREFIX_PATTERN.test(prefix)) throw usageError('--prefix must be letters, digits, - or . (at most 24), starting with a letter or digit');
  const token = tokenFrom(values.token, env);
  return {
    base,
    prefix,
    dir: resolve(values.dir ?? 'fixtures/patients'),
    maxEntries: parseIntArg(values['max-entries'], 'max-entries', 1, 10_000) ?? 50,
    now: parseInstant(values.now, 'now') ?? new Date(FIXTURES_NOW),
    timeoutMs: parseIntArg(values['timeout-ms'], 'timeout-ms', 100, 600_000) ?? 30_000,
    json: values.json ?? false,
    ...(token ? { token } : {}),
  };
}

interface Fixture {
  file: string;
  bundle: Bundle<FhirResource>;
}

async function readFixtures(dir: string): Promise<Fixture[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    throw new CliFailure(EXIT.usage, `--dir: cannot read the directory ${dir}`);
  }
  const out: Fixture[] = [];
  for (const name of names) {
    let parsed: Partial<Bundle<FhirResource>>;
    try {
      parsed = JSON.parse(await readFile(join(dir, name), 'utf8')) as Partial<Bundle<FhirResource>>;
    } catch {
      throw new CliFailure(EXIT.usage, `${name}: not valid JSON`);
    }
    if (parsed.resourceType !== 'Bundle') continue; // other JSON may sit beside the bundles
    if (parsed.type !== 'transaction') throw new CliFailure(EXIT.usage, `${name}: expected a transaction Bundle`);
    if (!(parsed.entry ?? []).some((e) => e.resource?.resourceType === 'Patient')) {
      throw new CliFailure(EXIT.usage, `${name}: no Patient in the bundle`);
    }
    // Without a fixed id and PUT, a second run would create duplicates.
    const notIdempotent = (parsed.entry ?? []).find((e) => e.request?.method !== 'PUT' || !e.resource?.id);
    if (notIdempotent) throw new CliFailure(EXIT.usage, `${name}: every entry must be a PUT with a fixed id`);
    out.push({ file: name, bundle: parsed as Bundle<FhirResource> });
  }
  if (out.length === 0) throw new CliFailure(EXIT.usage, `no transaction Bundles in ${dir}`);
  return out;
}

/** The first issue's diagnostics of an OperationOutcome, short: servers can be verbose. */
function why(json: unknown): string {
  const oc = json as Partial<OperationOutcome> | undefined;
  const issue = oc?.resourceType === 'OperationOutcome' ? oc.issue?.[0] : undefined;
  const text = issue?.diagnostics ?? issue?.details?.text ?? issue?.code;
  return text ? `: ${text.replace(/\s+/g, ' ').slice(0, 160)}` : '';
}

/** A refusal that could be about the transaction's size rather than its content: worth splitting. */
const SPLITTABLE = new Set([400, 409, 412, 413, 422, 500]);

interface LoadContext {
  args: Args;
  io: CliIo;
  file: string;
}

/** POST one transaction; on a refusal that splitting might cure, retry each half. */
async function postTransaction(ctx: LoadContext, entries: BundleEntry<FhirResource>[]): Promise<void> {
  const { args } = ctx;
  const answer = await fhirHttp(args.base, {
    method: 'POST',
    body: JSON.stringify(transactionOf(entries)),
    prefer: 'return=minimal',
    timeoutMs: args.timeoutMs,
    ...(args.token ? { token: args.token } : {}),
  });
  if (answer.status === 401 || answer.status === 403) {
    throw new CliFailure(EXIT.refused, `${hostOf(args.base)} refused the transaction (HTTP ${answer.status}): the token may lack write scopes`);
  }
  if (answer.status === 404 || answer.status === 405) {
    throw new CliFailure(EXIT.failed, `${hostOf(args.base)} does not accept transactions at the base URL (HTTP ${answer.status})`);
  }
  if (answer.status >= 200 && answer.status < 300) {
    const response = answer.json as Partial<Bundle> | undefined;
    const failed = (response?.entry ?? []).findIndex((e) => e.response?.status !== undefined && !/^2/.test(e.response.status));
    if (failed >= 0) {
      const entry = entries[failed];
      throw new CliFailure(
        EXIT.failed,
        `${ctx.file}: ${entry?.request?.url ?? 'an entry'} failed with ${response?.entry?.[failed]?.response?.status ?? '?'}`,
      );
    }
    return;
  }
  if (SPLITTABLE.has(answer.status) && entries.length > 1) {
    ctx.io.err(`${ctx.file}: ${hostOf(args.base)} refused ${entries.length} entries in one transaction (HTTP ${answer.status}); retrying in halves\n`);
    const half = Math.ceil(entries.length / 2);
    await postTransaction(ctx, entries.slice(0, half));
    await postTransaction(ctx, entries.slice(half));
    return;
  }
  const what = entries.length === 1 ? (entries[0]?.request?.url ?? 'the entry') : `a transaction of ${entries.length} entries`;
  throw new CliFailure(EXIT.failed, `${ctx.file}: ${hostOf(args.base)} rejected ${what} (HTTP ${answer.status})${why(answer.json)}`);
}

export interface LoadedPatient {
  file: string;
  patientId: string;
  resources: number;
  expected: string;
}

export async function fixturesLoad(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parse(argv, io.env);
  if (args === 'help') {
    io.out(`${USAGE}\n`);
    return EXIT.ok;
  }
  const fixtures = await readFixtures(args.dir);
  const host = hostOf(args.base);
  const server = await checkR4Server(args.base, args.token, args.timeoutMs);
  if (!server.transaction) {
    io.err(`${host}: its CapabilityStatement does not list the transaction interaction; trying anyway\n`);
  }
  io.err(`loading ${fixtures.length} fixture bundles into ${host} (FHIR ${server.fhirVersion}) …\n`);

  const loaded: LoadedPatient[] = [];
  for (const { file, bundle } of fixtures) {
    const prefixed = withIdPrefix(bundle, args.prefix);
    const entries = prefixed.entry ?? [];
    // Patients first, so every later chunk's references resolve on servers that check them (HAPI does).
    const ordered = [...entries.filter((e) => e.resource?.resourceType === 'Patient'), ...entries.filter((e) => e.resource?.resourceType !== 'Patient')];
    for (const chunk of chunkEntries(ordered, args.maxEntries)) await postTransaction({ args, io, file }, chunk);
    const patientId = entries.find((e) => e.resource?.resourceType === 'Patient')?.resource?.id ?? '';
    loaded.push({ file: basename(file), patientId, resources: entries.length, expected: expectedVariant(prefixed, args.now) });
  }

  if (args.json) {
    io.out(`${JSON.stringify({ fhirServer: args.base, fhirVersion: server.fhirVersion, now: args.now.toISOString(), patients: loaded }, null, 2)}\n`);
    return EXIT.ok;
  }
  const total = loaded.reduce((n, p) => n + p.resources, 0);
  // The seed scenario's patient makes the best first example; any patient will do otherwise.
  const example = loaded.find((p) => p.patientId === `${args.prefix}v5`) ?? loaded[0];
  const idWidth = Math.max(10, ...loaded.map((p) => p.patientId.length));
  const lines = [
    `Loaded ${loaded.length} fixture patients (${total} resources) into ${args.base}`,
    '',
    `  ${'Patient'.padEnd(idWidth)}  ${`Expected at ${args.now.toISOString()}`.padEnd(38)}  File`,
    ...loaded.map((p) => `  ${p.patientId.padEnd(idWidth)}  ${p.expected.padEnd(38)}  ${p.file}`),
    '',
    'Evaluate one with:',
    `  npm run evaluate -- --fhir ${args.base} --patient ${example?.patientId ?? '<id>'} --now ${args.now.toISOString()}`,
  ];
  io.out(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

if (isMain(import.meta.url)) {
  process.exitCode = await runMain('fixtures:load', () => fixturesLoad(process.argv.slice(2), processIo));
}
