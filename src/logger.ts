/**
 * pino, as JSON on stdout. What we log is chosen at each call site (ids, counts, timings, codes): a hook call
 * writes one line with its fields inline, and no line carries a request body, a resource or free text.
 *
 * Cost matters on the hot path (issue 13): Fastify's default gives every request a child logger (a pino
 * child per call, bindings serialised each time) and our redaction used to walk wildcard paths on every
 * line. Now a request's child logger binds only its ids (request id, trace id), and redaction covers only the
 * top-level fields that can hold a secret (bearer tokens, cookies, the SMART `fhirAuthorization`) or a
 * whole patient payload, should a future call site pass one by mistake; fixed paths, no wildcards, so
 * pino's redactor is a few property checks per line.
 */
import pino, { type Logger, type LoggerOptions } from 'pino';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'access_token',
  'token',
  'fhirAuthorization',
  'prefetch',
  'context',
  'body',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Fastify's default request serializer logs the URL with its query string and the remote address;
      // we keep the path only (query strings can carry patient ids on some routes).
      req: (req: { method?: string; url?: string; id?: string }) => ({
        method: req.method,
        path: (req.url ?? '').split('?')[0],
        id: req.id,
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

/**
 * Fastify's request log, reduced to at most one line per request ("request completed": method, path without
 * query, status, milliseconds, request id) instead of two with the whole request serialised; an error is
 * logged by its type only (a message can quote the body, which holds patient data). With `accessLog` off
 * (LOG_ACCESS=false) only errored requests get a line: a hook call still writes its own "hook answered".
 */
export class AccessLog extends LogController {
  constructor(private readonly accessLog = true) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && !this.accessLog) return;
    const line = {
      method: request.method,
      path: request.url.split('?')[0],
      statusCode: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
    };
    if (error) reply.log.error({ ...line, errType: error.name }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
