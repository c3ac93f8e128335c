/**
 * The explanation pages a card links to ("the full explanation one click away"): `GET /guideline` (the
 * scenarios and this service's ACR procedure code system) and `GET /guideline/variants/{n}` (one ACR variant:
 * its text, every rating with radiation, the reasoning and pitfalls, how orders are read, the codes, and where
 * the data comes from). Guideline data only, never patient data: the pages are the same for everyone, built
 * once at start-up, public (no token: a browser opens them from a card) and cacheable.
 *
 * Plain HTML with inline CSS and no script (the Content-Security-Policy forbids any), readable on a phone
 * and printable.
 */
import type { FastifyInstance } from 'fastify';
import {
  AFTER_MYELOGRAPHY,
  MYELOGRAPHY_RESULTS_SHOWN,
  NEXT_STUDY_NOTES,
  NO_IMAGING_MANAGEMENT,
  PITFALLS,
  PITFALL_SOURCES,
  REMOVE_ORDER_CAVEAT,
  WHY_LOWER,
  WHY_PREFERRED,
} from '../guideline/advice.js';
import { ACR_PROCEDURE_SYSTEM, GUIDELINE_DATA_VERSION } from '../guideline/canonical.js';
import { AMBIGUITY_RULES } from '../guideline/order-codes.js';
import { PROCEDURES } from '../guideline/procedures.js';
import { rowsForVariant } from '../guideline/ratings.js';
import { TOPIC } from '../guideline/topic.js';
import { PITFALL_IDS, PROCEDURE_IDS, VARIANT_IDS, type VariantId } from '../guideline/types.js';
import { VARIANTS } from '../guideline/variants.js';
import { sendOutcome } from './operation-outcome.js';

