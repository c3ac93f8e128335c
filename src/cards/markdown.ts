/**
 * Markdown building blocks for card `detail` (GitHub-flavoured markdown, CDS Hooks 2.0.1 §Card attributes).
 *
 * Why escaping matters: the reference client renders `detail` with react-markdown + remark-gfm + rehype-raw,
 * so raw HTML in it becomes live markup (checklist §F 48). Anything that came from FHIR data (ids, codes,
 * displays, dates) goes through `escapeMarkdown` before it is placed in markdown. Our own texts (guideline
 * data) are trusted and inserted as they are.
 */

/** Summaries must be shorter than 140 characters (CDS Hooks 2.0.1 §Card attributes; checklist §F 47). */
export const SUMMARY_MAX = 139;

/** Characters that become HTML entities: they open tags or entities, or quote attributes. */
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * ASCII punctuation that is backslash-escaped. CommonMark (§2.4 Backslash escapes) lets any ASCII punctuation
 * be escaped, so escaping more than strictly needed is harmless. This set covers emphasis (`*`, `_`, `~`),
 * code spans (`` ` ``), links and images (`[`, `]`, `(`, `)`, `!`), headings (`#`), list markers (`-`, `+`,
 * `.`), table cells (`|`), setext underlines (`=`), autolinks (`:`, `@`) and the escape character itself.
 * Left alone: `,` `;` `/` `?` `%` `$` which form no syntax on their own.
 */
const MARKDOWN_PUNCTUATION = new Set('\\`*_{}[]()#+-.!|~=:@^'.split(''));

/** Any character escapeMarkdown changes: the HTML entities, the punctuation set, and the control characters. */
const NEEDS_ESCAPE = /[&<>"'\\`*_{}[\]()#+\-.!|~=:@^\u0000-\u001f\u007f\u2028\u2029]/;
const ESCAPE_ALL = new RegExp(NEEDS_ESCAPE.source, 'g');

/** The replacement of one such character (an entity, a backslash escape, or a space for a control). */
function replacement(ch: string): string {
  const entity = HTML_ENTITIES[ch];
  if (entity !== undefined) return entity;
  if (MARKDOWN_PUNCTUATION.has(ch)) return `\\${ch}`;
  // C0 controls (incl. \n, \r, \t), DEL and the Unicode line/paragraph separators.
  return ' ';
}

/**
 * Makes untrusted text inert in GitHub markdown: HTML-significant characters become entities, markdown
 * punctuation is backslash-escaped, and line breaks and control characters become spaces so the text cannot
 * start a new block (a heading, a table row, a list). Never put the result inside a code span: backslash
 * escapes do not work there.
 */
export function escapeMarkdown(text: string): string {
  // One regex pass; every character it matches is a BMP non-surrogate, so replacing per UTF-16 unit is the
  // same as the per-code-point walk this replaced. Most texts (codes, plain displays) need only the trim.
  const out = NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, replacement) : text;
  // Leading spaces could make an indented code block when the text starts a line.
  return out.trim();
}

/**
 * escapeMarkdown for text placed inside a GFM table cell, minus the escapes that are noise there: `-` and `:`.
 * A table cell holds inline content only, so `-` cannot start a list, a thematic break or a setext heading
 * (and escapeMarkdown already turns line breaks into spaces); and `:` forms inline syntax only in autolinks,
 * which need `<` (always an entity here) or a `://` / `www.`, so a `:` before `/` stays escaped (as do `.` and
 * `@`). Everything else, `|` included, is escaped exactly as escapeMarkdown does.
 */
export function escapeTableCell(text: string): string {
  const escaped = escapeMarkdown(text);
  return escaped.includes('\\') ? escaped.replace(/\\-|\\:(?!\/)/g, (m) => m.slice(1)) : escaped;
}

/** Cuts a summary to fit under 140 characters, marking the cut with an ellipsis. */
export function fitSummary(summary: string): string {
  if (summary.length <= SUMMARY_MAX) return summary;
  // Count by UTF-16 length (what JSON validators in JS see), never splitting a surrogate pair.
  let out = '';
  for (const ch of summary) {
    if (out.length + ch.length > SUMMARY_MAX - 1) break;
    out += ch;
  }
  return `${out.trimEnd()}…`;
}

/** The first candidate that fits, else the last one cut to fit: lets callers prefer a fuller wording. */
export function firstFitting(...candidates: string[]): string {
  for (const c of candidates) if (c.length <= SUMMARY_MAX) return c;
  return fitSummary(candidates[candidates.length - 1] ?? '');
}

/** A bold section heading line (headings proper are too loud inside a card). */
export function heading(text: string): string {
  return `**${text}**`;
}

/** A bulleted list; an empty list renders nothing. Items must already be safe markdown. */
export function bullets(items: readonly string[]): string {
  return items.map((item) => `- ${item}`).join('\n');
}

/**
 * A GFM table. Cells must already be safe markdown (escape data first: an unescaped `|` would split a cell).
 * An empty body renders nothing.
 */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Joins markdown blocks with blank lines, dropping empty ones. */
export function blocks(...parts: ReadonlyArray<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined && p.trim() !== '').join('\n\n');
}

/**
 * Words a reader reads in a markdown text: table rules, markup and escapes do not count; a token counts when
 * it holds a letter or a digit. Used by `npm run cards:stats` and the card length tests.
 */
export function wordCount(markdown: string): number {
  let n = 0;
  for (const line of markdown.split('\n')) {
    if (/^\s*\|?\s*:?-{3,}/.test(line)) continue; // a table's header rule
    for (const token of line.replace(/\\(.)/g, '$1').replace(/[|*_`#>]/g, ' ').split(/\s+/)) {
      if (/[\p{L}\p{N}]/u.test(token)) n += 1;
    }
  }
  return n;
}
