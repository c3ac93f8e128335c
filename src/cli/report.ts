/**
 * npm run report -- [--db PATH] [--from DATE] [--to DATE] [--json]
 *
 * Prints the card feedback report for a time window: per card type and variant, cards shown, accepted,
 * overridden, override rate, top override reasons and the suggestions chosen. Opens the database
 * read-only, so it can run beside the service. Errors are one line on stderr, never a stack trace.
 * Exit codes: 0 done, 1 the report could not be made (e.g. no database file), 2 bad arguments.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openSqliteStore } from '../store/sqlite-store.js';
import { DEFAULT_DB_PATH } from '../store/store-config.js';
import { formatSummaryText, parseTimeWindow } from '../store/summary.js';

export const USAGE = `Usage: npm run report -- [--db PATH] [--from DATE] [--to DATE] [--json]

  --db PATH    SQLite database (default: $DB_PATH, else ${DEFAULT_DB_PATH})
  --from DATE  first day or instant, inclusive (ISO: 2026-11-01 or 2026-11-01T08:00:00Z); default: all
  --to DATE    last day, inclusive (2026-11-30), or an instant, exclusive; default: now
  --json       print JSON for machines instead of a table
  --help       print this help

Cards are counted in the window they were shown; their feedback counts whenever it arrived.`;

export interface ReportIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function runReport(argv: readonly string[], io: ReportIo): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    io.err(`report: ${err instanceof Error ? err.message : String(err)} (see --help)\n`);
    return 2;
  }
  if (args.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  const window = parseTimeWindow(args.from, args.to);
  if (!window.ok) {
    io.err(`report: --${window.message}\n`);
    return 2;
  }
  const dbPath = args.db ?? (io.env.DB_PATH && io.env.DB_PATH !== '' ? io.env.DB_PATH : DEFAULT_DB_PATH);
  try {
    const store = openSqliteStore(dbPath, { readonly: true });
    try {
      const summary = await store.summary(window.window);
      io.out(args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummaryText(summary));
    } finally {
      await store.close();
    }
    return 0;
  } catch (err) {
    io.err(`report: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  process.exitCode = await runReport(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
  });
}
