/**
 * A site's JSON file (SITE_CODES_PATH, SITE_FACTS_PATH), read once at start-up: a file that cannot be read
 * or is not JSON stops start-up with a message naming the file and what is wrong with it.
 */
import { readFileSync } from 'node:fs';

/** The parsed JSON of `path`; `what` names the file in messages ("site codes file"), `fail` makes the error. */
export function readSiteJson(path: string, what: string, fail: (message: string) => Error): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw fail(`${what} ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw fail(`${what} ${path}: not valid JSON (${(err as Error).message})`);
  }
}
