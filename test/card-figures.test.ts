/**
 * The issue-11 targets over the whole scenario set (every fixture x every procedure x every order shape), the
 * same figures `npm run cards:stats` prints.
 */
import t from 'tap';
import { cardFigures } from '../src/cli/card-figures.js';
import { wordCount } from '../src/cards/markdown.js';

t.test('wordCount counts what a reader reads', async (t) => {
  t.equal(wordCount('**Why this scenario**\n\n- Chronic headache \\(x\\), 2026-05-10'), 7);
  t.equal(wordCount('| Study | ACR rating |\n| --- | --- |\n| MRI head | 9 |'), 6);
});

t.test('order cards are short, and Usually Appropriate orders rarely get one', async (t) => {
  const f = cardFigures();
  t.ok(f.orderCards > 1000, `a real set of cards (${f.orderCards})`);
  t.ok(f.words.median < 120, `median order-card detail ${f.words.median} words < 120`);
  t.ok(f.words.max <= 200, `longest order-card detail ${f.words.max} words <= 200 (${f.words.maxCard})`);
  t.ok(f.summaryMaxChars < 140, `summaries under 140 characters (${f.summaryMaxChars})`);
  const ua = f.usuallyAppropriate;
  t.ok(ua.orders > 100, `Usually Appropriate orders in the set: ${ua.orders}`);
  t.ok(ua.withCard * 10 <= ua.orders, `${ua.withCard} of ${ua.orders} Usually Appropriate orders get a card (<= 1 in 10)`);
  t.ok(f.patientView.words.max <= 200, `patient-view cards <= 200 words (${f.patientView.words.max})`);
});
