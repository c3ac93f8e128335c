/**
 * The CDS Hooks endpoints: discovery and one POST route per service, plus health probes. A hook call
 * flows one way: validate → assemble the PatientRecord (prefetch, then FHIR within the deadline) →
 * advise (engine + cards) → answer → hand the decision to the audit sink after the answer is sent.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tracer } from '../tracing.js';
import { traceOf } from './trace-context.js';
import type { Discovery, ServiceDefinition } from './discovery.js';
import { parseHookRequest } from './request-schema.js';
import { sendOutcome } from './operation-outcome.js';
import { assemblePatientRecord, narrowingFromTemplates, type AssembleOptions } from '../fhir/assemble.js';
import type { Advisor, DecisionEvent } from '../advisor.js';

export interface HookRouteOptions {
  discovery: Discovery;
  advisor: Advisor;
  assemble: AssembleOptions;
  /** Called after the answer is sent; must not throw (errors are caught and logged here anyway). */
  onDecision?: (event: DecisionEvent) => void;
  /** Extra readiness checks (e.g. the audit database); must answer promptly. */
  ready?: () => Promise<boolean>;
}

export function registerHookRoutes(app: FastifyInstance, opts: HookRouteOptions): void {
  const services = new Map<string, ServiceDefinition>(opts.discovery.services.map((s) => [s.id, s]));
  const discoveryBody = JSON.stringify(opts.discovery);
  // Per service, once: the FHIR fallback reads the same (perhaps narrowed) searches its templates ask for.
  const assembleFor = new Map<string, AssembleOptions>(
    opts.discovery.services.map((s) => [s.id, { ...opts.assemble, narrowing: narrowingFromTemplates(s.prefetch) }]),
  );

  app.get('/cds-services', async (_request, reply) => reply.type('application/json').send(discoveryBody));

  app.post<{ Params: { id: string } }>('/cds-services/:id', (request, reply) =>
    tracer().root('cds.hook', traceOf(request), { 'cds.service': request.params.id.slice(0, 100) }, () => answerHook(request, reply)),
  );

  async function answerHook(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<FastifyReply> {
    const receivedAt = new Date();
    const started = performance.now();
    const service = services.get(request.params.id);
    if (!service) {
      return sendOutcome(reply, 404, [
        { code: 'not-found', diagnostics: `Unknown CDS service id "${request.params.id.slice(0, 100)}"`, expression: ['id'] },
      ]);
    }
    const parsed = parseHookRequest(request.body, service.hook);
    if (!parsed.ok) {
      request.log.info({ service: service.id, fields: parsed.issues.map((i) => i.expression?.[0]) }, 'invalid hook request');
      return sendOutcome(reply, 400, parsed.issues);
    }
    const hookRequest = parsed.request;
    // One line per call, fields inline (no child logger per request: see logger.ts).
    const log = request.log;
    const ids = { hookInstance: hookRequest.hookInstance, service: service.id };

    const trace = traceOf(request);
    const assembleOpts = assembleFor.get(service.id) ?? opts.assemble;
    // Kept as one literal built inside the span: building this object before the span instead (a copy, then
    // the field) made the 2,000-resource call cost ~18 CPU ms more at one connection on Node 20 (issue 13,
    // bench/ab.ts A/B); why is not understood, so the form that measured well stays.
    const assembled = await tracer().span('cds.assemble', {}, () =>
      assemblePatientRecord(hookRequest, { ...assembleOpts, outboundHeaders: () => tracer().outbound(trace) }),
    );
    if (!assembled.ok) {
      log.info({ hookInstance: ids.hookInstance, service: ids.service, missing: assembled.missing }, 'required data unavailable: 412');
      return sendOutcome(reply, 412, [
        { code: 'incomplete', diagnostics: `Required data is unavailable: ${assembled.reason}`, expression: ['prefetch', 'fhirServer'] },
      ]);
    }
    const record = assembled.record;
    const { decision, response } = opts.advisor(hookRequest, record);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    log.info(
      {
        hookInstance: ids.hookInstance,
        service: ids.service,
        hookAsSent: hookRequest.hookAsSent?.slice(0, 64),
        variant: decision.variant.status === 'determined' ? decision.variant.variant : decision.variant.status,
        orders: decision.orders.map((o) => o.outcome),
        cards: response.cards.length,
        gaps: record.gaps.map((g) => `${g.resourceType}:${g.reason}`),
        fetch: record.timings.filter((t) => t.source === 'fhir').map((t) => ({ type: t.resourceType, ms: t.ms, status: t.status })),
        latencyMs,
      },
      'hook answered',
    );
    if (opts.onDecision) {
      const sink = opts.onDecision;
      const event: DecisionEvent = { serviceId: service.id, request: hookRequest, record, decision, response, latencyMs, receivedAt };
      // After the answer is on its way: the audit never delays or fails the hook response.
      setImmediate(() => {
        try {
          sink(event);
        } catch (err) {
          log.error({ ...ids, errType: (err as Error).name }, 'decision sink failed');
        }
      });
    }
    return reply.type('application/json').send(response);
  }

  // Probes are never shed under load: a liveness check failing exactly when the service is busy would
  // get it restarted when it most needs to run (src/shedding.ts exempts them; the per-route handler below
  // is what @fastify/under-pressure honours, kept harmless for either).
  const probe = { config: { pressureHandler: () => undefined } };
  app.get('/healthz', probe, async () => ({ status: 'ok' }));
  // Not ready while the store is unhealthy (deleted, read-only, full, stalled, corrupt): see store.ts.
  app.get('/readyz', probe, async (_request, reply) => {
    const ok = opts.ready ? await opts.ready() : true;
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready' });
  });
}
