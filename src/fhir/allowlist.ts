/**
 * Which FHIR servers the service may call. A hook request names its own `fhirServer`, so without an
 * allow-list any caller could make us send requests (and the bearer token) anywhere (SSRF). Entries are
 * URL prefixes compared on parsed origin and path, plus the word `loopback` for 127.0.0.0/8, ::1 and
 * localhost (the default, so a developer's local server works and nothing else does).
 *
 * Matching is on the normalised URL (WHATWG parsing: host case, IP forms, `.`/`..` segments resolved), and
 * a path that a server or proxy could read differently from us is refused outright, whatever prefix it
 * seems to be under: encoded `/` or `\` (`%2f`, `%5c`), encoded dots (`%2e`, so `%2e%2e` and `..%2f`),
 * encoded `%` (`%25`, decoded twice by some), NUL, backslashes and `;` (path parameters: Tomcat and others
 * treat `/fhir/..;/admin` as `/admin`). The same check applies to every URL the client fetches, so also to
 * `next` links of paginated searches.
 */

const LOOPBACK_HOSTS = /^(127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;

export interface AllowList {
  allows(url: string): boolean;
}

/** What a path must not contain, in the raw text or after parsing (see above). */
const AMBIGUOUS_PATH = /%(?:2f|5c|2e|25|00)|[;\\]/i;

/** The raw path part of an absolute URL: after the authority, before `?` or `#`. */
function rawPath(url: string): string {
  const afterScheme = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#\\]*/i, '');
  return afterScheme.split(/[?#]/, 1)[0] ?? '';
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
      if (AMBIGUOUS_PATH.test(rawPath(url)) || AMBIGUOUS_PATH.test(u.pathname)) return false;
      if (loopback && LOOPBACK_HOSTS.test(u.hostname)) return true;
      const path = u.pathname.replace(/\/+$/, '');
      // A prefix matches whole path segments only: /fhir allows /fhir/R4 but not /fhirevil.
      return prefixes.some((p) => p.origin === u.origin && (path === p.path || path.startsWith(`${p.path}/`)));
    },
  };
}
