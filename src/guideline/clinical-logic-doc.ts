/**
 * docs/clinical-logic.md, rendered from the guideline data itself so that what clinicians review is what the
 * service runs. Pure: no I/O, no dates, deterministic output (test/clinical-logic-doc.test.ts compares the
 * committed file with this; scripts/gen-clinical-logic.ts writes it).
 */
import { DATA_DEPENDENCIES } from './data-dependencies.js';
import {
  AMBIGUITY_RULES,
  CODE_SYSTEMS,
  OUTSIDE_TOPIC_CODES,
  RECOGNITION_NOTES,
  TEXT_FEATURES,
  TEXT_RULES,
  TOPIC_CODES,
} from './order-codes.js';
import { VARIANT_PRECEDENCE } from './precedence.js';
import { PROCEDURES } from './procedures.js';
import { rowsForVariant, usuallyAppropriate } from './ratings.js';
import { THRESHOLDS } from './thresholds.js';
import { TOPIC } from './topic.js';
import { PROCEDURE_IDS, VARIANT_IDS, type ProcedureId } from './types.js';
import { SPINAL_INTERVENTION_CPT, VALUE_SETS } from './valuesets.js';
import { RED_FLAGS, RED_FLAG_IDS } from './red-flags.js';
import { ICD_BORDER_TABLE, TOPIC_BORDER } from './topic-border.js';
import { VARIANTS } from './variants.js';

const SYSTEM_LABEL: Record<string, string> = {
  [CODE_SYSTEMS.cpt]: 'CPT',
  [CODE_SYSTEMS.loinc]: 'LOINC',
  [CODE_SYSTEMS.snomed]: 'SNOMED CT',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
};

