/**
 * Reading fixture Bundles from disk and cutting them to fit Medplum's transaction limits. Pure apart from
 * the directory read; no Medplum import, so it is cheap to test.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Bundle, BundleEntry, FhirResource } from 'fhir/r4.js';

/** Medplum 5.2.13 fhir-router: more PUT entries than this in one transaction → 400. */
export const MAX_UPDATES_PER_TRANSACTION = 50;

export interface FixtureFile {
  file: string;
  bundle: Bundle<FhirResource>;
}

/**
 * Every `*.json` Bundle in `dir`, sorted by file name so load order is stable. JSON that is not a Bundle is
 * skipped; a Bundle that is not a transaction/batch, or a file that is not JSON, is an error naming the file.
 */
export async function readFixtureBundles(dir: string): Promise<FixtureFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    // A missing fixtures directory is a normal state for a fresh checkout: start empty.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: FixtureFile[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = join(dir, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
    }
    const b = parsed as Partial<Bundle<FhirResource>>;
    // The directory is shared with other fixture data (expected cards, notes): only Bundles are ours.
    if (b.resourceType !== 'Bundle') continue;
    if (b.type !== 'transaction' && b.type !== 'batch') {
      throw new Error(`${file}: expected a transaction or batch Bundle`);
    }
    out.push({ file, bundle: b as Bundle<FhirResource> });
  }
  return out;
}

function isUpdate(e: BundleEntry<FhirResource>): boolean {
  return e.request?.method === 'PUT';
}

/**
 * A transaction with more than 50 PUTs is split into several transactions of at most 50 entries. That is
 * only safe when no entry depends on another through a `urn:uuid:` fullUrl (Medplum resolves those within
 * one transaction); otherwise the Bundle is returned whole and Medplum's own error names the limit.
 * Splitting gives up all-or-nothing across chunks, which is acceptable for seeding fixtures.
 */
export function splitForTransactionLimits(bundle: Bundle<FhirResource>): Bundle<FhirResource>[] {
  const entries = bundle.entry ?? [];
  if (bundle.type !== 'transaction') return [bundle];
  if (entries.filter(isUpdate).length <= MAX_UPDATES_PER_TRANSACTION) return [bundle];
  if (entries.some((e) => e.fullUrl?.startsWith('urn:uuid:'))) return [bundle];
  const chunks: Bundle<FhirResource>[] = [];
  for (let i = 0; i < entries.length; i += MAX_UPDATES_PER_TRANSACTION) {
    chunks.push({ resourceType: 'Bundle', type: 'transaction', entry: entries.slice(i, i + MAX_UPDATES_PER_TRANSACTION) });
  }
  return chunks;
}
