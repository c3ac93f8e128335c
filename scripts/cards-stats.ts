/**
 * `npm run cards:stats`: card length and info-card figures over every fixture patient ordering every ACR
 * procedure in every order shape (src/cli/card-scenarios.ts), against the issue-11 targets.
 */
import { cardFigures } from '../src/cli/card-figures.js';

const f = cardFigures();
const pct = (a: number, b: number): string => (b === 0 ? '–' : `${((100 * a) / b).toFixed(1)}%`);
const lines = [
  `scenarios (fixture x procedure x order shape): ${f.scenarios}`,
  `order cards: ${f.orderCards}`,
  `order-card detail words: median ${f.words.median}, p90 ${f.words.p90}, max ${f.words.max}   (target: median < 120, max <= 200)`,
  `  longest: ${f.words.maxCard ?? '–'}`,
  `longest summary: ${f.summaryMaxChars} characters   (must be < 140)`,
  `Usually Appropriate orders with any card: ${f.usuallyAppropriate.withCard} of ${f.usuallyAppropriate.orders} (${pct(f.usuallyAppropriate.withCard, f.usuallyAppropriate.orders)})   (target: <= 10%)`,
  ...Object.entries(f.usuallyAppropriate.byShape).map(
    ([shape, g]) => `  ${shape.padEnd(20)} ${String(g.withCard).padStart(4)} of ${String(g.orders).padStart(4)} (${pct(g.withCard, g.orders)})`,
  ),
  `patient-view cards: ${f.patientView.cards}, detail words median ${f.patientView.words.median}, max ${f.patientView.words.max}`,
];
console.log(lines.join('\n'));
const ok = f.words.median < 120 && f.words.max <= 200 && f.usuallyAppropriate.withCard * 10 <= f.usuallyAppropriate.orders && f.summaryMaxChars < 140;
console.log(ok ? 'targets met' : 'TARGETS NOT MET');
process.exitCode = ok ? 0 : 1;
