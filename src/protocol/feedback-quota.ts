/**
 * Per-client quota of feedback items for cards the audit never showed. Such feedback is stored (the
 * audit is best effort and may have dropped the decision) but it is also what an abusive client can
 * send without limit to grow the database, so each client may store at most `max` of them per `windowMs`.
 * A client is its authenticated issuer (and tenant) when client authentication is on, else its address.
 *
 * Fixed windows, in memory, per process: simple and bounded (`maxClients` entries, oldest evicted first);
 * the cap is per replica, which is what bounds each replica's writes.
 */
export interface UnknownCardQuotaOptions {
  max: number;
  windowMs: number;
  maxClients?: number;
  now?: () => number;
}

export class UnknownCardQuota {
  private readonly used = new Map<string, { start: number; count: number }>();
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(private readonly o: UnknownCardQuotaOptions) {
    this.maxClients = o.maxClients ?? 10_000;
    this.now = o.now ?? Date.now;
  }

  /** How many unknown-card items this client may still store in the current window. */
  remaining(client: string): number {
    const e = this.entry(client);
    return Math.max(0, this.o.max - e.count);
  }

  /** Seconds until the client's window ends (for Retry-After). */
  retryAfterSeconds(client: string): number {
    const e = this.entry(client);
    return Math.max(1, Math.ceil((e.start + this.o.windowMs - this.now()) / 1000));
  }

  consume(client: string, n: number): void {
    if (n > 0) this.entry(client).count += n;
  }

  private entry(client: string): { start: number; count: number } {
    const now = this.now();
    let e = this.used.get(client);
    if (!e || now - e.start >= this.o.windowMs) {
      if (e) this.used.delete(client);
      e = { start: now, count: 0 };
      if (this.used.size >= this.maxClients) {
        const oldest = this.used.keys().next().value;
        if (oldest !== undefined) this.used.delete(oldest);
      }
      this.used.set(client, e);
    }
    return e;
  }
}
