/**
 * What bounds a client's hold on the server before any route runs: how many connections, how long to
 * send headers and the whole request, how long an idle keep-alive connection lives, and the answer to a
 * malformed or timed-out request (an OperationOutcome, like every other error the service controls).
 *
 * File descriptors: every connection costs one. At the process's limit, accept() fails with EMFILE and so
 * does anything else that opens a file or socket (FHIR reads, the database, /proc reads). `maxConnections`
 * is therefore clamped below the soft limit, leaving room for the rest: past it Node closes new
 * connections on accept, so the answer to a connection flood is a refused connection, never a crash.
 */
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { operationOutcome, type IssueCode } from './protocol/operation-outcome.js';

/** The soft RLIMIT_NOFILE of this process (Linux), or undefined where it cannot be read. */
export function fdSoftLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (!m || m[1] === 'unlimited') return undefined;
  return Number(m[1]);
}

/**
 * The connection cap that fits under the fd limit: `reserve` descriptors stay for outbound FHIR sockets,
 * the database and its worker, logs and Node itself.
 */
export function effectiveMaxConnections(configured: number, fdLimit: number | undefined, reserve: number): number {
  if (fdLimit === undefined) return configured;
  return Math.max(1, Math.min(configured, fdLimit - reserve));
}

/** File descriptors kept free for everything that is not an inbound connection. */
export function fdReserve(fhirMaxConcurrency: number): number {
  // Outbound FHIR sockets (in flight and idle keep-alive), plus ~64 for stdio, the SQLite file, WAL and
  // SHM, the worker's handles, timers' event fds and libuv's own.
  return 64 + fhirMaxConcurrency * 2;
}

const CLIENT_ERRORS: Record<string, { status: number; code: IssueCode; text: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'timeout', text: 'The request was not received in time' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'too-costly', text: 'The request headers are too large' },
};
const MALFORMED = { status: 400, code: 'invalid' as IssueCode, text: 'Malformed HTTP request' };

/**
 * Fastify's `clientErrorHandler`: Node calls it for requests it cannot hand to a route (bad request line,
 * header overflow, headers or body not received in time). Answers an OperationOutcome and closes.
 */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, err: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e = (err.code !== undefined ? CLIENT_ERRORS[err.code] : undefined) ?? MALFORMED;
  try {
    this.log.debug({ code: err.code, status: e.status }, 'client error');
  } catch {
    // Logging must not stop the answer.
  }
  if (socket.writable) {
    const body = JSON.stringify(operationOutcome([{ code: e.code, diagnostics: e.text }]));
    socket.write(
      `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: application/fhir+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** Logs at most one line per `everyMs` for a recurring condition, with how often it happened meanwhile. */
export function throttledWarn(log: FastifyBaseLogger, msg: string, everyMs = 10_000): (fields?: object) => void {
  let last = 0;
  let count = 0;
  return (fields = {}) => {
    count += 1;
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    try {
      log.warn({ ...fields, occurrences: count }, msg);
    } catch {
      // never throw from a guard
    }
    count = 0;
  };
}
