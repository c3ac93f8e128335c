/**
 * The person-readable account of one evaluation: the variant and its ACR text, each order's rating, the
 * cards with their suggestions, the evidence, what was missing, and how the FHIR reads went. A pure
 * function of what the service itself computed (Decision, response, record): it shows, it never decides.
 *
 * Evidence lines hold resource references, codes and code displays (or our own value-set term for a text
 * match), never the patient's free text, as the Decision itself does.
 */
import type { CdsResponse, HookRequest } from '../protocol/types.js';
import type { PatientRecord } from '../fhir/record.js';
import type { Decision, Evidence, NextStep, RatedOrder } from '../engine/types.js';
import { PROCEDURES, VARIANTS } from '../guideline/index.js';
import { PAMA_RATING_URL } from '../cards/pama-rating.js';

export interface ReportInput {
  request: HookRequest;
  record: PatientRecord;
  decision: Decision;
  response: CdsResponse;
  host: string;
  now: Date;
}

const SYSTEM_NAMES: Record<string, string> = {
  'http://snomed.info/sct': 'SNOMED',
  'http://loinc.org': 'LOINC',
  'http://www.ama-assn.org/go/cpt': 'CPT',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD-10-CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD-10',
  'http://www.radlex.org': 'RadLex',
};

const systemName = (system: string | undefined): string => (system ? (SYSTEM_NAMES[system] ?? system) : '');

/** The one-word answer a script or a person looks for first: "Variant 5", "undetermined", "not-applicable". */
export function variantLabel(decision: Decision): string {
  const v = decision.variant;
  return v.status === 'determined' ? `Variant ${v.variant}` : v.status;
}

function evidenceLine(e: Evidence): string {
  const ref = `${e.resourceType}${e.id ? `/${e.id}` : ''}`;
  const coded = e.code ? ` ${systemName(e.system)} ${e.code}`.trimEnd() : '';
  const display = e.display ? ` "${e.display}"` : '';
  const text = e.textMatch ? ' (text match)' : '';
  const date = e.date ? ` ${e.date}` : '';
  return `  - ${e.fact}: ${ref}${coded}${display}${text}${date}`;
}

function orderLine(o: RatedOrder, index: number): string {
  const coding = o.order.resource.code?.coding?.find((c) => c?.code);
  const ordered = coding ? `${systemName(coding.system)} ${coding.code}` : (o.order.resource.code?.text ? 'text only' : 'no code');
  const what = o.recognition.kind === 'procedure' ? PROCEDURES[o.recognition.procedure].acrName : o.recognition.kind;
  let rating: string;
  switch (o.outcome) {
    case 'rated':
      rating = o.row ? `${o.row.category} (${o.row.rating}), radiation ${o.row.adultRrl}` : (o.category ?? 'rated');
      break;
    case 'not-listed':
      rating = 'not rated by the ACR for this variant';
      break;
    default:
      rating = o.outcome;
  }
  const notes = o.notes.length > 0 ? `\n       note: ${o.notes.join('; ')}` : '';
  return `  ${index + 1}. ${o.order.reference} [${ordered}] → ${what}: ${rating}${notes}`;
}

function nextStepLine(s: NextStep): string {
  if (s.kind === 'order-imaging') {
    const names = s.procedures.map((p) => PROCEDURES[p].acrName);
    return `  - ${s.selection === 'one-of' ? 'one of' : 'all of'}: ${names.join(s.selection === 'one-of' ? ' OR ' : ' AND ')}`;
  }
  return `  - after myelography: result ${s.result}`;
}

/** The PAMA rating code the response gives each order (systemActions), e.g. "appropriate". */
function pamaRatings(response: CdsResponse): string[] {
  const out: string[] = [];
  for (const action of response.systemActions ?? []) {
    const resource = action.resource as { id?: string; extension?: Array<{ url: string; valueCodeableConcept?: { coding?: Array<{ code?: string }>; text?: string } }> } | undefined;
    const ext = resource?.extension?.find((e) => e.url === PAMA_RATING_URL);
    const code = ext?.valueCodeableConcept?.coding?.[0]?.code;
    if (code) out.push(`  - ServiceRequest/${resource?.id ?? '?'}: ${code}${ext?.valueCodeableConcept?.text ? ` (${ext.valueCodeableConcept.text})` : ''}`);
  }
  return out;
}

export function formatReport(input: ReportInput): string {
  const { decision, response, record } = input;
  const lines: string[] = [];
  lines.push(`${decision.hook} for Patient/${input.request.context.patientId} at ${input.host}, now ${input.now.toISOString()}`);
  lines.push('');

  const v = decision.variant;
  lines.push(`Result: ${variantLabel(decision)}`);
  if (v.status === 'determined') {
    lines.push(`  ${VARIANTS[v.variant].shortName}`);
    lines.push(`  ACR: "${VARIANTS[v.variant].text}"`);
    for (const r of v.rationale) lines.push(`  why: ${r}`);
    for (const c of v.cautions) lines.push(`  caution: ${c}`);
  } else if (v.status === 'undetermined') {
    lines.push(`  still possible: ${v.candidates.map((c) => `Variant ${c}`).join(', ') || '(none)'}`);
    for (const m of v.missing) lines.push(`  missing: ${m}`);
    for (const c of v.conflicts) lines.push(`  conflict: ${c}`);
  } else {
    lines.push('  nothing in the record suggests intracranial hypotension');
  }
  if (decision.pitfalls.length > 0) lines.push(`  pitfalls: ${decision.pitfalls.join(', ')}`);

  if (decision.orders.length > 0) {
    lines.push('', 'Orders:');
    decision.orders.forEach((o, i) => lines.push(orderLine(o, i)));
    const pama = pamaRatings(response);
    if (pama.length > 0) lines.push('PAMA ratings (systemActions):', ...pama);
  }
  if (decision.nextSteps.length > 0) {
    lines.push('', 'Next imaging step:');
    for (const s of decision.nextSteps) lines.push(nextStepLine(s));
  }

  lines.push('', `Cards (${response.cards.length}):`);
  if (response.cards.length === 0) lines.push('  (none: no guidance for this call)');
  for (const card of response.cards) {
    lines.push(`  [${card.indicator}] ${card.summary}`);
    for (const s of card.suggestions ?? []) lines.push(`     suggestion: ${s.label}${s.isRecommended ? ' (recommended)' : ''}`);
  }

  lines.push('', 'Evidence:');
  if (v.evidence.length === 0) lines.push('  (none)');
  for (const e of v.evidence) lines.push(evidenceLine(e));

  lines.push('', 'Missing data:');
  if (record.gaps.length === 0) lines.push('  (none: every type was read)');
  for (const g of record.gaps) lines.push(`  - ${g.resourceType}: ${g.reason}${g.detail ? ` (${g.detail})` : ''}`);

  lines.push('', 'FHIR reads:');
  for (const t of record.timings) {
    const count = t.resourceType === 'Patient' ? (record.patient ? 1 : 0) : record.resources[t.resourceType].length;
    lines.push(
      `  ${t.resourceType.padEnd(17)} ${String(count).padStart(4)} found  ${String(t.pages).padStart(2)} page${t.pages === 1 ? ' ' : 's'}  ${String(t.ms).padStart(7)} ms  ${t.status}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
