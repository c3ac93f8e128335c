/**
 * The CDS Hooks 2.0.1 contract as TypeScript types: what a client sends and what the service answers.
 * Knows nothing of the ACR topic. The zod schemas in `request-schema.ts` produce `HookRequest`; every
 * response is checked against the spec rules in `response-rules.ts`.
 */
import type { Bundle, FhirResource } from 'fhir/r4.js';

// The hook list and the draft-order shape belong to the engine (the lower layer that reads them).
import { HOOKS, type DraftOrder, type HookName } from '../engine/types.js';
export { HOOKS };
export type { DraftOrder, HookName };

export interface FhirAuthorization {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  subject?: string;
  patient?: string;
}

/** One prefetch value as the client sent it (absent keys are simply not in the record). */
export type PrefetchValue = FhirResource | null;

export interface HookContext {
  userId?: string;
  patientId: string;
  encounterId?: string;
  /** order-select only (the reference sandbox also sends it on order-sign). `Type/id` references. */
  selections?: string[];
  /** order-select and order-sign: all unsigned orders of the session. */
  draftOrders?: Bundle<FhirResource>;
  [key: string]: unknown;
}

/** A validated hook invocation, after the lenient normalisation of what real clients send. */
export interface HookRequest {
  hook: HookName;
  /** The hook the client named in the body, when it differed from the service's hook (kept for logs). */
  hookAsSent?: string;
  hookInstance: string;
  fhirServer?: string;
  fhirAuthorization?: FhirAuthorization;
  context: HookContext;
  prefetch?: Record<string, PrefetchValue>;
}


// ---- Response model (CDS Hooks 2.0.1 §Card attributes, §Suggestion, §Action, §Link) ----

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export interface Source {
  label: string;
  url?: string;
  icon?: string;
  topic?: Coding;
}

export interface Action {
  type: 'create' | 'update' | 'delete';
  description: string;
  resource?: FhirResource;
  resourceId?: string;
}

export interface Suggestion {
  label: string;
  uuid: string;
  isRecommended?: boolean;
  actions?: Action[];
}

export interface Link {
  label: string;
  url: string;
  type: 'absolute' | 'smart';
  appContext?: string;
}

export interface Card {
  uuid: string;
  summary: string;
  detail?: string;
  indicator: 'info' | 'warning' | 'critical';
  source: Source;
  suggestions?: Suggestion[];
  selectionBehavior?: 'at-most-one' | 'any';
  overrideReasons?: Coding[];
  links?: Link[];
}

export interface CdsResponse {
  cards: Card[];
  systemActions?: Action[];
  /** Mirrors systemActions for the reference sandbox client, which reads only `extension.systemActions`. */
  extension?: { systemActions?: Action[]; [key: string]: unknown };
}
