/**
 * Load shedding: new requests get a fast 503 + Retry-After (an OperationOutcome) instead of seconds of
 * queueing when either
 * - more than `maxInFlight` requests are being processed (queue depth), or
 * - the event loop's delay (mean over the last `sampleIntervalMs`) is above `maxEventLoopDelayMs`, which
 *   is what queueing in front of a busy loop looks like from inside, or
 * - the server is closing (a rolling deploy: the load balancer should go elsewhere).
 * Health probes are never shed: a liveness check failing exactly when the service is busy would get it
 * restarted when it most needs to run.
 *
 * Why not @fastify/under-pressure (used before): its sampling timer calls process.memoryUsage(), which
 * opens /proc/self/stat; at the file-descriptor limit that throws EMFILE from a timer, uncaught, and the
 * process exits (issue 12, case 1). It also has no queue-depth measure. This uses only
 * perf_hooks.monitorEventLoopDelay (no file descriptors) and a counter, and its timer cannot throw.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { sendOutcome } from './protocol/operation-outcome.js';

export interface SheddingOptions {
  maxEventLoopDelayMs: number;
  maxInFlight: number;
  /** Seconds, sent in Retry-After. */
  retryAfterS: number;
  sampleIntervalMs?: number;
  /** Requests that are never shed (probes). */
  exempt: (url: string) => boolean;
}

export interface SheddingStats {
  inFlight: number;
  eventLoopDelayMs: number;
  shed: number;
}

const RESOLUTION_MS = 10;

export function registerShedding(app: FastifyInstance, o: SheddingOptions): () => SheddingStats {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  let delayMs = 0;
  let inFlight = 0;
  let shed = 0;
  let closing = false;
  const counted = new WeakSet<object>();
  const every = o.sampleIntervalMs ?? 250;
  let lastTick = performance.now();
  const timer = setInterval(() => {
    try {
      // The mean delay over the interval (as @fastify/under-pressure measured it): sustained queueing
      // sheds, short pauses do not. And this timer's own lateness when it is more than twice the limit:
      // a loop blocked that long sheds at once, before the histogram's next sample shows it.
      // The histogram counts its own resolution as delay; take it off.
      const now = performance.now();
      const late = now - lastTick - every;
      lastTick = now;
      const mean = histogram.count > 0 ? histogram.mean / 1e6 - RESOLUTION_MS : 0;
      delayMs = Math.max(0, Number.isFinite(mean) ? mean : 0, late > 2 * o.maxEventLoopDelayMs ? late : 0);
      histogram.reset();
    } catch {
      // Measuring must never take the process down.
    }
  }, every);
  timer.unref();
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    histogram.disable();
  });

  app.addHook('onRequest', (request, reply, done) => {
    if (o.exempt(request.url)) {
      done();
      return;
    }
    const why = closing ? 'closing' : inFlight >= o.maxInFlight ? 'queue' : delayMs > o.maxEventLoopDelayMs ? 'latency' : undefined;
    if (why !== undefined) {
      shed += 1;
      if (closing) reply.header('connection', 'close');
      reply.header('retry-after', String(o.retryAfterS));
      sendOutcome(reply, 503, [{ code: 'transient', diagnostics: 'Service busy, retry later' }]);
      return;
    }
    inFlight += 1;
    counted.add(request);
    done();
  });
  // Once per counted request: when its response is done, or when the client went away before it.
  // (Fastify hooks rather than the raw 'close' event, which injected requests never emit.)
  const release = async (request: object): Promise<void> => {
    if (counted.delete(request)) inFlight -= 1;
  };
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);

  return () => ({ inFlight, eventLoopDelayMs: delayMs, shed });
}
