/** Kept for callers of the protocol layer: the draft orders are read by the engine (src/engine/draft-orders.ts). */
export { draftOrdersOf } from '../engine/draft-orders.js';
