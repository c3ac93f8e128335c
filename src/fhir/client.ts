/**
 * A small FHIR R4 REST reader for one hook call: searches by patient, follows `next` links up to a cap,
 * and never throws for the server's faults. Every outcome (error status, timeout, unreadable body, a
 * redirect, a body over the size cap, an endless paging chain) comes back as a status the record
 * assembler turns into a gap. The bearer token goes in the Authorization header of every request and
 * nowhere else: it is never logged, stored, or sent to a URL outside the allow-list.
 */
import type { Bundle, FhirResource } from 'fhir/r4.js';
import type { AllowList } from './allowlist.js';
import type { Limiter } from './limiter.js';
import { isUnreachable, type CircuitBreaker, type Outcome } from './breaker.js';

export interface FhirClientOptions {
  baseUrl: string;
  accessToken?: string;
  allowList: AllowList;
  limiter: Limiter;
  maxPages: number;
  pageSize: number;
  maxResponseBytes: number;
  /** Correlation headers of the hook call (traceparent, X-Request-ID), sent with every request. */
  extraHeaders?: Record<string, string>;
  /** Shared across calls: reads of an origin that refuses connections are not attempted (breaker.ts). */
  breaker?: CircuitBreaker;
}

export type FetchStatus = 'ok' | 'error' | 'timeout' | 'truncated';

export interface SearchResult {
  status: FetchStatus;
  resources: FhirResource[];
  pages: number;
  /** Technical reason for people: an HTTP status or a short phrase. Never a URL with patient data. */
  detail?: string;
}

export interface ReadResult {
  status: FetchStatus | 'not-found';
  resource?: FhirResource;
  detail?: string;
}

