/**
 * Writes a file generated from the code, or with `--check` (for CI and the tests) exits 1 without writing
 * when the committed file differs from what the code renders now. Shared by the generators of
 * docs/clinical-logic.md and cds-services.minimal.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export function writeOrCheck(target: string, rendered: string, name: string, command: string): void {
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      // a missing file is stale
    }
    if (current !== rendered) {
      process.stderr.write(`${name} is stale: run \`${command}\`\n`);
      process.exit(1);
    }
    process.stdout.write(`${name} is up to date\n`);
  } else {
    writeFileSync(target, rendered);
    process.stdout.write(`wrote ${target}\n`);
  }
}
