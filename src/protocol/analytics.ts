/**
 * GET /analytics/summary?from=&to=: the `npm run report` figures as JSON. Registered by the app only when
 * ANALYTICS_ENABLED is true: it holds no patient data, but it does show how clinicians use the service,
 * so it is off unless someone asks for it (and belongs behind the same authentication as the rest).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Store } from '../store/store.js';
import { parseTimeWindow } from '../store/summary.js';
import { sendOutcome } from './operation-outcome.js';

export interface AnalyticsRoutesOptions {
  store: Store;
}

export const analyticsRoutes: FastifyPluginAsync<AnalyticsRoutesOptions> = async (app, opts) => {
  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/analytics/summary', async (req, reply) => {
    const q = req.query ?? {};
    for (const name of ['from', 'to'] as const) {
      if (Array.isArray(q[name])) {
        return sendOutcome(reply, 400, [{ code: 'invalid', diagnostics: `${name}: give it once`, expression: [name] }]);
      }
    }
    const parsed = parseTimeWindow(q.from as string | undefined, q.to as string | undefined);
    if (!parsed.ok) {
      return sendOutcome(reply, 400, [{ code: 'invalid', diagnostics: parsed.message, expression: [parsed.parameter] }]);
    }
    try {
      const summary = await opts.store.summary(parsed.window);
      return reply.header('cache-control', 'no-store').send(summary);
    } catch (err) {
      req.log.error({ err: err instanceof Error ? err.message : String(err) }, 'analytics summary failed');
      return sendOutcome(reply, 500, [{ code: 'exception', diagnostics: 'summary could not be computed' }]);
    }
  });
};
