/**
 * Ratings as system actions (CDS Hooks 2.0.1 §System Action; checklist §G): one `update` per rated draft
 * order, carrying the Argonaut PAMA rating extensions and nothing else new (clinical doc §3.3: "no semantic
 * change besides rating extensions"). Orders with no rating (undetermined, empty) do not appear.
 */
import type { Action } from '../protocol/types.js';
import type { RatedOrder } from '../engine/types.js';
import { stampForOrder, withPamaRating, type StampContext } from './pama-rating.js';

/**
 * The rating update of one order, or none. An order without an id is skipped too: the client could not
 * tell which of its drafts the update is for.
 */
export function ratingAction(rated: RatedOrder, ctx: StampContext): Action | undefined {
  const stamp = stampForOrder(rated);
  if (!stamp || !rated.order.resource.id) return undefined;
  return {
    type: 'update',
    description: `Record the appropriateness rating on the draft order: ${stamp.text} (${stamp.code}).`,
    resource: withPamaRating(rated.order.resource, stamp, ctx),
  };
}

export function systemActions(orders: readonly RatedOrder[], ctx: StampContext): Action[] {
  return orders.map((o) => ratingAction(o, ctx)).filter((a): a is Action => a !== undefined);
}
