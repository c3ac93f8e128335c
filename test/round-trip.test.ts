/**
 * The round trip of every suggestion through the reference sandbox client (spec/sandbox-client-traffic):
 * for every fixture patient ordering every ACR procedure in every order shape (src/cli/card-scenarios.ts),
 * and for every patient-view card, each suggested ServiceRequest is transformed as a client transforms an
 * accepted order, sent back on order-select, and re-rated:
 *   1. the sandbox: only `code.coding[0]` kept, `code.text` set to its display, `reasonCode[].coding[0]` only;
 *   2. a client that keeps every coding (and the text), reasons as `coding[0]` only;
 *   3. the sandbox before a reason is picked: `reasonCode: []`.
 * Each must be recognised as the ACR procedure the suggestion meant, never as the order it replaced, with no
 * assumption note, and must not draw the same suggestion again (no loop). Every suggested resource carries a
 * reasonCode the sandbox can `.map` (coding[0] present).
 */
import t from 'tap';
import type { CodeableConcept, ServiceRequest } from 'fhir/r4.js';
import type { Card, Suggestion } from '../src/protocol/types.js';
import { decide } from '../src/engine/decide.js';
import { renderResponse } from '../src/cards/render.js';
import { ACR_PROCEDURE_SYSTEM } from '../src/guideline/canonical.js';
import { PROCEDURE_IDS, type ProcedureId } from '../src/guideline/types.js';
import {
  SCENARIO_NOW,
  draftOf,
  firstReasonCodings,
  fixtures,
  keepFirstCoding,
  orderSelect,
  orderShapes,
} from '../src/cli/card-scenarios.js';

interface Offered {
  resource: ServiceRequest;
  type: 'update' | 'create';
  /** The procedure of the order it replaces (update only). */
  replaces?: ProcedureId;
  where: string;
}

function intended(resource: ServiceRequest): ProcedureId | undefined {
  const first = resource.code?.coding?.[0];
  return first?.system === ACR_PROCEDURE_SYSTEM && (PROCEDURE_IDS as readonly string[]).includes(first.code ?? '')
    ? (first.code as ProcedureId)
    : undefined;
}

function suggestionsOf(cards: readonly Card[]): Suggestion[] {
  return cards.flatMap((c) => c.suggestions ?? []);
}

const TRANSFORMS: Array<[string, (r: ServiceRequest) => ServiceRequest]> = [
  ['sandbox: coding[0] only, text from its display', (r) => ({ ...r, code: keepFirstCoding(r.code), reasonCode: firstReasonCodings(r.reasonCode) })],
  ['all codings kept', (r) => ({ ...r, reasonCode: firstReasonCodings(r.reasonCode) })],
  ['reasonCode: [] (no reason picked yet)', (r) => ({ ...r, code: keepFirstCoding(r.code), reasonCode: [] as CodeableConcept[] })],
];

t.test('every suggestion of every fixture survives the client round trip', async (t) => {
  const offered: Offered[] = [];
  const all = fixtures();
  for (const { name, record } of all) {
    const pv = decide({ hook: 'patient-view', hookInstance: 'rt', context: { patientId: record.patientId } }, record, { now: SCENARIO_NOW });
    for (const s of suggestionsOf(renderResponse(pv, { mirrorSystemActions: true }).cards)) {
      for (const a of s.actions ?? []) {
        if (a.type === 'create') offered.push({ resource: a.resource as ServiceRequest, type: 'create', where: `${name} patient-view: ${s.label}` });
      }
    }
    for (const shape of orderShapes()) {
      const draft = draftOf(record.patientId, 'draft-1', shape.code, shape.reasonCode);
      const decision = decide(orderSelect(record.patientId, [draft]), record, { now: SCENARIO_NOW });
      const order = decision.orders[0];
      const replaced = order?.recognition.kind === 'procedure' ? order.recognition.procedure : undefined;
      for (const s of suggestionsOf(renderResponse(decision, { mirrorSystemActions: true }).cards)) {
        for (const a of s.actions ?? []) {
          if (a.type !== 'update' && a.type !== 'create') continue;
          offered.push({
            resource: a.resource as ServiceRequest,
            type: a.type,
            ...(a.type === 'update' && replaced ? { replaces: replaced } : {}),
            where: `${name} ${shape.shape}: ${s.label}`,
          });
        }
      }
    }
  }
  t.ok(offered.length > 500, `a real set of suggestions (${offered.length})`);

  const failures: string[] = [];
  const byFixture = new Map(all.map((f) => [f.record.patientId, f.record] as const));
  for (const o of offered) {
    const meant = intended(o.resource);
    if (!meant) {
      failures.push(`${o.where}: first coding is not the ACR procedure code`);
      continue;
    }
    const reasons = o.resource.reasonCode;
    if (!Array.isArray(reasons) || reasons.length === 0 || !reasons.every((r) => r.coding?.[0]?.code)) {
      failures.push(`${o.where}: no reasonCode with a coding[0]`);
    }
    if (o.replaces === meant) failures.push(`${o.where}: suggests the study it replaces`);
    const patientId = (o.resource.subject?.reference ?? '').replace(/^Patient\//, '');
    const record = byFixture.get(patientId);
    if (!record) {
      failures.push(`${o.where}: subject ${patientId} is not the patient`);
      continue;
    }
    for (const [how, transform] of TRANSFORMS) {
      const back = transform({ ...o.resource, id: o.resource.id ?? 'accepted-1' });
      const decision = decide(orderSelect(patientId, [back]), record, { now: SCENARIO_NOW });
      const rated = decision.orders[0];
      if (rated?.recognition.kind !== 'procedure' || rated.recognition.procedure !== meant) {
        failures.push(`${o.where} [${how}]: recognised as ${rated?.recognition.kind === 'procedure' ? rated.recognition.procedure : rated?.recognition.kind}, meant ${meant}`);
        continue;
      }
      if (rated.recognition.notes.length > 0) failures.push(`${o.where} [${how}]: an assumption note on our own suggestion`);
      const again = suggestionsOf(renderResponse(decision, { mirrorSystemActions: true }).cards);
      if (again.some((s) => (s.actions ?? []).some((a) => a.resource && intended(a.resource as ServiceRequest) === meant))) {
        failures.push(`${o.where} [${how}]: the same study is suggested again (loop)`);
      }
      if (rated.category === 'Usually Appropriate' && renderResponse(decision, { mirrorSystemActions: true }).cards.length > 0) {
        failures.push(`${o.where} [${how}]: a card after accepting a Usually Appropriate suggestion`);
      }
    }
  }
  t.same(failures.slice(0, 20), [], `no failures (of ${failures.length})`);
});
