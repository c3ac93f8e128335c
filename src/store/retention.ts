/**
 * AUDIT_RETENTION_DAYS: once at start-up and then every `everyMs`, decisions and feedback older than the
 * retention are deleted through `Store.pruneDecisions`. Failures are logged and retried at the next run;
 * the timer never keeps the process alive and cannot throw.
 */
import type { Store } from './store.js';

export interface RetentionLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const DAY_MS = 24 * 60 * 60_000;

export function startRetention(
  store: Store,
  days: number,
  log: RetentionLogger,
  opts: { everyMs?: number; now?: () => number } = {},
): { stop: () => void; runNow: () => Promise<number> } {
  const now = opts.now ?? Date.now;
  let running: Promise<number> | undefined;
  const runNow = (): Promise<number> => {
    running ??= (async () => {
      const before = new Date(now() - days * DAY_MS);
      try {
        const deleted = await store.pruneDecisions(before);
        if (deleted > 0) log.info({ deleted, before: before.toISOString() }, 'audit retention: old records deleted');
        return deleted;
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'audit retention failed');
        return 0;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const first = setTimeout(() => void runNow(), 5_000);
  first.unref();
  const timer = setInterval(() => void runNow(), opts.everyMs ?? DAY_MS / 4);
  timer.unref();
  return {
    stop: () => {
      clearTimeout(first);
      clearInterval(timer);
    },
    runNow,
  };
}
