/**
 * The time source. The engine never calls `new Date()` itself: the route passes `systemClock.now()`, tests and
 * fixtures pass `fixedClock('2026-11-26T12:00:00Z')`, so every time-window rule is reproducible.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = {
  now: () => new Date(),
};

/** A clock stuck at one instant. Throws on an unparseable ISO string rather than drifting to NaN. */
export function fixedClock(iso: string): Clock {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`fixedClock: not an ISO date-time: ${iso}`);
  return { now: () => new Date(ms) };
}