/** Every page path, exactly: the authentication hook lets these through without a token. */
export const GUIDELINE_PAGE_PATHS: readonly string[] = ['/guideline', ...VARIANT_IDS.map((v) => `/guideline/variants/${v}`)];

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:52rem;padding:1rem;color:#1b1b1b}
h1{font-size:1.4rem;margin:.5rem 0}h2{font-size:1.15rem;margin-top:1.6rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #bbb;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}.ua{background:#e7f5e9}.mb{background:#fff7e0}.una{background:#fbeaea}
.lead{font-size:1.05rem;background:#f3f7fb;border-left:4px solid #2b6cb0;padding:.5rem .8rem}
nav a{margin-right:.6rem}code{font-size:.88rem;word-break:break-all}small{color:#555}
.scroll{overflow-x:auto}
@media print{nav{display:none}body{max-width:none}a{color:inherit}}
`;

function page(title: string, body: string): string {
  const nav = ['<a href="/guideline">All scenarios</a>', ...VARIANT_IDS.map((v) => `<a href="/guideline/variants/${v}">Variant ${v}</a>`)].join(' ');
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${STYLE}</style></head><body>` +
    `<nav aria-label="Scenarios">${nav}</nav>${body}` +
    `<footer><p><small>Guideline data version ${esc(GUIDELINE_DATA_VERSION)}. No patient data is shown on this page.</small></p></footer>` +
    `</body></html>`
  );
}

function list(items: readonly string[]): string {
  return `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`;
}

const CLASS = { 'Usually Appropriate': 'ua', 'May Be Appropriate': 'mb', 'Usually Not Appropriate': 'una' } as const;

function provenance(): string {
  return (
    `<h2>Source</h2><p>${esc(TOPIC.title)} (${TOPIC.year}), ${esc(TOPIC.panel)}, ${esc(TOPIC.citation)}. ` +
    `<a href="${esc(TOPIC.doiUrl)}">doi:${esc(TOPIC.doi)}</a>.</p><p><small>${esc(TOPIC.dataCaution)}</small></p>`
  );
}

function variantPage(v: VariantId): string {
  const def = VARIANTS[v];
  const rows = rowsForVariant(v);
  const preferred = WHY_PREFERRED[v];
  const noImaging = NO_IMAGING_MANAGEMENT[v];
  const note = NEXT_STUDY_NOTES[v];
  const lower = WHY_LOWER[v] ?? {};
  const why: string[] = [];
  if (preferred) why.push(`<p class="lead">${esc(preferred.text)} <small>(Source: ${esc(preferred.source)}.)</small></p>`);
  if (note) why.push(`<p>${esc(note.text)} <small>(Source: ${esc(note.source)}.)</small></p>`);
  if (noImaging) {
    why.push(
      `<p class="lead">${esc(noImaging.why)}</p>${list(noImaging.steps.map(esc))}<p><small>Source: ${esc(noImaging.source)}.</small></p>` +
        `<h3>${esc(REMOVE_ORDER_CAVEAT.heading)}</h3><p>${esc(REMOVE_ORDER_CAVEAT.text)}</p><p><small>${esc(REMOVE_ORDER_CAVEAT.source)}.</small></p>`,
    );
  }
  const lowerItems = Object.entries(lower).map(
    ([p, r]) => `<strong>${esc(PROCEDURES[p as keyof typeof PROCEDURES].acrName)}</strong>: ${esc(r.text)} <small>(${esc(r.source)})</small>`,
  );
  const table =
    `<div class="scroll"><table><thead><tr><th>Procedure</th><th>ACR category</th><th>Rating (1–9)</th>` +
    `<th>Adult radiation (RRL)</th><th>Strength of evidence</th></tr></thead><tbody>` +
    rows
      .map(
        (r) =>
          `<tr class="${CLASS[r.category]}"><td>${esc(PROCEDURES[r.procedure].acrName)}</td><td>${esc(r.category)}</td>` +
          `<td>${r.rating}</td><td>${esc(r.adultRrl)}</td><td>${esc(r.strengthOfEvidence)}</td></tr>`,
      )
      .join('') +
    `</tbody></table></div>`;
  const codes =
    `<div class="scroll"><table><thead><tr><th>Procedure</th><th>Codes a suggested order carries (first = this service's ACR procedure code)</th></tr></thead><tbody>` +
    rows
      .map((r) => {
        const p = PROCEDURES[r.procedure];
        const all = [`<code>${esc(ACR_PROCEDURE_SYSTEM)}|${esc(p.id)}</code>`, ...p.orderCodes.map((c) => `<code>${esc(c.system)}|${esc(c.code)}</code> ${esc(c.display ?? '')}`)];
        return `<tr><td>${esc(p.acrName)}</td><td>${all.join('<br>')}</td></tr>`;
      })
      .join('') +
    `</tbody></table></div>`;
  const after =
    v === 5
      ? `<h2>After the myelogram</h2>` +
        MYELOGRAPHY_RESULTS_SHOWN.map((r) => {
          const b = AFTER_MYELOGRAPHY[r];
          return `<h3>${esc(b.heading)}</h3>${list(b.steps.map(esc))}<p><small>Source: ${esc(b.source)}.</small></p>`;
        }).join('')
      : '';
  const body =
    `<h1>ACR variant ${v}: ${esc(def.phase)}</h1><p><em>${esc(def.text)}</em></p>` +
    `<h2>Why</h2>${why.join('')}${lowerItems.length > 0 ? list(lowerItems) : ''}` +
    `<h2>ACR ratings</h2>${table}` +
    after +
    `<h2>Pitfalls</h2>${list(PITFALL_IDS.map((id) => `${esc(PITFALLS[id])} <small>(${esc(PITFALL_SOURCES[id])})</small>`))}` +
    `<h2>How orders are read</h2>${list(AMBIGUITY_RULES.map(esc))}` +
    `<h2>Codes</h2>${codes}` +
    provenance();
  return page(`ACR variant ${v}: ${def.shortName}`, body);
}

function indexPage(): string {
  const variants = VARIANT_IDS.map((v) => `<a href="/guideline/variants/${v}">Variant ${v}</a>: ${esc(VARIANTS[v].text)}`);
  const codes =
    `<div class="scroll"><table><thead><tr><th>Code</th><th>ACR procedure</th><th>Adult radiation</th></tr></thead><tbody>` +
    PROCEDURE_IDS.map((id) => `<tr><td><code>${esc(id)}</code></td><td>${esc(PROCEDURES[id].acrName)}</td><td>${esc(PROCEDURES[id].adultRrl)}</td></tr>`).join('') +
    `</tbody></table></div>`;
  const body =
    `<h1>Imaging of suspected intracranial hypotension: the ACR scenarios</h1>` +
    `<p>The service picks one of these ACR scenarios from the record and rates imaging orders against it.</p>` +
    list(variants) +
    `<h2 id="acr-procedures">ACR procedure code system</h2>` +
    `<p>Suggested orders carry as their first coding a code of this service's own code system, <code>${esc(ACR_PROCEDURE_SYSTEM)}</code>, ` +
    `because no standard code tells some ACR procedures apart (digital subtraction myelography, dynamic CT myelography). Its codes:</p>` +
    codes +
    provenance();
  return page('ACR scenarios: imaging of suspected intracranial hypotension', body);
}

const PAGES: ReadonlyMap<string, string> = new Map([
  ['/guideline', indexPage()],
  ...VARIANT_IDS.map((v) => [`/guideline/variants/${v}`, variantPage(v)] as const),
]);
const ETAG = `"guideline-${GUIDELINE_DATA_VERSION}"`;

export async function guidelinePageRoutes(app: FastifyInstance): Promise<void> {
  const send = (path: string) => async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    reply
      .header('cache-control', 'public, max-age=3600')
      .header('etag', ETAG)
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
      .header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === ETAG) return reply.code(304).send();
    return reply.type('text/html; charset=utf-8').send(PAGES.get(path));
  };
  app.get('/guideline', send('/guideline'));
  app.get<{ Params: { n: string } }>('/guideline/variants/:n', async (request, reply) => {
    const path = `/guideline/variants/${request.params.n}`;
    if (!PAGES.has(path)) {
      return sendOutcome(reply, 404, [
        { code: 'not-found', diagnostics: 'Unknown ACR variant: use 1 to 6', expression: ['n'] },
      ]);
    }
    return send(path)(request, reply);
  });
}
