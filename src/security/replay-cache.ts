/**
 * Remembers (iss, jti) pairs until the token could no longer be accepted (exp + clock skew), so a
 * captured token cannot be replayed (checklist item 75).
 *
 * Each trusted issuer has its own quota of remembered tokens. The cache is filled only after a token's
 * signature and claims are proven, so only a trusted issuer can fill its quota, and when it does only
 * that issuer's new tokens are refused ('full', fail closed: never skip the replay check); other
 * issuers are unaffected. Capacity: an issuer sending R calls/s with tokens living L s (+ skew) needs
 * R x (L + skew) entries, e.g. 200,000 entries hold 555 calls/s with 5-minute tokens and 60 s skew.
 *
 * Two implementations of `ReplayGuard`: this one, in memory and per process (a replay may land on
 * another replica or after a restart), and the PostgreSQL one (src/store/postgres/pg-replay.ts), shared by
 * every replica, chosen with DATABASE_URL.
 *
 * Cost per check here is O(1) amortised: a Map in insertion order lets us drop expired entries from the
 * front as we go. Expiries are only roughly in insertion order (tokens have different lifetimes), so
 * when a quota is full we also do a full sweep of that issuer, at most once per second, to keep a
 * flood of requests from turning every check into O(n).
 */

export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

export interface ReplayGuard {
  /**
   * Record the pair and say whether it was new. `expiresAtMs` is when the token stops being
   * acceptable anyway; after that the entry may be forgotten. 'full' means the pair could not be
   * recorded because the issuer's quota is full: the caller must refuse the token.
   */
  check(iss: string, jti: string, expiresAtMs: number): Promise<ReplayVerdict>;
}

export interface ReplayCacheOptions {
  /** Remembered tokens per issuer. */
  maxEntriesPerIssuer: number;
  /** Milliseconds since the epoch; injectable so tests need no real waiting. */
  now?: () => number;
}

const FULL_SWEEP_INTERVAL_MS = 1000;

class IssuerEntries {
  readonly entries = new Map<string, number>(); // jti -> expiry (ms)
  lastFullSweep = Number.NEGATIVE_INFINITY;
}

export class ReplayCache implements ReplayGuard {
  readonly #issuers = new Map<string, IssuerEntries>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: ReplayCacheOptions) {
    this.#max = options.maxEntriesPerIssuer;
    this.#now = options.now ?? Date.now;
  }

  /** Remembered tokens of one issuer, or of all. */
  size(iss?: string): number {
    if (iss !== undefined) return this.#issuers.get(iss)?.entries.size ?? 0;
    let n = 0;
    for (const i of this.#issuers.values()) n += i.entries.size;
    return n;
  }

  async check(iss: string, jti: string, expiresAtMs: number): Promise<ReplayVerdict> {
    return this.checkAndRemember(iss, jti, expiresAtMs);
  }

  checkAndRemember(iss: string, jti: string, expiresAtMs: number): ReplayVerdict {
    const now = this.#now();
    let issuer = this.#issuers.get(iss);
    if (!issuer) {
      issuer = new IssuerEntries();
      this.#issuers.set(iss, issuer);
    }
    const entries = issuer.entries;
    dropExpiredHead(entries, now);
    const seenUntil = entries.get(jti);
    if (seenUntil !== undefined && seenUntil > now) return 'replayed';
    if (seenUntil !== undefined) entries.delete(jti); // stale: re-insert at the back
    if (entries.size >= this.#max) {
      if (now - issuer.lastFullSweep >= FULL_SWEEP_INTERVAL_MS) {
        issuer.lastFullSweep = now;
        for (const [key, expiry] of entries) if (expiry <= now) entries.delete(key);
      }
      if (entries.size >= this.#max) return 'full';
    }
    entries.set(jti, expiresAtMs);
    return 'fresh';
  }
}

function dropExpiredHead(entries: Map<string, number>, now: number): void {
  for (const [key, expiry] of entries) {
    if (expiry > now) return;
    entries.delete(key);
  }
}
