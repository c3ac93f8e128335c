/**
 * Which FHIR servers the service may call. A hook request names its own `fhirServer`, so without an
 * allow-list any caller could make us send requests (and the bearer token) anywhere (SSRF). Entries are
 * URL prefixes compared on parsed origin and path, plus the word `loopback` for 127.0.0.0/8, ::1 and
 * localhost (the default, so a developer's local server works and nothing else does).
 */

const LOOPBACK_HOSTS = /^(127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;

export interface AllowList {
  allows(url: string): boolean;
}

function parse(url: string): URL | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined;
  } catch {
    return undefined;
  }
}

export function createAllowList(entries: readonly string[]): AllowList {
  const loopback = entries.some((e) => e.toLowerCase() === 'loopback');
  const prefixes = entries
    .filter((e) => e.toLowerCase() !== 'loopback')
    .map((e) => parse(e))
    .filter((u): u is URL => u !== undefined)
    .map((u) => ({ origin: u.origin, path: u.pathname.replace(/\/+$/, '') }));
  return {
    allows(url: string): boolean {
      const u = parse(url);
      if (!u || u.username || u.password) return false;
      if (loopback && LOOPBACK_HOSTS.test(u.hostname)) return true;
      const path = u.pathname.replace(/\/+$/, '');
      // A prefix matches whole path segments only: /fhir allows /fhir/R4 but not /fhirevil.
      return prefixes.some((p) => p.origin === u.origin && (path === p.path || path.startsWith(`${p.path}/`)));
    },
  };
}
