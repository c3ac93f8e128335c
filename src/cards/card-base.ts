/**
 * What every card carries, whatever it says: a uuid (feedback needs it, checklist §F 46), a summary under
 * 140 characters, the ACR source, links to the topic, and override reasons with displays.
 */
import type { Card, Link, Source, Suggestion } from '../protocol/types.js';
import { TOPIC } from '../guideline/topic.js';
import { fitSummary } from './markdown.js';
import { overrideReasons } from './override-reasons.js';

export const SOURCE_LABEL = 'ACR Appropriateness Criteria: Imaging of Suspected Intracranial Hypotension (2024)';

/** The source names the publication (a stable DOI), not a drill-down page: links are for that (§F 50). */
export function cardSource(): Source {
  return { label: SOURCE_LABEL, url: TOPIC.doiUrl };
}

/** Absolute links only: the article, and the ACR portal (no per-topic URL was verified, see TOPIC.acrUrl). */
export function topicLinks(): Link[] {
  return [
    { label: 'ACR Appropriateness Criteria (ACR portal)', url: TOPIC.acrUrl, type: 'absolute' },
    { label: 'ACR topic article (J Am Coll Radiol 2024)', url: TOPIC.doiUrl, type: 'absolute' },
  ];
}

export interface CardParts {
  summary: string;
  indicator: Card['indicator'];
  detail: string;
  suggestions?: Suggestion[];
}

/**
 * Assembles a card. `selectionBehavior` comes with suggestions and only then (§F 51): `at-most-one`, because
 * our suggestions are alternatives for one order. Empty suggestion lists are omitted (§A 2).
 */
export function makeCard(parts: CardParts, newUuid: () => string): Card {
  const card: Card = {
    uuid: newUuid(),
    summary: fitSummary(parts.summary),
    indicator: parts.indicator,
    source: cardSource(),
    overrideReasons: overrideReasons(),
    links: topicLinks(),
  };
  if (parts.detail.trim() !== '') card.detail = parts.detail;
  if (parts.suggestions && parts.suggestions.length > 0) {
    card.suggestions = parts.suggestions;
    card.selectionBehavior = 'at-most-one';
  }
  return card;
}
