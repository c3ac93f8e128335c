/**
 * One FHIR ValueSet per value set of src/guideline/valuesets.ts, built from the data (never a list of its
 * own), so a set added there is published here.
 *
 * Each code keeps its display and its source (a `valueset-concept-comments` extension). ICD-10 codes are
 * matched hierarchically by the engine (a listed G96.81 matches a recorded G96.811), so each ICD code also gets
 * a `descendent-of` filter: the expansion of the published set is what the engine matches. The free-text
 * terms the engine falls back to are not FHIR codes; they are published as extensions of our own (term and
 * regular expression), with the set's negation handling, so a committee sees everything the engine reads.
 */
import type { ValueSet as FhirValueSet, ValueSetComposeInclude } from 'fhir/r4.js';
import { canonicalUrl } from '../canonical.js';
import { PRE_NEGATION_ONLY_TEXT_SETS, SYSTEMS, UNGUARDED_TEXT_SETS, VALUE_SETS } from '../valuesets.js';
import type { ValueSet } from '../types.js';
import { COMMON, CONCEPT_COMMENTS, EXT, computableName, narrative } from './common.js';

const HIERARCHICAL: ReadonlySet<string> = new Set([SYSTEMS.icd10cm, SYSTEMS.icd10]);

function negationOf(id: string): 'unguarded' | 'pre-negation-only' | 'guarded' {
  if (UNGUARDED_TEXT_SETS.has(id)) return 'unguarded';
  if (PRE_NEGATION_ONLY_TEXT_SETS.has(id)) return 'pre-negation-only';
  return 'guarded';
}

function includesOf(vs: ValueSet): ValueSetComposeInclude[] {
  const bySystem = new Map<string, Map<string, { display?: string; source: string }>>();
  for (const c of vs.codes) {
    const codes = bySystem.get(c.system) ?? new Map();
    if (!codes.has(c.code)) codes.set(c.code, { ...(c.display ? { display: c.display } : {}), source: c.source });
    bySystem.set(c.system, codes);
  }
  const out: ValueSetComposeInclude[] = [];
  for (const [system, codes] of bySystem) {
    out.push({
      system,
      concept: [...codes].map(([code, c]) => ({
        code,
        ...(c.display ? { display: c.display } : {}),
        extension: [{ url: CONCEPT_COMMENTS, valueString: `Source: ${c.source}` }],
      })),
    });
    if (HIERARCHICAL.has(system)) {
      for (const code of codes.keys()) out.push({ system, filter: [{ property: 'concept', op: 'descendent-of', value: code }] });
    }
  }
  return out;
}

export function valueSetArtifact(vs: ValueSet): FhirValueSet {
  const negation = negationOf(vs.id);
  const textNote =
    vs.text.length === 0
      ? 'No free-text fallback: only the codes count.'
      : `Free-text terms (a weaker, flagged fallback tried on CodeableConcept.text and coding.display when no code matched; negation handling: ${negation}): ${vs.text.map((t) => t.term).join('; ')}.`;
  const codeNote = vs.codes.length === 0 ? 'No codes: recognised by text only.' : `${vs.codes.length} code(s); ICD-10 codes include their descendants.`;
  const includes = includesOf(vs);
  return {
    resourceType: 'ValueSet',
    id: vs.id,
    text: narrative(
      vs.title,
      ['System', 'Code', 'Display', 'Source'],
      vs.codes.map((c) => [c.system, c.code, c.display ?? '', c.source]),
      `${codeNote} ${textNote}`,
    ),
    extension: [
      ...(vs.text.length > 0 ? [{ url: EXT.textNegation, valueCode: negation }] : []),
      ...vs.text.map((t) => ({
        url: EXT.textTerm,
        extension: [
          { url: 'term', valueString: t.term },
          { url: 'pattern', valueString: `/${t.pattern.source}/${t.pattern.flags}` },
        ],
      })),
    ],
    url: canonicalUrl('ValueSet', vs.id),
    ...COMMON,
    name: computableName(vs.id),
    title: vs.title,
    description: `${vs.title}. ${codeNote} ${textNote}`,
    ...(includes.length > 0 ? { compose: { include: includes } } : {}),
  };
}

export function valueSetArtifacts(): FhirValueSet[] {
  return Object.values(VALUE_SETS).map(valueSetArtifact);
}
