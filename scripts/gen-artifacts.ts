/**
 * Writes the guideline's FHIR artifacts to docs/fhir/ (one JSON file per artifact), removing files of
 * artifacts that no longer exist. `--check` exits 1 (without writing) when the folder differs from what the
 * data renders, for CI. Usage: `npm run artifacts [-- --check]`.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderArtifactFiles } from '../src/guideline/artifacts/files.js';

const dir = fileURLToPath(new URL('../docs/fhir/', import.meta.url));
const files = renderArtifactFiles();

function current(): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    // a missing folder is stale
  }
  for (const name of names) if (name.endsWith('.json')) out.set(name, readFileSync(join(dir, name), 'utf8'));
  return out;
}

if (process.argv.includes('--check')) {
  const have = current();
  const stale = [...files].filter(([name, text]) => have.get(name) !== text).map(([name]) => name);
  const extra = [...have.keys()].filter((name) => !files.has(name));
  if (stale.length > 0 || extra.length > 0) {
    process.stderr.write(`docs/fhir is stale (${[...stale, ...extra].join(', ')}): run \`npm run artifacts\`\n`);
    process.exit(1);
  }
  process.stdout.write(`docs/fhir is up to date (${files.size} artifacts)\n`);
} else {
  mkdirSync(dir, { recursive: true });
  for (const name of current().keys()) if (!files.has(name)) rmSync(join(dir, name));
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  process.stdout.write(`wrote ${files.size} artifacts to ${dir}\n`);
}
