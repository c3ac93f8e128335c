/**
 * The JWT replay cache shared by every replica, in PostgreSQL (table replay_jti, migration 2): a used
 * (iss, jti) is inserted if absent, with its expiry; a row already there and not expired is a replay,
 * on whichever replica it was first used. One statement decides, so two replicas racing with the same
 * token cannot both win (the primary key serialises them).
 *
 * The per-issuer quota (see src/security/replay-cache.ts) is checked against a count of the issuer's
 * unexpired rows, refreshed at most once per second per issuer, so the hot path stays one INSERT.
 * Expired rows are deleted in the background.
 */
import type pg from 'pg';
import type { ReplayGuard, ReplayVerdict } from '../../security/replay-cache.js';

export interface PgReplayOptions {
  maxEntriesPerIssuer: number;
  /** How often expired rows are deleted, ms (default 60 000). */
  pruneIntervalMs?: number;
}

const COUNT_TTL_MS = 1000;

export class PgReplayGuard implements ReplayGuard {
  readonly #counts = new Map<string, { n: number; at: number }>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: PgReplayOptions,
  ) {
    this.#timer = setInterval(() => void this.prune().catch(() => undefined), opts.pruneIntervalMs ?? 60_000);
    this.#timer.unref();
  }

  async check(iss: string, jti: string, expiresAtMs: number): Promise<ReplayVerdict> {
    const now = Date.now();
    let count = this.#counts.get(iss);
    if (!count || now - count.at >= COUNT_TTL_MS) {
      const res = await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM replay_jti WHERE iss = $1 AND expires_at > now()', [iss]);
      count = { n: res.rows[0]?.n ?? 0, at: now };
      this.#counts.set(iss, count);
    }
    if (count.n >= this.opts.maxEntriesPerIssuer) {
      // A replay of a remembered token is still a replay, not "full".
      const seen = await this.pool.query('SELECT 1 FROM replay_jti WHERE iss = $1 AND jti = $2 AND expires_at > now()', [iss, jti]);
      return seen.rowCount ? 'replayed' : 'full';
    }
    const res = await this.pool.query(
      `INSERT INTO replay_jti (iss, jti, expires_at) VALUES ($1, $2, to_timestamp($3::double precision / 1000))
       ON CONFLICT (iss, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE replay_jti.expires_at <= now()
       RETURNING 1`,
      [iss, jti, expiresAtMs],
    );
    if (res.rowCount === 0) return 'replayed';
    count.n += 1;
    return 'fresh';
  }

  /** Deletes expired rows; resolves with how many. */
  async prune(): Promise<number> {
    const res = await this.pool.query('DELETE FROM replay_jti WHERE expires_at <= now()');
    return res.rowCount ?? 0;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
