/**
 * Decision → CDS Hooks response. Pure: no I/O, no clock; uuids come from `opts.newUuid` so tests can fix them.
 * The input Decision and its resources are never changed (every resource in the response is a copy).
 *
 * Bounded: whatever the record size and the number of orders, the response is at most `maxBytes` (64 KB by
 * default). Each card shows at most a few evidence rows, computed once per response; when the cards and
 * rating stamps of many orders would not fit, the most urgent go first (warning cards, then rating stamps,
 * then info cards) and one last card says how many were left out.
 */
import { randomUUID } from 'node:crypto';
import type { Action, Card, CdsResponse } from '../protocol/types.js';
import type { Decision } from '../engine/types.js';
import { cardLinks, makeCard } from './card-base.js';
import { cardView } from './detail.js';
import { jsonBytes } from './json-size.js';
import { nextStepCards } from './next-step-cards.js';
import { orderCards, type PlannedCard } from './order-cards.js';
import { stampForOrder, type StampContext } from './pama-rating.js';
import { ratingAction } from './system-actions.js';
import type { RatedOrder } from '../engine/types.js';

/** Largest response body, in bytes: a client renders it in a browser, and the service serialises it on the event loop. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface RenderOptions {
  /**
   * Also put the system actions in `extension.systemActions`: the reference sandbox reads ratings only there
   * (checklist §G 61). The spec's place, top-level `systemActions`, is always filled.
   */
  mirrorSystemActions: boolean;
  newUuid?: () => string;
  /** CMS G-code of the qualified CDS mechanism (Argonaut `pama-rating-qcdsm-consulted`), when configured. */
  qcdsmCode?: string;
  /** IANA zone for clock times on cards (SITE_TIMEZONE); default UTC. */
  timeZone?: string;
  /** Public base URL of this service, for the links to its explanation pages; no page link without it. */
  guidelineBaseUrl?: string;
  /** Response size bound in bytes; default MAX_RESPONSE_BYTES. */
  maxBytes?: number;
}

/** Below this much room left, no card or rating stamp can fit: the rest are counted without being written. */
const MIN_CARD_BYTES = 1200;
const MIN_ACTION_BYTES = 300;

/** Room kept for the closing "left out" card and the JSON around the arrays. */
const RESERVE_BYTES = 2048;

/** The bytes a card or action takes in the response: measured without writing its JSON (json-size.ts). */
function bytes(value: Card | Action): number {
  return jsonBytes(value) ?? 0;
}

export function renderResponse(decision: Decision, opts: RenderOptions): CdsResponse {
  const ctx: StampContext = { newUuid: opts.newUuid ?? randomUUID };
  if (opts.qcdsmCode) ctx.qcdsmCode = opts.qcdsmCode;
  const view = cardView(decision, ctx, opts.timeZone ?? 'UTC', opts.guidelineBaseUrl);
  const budget = new Budget((opts.maxBytes ?? MAX_RESPONSE_BYTES) - RESERVE_BYTES);

  if (decision.hook === 'patient-view') {
    const cards = budget.cards(nextStepCards(view).map((card) => ({ indicator: card.indicator, build: () => card })));
    return { cards: budget.closing(cards, view.newUuid, opts.guidelineBaseUrl) };
  }

  const all = orderCards(view);
  const urgent = budget.cards(all.filter((c) => c.indicator !== 'info'));
  const weight = opts.mirrorSystemActions ? 2 : 1;
  const actions: Action[] = budget.actions(decision.orders, ctx, weight);
  const cards = [...urgent, ...budget.cards(all.filter((c) => c.indicator === 'info'))];
  const response: CdsResponse = { cards: budget.closing(cards, view.newUuid, opts.guidelineBaseUrl) };
  // Never an empty array or object (CDS Hooks 2.0.1 §Use of JSON; checklist §A 2).
  if (actions.length > 0) {
    response.systemActions = actions;
    if (opts.mirrorSystemActions) response.extension = { systemActions: [...actions] };
  }
  return response;
}

/** Admits cards and actions while they fit, and counts what it left out. */
class Budget {
  private left: number;
  private droppedCards = 0;
  private droppedActions = 0;

  constructor(limit: number) {
    this.left = limit;
  }

  private fits(size: number): boolean {
    if (size > this.left) return false;
    this.left -= size;
    return true;
  }

  /**
   * Cards in order while they fit; a card too big with its suggestions is tried once without them. Once the
   * budget is spent the rest are counted, never written: the cost stays bounded whatever the number of orders.
   */
  cards(planned: readonly PlannedCard[]): Card[] {
    const kept: Card[] = [];
    for (const p of planned) {
      if (this.left < MIN_CARD_BYTES) {
        this.droppedCards += 1;
        continue;
      }
      const card = p.build();
      if (this.fits(bytes(card) + 1)) {
        kept.push(card);
        continue;
      }
      if (card.suggestions) {
        const bare: Card = { ...card };
        delete bare.suggestions;
        delete bare.selectionBehavior;
        if (this.fits(bytes(bare) + 1)) {
          kept.push(bare);
          continue;
        }
      }
      this.droppedCards += 1;
    }
    return kept;
  }

  /** Rating stamps while they fit; `weight` 2 when each is also mirrored in `extension.systemActions`. */
  actions(orders: readonly RatedOrder[], ctx: StampContext, weight: number): Action[] {
    const kept: Action[] = [];
    for (const order of orders) {
      if (this.left < MIN_ACTION_BYTES * weight) {
        if (stampForOrder(order) && order.order.resource.id) this.droppedActions += 1;
        continue;
      }
      const action = ratingAction(order, ctx);
      if (!action) continue;
      if (this.fits((bytes(action) + 1) * weight)) kept.push(action);
      else this.droppedActions += 1;
    }
    return kept;
  }

  /** The cards, plus one that says what was left out, when anything was. */
  closing(cards: Card[], newUuid: () => string, baseUrl: string | undefined): Card[] {
    if (this.droppedCards === 0 && this.droppedActions === 0) return cards;
    const parts: string[] = [];
    if (this.droppedCards > 0) parts.push(`${this.droppedCards} more card${this.droppedCards === 1 ? '' : 's'}`);
    if (this.droppedActions > 0) {
      parts.push(`the rating of ${this.droppedActions} more order${this.droppedActions === 1 ? '' : 's'}`);
    }
    const closing = makeCard(
      {
        summary: `${parts.join(' and ')} left out: too many orders for one answer`,
        indicator: 'info',
        detail:
          `This answer is limited to ${Math.round((MAX_RESPONSE_BYTES / 1024))} KB so that it stays quick to read and to ` +
          'show; the most urgent cards come first. Select fewer orders at a time to see the rest.',
        links: cardLinks(baseUrl),
      },
      newUuid,
    );
    return [...cards, closing];
  }
}
