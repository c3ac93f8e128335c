/**
 * POST /cds-services/{id}/feedback (CDS Hooks 2.0.1 §Feedback). Validates the body with zod, leniently
 * where the reference client deviates (override reasons without `display`, no `userComment`), stores
 * every item in one transaction and answers 200 `{}` only after that write returned: with the SQLite
 * store's synchronous=FULL, "answered 200" means "on disk".
 *
 * What is stored: card uuid, outcome, accepted suggestion ids, the override reason coding, the outcome
 * time. What is not: `userComment`. It is clinician free text and may name the patient or describe their
 * findings, and the audit database is meant to hold no patient data, so only whether a comment was given
 * is kept (the report needs no more).
 */
import { tracer } from '../tracing.js';
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { FeedbackItem, Store } from '../store/store.js';
import { pathExpression, sendOutcome, type IssueCode, type OutcomeIssue } from './operation-outcome.js';
import { UnknownCardQuota } from './feedback-quota.js';

/** Most items one POST may carry: several cards of several hook instances, never thousands. */
export const MAX_FEEDBACK_ITEMS = 200;
const MAX_ISSUES_REPORTED = 20;

const Id = z.string().trim().min(1).max(128);

const ReasonCoding = z.looseObject({
  // The spec's Coding requires system; tolerate its absence rather than lose the reason.
  system: z.string().max(512).optional(),
  code: z.string().trim().min(1).max(256),
  display: z.string().max(512).optional(),
});

const FeedbackEntry = z.looseObject({
  card: Id,
  outcome: z.enum(['accepted', 'overridden']),
  // Required by the spec when accepted; tolerated when absent (a card without suggestions) and ignored
  // on overrides. `null` is treated as absent: some clients serialise empty optionals that way.
  acceptedSuggestions: z.array(z.looseObject({ id: Id })).max(100).nullish(),
  overrideReason: z
    .looseObject({
      reason: ReasonCoding.nullish(),
      userComment: z.string().max(10_000).nullish(),
    })
    .nullish(),
  // RFC 3339 date-time; the spec asks for UTC, other offsets are read correctly and normalised.
  outcomeTimestamp: z.iso.datetime({ offset: true }),
});

export const FeedbackBody = z.looseObject({
  feedback: z.array(FeedbackEntry).max(MAX_FEEDBACK_ITEMS),
});
export type FeedbackBody = z.infer<typeof FeedbackBody>;

/** Normalises one validated entry to what the store keeps (and nothing more). */
export function toFeedbackItem(entry: FeedbackBody['feedback'][number]): FeedbackItem {
  const item: FeedbackItem = {
    cardUuid: entry.card,
    outcome: entry.outcome,
    acceptedSuggestionIds:
      entry.outcome === 'accepted' ? [...new Set((entry.acceptedSuggestions ?? []).map((s) => s.id))].sort() : [],
    outcomeTimestamp: new Date(entry.outcomeTimestamp).toISOString(),
    hasUserComment: (entry.overrideReason?.userComment ?? '').trim() !== '',
  };
  const reason = entry.overrideReason?.reason;
  if (entry.outcome === 'overridden' && reason) {
    // The code only: a client's `display` is free text and is not kept (reports use our own display).
    item.overrideReason = { system: reason.system ?? '', code: reason.code };
  }
  return item;
}

/** `['feedback', 2, 'outcome']` → `feedback[2].outcome` (FHIRPath-like, as OperationOutcome.expression). */
/** The path of a zod issue as an expression (kept exported under this name for the tests). */
export const issuePath = pathExpression;

export interface FeedbackRoutesOptions {
  store: Store;
  /** The ids of the services in discovery: feedback to any other id is 404. */
  serviceIds: readonly string[];
  /** Per client: at most `max` feedback items for cards never shown, per `windowMs`. Absent: no cap. */
  unknownCardQuota?: { max: number; windowMs: number };
}

/** Seconds a client should wait before retrying when the store cannot take feedback. */
const STORE_RETRY_AFTER_S = 30;

