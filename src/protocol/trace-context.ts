/**
 * The trace context of a Fastify request: parsed once from its headers when Fastify asks for the
 * request id (before the request's logger is made, so the logger can carry the trace id), kept on the
 * raw request, read by the routes for FHIR calls and spans.
 */
import type { FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { traceContextOf, type TraceContext } from '../tracing.js';

const TRACE = Symbol('traceContext');
type WithTrace = IncomingMessage & { [TRACE]?: TraceContext };

/** Fastify's genReqId: the caller's X-Request-ID (when a safe token) or the trace id. */
export function requestIdFor(raw: IncomingMessage): string {
  const ctx = traceContextOf(raw.headers);
  (raw as WithTrace)[TRACE] = ctx;
  return ctx.requestId;
}

export function traceOfRaw(raw: IncomingMessage): TraceContext | undefined {
  return (raw as WithTrace)[TRACE];
}

export function traceOf(request: FastifyRequest): TraceContext {
  return traceOfRaw(request.raw) ?? traceContextOf(request.headers);
}
