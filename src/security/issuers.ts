/**
 * Trusted issuers and where their keys come from. The unverified token only tells us which issuer's
 * configuration to look at; nothing in it can make us fetch a URL that is not on that issuer's
 * allow-list (a jku is attacker-controlled input: fetching it blindly is SSRF and key injection).
 */
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { Issuer } from './config.js';

export type KeySetChoice =
  | { ok: true; issuer: Issuer; getKey: JWTVerifyGetKey; source: 'static' | 'jku' }
  | { ok: false; reason: string };

/** How long a fetched remote set is trusted before it is refreshed (jose also refetches on an unknown kid). */
const REMOTE_JWKS_CACHE_MAX_AGE_MS = 10 * 60 * 1000;
/** A stuck JWKS endpoint must not hold requests for long (the spec expects ~500 ms answers). */
const REMOTE_JWKS_TIMEOUT_MS = 3000;

export class IssuerRegistry {
  readonly #issuers = new Map<string, Issuer>();
  readonly #staticSets = new Map<string, JWTVerifyGetKey>();
  /** One remote set per URL, shared by issuers listing the same URL, so jose's cache is reused. */
  readonly #remoteSets = new Map<string, JWTVerifyGetKey>();

  constructor(issuers: readonly Issuer[]) {
    for (const issuer of issuers) {
      this.#issuers.set(issuer.iss, issuer);
      if (issuer.jwks) this.#staticSets.set(issuer.iss, createLocalJWKSet(issuer.jwks));
    }
  }

  /**
   * With a jku: only an exact allow-listed URL, fetched lazily. Without one: the issuer's static
   * set. A token with an unlisted jku is refused even if the static set would verify it, so a
   * client cannot get an unexpected key source accepted.
   */
  keySetFor(iss: string, jku: string | undefined): KeySetChoice {
    const issuer = this.#issuers.get(iss);
    if (!issuer) return { ok: false, reason: 'issuer not trusted' };
    if (jku !== undefined) {
      if (!(issuer.jkuAllowList ?? []).includes(jku)) return { ok: false, reason: 'jku not on the issuer allow-list' };
      return { ok: true, issuer, getKey: this.#remoteSet(jku), source: 'jku' };
    }
    const staticSet = this.#staticSets.get(iss);
    if (!staticSet) return { ok: false, reason: 'token has no jku and the issuer has no static JWKS' };
    return { ok: true, issuer, getKey: staticSet, source: 'static' };
  }

  #remoteSet(url: string): JWTVerifyGetKey {
    let set = this.#remoteSets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), {
        timeoutDuration: REMOTE_JWKS_TIMEOUT_MS,
        cacheMaxAge: REMOTE_JWKS_CACHE_MAX_AGE_MS,
      });
      this.#remoteSets.set(url, set);
    }
    return set;
  }
}