/** A table cell: pipes escaped, newlines flattened. */
function cell(s: string | number | undefined): string {
  return String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function table(header: string[], rows: Array<Array<string | number | undefined>>): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

const name = (p: ProcedureId): string => PROCEDURES[p].acrName;
const system = (uri: string): string => SYSTEM_LABEL[uri] ?? uri;

function topicSection(): string[] {
  return [
    '## 1. Topic and sources',
    '',
    `- **Topic:** ${TOPIC.title} (${TOPIC.year}), ${TOPIC.panel}.`,
    `- **Citation:** ${TOPIC.citation}, doi:${TOPIC.doi} (${TOPIC.doiUrl}).`,
    `- **ACR portal:** ${TOPIC.acrUrl}`,
    `- **Caution:** ${TOPIC.dataCaution}`,
    '- Categories follow the ACR bands of the 1–9 panel rating: 7–9 Usually Appropriate, 4–6 May Be ' +
      'Appropriate, 1–3 Usually Not Appropriate. RRL = adult relative radiation level; SOE = strength of evidence.',
    '- Procedures a variant does not list are reported as "not listed for this variant", never rated.',
    '- Source column "brief": example out-of-topic codes named in the project brief.',
    '',
  ];
}

function variantSection(): string[] {
  const out = ['## 2. Variants and their ratings', ''];
  for (const id of VARIANT_IDS) {
    const v = VARIANTS[id];
    const ua = usuallyAppropriate(id);
    out.push(
      `### Variant ${id}: ${v.shortName.replace(/^V\d+:\s*/, '')}`,
      '',
      `> ${v.text}`,
      '',
      `Phase: ${v.phase}. Rows: ${rowsForVariant(id).length}.`,
      '',
      ...table(
        ['Procedure (ACR name)', 'Category', 'Rating', 'Median', 'Adult RRL', 'SOE'],
        rowsForVariant(id).map((r) => [name(r.procedure), r.category, r.rating, r.median, r.adultRrl, r.strengthOfEvidence]),
      ),
      '',
      ua.length > 0
        ? `Usually Appropriate, in the order the service suggests them (rating, then less radiation): ${ua.map(name).join('; ')}.`
        : 'No procedure is Usually Appropriate for this variant.',
      '',
    );
  }
  return out;
}

function procedureSection(): string[] {
  const out = [
    '## 3. Procedures and order codes',
    '',
    '### 3.1 Codes placed on a suggested order',
    '',
    'The first code is the primary one (the reference sandbox reads `code.coding[0]`). The ServiceRequest ' +
      '`code.text` is the ACR name, which recognition reads where no code says the technique or contrast.',
    '',
    ...table(
      ['Id', 'ACR name', 'Modality', 'Region', 'Adult RRL', 'Codes'],
      PROCEDURE_IDS.map((id) => {
        const p = PROCEDURES[id];
        return [
          `\`${id}\``,
          p.acrName,
          p.modality,
          p.region,
          p.adultRrl,
          p.orderCodes.map((c) => `${system(c.system)} ${c.code} (${c.display ?? ''})`).join('; '),
        ];
      }),
    ),
    '',
    '### 3.2 Ambiguity rules',
    '',
    ...AMBIGUITY_RULES.map((r) => `- ${r}`),
    '',
    '### 3.3 Standard codes recognised',
    '',
    'Recognition order: the site\'s own code map (section 3.6), then these codes (system URI spelt with http or ' +
      'https, or missing when the code belongs to one system only), then the order text (section 3.5).',
    '',
    ...table(
      ['System', 'Code', 'Display', 'Rated as', 'Text may refine to', 'Source'],
      TOPIC_CODES.map((c) => [
        system(CODE_SYSTEMS[c.system]),
        c.code,
        c.display,
        name(c.procedure),
        (c.refineTo ?? []).filter((p) => p !== c.procedure).map(name).join('; '),
        c.source,
      ]),
    ),
    '',
    '### 3.4 Known codes outside this topic',
    '',
    ...table(
      ['System', 'Code', 'Display', 'Source'],
      OUTSIDE_TOPIC_CODES.map((c) => [system(CODE_SYSTEMS[c.system]), c.code, c.display, c.source]),
    ),
    '',
    '### 3.5 Order text rules (first match wins)',
    '',
    ...table(
      ['#', 'When the text has', 'Rated as'],
      TEXT_RULES.map((r, i) => [
        i + 1,
        r.when,
        r.result === 'outside-topic'
          ? 'outside the topic'
          : r.result.startsWith('cross-sectional')
            ? 'head or complete-spine row by contrast (see below)'
            : name(r.result as ProcedureId),
      ]),
    ),
    '',
    'Head/spine MRI and CT: region from the words for head or spine; a spine order that does not say complete ' +
      '(whole, entire, C/T/L, neuraxis) gets the single-region note; contrast "without and with" when both ' +
      'phases are named, else "with", else "without" (with a note when no contrast word is present). Text ' +
      'features (case-insensitive regular expressions):',
    '',
    ...table(
      ['Feature', 'Pattern'],
      Object.entries(TEXT_FEATURES).map(([k, re]) => [k, `\`${re.source}\``]),
    ),
    '',
    '### 3.6 Site-specific codes',
    '',
    'A site may map its own order codes to a procedure id (section 3.1) or to "outside-topic" in a JSON file ' +
      'named by `SITE_CODES_PATH` (example: fixtures/site-codes.example.json). The site map is consulted first ' +
      'and its note, if any, is shown with the rating.',
    '',
    '### 3.7 Notes shown with a rating',
    '',
    ...Object.entries(RECOGNITION_NOTES).map(([k, v]) => `- **${k}:** ${v}`),
    '',
  ];
  return out;
}

function precedenceSection(): string[] {
  return [
    '## 4. Variant precedence (lowest rank first; the first that fits wins)',
    '',
    ...table(
      ['Rank', 'Variant', 'When'],
      [...VARIANT_PRECEDENCE].sort((a, b) => a.rank - b.rank).map((r) => [r.rank, `V${r.variant}`, r.when]),
    ),
    '',
  ];
}

function dataDependencySection(): string[] {
  return [
    '### When data could not be read',
    '',
    'An answer that rests on something not being in the record is only given when that part of the record was read.',
    '',
    ...table(
      ['Answer', 'Undetermined if unread', 'Caution if unread', 'Still possible', 'Why'],
      DATA_DEPENDENCIES.map((d) => [
        d.answer === 'not-applicable' ? 'not applicable' : `V${d.answer}`,
        d.undetermineIfMissing.join(', ') || '—',
        d.cautionIfMissing.join(', ') || '—',
        d.candidates.map((v) => `V${v}`).join(', '),
        d.why || '—',
      ]),
    ),
    '',
  ];
}

function thresholdSection(): string[] {
  return [
    '## 5. Thresholds',
    '',
    ...table(
      ['Id', 'Value', 'Meaning', 'Source'],
      Object.values(THRESHOLDS).map((t) => [t.id, `${t.value} ${t.unit}`, t.meaning, t.source]),
    ),
    '',
  ];
}

function valueSetSection(): string[] {
  const out = ['## 6. Value sets', '', 'Text terms are a flagged, weaker fallback used only when no code of the set matched.', ''];
  for (const vs of Object.values(VALUE_SETS)) {
    out.push(`### ${vs.title} (\`${vs.id}\`)`, '');
    if (vs.codes.length > 0) {
      out.push(
        ...table(
          ['System', 'Code', 'Display', 'Source'],
          vs.codes.map((c) => [system(c.system), c.code, c.display, c.source]),
        ),
        '',
      );
    } else {
      out.push('No codes (text only).', '');
    }
    if (vs.text.length > 0) {
      out.push(`Text terms: ${vs.text.map((t) => `${t.term} (\`${t.pattern.source}\`)`).join('; ')}`, '');
    }
  }
  return out;
}

const setTitle = (id: string): string => (VALUE_SETS[id] ? `${VALUE_SETS[id].title} (\`${id}\`)` : `\`${id}\``);

function safetySection(): string[] {
  // Consecutive CPT codes with the same display are shown as one range.
  const ranges: Array<[string, string, string, string]> = [];
  for (const [code, display, source] of SPINAL_INTERVENTION_CPT) {
    const last = ranges[ranges.length - 1];
    if (last && last[2] === display && Number(code) === Number(last[1]) + 1) last[1] = code;
    else ranges.push([code, code, display, source]);
  }
  return [
    '## 7. Safety: red flags, the topic\'s border, spinal interventions',
    '',
    '### 7.1 Red flags',
    '',
    'An order whose own reasons, another draft order\'s reasons, or the patient\'s recent record carry a red flag ' +
      'is never discouraged by this topic: no warning, no removal or replacement, PAMA `no-criteria-apply` ' +
      '(outcome outside-topic, with the red flags on the rated order). Exception: a picture an ACR variant covers ' +
      'exactly (variant 4, obtundation WITH brain-imaging features) is rated by that variant for the studies it ' +
      'lists. A "remove this order" suggestion is never recommended, and its caveat names these red flags.',
    '',
    ...table(
      ['Red flag', 'Rule out', 'Value sets (section 6)', 'Covered by', 'Source'],
      RED_FLAG_IDS.map((id) => {
        const f = RED_FLAGS[id];
        return [f.label, f.concern, f.valueSets.map(setTitle).join('; '), f.coveredByVariant ? `V${f.coveredByVariant}` : '—', f.source];
      }),
    ),
    '',
    '### 7.2 The topic\'s border',
    '',
    'A concept with a CODE of a border set is outside whatever else it says (its display text cannot bring it ' +
      'back in); border TEXT overrides only in-topic TEXT (an in-topic code decides). An order with any border ' +
      'reason is outside the topic (0 cards). A patient-level border diagnosis takes the whole record outside ' +
      'unless SIH is suspected by an in-topic code.',
    '',
    ...table(
      ['Border', 'Value set', 'Patient level', 'Why outside'],
      TOPIC_BORDER.map((b) => [b.label, setTitle(b.valueSet), b.patientLevel ? 'yes' : 'no (order and concept only)', b.why]),
    ),
    '',
    'ICD-10-CM G96.0x / G96.81x / G97.x, one by one:',
    '',
    ...table(['Code', 'Display', 'Side', 'Why', 'Source'], ICD_BORDER_TABLE.map((r) => [r.code, r.display, r.side, r.why, r.source])),
    '',
    '### 7.3 Spinal interventions that can leak CSF (variants 2 and 3)',
    '',
    `Also SNOMED CT and text terms in any word order: see ${setTitle('spinal-intervention')} in section 6. ` +
      'Epidural blood and fibrin glue patches are their own set (variant 6).',
    '',
    ...table(
      ['CPT', 'Procedures', 'Source'],
      ranges.map(([from, to, display, source]) => [from === to ? from : `${from}–${to}`, display, source]),
    ),
    '',
  ];
}

/** The whole clinical-logic document as Markdown. */
export function renderClinicalLogic(): string {
  return [
    `# Clinical logic: ${TOPIC.title}`,
    '',
    '<!-- Generated by scripts/gen-clinical-logic.ts from src/guideline/. Do not edit by hand. -->',
    '',
    'For clinical review: everything the service decides with, rendered from the data it runs on.',
    '',
    ...topicSection(),
    ...variantSection(),
    ...procedureSection(),
    ...precedenceSection(),
    ...dataDependencySection(),
    ...thresholdSection(),
    ...valueSetSection(),
    ...safetySection(),
  ].join('\n');
}
