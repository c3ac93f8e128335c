/**
 * The impression of a DiagnosticReport held only in `presentedForm` (text/plain or text/html, base64 `data`),
 * read like `conclusion` with the same negation rules. Only the impression / conclusion section is taken: a
 * whole report also holds the clinical history ("? CSF leak") and findings, which are not its result. A text
 * with no section headings at all is taken whole (it is the impression). Attachments with only a `url` are not
 * fetched. Bounded: at most MAX_FORMS attachments of at most MAX_BYTES each.
 */
import type { Attachment, DiagnosticReport } from 'fhir/r4.js';

const MAX_FORMS = 4;
const MAX_BYTES = 64 * 1024;
const TEXT_TYPES = /^\s*text\/(plain|html)\b/i;

/** A section heading at the start of a line: "IMPRESSION:", "Findings", "Clinical history:". */
const HEADING = /^[ \t]*([A-Za-z][A-Za-z /&-]{2,40}?)[ \t]*:?[ \t]*$|^[ \t]*([A-Za-z][A-Za-z /&-]{2,40}?)[ \t]*:/gm;
const IMPRESSION = /^(?:impressions?|conclusions?|summary|opinion|diagnosis|interpretation|result)$/i;
const KNOWN_HEADING =
  /^(?:impressions?|conclusions?|summary|opinion|diagnosis|interpretation|result|findings?|history|clinical\s+(?:history|information|details|indication)|indications?|technique|comparison|procedure|exam(?:ination)?|reason\s+for\s+(?:exam|study)|report)$/i;

function decode(a: Attachment): string | undefined {
  if (!a || typeof a.data !== 'string' || a.data === '') return undefined;
  if (typeof a.contentType !== 'string' || !TEXT_TYPES.test(a.contentType)) return undefined;
  if (a.data.length > (MAX_BYTES * 4) / 3 + 4) return undefined;
  let text = Buffer.from(a.data, 'base64').toString('utf8');
  if (/html/i.test(a.contentType)) text = htmlToText(text);
  return text;
}

function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<\s*br\s*\/?>/gi, '\n')
    .replace(/<\/\s*(p|div|li|tr|h[1-6]|section)\s*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#39;|&apos;/gi, "'")
    .replace(/&amp;/gi, '&');
}

/** The impression section of a report text, the whole text when it has no headings, else undefined. */
export function impressionOf(text: string): string | undefined {
  const headings: Array<{ name: string; start: number; end: number }> = [];
  HEADING.lastIndex = 0;
  for (let m = HEADING.exec(text); m; m = HEADING.exec(text)) {
    const name = (m[1] ?? m[2] ?? '').trim();
    if (KNOWN_HEADING.test(name)) headings.push({ name, start: m.index, end: m.index + m[0].length });
    if (m[0].length === 0) HEADING.lastIndex++;
  }
  if (headings.length === 0) return text.trim() || undefined;
  const parts: string[] = [];
  headings.forEach((h, i) => {
    if (!IMPRESSION.test(h.name)) return;
    const stop = headings[i + 1]?.start ?? text.length;
    const body = text.slice(h.end, stop).trim();
    if (body) parts.push(body);
  });
  return parts.length > 0 ? parts.join('\n') : undefined;
}

/** The impressions of a report's text attachments (none when it has none we can read). */
export function presentedFormImpressions(report: DiagnosticReport): string[] {
  const out: string[] = [];
  for (const a of (report.presentedForm ?? []).slice(0, MAX_FORMS)) {
    const text = decode(a);
    const impression = text === undefined ? undefined : impressionOf(text);
    if (impression) out.push(impression);
  }
  return out;
}

/** The conclusion and the presentedForm impressions: what a report says its result is. */
export function resultTexts(report: DiagnosticReport): string[] {
  const out: string[] = [];
  if (typeof report.conclusion === 'string' && report.conclusion.trim() !== '') out.push(report.conclusion);
  out.push(...presentedFormImpressions(report));
  return out;
}
