/**
 * Card figures over the scenario set (src/cli/card-scenarios.ts): how long order cards are, and how often a
 * Usually Appropriate order gets a card at all. `npm run cards:stats` prints them; a test holds the targets
 * (issue 11: median order-card detail under 120 words, none over 200; at most 1 Usually Appropriate order in
 * 10 gets any card).
 */
import { decide } from '../engine/decide.js';
import { renderResponse } from '../cards/render.js';
import { wordCount } from '../cards/markdown.js';
import { draftOf, fixtures, orderSelect, orderShapes, SCENARIO_NOW } from './card-scenarios.js';

export interface CardFigures {
  scenarios: number;
  orderCards: number;
  words: { median: number; p90: number; max: number; maxCard?: string };
  summaryMaxChars: number;
  usuallyAppropriate: { orders: number; withCard: number; byShape: Record<string, { orders: number; withCard: number }> };
  patientView: { cards: number; words: { median: number; max: number } };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function cardFigures(): CardFigures {
  const words: number[] = [];
  let maxCard: string | undefined;
  let maxWords = -1;
  let summaryMaxChars = 0;
  let scenarios = 0;
  const ua = { orders: 0, withCard: 0, byShape: {} as Record<string, { orders: number; withCard: number }> };
  const pvWords: number[] = [];
  const shapes = orderShapes();
  for (const { name, record } of fixtures()) {
    const pv = decide({ hook: 'patient-view', hookInstance: 'stats', context: { patientId: record.patientId } }, record, { now: SCENARIO_NOW });
    for (const card of renderResponse(pv, { mirrorSystemActions: true }).cards) pvWords.push(wordCount(card.detail ?? ''));
    for (const s of shapes) {
      scenarios += 1;
      const draft = draftOf(record.patientId, 'draft-1', s.code, s.reasonCode);
      const decision = decide(orderSelect(record.patientId, [draft]), record, { now: SCENARIO_NOW });
      const response = renderResponse(decision, { mirrorSystemActions: true });
      for (const card of response.cards) {
        const n = wordCount(card.detail ?? '');
        words.push(n);
        summaryMaxChars = Math.max(summaryMaxChars, card.summary.length);
        if (n > maxWords) {
          maxWords = n;
          maxCard = `${name} / ${s.shape} / ${s.procedure}: ${card.summary}`;
        }
      }
      const order = decision.orders[0];
      if (order?.outcome === 'rated' && order.category === 'Usually Appropriate') {
        const group = s.shape.startsWith('code:') ? 'standard code alone' : s.shape;
        const g = (ua.byShape[group] ??= { orders: 0, withCard: 0 });
        ua.orders += 1;
        g.orders += 1;
        if (response.cards.length > 0) {
          ua.withCard += 1;
          g.withCard += 1;
        }
      }
    }
  }
  words.sort((a, b) => a - b);
  pvWords.sort((a, b) => a - b);
  return {
    scenarios,
    orderCards: words.length,
    words: { median: median(words), p90: quantile(words, 0.9), max: words.at(-1) ?? 0, ...(maxCard ? { maxCard } : {}) },
    summaryMaxChars,
    usuallyAppropriate: ua,
    patientView: { cards: pvWords.length, words: { median: median(pvWords), max: pvWords.at(-1) ?? 0 } },
  };
}
