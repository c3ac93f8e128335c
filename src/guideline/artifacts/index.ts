/**
 * The guideline as FHIR R4 artifacts, generated from src/guideline (pure, no I/O). scripts/gen-artifacts.ts
 * writes them to docs/fhir/ for publishing; src/protocol/fhir-artifacts.ts serves them read-only.
 */
import type { CodeSystem, Library, PlanDefinition, ValueSet } from 'fhir/r4.js';
import { procedureCodeSystem } from './codesystem.js';
import { topicLibrary } from './library.js';
import { planDefinitionArtifacts } from './plandefinitions.js';
import { valueSetArtifacts } from './valuesets.js';

export { ARTIFACT_TYPES, EXT, LIBRARY_ID, CODE_SYSTEM_ID, planDefinitionId, type ArtifactType } from './common.js';

export interface GuidelineArtifacts {
  ValueSet: ValueSet[];
  CodeSystem: CodeSystem[];
  PlanDefinition: PlanDefinition[];
  Library: Library[];
}

export type Artifact = ValueSet | CodeSystem | PlanDefinition | Library;

export function buildArtifacts(): GuidelineArtifacts {
  const ValueSet = valueSetArtifacts();
  const CodeSystem = [procedureCodeSystem()];
  const PlanDefinition = planDefinitionArtifacts();
  const Library = [topicLibrary([...CodeSystem, ...ValueSet, ...PlanDefinition])];
  return { ValueSet, CodeSystem, PlanDefinition, Library };
}

/** Every artifact, Library first, then by type and id: the order of the published folder's listing. */
export function allArtifacts(a: GuidelineArtifacts = buildArtifacts()): Artifact[] {
  return [...a.Library, ...a.CodeSystem, ...a.ValueSet, ...a.PlanDefinition];
}

/** The file name an artifact is published under, e.g. `ValueSet-sih-suspicion.json`. */
export const artifactFileName = (a: Artifact): string => `${a.resourceType}-${a.id}.json`;
