/**
 * Small pieces shared by the command-line tools (evaluate, fixtures:load): exit codes, the one-line
 * failure they end with, and parsers for the argument shapes they share. A CLI never prints a stack
 * trace: every expected failure is a CliFailure with its exit code; anything else is reported in one line
 * by `runMain`.
 */
import { realpathSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { fileURLToPath } from 'node:url';

/** Exit codes shared by the CLIs, documented in each one's --help. */
export const EXIT = {
  ok: 0,
  /** Anything else: an unexpected HTTP status, a rejected transaction, an internal error. */
  failed: 1,
  /** Bad arguments. */
  usage: 2,
  /** The FHIR server could not be reached (connection refused, DNS, TLS, no answer in time). */
  unreachable: 3,
  /** The URL answers, but not as a FHIR R4 server (no CapabilityStatement, or fhirVersion not 4.0.x). */
  notR4: 4,
  /** The server refused the token, or asked for one (HTTP 401 or 403). */
  refused: 5,
  /** The patient does not exist on that server (Patient read 404 or 410). */
  unknownPatient: 6,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure: one line for a person, and the process exit code. */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

/**
 * node:util parseArgs with our conventions: strict (an unknown flag is a usage error, not ignored), no
 * positionals, `--help`/`-h` always present, and parse errors as one-line usage failures.
 */
export function parseFlags<O extends ParseArgsConfig['options']>(argv: readonly string[], options: O) {
  try {
    return parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } } as O & { help: { type: 'boolean'; short: 'h'; default: false } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw usageError((err as Error).message);
  }
}

export const usageError = (message: string): CliFailure => new CliFailure(EXIT.usage, `${message} (see --help)`);

/** `system|code` → a Coding. Both halves are required: a bare code means nothing across code systems. */
export function parseSystemCode(raw: string, flag: string): { system: string; code: string } {
  const at = raw.lastIndexOf('|');
  const system = at > 0 ? raw.slice(0, at).trim() : '';
  const code = at > 0 ? raw.slice(at + 1).trim() : '';
  if (!system || !code) throw usageError(`--${flag} must be system|code, e.g. http://www.ama-assn.org/go/cpt|62305`);
  return { system, code };
}

/** A FHIR base URL: http(s), no credentials in it, no trailing slash. */
export function parseBaseUrl(raw: string | undefined, flag = 'fhir'): string {
  if (!raw) throw usageError(`--${flag} <FHIR base URL> is required`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--${flag} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--${flag} must be an http or https URL`);
  // A password in the URL would end up in progress lines and error messages: use --token instead.
  if (url.username || url.password) throw usageError(`--${flag} must not contain credentials; use --token or FHIR_TOKEN`);
  if (url.search || url.hash) throw usageError(`--${flag} must be a base URL without ?query or #fragment`);
  return url.href.replace(/\/+$/, '');
}

/** host[:port] of a URL: what progress lines and errors name (never the path, which may hold ids). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

export function parseInstant(raw: string | undefined, flag: string): Date | undefined {
  if (raw === undefined) return undefined;
  // A date-time with a zone only: a bare date or local time would shift the time windows silently.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw)) {
    throw usageError(`--${flag} must be an ISO date-time with a zone, e.g. 2026-11-26T12:00:00Z`);
  }
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw usageError(`--${flag} is not a valid date-time`);
  return new Date(ms);
}

export function parseIntArg(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw usageError(`--${flag} must be an integer from ${min} to ${max}`);
  return n;
}

/** The bearer token: --token, else FHIR_TOKEN (so it can stay out of shell history). Empty means none. */
export function tokenFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const token = flag ?? env['FHIR_TOKEN'];
  return token && token.trim() !== '' ? token.trim() : undefined;
}

/** One line, whatever the error held: newlines would break "one line on stderr". */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  env: process.env,
};

/** True when `metaUrl` is the module node was started with (not when a test imports it). */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

/**
 * Runs a CLI body and sets the exit code. Expected failures print their one line; anything unexpected is
 * named by its message only, never a stack trace (which could also carry request data).
 */
export async function runMain(name: string, body: () => Promise<number>, io: CliIo = processIo): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CliFailure) {
      io.err(`${name}: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    io.err(`${name}: unexpected error: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
    return EXIT.failed;
  }
}
