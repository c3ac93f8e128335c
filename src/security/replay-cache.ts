/**
 * Remembers (iss, jti) pairs until the token could no longer be accepted (exp + clock skew), so a
 * captured token cannot be replayed (checklist item 75). In memory and per process: with several
 * replicas a replay may land on another one, which is the accepted trade-off for having no store.
 *
 * Cost per check is O(1) amortised: a Map in insertion order lets us drop expired entries from the
 * front as we go. Expiries are only roughly in insertion order (tokens have different lifetimes), so
 * when the cache is full we also do a full sweep, at most once per second, to keep a flood of
 * requests from turning every check into O(n).
 */

export type ReplayVerdict = 'fresh' | 'replayed' | 'full';

export interface ReplayCacheOptions {
  maxEntries: number;
  /** Milliseconds since the epoch; injectable so tests need no real waiting. */
  now?: () => number;
}

const FULL_SWEEP_INTERVAL_MS = 1000;

export class ReplayCache {
  readonly #entries = new Map<string, number>(); // key -> expiry (ms)
  readonly #maxEntries: number;
  readonly #now: () => number;
  #lastFullSweep = Number.NEGATIVE_INFINITY;

  constructor(options: ReplayCacheOptions) {
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Record the pair and say whether it was new. `expiresAtMs` is when the token stops being
   * acceptable anyway; after that the entry may be forgotten. 'full' means the pair could not be
   * recorded: the caller must refuse the token (fail closed) rather than lose replay protection.
   */
  checkAndRemember(iss: string, jti: string, expiresAtMs: number): ReplayVerdict {
    const now = this.#now();
    this.#dropExpiredHead(now);
    // iss is length-prefixed so that no two different (iss, jti) pairs can produce the same key.
    const key = `${iss.length}:${iss}|${jti}`;
    const seenUntil = this.#entries.get(key);
    if (seenUntil !== undefined && seenUntil > now) return 'replayed';
    if (seenUntil !== undefined) this.#entries.delete(key); // stale: re-insert at the back
    if (this.#entries.size >= this.#maxEntries) {
      this.#sweepAllIfDue(now);
      if (this.#entries.size >= this.#maxEntries) return 'full';
    }
    this.#entries.set(key, expiresAtMs);
    return 'fresh';
  }

  #dropExpiredHead(now: number): void {
    for (const [key, expiry] of this.#entries) {
      if (expiry > now) return;
      this.#entries.delete(key);
    }
  }

  #sweepAllIfDue(now: number): void {
    if (now - this.#lastFullSweep < FULL_SWEEP_INTERVAL_MS) return;
    this.#lastFullSweep = now;
    for (const [key, expiry] of this.#entries) {
      if (expiry <= now) this.#entries.delete(key);
    }
  }
}
