/**
 * The guideline module's public API: the 2024 ACR topic as data (no I/O). Import from here rather than from
 * the individual files.
 */
export * from './types.js';
export * from './topic.js';
export * from './canonical.js';
export * from './variants.js';
export * from './procedures.js';
export * from './ratings.js';
export * from './order-codes.js';
export * from './site-codes.js';
export * from './clinical-logic-doc.js';
// Written by the facts engineer (value sets, thresholds, variant precedence) and the cards engineer (advice).
export * from './valuesets.js';
export * from './thresholds.js';
export * from './precedence.js';
export * from './advice.js';
export * from './data-dependencies.js';
