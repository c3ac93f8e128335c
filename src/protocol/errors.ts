/**
 * One place that turns every failure into an OperationOutcome: Fastify's own parser errors (415, 413,
 * bad JSON), rate limiting and load shedding (429, 503), unknown routes (404) and anything unexpected
 * (500, no internals). Client errors are logged by code only: a JSON parser's message can quote the body,
 * and the body holds patient data.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { sendOutcome } from './operation-outcome.js';

export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return sendOutcome(reply, 404, [
      { code: 'not-found', diagnostics: `No route ${request.method} ${path.slice(0, 200)}` },
    ]);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const code = error.code;
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      request.log.info({ code }, 'unsupported content type');
      return sendOutcome(reply, 415, [
        { code: 'not-supported', diagnostics: 'Content-Type must be application/json (or application/fhir+json)' },
      ]);
    }
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      request.log.info({ code }, 'body too large');
      return sendOutcome(reply, 413, [{ code: 'too-costly', diagnostics: 'The request body is too large' }]);
    }
    if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      request.log.info({ code: code ?? 'SyntaxError' }, 'malformed JSON body');
      return sendOutcome(reply, 400, [
        { code: 'structure', diagnostics: 'The request body is not valid JSON', expression: ['(body)'] },
      ]);
    }
    const status = error.statusCode ?? 500;
    if (status === 429 || status === 503) {
      return sendOutcome(reply, status, [
        { code: status === 429 ? 'throttled' : 'transient', diagnostics: status === 429 ? 'Too many requests' : 'Service busy, retry later' },
      ]);
    }
    if (status >= 400 && status < 500) {
      request.log.info({ code, status }, 'client error');
      return sendOutcome(reply, status, [{ code: 'invalid', diagnostics: 'The request could not be processed' }]);
    }
    // Unexpected: keep the stack for engineers, but not the message, which may quote patient data.
    request.log.error({ errType: error.name, code, stack: error.stack?.split('\n').slice(1, 8).join('\n') }, 'internal error');
    return sendOutcome(reply, 500, [{ code: 'exception', diagnostics: 'Internal error; the request was not processed' }]);
  });
}