/** Who the quota counts against: the authenticated issuer (and tenant) when there is one, else the address. */
function clientKey(req: { ip: string; cdsClient?: { iss: string; tenant?: string } | null }): string {
  const c = req.cdsClient;
  return c ? `iss:${c.iss}|${c.tenant ?? ''}` : `ip:${req.ip}`;
}

export const feedbackRoutes: FastifyPluginAsync<FeedbackRoutesOptions> = async (app, opts) => {
  const known = new Set(opts.serviceIds);
  const quota = opts.unknownCardQuota ? new UnknownCardQuota(opts.unknownCardQuota) : undefined;

  // Errors raised before the handler (unparseable JSON, wrong content type, body too large) are also
  // answered as OperationOutcome. Scoped to this plugin: it does not change the rest of the app.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    // 4xx (including 429 from the rate limit) and 503 from load shedding keep their status; the rest is 500.
    const status = err.statusCode !== undefined && ((err.statusCode >= 400 && err.statusCode < 500) || err.statusCode === 503) ? err.statusCode : 500;
    if (status === 500) req.log.error({ err: err.message }, 'feedback request failed');
    return sendOutcome(reply, status, [
      { code: issueCodeFor(status), diagnostics: status === 500 ? 'internal error' : err.message },
    ]);
  });

  app.post<{ Params: { id: string } }>('/cds-services/:id/feedback', async (req, reply) => {
    if (!known.has(req.params.id)) {
      return sendOutcome(reply, 404, [{ code: 'not-found', diagnostics: `no CDS service with id "${clip(req.params.id)}"` }]);
    }
    const parsed = FeedbackBody.safeParse(req.body);
    if (!parsed.success) {
      const issues: OutcomeIssue[] = parsed.error.issues.slice(0, MAX_ISSUES_REPORTED).map((i) => {
        const where = issuePath(i.path);
        return {
          code: 'invalid',
          diagnostics: where === '' ? `body: ${i.message}; expected { "feedback": [ ... ] }` : `${where}: ${i.message}`,
          ...(where === '' ? {} : { expression: [where] }),
        };
      });
      return sendOutcome(reply, 400, issues);
    }

    const items = parsed.data.feedback.map(toFeedbackItem);
    // A store known to be unhealthy (file deleted, read-only, full, stalled, corrupt) is not tried: the
    // write could "succeed" into a deleted file or wait on a frozen disk. Refuse at once, retry later.
    const health = await opts.store.health();
    if (!health.ok) {
      req.log.warn({ reason: health.reason }, 'feedback refused: store unhealthy');
      reply.header('retry-after', String(STORE_RETRY_AFTER_S));
      return sendOutcome(reply, 503, [{ code: 'transient', diagnostics: 'feedback storage is unavailable; retry later' }]);
    }
    const client = clientKey(req as never);
    let result;
    try {
      result = await tracer().span('cds.store.feedback', { items: items.length }, () =>
        opts.store.recordFeedback(req.params.id, items, new Date(), quota ? { maxUnknownCards: quota.remaining(client) } : undefined),
      );
    } catch (err) {
      // Not stored, so not 200: 503 tells the client to retry, and idempotency makes the retry safe.
      req.log.error({ err: err instanceof Error ? err.message : String(err) }, 'feedback write failed');
      reply.header('retry-after', String(STORE_RETRY_AFTER_S));
      return sendOutcome(reply, 503, [{ code: 'transient', diagnostics: 'feedback could not be stored; retry later' }]);
    }
    if (result.overQuota && quota) {
      req.log.warn({ serviceId: req.params.id, unknownCards: result.unknownCards }, 'feedback refused: unknown-card quota');
      reply.header('retry-after', String(quota.retryAfterSeconds(client)));
      return sendOutcome(reply, 429, [
        {
          code: 'throttled',
          diagnostics: 'too much feedback for cards this service did not show; nothing of this request was stored',
        },
      ]);
    }
    quota?.consume(client, result.unknownCards);
    req.log.info({ serviceId: req.params.id, ...result }, 'feedback stored');
    return reply.code(200).send({});
  });
};

function issueCodeFor(status: number): IssueCode {
  if (status === 413) return 'too-costly';
  if (status === 415) return 'not-supported';
  if (status === 404) return 'not-found';
  if (status === 500) return 'exception';
  return 'invalid';
}

function clip(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}
