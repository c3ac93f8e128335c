/**
 * Request correlation and, when asked for, distributed tracing.
 *
 * Always on (a header parse per request): the caller's W3C `traceparent` and `X-Request-ID` are
 * accepted, the trace id goes on every log line of the request, and FHIR calls carry a `traceparent`
 * of the same trace plus the request id, so one EHR action can be followed from the EHR through this
 * service to the FHIR server. Without a valid `traceparent` a new trace id is made.
 *
 * Off by default: span export. With OTEL_EXPORTER_OTLP_ENDPOINT set, `startTracing` loads the
 * OpenTelemetry SDK (a dynamic import: nothing of it is loaded otherwise) and spans are exported over
 * OTLP/HTTP for the hook call, the record assembly, each FHIR read, decide, render and the store
 * writes. When off, `span()` is a direct call of the function: no span objects, no context switching.
 */
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface TraceContext {
  /** 32 lower-case hex characters. */
  traceId: string;
  /** The caller's span id (16 hex), when a valid traceparent came in. */
  parentSpanId?: string;
  sampled: boolean;
  /** The caller's X-Request-ID when it is a safe token, else the trace id. */
  requestId: string;
  /** The incoming headers' traceparent, kept for the OpenTelemetry parent. */
  traceparent?: string;
}

/**
 * Random hex ids from a pooled buffer: one `randomFillSync` per 4 KB instead of one per id. A fresh
 * `randomBytes(16)` per request went to OpenSSL every time and cost more than all of our header parsing
 * (issue 13's profile). Same source (the CSPRNG), same randomness; Node pools its randomUUID() likewise.
 */
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const hex = POOL.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);
/** Request ids are logged and forwarded: a short token, never free text. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function traceContextOf(headers: IncomingHttpHeaders): TraceContext {
  const tp = header(headers, 'traceparent')?.trim().toLowerCase();
  const m = tp ? TRACEPARENT.exec(tp) : null;
  const valid = m !== null && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN;
  const traceId = valid ? m[1]! : randomHex(16);
  const rid = header(headers, 'x-request-id');
  return {
    traceId,
    ...(valid ? { parentSpanId: m[2]!, traceparent: tp! } : {}),
    sampled: valid ? (parseInt(m[3]!, 16) & 1) === 1 : false,
    requestId: rid !== undefined && REQUEST_ID.test(rid) ? rid : traceId,
  };
}

export interface SpanTracer {
  readonly enabled: boolean;
  /** Runs `fn` in a span named `name` (a child of the active span). */
  span<T>(name: string, attributes: Record<string, string | number>, fn: () => T): T;
  /** Runs `fn` in the root span of a request, a child of the caller's traceparent when given. */
  root<T>(name: string, ctx: TraceContext, attributes: Record<string, string | number>, fn: () => T): T;
  /** Headers for an outbound call: traceparent of the active span (or of the request's trace) and X-Request-ID. */
  outbound(ctx: TraceContext | undefined): Record<string, string>;
  shutdown(): Promise<void>;
}

/** Off: only correlation headers, made from the request's trace id. */
export const noTracing: SpanTracer = {
  enabled: false,
  span: (_name, _attributes, fn) => fn(),
  root: (_name, _ctx, _attributes, fn) => fn(),
  outbound: (ctx): Record<string, string> =>
    ctx
      ? { traceparent: `00-${ctx.traceId}-${randomHex(8)}-${ctx.sampled ? '01' : '00'}`, 'x-request-id': ctx.requestId }
      : {},
  shutdown: async () => undefined,
};

let active: SpanTracer = noTracing;

/** The process's tracer: `noTracing` unless `startTracing` ran. */
export function tracer(): SpanTracer {
  return active;
}

/**
 * Starts span export to `endpoint` (OTLP/HTTP, e.g. http://collector:4318) with the OpenTelemetry SDK.
 * Spans of one hook call share the caller's trace when it sent a traceparent.
 */
export async function startTracing(endpoint: string, serviceName = 'sih-imaging-cds'): Promise<SpanTracer> {
  const api = await import('@opentelemetry/api');
  const { NodeTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');

  const url = `${endpoint.replace(/\/+$/, '')}/v1/traces`;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 500 })],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  const otel = api.trace.getTracer('sih-imaging-cds');

  const run = <T>(name: string, attributes: Record<string, string | number>, parent: ReturnType<typeof api.context.active>, fn: () => T): T =>
    otel.startActiveSpan(name, { attributes }, parent, (span) => {
      const end = (): void => span.end();
      try {
        const out = fn();
        if (out instanceof Promise) {
          return out.then(
            (v) => {
              end();
              return v;
            },
            (err: unknown) => {
              span.setStatus({ code: api.SpanStatusCode.ERROR });
              end();
              throw err;
            },
          ) as T;
        }
        end();
        return out;
      } catch (err) {
        span.setStatus({ code: api.SpanStatusCode.ERROR });
        end();
        throw err;
      }
    });

  active = {
    enabled: true,
    span: (name, attributes, fn) => run(name, attributes, api.context.active(), fn),
    root: (name, ctx, attributes, fn) => {
      const parent = ctx.traceparent
        ? api.propagation.extract(api.ROOT_CONTEXT, { traceparent: ctx.traceparent })
        : api.ROOT_CONTEXT;
      return run(name, { ...attributes, 'request.id': ctx.requestId }, parent, fn);
    },
    outbound: (ctx) => {
      const headers: Record<string, string> = {};
      api.propagation.inject(api.context.active(), headers);
      if (!headers['traceparent']) return noTracing.outbound(ctx);
      return ctx ? { ...headers, 'x-request-id': ctx.requestId } : headers;
    },
    shutdown: async () => {
      await provider.shutdown();
      active = noTracing;
    },
  };
  return active;
}
