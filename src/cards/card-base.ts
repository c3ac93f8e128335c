/**
 * What every card carries, whatever it says: a uuid (feedback needs it, checklist §F 46), a summary under
 * 140 characters, the ACR source, links (the service's own explanation page first, then the publication), and
 * override reasons with displays.
 */
import type { Card, Link, Source, Suggestion } from '../protocol/types.js';
import { TOPIC } from '../guideline/topic.js';
import type { VariantId } from '../guideline/types.js';
import { fitSummary } from './markdown.js';
import { overrideReasons } from './override-reasons.js';

export const SOURCE_LABEL = 'ACR Appropriateness Criteria: Imaging of Suspected Intracranial Hypotension (2024)';

/** The source names the publication (a stable DOI), not a drill-down page: links are for that (§F 50). */
export function cardSource(): Source {
  return { label: SOURCE_LABEL, url: TOPIC.doiUrl };
}

/** Path of the explanation page of a variant, or of the topic when no variant applies. */
export function guidelinePath(variant?: VariantId): string {
  return variant === undefined ? '/guideline' : `/guideline/variants/${variant}`;
}

/**
 * The card's links: the full explanation one click away (a page this service serves, no patient data), when
 * the service knows its public URL; then the publication.
 */
export function cardLinks(baseUrl: string | undefined, variant?: VariantId): Link[] {
  const links: Link[] = [];
  if (baseUrl) {
    links.push({
      label: variant === undefined ? 'Full explanation: the ACR scenarios and ratings' : `Full explanation: ACR variant ${variant} (ratings, reasoning, codes)`,
      url: `${baseUrl}${guidelinePath(variant)}`,
      type: 'absolute',
    });
  }
  links.push({ label: 'ACR topic article (J Am Coll Radiol 2024)', url: TOPIC.doiUrl, type: 'absolute' });
  return links;
}

export interface CardParts {
  summary: string;
  indicator: Card['indicator'];
  detail: string;
  links: Link[];
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
    links: parts.links,
  };
  if (parts.detail.trim() !== '') card.detail = parts.detail;
  if (parts.suggestions && parts.suggestions.length > 0) {
    card.suggestions = parts.suggestions;
    card.selectionBehavior = 'at-most-one';
  }
  return card;
}
