/**
 * The CLIs' own talk with a FHIR server before any work: is it reachable, is it FHIR R4, does it accept
 * the token, does the patient exist. The service's FHIR client turns every fault into a data gap (right
 * for a hook call, which must answer anyway); a person at a terminal instead needs the one reason the run
 * cannot go on, and an exit code a script can test. Messages name the host only, never a path, an id
 * from a URL or the token.
 */
import type { CapabilityStatement } from 'fhir/r4.js';
import { CliFailure, EXIT, hostOf } from './args.js';

export interface FhirHttpOptions {
  method?: 'GET' | 'POST' | 'PUT';
  token?: string;
  body?: string;
  contentType?: string;
  /** `Prefer` header, e.g. `return=minimal` for transactions. */
  prefer?: string;
  timeoutMs: number;
}

export interface FhirHttpAnswer {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: unknown;
}

/** Why a connection failed, in words, from undici's error cause (ECONNREFUSED, ENOTFOUND, …). */
function connectionReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'network unreachable';
    default:
      if (cause?.code?.startsWith('ERR_TLS') || cause?.code?.includes('CERT')) return 'TLS failure';
      return cause?.code ?? cause?.message ?? 'connection failed';
  }
}

/**
 * One HTTP exchange with the FHIR server. Throws CliFailure(unreachable) when there is no answer, and for
 * a redirect (not followed: it could carry the token to another host; the user should pass the final URL).
 */
export async function fhirHttp(url: string, opts: FhirHttpOptions): Promise<FhirHttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/fhir+json, application/json;q=0.9' };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = opts.contentType ?? 'application/fhir+json';
  if (opts.prefer) headers['prefer'] = opts.prefer;
  let response: Response;
  try {
    response = await fetch(url, {
      method: opts.method ?? 'GET',
      headers,
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
  } catch (err) {
    const name = (err as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new CliFailure(EXIT.unreachable, `${hostOf(url)} did not answer within ${opts.timeoutMs} ms`);
    }
    throw new CliFailure(EXIT.unreachable, `cannot reach ${hostOf(url)}: ${connectionReason(err)}`);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    const location = response.headers.get('location');
    const where = location ? ` to ${hostOf(new URL(location, url).href)}` : '';
    throw new CliFailure(
      EXIT.failed,
      `${hostOf(url)} answered HTTP ${response.status} (redirect${where}); pass the final base URL as --fhir`,
    );
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    throw new CliFailure(EXIT.unreachable, `${hostOf(url)} closed the connection mid-answer`);
  }
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

function refused(url: string, status: number, withToken: boolean): CliFailure {
  const hint = withToken ? 'the token was refused (expired, or without the needed scopes?)' : 'it needs a token: pass --token or set FHIR_TOKEN';
  return new CliFailure(EXIT.refused, `${hostOf(url)} answered HTTP ${status}: ${hint}`);
}

export interface ServerFacts {
  fhirVersion: string;
  software?: string;
  /** Whether the CapabilityStatement declares the `transaction` interaction. */
  transaction: boolean;
}

/** FHIR R4 is 4.0.0 or 4.0.1; 4.3 (R4B) and 5.x are different versions with different resources. */
const R4 = /^4\.0\.\d+$/;

/** GET [base]/metadata: the server must be FHIR R4 before we read a patient or write fixtures. */
export async function checkR4Server(base: string, token: string | undefined, timeoutMs: number): Promise<ServerFacts> {
  const url = `${base}/metadata`;
  const answer = await fhirHttp(url, { ...(token ? { token } : {}), timeoutMs });
  if (answer.status === 401 || answer.status === 403) throw refused(url, answer.status, token !== undefined);
  const cs = answer.json as Partial<CapabilityStatement> | undefined;
  if (answer.status !== 200 || cs?.resourceType !== 'CapabilityStatement') {
    throw new CliFailure(
      EXIT.notR4,
      `${hostOf(url)} is not a FHIR server at that base URL: GET metadata answered HTTP ${answer.status}` +
        (answer.status === 200 ? ' without a CapabilityStatement' : ''),
    );
  }
  const version = typeof cs.fhirVersion === 'string' ? cs.fhirVersion : '(none)';
  if (!R4.test(version)) {
    throw new CliFailure(EXIT.notR4, `${hostOf(url)} reports fhirVersion ${version}; this service reads FHIR R4 (4.0.x) only`);
  }
  const transaction = (cs.rest ?? []).some((r) => (r.interaction ?? []).some((i) => i.code === 'transaction'));
  return { fhirVersion: version, ...(cs.software?.name ? { software: cs.software.name } : {}), transaction };
}

/** GET [base]/Patient/{id}: exists, or the run ends with the reason. */
export async function checkPatient(base: string, patientId: string, token: string | undefined, timeoutMs: number): Promise<void> {
  const url = `${base}/Patient/${encodeURIComponent(patientId)}`;
  const answer = await fhirHttp(url, { ...(token ? { token } : {}), timeoutMs });
  if (answer.status === 401 || answer.status === 403) throw refused(url, answer.status, token !== undefined);
  if (answer.status === 404 || answer.status === 410) {
    throw new CliFailure(EXIT.unknownPatient, `${hostOf(url)} has no Patient with the id given by --patient (HTTP ${answer.status})`);
  }
  if (answer.status !== 200 || (answer.json as { resourceType?: unknown } | undefined)?.resourceType !== 'Patient') {
    throw new CliFailure(EXIT.failed, `${hostOf(url)} answered the Patient read with HTTP ${answer.status} and no Patient`);
  }
}
