/**
 * Medplum's memory repository answers a searchset with `total` but no `link` and no `entry.fullUrl`. Real
 * servers send both, and our FHIR client pages by following `link[relation=next]`, so the dev server adds
 * them: `self` always, `next` when `_count` cut the result short (offset paging: `_offset` += `_count`).
 */
import type { Bundle, BundleLink, FhirResource } from 'fhir/r4.js';

export interface PagingContext {
  /** Absolute base, e.g. http://127.0.0.1:8090/fhir/R4 */
  baseUrl: string;
  resourceType: string;
  /** The parameters as the client sent them (query string plus any `_search` form body). */
  params: URLSearchParams;
}

function firstInt(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  const n = Number.parseInt(raw, 10);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

function searchUrl(ctx: PagingContext, params: URLSearchParams): string {
  const query = params.toString();
  return `${ctx.baseUrl}/${ctx.resourceType}${query ? `?${query}` : ''}`;
}

/** Mutates and returns `bundle` (it is the server's own freshly built response object). */
export function addSearchsetLinks(bundle: Bundle<FhirResource>, ctx: PagingContext): Bundle<FhirResource> {
  const links: BundleLink[] = [{ relation: 'self', url: searchUrl(ctx, ctx.params) }];
  const count = firstInt(ctx.params, '_count');
  const offset = firstInt(ctx.params, '_offset') ?? 0;
  // count 0 (`_summary=count`) must never produce a `next`: it would link to itself forever.
  if (count !== undefined && count > 0 && typeof bundle.total === 'number' && offset + count < bundle.total) {
    const next = new URLSearchParams(ctx.params);
    next.set('_offset', String(offset + count));
    links.push({ relation: 'next', url: searchUrl(ctx, next) });
  }
  bundle.link = links;
  for (const entry of bundle.entry ?? []) {
    const r = entry.resource;
    if (r?.id && entry.fullUrl === undefined) entry.fullUrl = `${ctx.baseUrl}/${r.resourceType}/${r.id}`;
  }
  return bundle;
}
