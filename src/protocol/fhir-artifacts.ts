/**
 * Read-only FHIR endpoint for the guideline's published artifacts (src/guideline/artifacts):
 *   GET /fhir/{type}       searchset Bundle of every artifact of that type (filters: _id, url, version, name)
 *   GET /fhir/{type}/{id}  one artifact
 * for ValueSet, CodeSystem, PlanDefinition and Library, as application/fhir+json. Anything else is a 404
 * OperationOutcome. The artifacts never change while the process runs, so every body without a filter is
 * serialised once at registration.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Bundle } from 'fhir/r4.js';
import { ARTIFACT_TYPES, buildArtifacts, type Artifact, type ArtifactType, type GuidelineArtifacts } from '../guideline/artifacts/index.js';
import { sendOutcome } from './operation-outcome.js';

export interface FhirArtifactOptions {
  /** Defaults to the artifacts of the guideline data this process runs with. */
  artifacts?: GuidelineArtifacts;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const SEARCH_PARAMS = ['_id', 'url', 'version', 'name'] as const;
type SearchParam = (typeof SEARCH_PARAMS)[number];

const isArtifactType = (t: string): t is ArtifactType => (ARTIFACT_TYPES as readonly string[]).includes(t);

function searchset(type: ArtifactType, list: readonly Artifact[], self: string): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    total: list.length,
    link: [{ relation: 'self', url: self }],
    entry: list.map((resource) => ({ fullUrl: `${type}/${resource.id}`, resource, search: { mode: 'match' } })),
  };
}

function matches(a: Artifact, filters: ReadonlyArray<[SearchParam, string]>): boolean {
  return filters.every(([param, value]) => {
    if (param === '_id') return a.id === value;
    if (param === 'url') return a.url === value;
    if (param === 'version') return a.version === value;
    return typeof a.name === 'string' && a.name.toLowerCase().startsWith(value.toLowerCase());
  });
}

interface Served {
  artifacts: GuidelineArtifacts;
  listBodies: Map<ArtifactType, string>;
  readBodies: Map<string, string>;
}

function serve(artifacts: GuidelineArtifacts): Served {
  const listBodies = new Map<ArtifactType, string>();
  const readBodies = new Map<string, string>();
  for (const type of ARTIFACT_TYPES) {
    listBodies.set(type, JSON.stringify(searchset(type, artifacts[type], type)));
    for (const a of artifacts[type]) readBodies.set(`${type}/${a.id}`, JSON.stringify(a));
  }
  return { artifacts, listBodies, readBodies };
}

/** Built on first use and kept: the guideline data is fixed for the process, and building costs tens of ms. */
let DEFAULT: Served | undefined;

export const fhirArtifactRoutes: FastifyPluginAsync<FhirArtifactOptions> = async (app: FastifyInstance, opts) => {
  const { artifacts, listBodies, readBodies } = opts.artifacts ? serve(opts.artifacts) : (DEFAULT ??= serve(buildArtifacts()));

  const unknownType = (type: string) => ({
    code: 'not-found' as const,
    diagnostics: `This service publishes only ${ARTIFACT_TYPES.join(', ')}; not ${type.slice(0, 64)}`,
  });

  app.get<{ Params: { type: string }; Querystring: Record<string, string | string[]> }>('/fhir/:type', async (request, reply) => {
    const { type } = request.params;
    if (!isArtifactType(type)) return sendOutcome(reply, 404, [unknownType(type)]);
    const filters: Array<[SearchParam, string]> = [];
    for (const param of SEARCH_PARAMS) {
      const raw = request.query[param];
      // A repeated parameter is an AND in FHIR search: every value must match.
      for (const value of Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) filters.push([param, value]);
    }
    if (filters.length === 0) return reply.type(FHIR_JSON).send(listBodies.get(type));
    const self = `${type}?${filters.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
    return reply.type(FHIR_JSON).send(searchset(type, artifacts[type].filter((a) => matches(a, filters)), self));
  });

  app.get<{ Params: { type: string; id: string } }>('/fhir/:type/:id', async (request, reply) => {
    const { type, id } = request.params;
    if (!isArtifactType(type)) return sendOutcome(reply, 404, [unknownType(type)]);
    const body = readBodies.get(`${type}/${id}`);
    if (body === undefined) {
      return sendOutcome(reply, 404, [{ code: 'not-found', diagnostics: `${type}/${id.slice(0, 64)} is not known` }]);
    }
    return reply.type(FHIR_JSON).send(body);
  });
};
