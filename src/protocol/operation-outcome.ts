/**
 * Every error the service answers is a FHIR OperationOutcome (CDS Hooks 3.0-ballot recommends it for
 * non-2xx; 2.0 leaves the body open). `expression` names the offending field so integrators can fix
 * their request without reading our logs. Never a stack trace, never HTML.
 */
import type { FastifyReply } from 'fastify';
import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4.js';

export type IssueCode = OperationOutcomeIssue['code'];

export interface OutcomeIssue {
  code: IssueCode;
  diagnostics: string;
  /** FHIRPath-like location of the offending field, e.g. `context.patientId`. */
  expression?: string[];
  severity?: OperationOutcomeIssue['severity'];
}

export function operationOutcome(issues: OutcomeIssue[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity ?? 'error',
      code: i.code,
      diagnostics: i.diagnostics,
      ...(i.expression && i.expression.length > 0 ? { expression: i.expression } : {}),
    })),
  };
}

export function sendOutcome(reply: FastifyReply, status: number, issues: OutcomeIssue[]): FastifyReply {
  return reply.code(status).type('application/fhir+json').send(operationOutcome(issues));
}

/** A zod-style path as a FHIRPath-like expression: `context.draftOrders.entry[0].resource.code`. */
export function pathExpression(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
