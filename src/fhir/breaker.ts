/**
 * A circuit breaker per FHIR server origin, shared by all hook calls. A FHIR server that refuses
 * connections (down, restarting, wrong port) used to cost every call one failed connection per read (seven
 * for patient-view), ~2 CPU ms a call, for nothing: the answer is the same "could not read X" each time.
 *
 *  - up: the origin answered recently (any HTTP status: it is reachable); reads go out in parallel.
 *  - unknown (first use, or a cool-down just ended): the first read of the origin is a probe and the
 *    others wait for it, so after the first refused connection of a call the other reads are not attempted.
 *    They wait at most `probeGraceMs`: a refused connection fails within milliseconds, while a slow but
 *    reachable server must not have its reads serialised behind the probe (that doubled the first call's
 *    latency and pushed slow servers past the deadline).
 *  - down (a connection was refused, or the host is unreachable): for `cooldownMs` no read is attempted;
 *    each one fails at once and the record says what is missing, as for any failed read.
 *
 * Only connection-level failures open the circuit: an HTTP 500 or a slow answer comes from a reachable
 * server and is handled by the deadline and the gap. Timeouts leave the state as it was.
 */

export type Admission = 'go' | 'skip';
export type Outcome = 'reached' | 'unreachable' | 'unknown';

interface OriginState {
  up: boolean;
  downUntil: number;
  /** Settles when the read probing this origin has an outcome. */
  probing?: Promise<void>;
  settleProbe?: () => void;
  /** When the current probe started (the grace of waiting reads counts from it). */
  probeStartedAt?: number;
}

/** Connection-level error codes (Node / undici) that mean nothing listens, or the host cannot be reached. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** Does this `fetch` rejection mean the server could not be reached at all (not a slow or bad answer)? */
export function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return true;
    const inner = (e as { errors?: unknown }).errors; // AggregateError: one per address tried
    if (Array.isArray(inner) && inner.length > 0 && inner.every((x) => isUnreachable(x))) return true;
  }
  return false;
}

export class CircuitBreaker {
  private readonly origins = new Map<string, OriginState>();

  /**
   * @param cooldownMs how long an unreachable origin is left alone before the next probe
   * @param maxOrigins origins remembered (oldest forgotten first): "loopback" admits any port
   * @param probeGraceMs how long other reads wait for a probe before going out anyway
   */
  constructor(
    private readonly cooldownMs = 5000,
    private readonly maxOrigins = 1000,
    private readonly now: () => number = Date.now,
    private readonly probeGraceMs = 250,
  ) {}

  /**
   * May a read of `origin` be attempted? Resolves 'go' (and then the caller must `report` the outcome) or
   * 'skip' (the origin is down). Waits while another read probes the origin; rejects if `signal` aborts.
   */
  async admit(origin: string, signal: AbortSignal): Promise<Admission> {
    for (;;) {
      const s = this.state(origin);
      if (this.now() < s.downUntil) return 'skip';
      if (s.up) return 'go';
      if (!s.probing) {
        s.probing = new Promise<void>((resolve) => {
          s.settleProbe = resolve;
        });
        s.probeStartedAt = this.now();
        return 'go';
      }
      const left = (s.probeStartedAt ?? 0) + this.probeGraceMs - this.now();
      // The probe has neither failed nor answered within the grace: the origin is not refusing connections.
      if (left <= 0) return 'go';
      await waitOrAbort(s.probing, signal, left);
    }
  }

  /** Is `origin` in its cool-down? A call can then skip its reads without preparing any. */
  isDown(origin: string): boolean {
    const s = this.origins.get(origin);
    return s !== undefined && this.now() < s.downUntil;
  }

  /** The outcome of an admitted read. */
  report(origin: string, outcome: Outcome): void {
    const s = this.state(origin);
    if (outcome === 'reached') {
      s.up = true;
      s.downUntil = 0;
    } else if (outcome === 'unreachable') {
      s.up = false;
      s.downUntil = this.now() + this.cooldownMs;
    }
    const settle = s.settleProbe;
    s.probing = undefined;
    s.settleProbe = undefined;
    settle?.();
  }

  private state(origin: string): OriginState {
    let s = this.origins.get(origin);
    if (!s) {
      if (this.origins.size >= this.maxOrigins) {
        const [oldest, st] = this.origins.entries().next().value as [string, OriginState];
        st.settleProbe?.();
        this.origins.delete(oldest);
      }
      s = { up: false, downUntil: 0 };
      this.origins.set(origin, s);
    }
    return s;
  }
}

/** Waits for `p`, at most `maxMs`; rejects if `signal` aborts first. */
function waitOrAbort(p: Promise<void>, signal: AbortSignal, maxMs: number): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(done, maxMs);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(done, reject);
  });
}
