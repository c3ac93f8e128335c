/**
 * The seam between the protocol and the clinical engine: a validated hook request and an assembled
 * PatientRecord in, a Decision and the CDS Hooks response out. Pure apart from the injected clock.
 */
import { tracer } from './tracing.js';
import type { CdsResponse, HookRequest } from './protocol/types.js';
import type { PatientRecord } from './fhir/record.js';
import type { Decision } from './engine/types.js';
import type { SiteCodeMap } from './guideline/site-codes.js';
import type { SiteFacts } from './engine/site-facts.js';
import { decide } from './engine/decide.js';
import { renderResponse, type RenderOptions } from './cards/render.js';

export interface Advice {
  decision: Decision;
  response: CdsResponse;
}

export type Advisor = (request: HookRequest, record: PatientRecord) => Advice;

/** One answered hook call, handed to the audit after the answer is sent. */
export interface DecisionEvent extends Advice {
  serviceId: string;
  request: HookRequest;
  record: PatientRecord;
  latencyMs: number;
  receivedAt: Date;
}

export interface AdvisorOptions {
  now: () => Date;
  siteCodes?: SiteCodeMap;
  siteFacts?: SiteFacts;
  render: RenderOptions;
}

export function createAdvisor(opts: AdvisorOptions): Advisor {
  return (request, record) => {
    const t = tracer();
    const decision = t.span('cds.decide', {}, () =>
      decide(request, record, {
        now: opts.now(),
        ...(opts.siteCodes ? { siteCodes: opts.siteCodes } : {}),
        ...(opts.siteFacts ? { siteFacts: opts.siteFacts } : {}),
      }),
    );
    return { decision, response: t.span('cds.render', {}, () => renderResponse(decision, opts.render)) };
  };
}