class FetchFailure extends Error {
  constructor(
    readonly status: FetchStatus | 'not-found',
    detail: string,
  ) {
    super(detail);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new FetchFailure('truncated', `response larger than ${maxBytes} bytes`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new FetchFailure('truncated', `response larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class FhirClient {
  private readonly base: URL;

  constructor(private readonly opts: FhirClientOptions) {
    this.base = new URL(opts.baseUrl);
  }

  /**
   * A `next` link is followed only when it stays on the FHIR server the hook named (same origin, under
   * its base path): the bearer token was issued for that server, and a paging link must not carry it to
   * another one, even one that is also on the allow-list.
   */
  private withinServer(url: string): boolean {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return false;
    }
    const basePath = this.base.pathname.replace(/\/+$/, '');
    return u.origin === this.base.origin && (u.pathname === basePath || u.pathname.startsWith(`${basePath}/`));
  }

  private async getJson(url: string, signal: AbortSignal): Promise<unknown> {
    if (!this.opts.allowList.allows(url)) throw new FetchFailure('error', 'URL not on the FHIR allow-list');
    const headers: Record<string, string> = { ...this.opts.extraHeaders, accept: 'application/fhir+json, application/json' };
    if (this.opts.accessToken) headers['authorization'] = `Bearer ${this.opts.accessToken}`;
    const breaker = this.opts.breaker;
    const origin = this.base.origin;
    let outcome: Outcome = 'unknown';
    let admitted = false;
    try {
      if (breaker) {
        if ((await breaker.admit(origin, signal)) === 'skip') throw new FetchFailure('error', 'not attempted: FHIR server unreachable');
        admitted = true;
      }
      return await this.opts.limiter.run(signal, async () => {
        // Redirects are not followed: a redirect could carry the token to a host off the allow-list.
        let response: Response;
        try {
          response = await fetch(url, { headers, signal, redirect: 'manual' });
        } catch (err) {
          if (!signal.aborted && isUnreachable(err)) outcome = 'unreachable';
          throw err;
        }
        outcome = 'reached';
        if (response.status >= 300 && response.status < 400) {
          await response.body?.cancel();
          throw new FetchFailure('error', `HTTP ${response.status} redirect not followed`);
        }
        if (response.status === 404 || response.status === 410) {
          await response.body?.cancel();
          throw new FetchFailure('not-found', `HTTP ${response.status}`);
        }
        if (!response.ok) {
          await response.body?.cancel();
          throw new FetchFailure('error', `HTTP ${response.status}`);
        }
        const text = await readCapped(response, this.opts.maxResponseBytes);
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new FetchFailure('error', 'response is not valid JSON');
        }
      });
    } catch (err) {
      if (err instanceof FetchFailure) throw err;
      if (signal.aborted) throw new FetchFailure('timeout', 'deadline reached');
      throw new FetchFailure('error', 'connection failed');
    } finally {
      // Only an admitted read reports (it may be the probe others wait for); 'unknown' (a timeout, a failure
      // after the answer began) settles the probe without changing what is known of the origin.
      if (admitted) breaker!.report(origin, outcome);
    }
  }

  /** GET {base}/{type}/{id}. */
  async read(type: string, id: string, signal: AbortSignal): Promise<ReadResult> {
    const url = `${this.opts.baseUrl}/${type}/${encodeURIComponent(id)}`;
    try {
      const body = await this.getJson(url, signal);
      if (!isResource(body, type)) return { status: 'error', detail: `not a ${type} resource` };
      return { status: 'ok', resource: body };
    } catch (err) {
      const f = err as FetchFailure;
      return { status: f.status, detail: f.message };
    }
  }

  /**
   * Search {type}?patient={id}, then follow `next` links from the first page on (prefetch pages too).
   * `narrowing` (e.g. `code=http://loinc.org|9269-2,…`, from the minimum-necessary prefetch templates) is
   * added to the search; a server that refuses it (HTTP 400: parameter not supported) is asked again without.
   */
  async searchByPatient(type: string, patientId: string, signal: AbortSignal, narrowing?: string): Promise<SearchResult> {
    const base = `${this.opts.baseUrl}/${type}?patient=${encodeURIComponent(patientId)}`;
    if (narrowing) {
      const narrowed = await this.collect(`${base}&${narrowing}&_count=${this.opts.pageSize}`, signal, 0);
      if (!(narrowed.status === 'error' && narrowed.detail === 'HTTP 400')) return narrowed;
    }
    return this.collect(`${base}&_count=${this.opts.pageSize}`, signal, 0);
  }

  /** Follow the `next` link of a page we already hold (a paginated prefetch: its first page counts). */
  async continueFrom(nextUrl: string, signal: AbortSignal): Promise<SearchResult> {
    return this.collect(nextUrl, signal, 1);
  }

  private async collect(startUrl: string, signal: AbortSignal, pagesAlready: number): Promise<SearchResult> {
    const resources: FhirResource[] = [];
    const seen = new Set<string>();
    let url: string | undefined = startUrl;
    let pages = pagesAlready;
    while (url) {
      if (pages >= this.opts.maxPages || seen.has(url)) {
        return { status: 'truncated', resources, pages, detail: `stopped after ${pages} pages` };
      }
      if (!this.withinServer(url)) {
        return { status: 'truncated', resources, pages, detail: 'a next link pointed away from fhirServer' };
      }
      seen.add(url);
      let body: unknown;
      try {
        body = await this.getJson(url, signal);
      } catch (err) {
        const f = err as FetchFailure;
        const status = f.status === 'not-found' ? 'error' : f.status;
        // Pages already read are kept: a partial answer is better than none, and it is marked so.
        return { status: pages > pagesAlready ? 'truncated' : status, resources, pages, detail: f.message };
      }
      if (!isResource(body, 'Bundle')) {
        return { status: 'error', resources, pages, detail: 'response is not a Bundle' };
      }
      pages++;
      for (const r of entriesOf(body)) resources.push(r);
      url = nextLink(body);
    }
    return { status: 'ok', resources, pages };
  }
}

export function isResource<T extends string>(
  value: unknown,
  type: T,
): value is Extract<FhirResource, { resourceType: T }> | (FhirResource & { resourceType: T }) {
  return typeof value === 'object' && value !== null && (value as { resourceType?: unknown }).resourceType === type;
}

export function entriesOf(bundle: Bundle): FhirResource[] {
  const out: FhirResource[] = [];
  if (!Array.isArray(bundle.entry)) return out;
  for (const e of bundle.entry) {
    const r = e?.resource as FhirResource | undefined;
    if (r && typeof r === 'object' && typeof r.resourceType === 'string') out.push(r);
  }
  return out;
}

export function nextLink(bundle: Bundle): string | undefined {
  if (!Array.isArray(bundle.link)) return undefined;
  const next = bundle.link.find((l) => l?.relation === 'next');
  return typeof next?.url === 'string' && next.url.length > 0 ? next.url : undefined;
}
