/**
 * FHIR dates with their precision kept. "2026-11-20" is a whole day, "2026-11" a month: rules compare the
 * earliest and the latest instant a value can mean, so a date-only value never pretends to be midnight.
 */

export interface FhirInstantRange {
  /** ISO string as recorded (for Evidence.date). */
  iso: string;
  /** Earliest instant the value can mean (ms since epoch). */
  start: number;
  /** Latest instant the value can mean (ms since epoch, exclusive end of the period). */
  end: number;
}

const YEAR = /^\d{4}$/;
const MONTH = /^\d{4}-\d{2}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Parses a FHIR date/dateTime/instant. Partial dates get their whole period; date-only values are UTC days. */
export function parseFhirDate(value: string | undefined): FhirInstantRange | undefined {
  if (typeof value !== 'string' || value.length < 4) return undefined;
  let start: number;
  let end: number;
  if (value.length > 10) {
    // A dateTime/instant (the common case): one parse, no precision games.
    start = Date.parse(value);
    end = start;
  } else if (YEAR.test(value)) {
    const y = Number(value);
    start = Date.UTC(y, 0, 1);
    end = Date.UTC(y + 1, 0, 1);
  } else if (MONTH.test(value)) {
    const [y, m] = value.split('-').map(Number) as [number, number];
    start = Date.UTC(y, m - 1, 1);
    end = Date.UTC(y, m, 1);
  } else if (DAY.test(value)) {
    start = Date.parse(`${value}T00:00:00Z`);
    end = start + 86_400_000;
  } else {
    start = Date.parse(value);
    end = start;
  }
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return { iso: value, start, end };
}

/** The first parseable date among candidates (in order of preference). */
export function firstDate(...values: Array<string | undefined>): FhirInstantRange | undefined {
  for (const v of values) {
    const d = parseFhirDate(v);
    if (d) return d;
  }
  return undefined;
}
