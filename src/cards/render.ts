/**
 * Decision → CDS Hooks response. Pure: no I/O, no clock; uuids come from `opts.newUuid` so tests can fix them.
 * The input Decision and its resources are never changed (every resource in the response is a copy).
 */
import { randomUUID } from 'node:crypto';
import type { Action, CdsResponse } from '../protocol/types.js';
import type { Decision } from '../engine/types.js';
import { nextStepCards } from './next-step-cards.js';
import { orderCards } from './order-cards.js';
import type { StampContext } from './pama-rating.js';
import { systemActions } from './system-actions.js';

export interface RenderOptions {
  /**
   * Also put the system actions in `extension.systemActions`: the reference sandbox reads ratings only there
   * (checklist §G 61). The spec's place, top-level `systemActions`, is always filled.
   */
  mirrorSystemActions: boolean;
  newUuid?: () => string;
  /** CMS G-code of the qualified CDS mechanism (Argonaut `pama-rating-qcdsm-consulted`), when configured. */
  qcdsmCode?: string;
}

export function renderResponse(decision: Decision, opts: RenderOptions): CdsResponse {
  const ctx: StampContext = { newUuid: opts.newUuid ?? randomUUID };
  if (opts.qcdsmCode) ctx.qcdsmCode = opts.qcdsmCode;

  if (decision.hook === 'patient-view') return { cards: nextStepCards(decision, ctx) };

  const response: CdsResponse = { cards: orderCards(decision, ctx) };
  const actions: Action[] = systemActions(decision.orders, ctx);
  // Never an empty array or object (CDS Hooks 2.0.1 §Use of JSON; checklist §A 2).
  if (actions.length > 0) {
    response.systemActions = actions;
    if (opts.mirrorSystemActions) response.extension = { systemActions: [...actions] };
  }
  return response;
}
