/** The published folder's content: file name → JSON text (2-space indent, final newline), deterministic. */
import { allArtifacts, artifactFileName, buildArtifacts } from './index.js';

export function renderArtifactFiles(): Map<string, string> {
  return new Map(allArtifacts(buildArtifacts()).map((a) => [artifactFileName(a), `${JSON.stringify(a, null, 2)}\n`]));
}
