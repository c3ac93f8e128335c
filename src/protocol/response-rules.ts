/**
 * The CDS Hooks 2.0.1 rules a service response must obey, as a checker that lists every violation. Used in
 * tests on everything the card renderer produces, and usable at runtime as a last guard before answering.
 *
 * Rules, by section of /work/shared/spec/cds-hooks-service-checklist.md (spec anchors in brackets):
 * - §A 2  [#use-of-json]: no `null`, `""`, `[]` or `{}` anywhere, except top-level `cards: []`.
 * - §E 41 [#cds-service-response]: `cards` is an array; `systemActions` optional, an array of Actions.
 * - §F 46–57 [#card-attributes, #source, #suggestion, #action, #link, #coding]: summary < 140 chars;
 *   indicator enum; source.label; suggestions ⇒ selectionBehavior; selectionBehavior enum; several
 *   isRecommended only with 'any'; action type enum and description; create/update ⇒ resource; delete ⇒
 *   resourceId; overrideReasons Codings with system, code and display; links with label, url, type enum,
 *   appContext only on smart links.
 * - §F 46, 53 design: uuid present on every card and suggestion, and unique within the response.
 * - §G 59: systemActions (and the sandbox mirror `extension.systemActions`) hold valid Actions.
 * Knows nothing of the ACR topic.
 */

type Json = Record<string, unknown>;

const INDICATORS = new Set(['info', 'warning', 'critical']);
const SELECTION_BEHAVIORS = new Set(['at-most-one', 'any']);
const ACTION_TYPES = new Set(['create', 'update', 'delete']);
const LINK_TYPES = new Set(['absolute', 'smart']);
/** Summary must be shorter than 140 characters (§F 47; Inferno flags length >= 140). */
const SUMMARY_LIMIT = 140;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isNonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim() !== '';
}

function isAbsoluteUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    new URL(v);
    return true;
  } catch {
    return false;
  }
}

/** §A 2: walks the whole response, resources included. */
function checkNoEmpty(value: unknown, path: string, out: string[]): void {
  if (value === null) out.push(`${path}: must not be null (omit it)`);
  else if (value === '') out.push(`${path}: must not be an empty string (omit it)`);
  else if (Array.isArray(value)) {
    if (value.length === 0 && path !== 'cards') out.push(`${path}: must not be an empty array (omit it)`);
    value.forEach((v, i) => checkNoEmpty(v, `${path}[${i}]`, out));
  } else if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) out.push(`${path}: must not be an empty object (omit it)`);
    for (const [k, v] of entries) checkNoEmpty(v, path === '' ? k : `${path}.${k}`, out);
  }
}

function checkAction(action: unknown, path: string, out: string[]): void {
  if (!isObject(action)) {
    out.push(`${path}: must be an object`);
    return;
  }
  if (!ACTION_TYPES.has(action.type as string)) out.push(`${path}.type: must be create, update or delete`);
  if (!isNonEmptyString(action.description)) out.push(`${path}.description: required`);
  if ((action.type === 'create' || action.type === 'update') && !isObject(action.resource)) {
    out.push(`${path}.resource: required for ${String(action.type)}`);
  }
  if (action.type === 'update' && isObject(action.resource) && !isNonEmptyString(action.resource.id)) {
    out.push(`${path}.resource.id: an update must name the resource it replaces`);
  }
  if (action.type === 'delete' && !isNonEmptyString(action.resourceId)) {
    out.push(`${path}.resourceId: required for delete`);
  }
}

function checkActions(actions: unknown, path: string, out: string[]): void {
  if (actions === undefined) return;
  if (!Array.isArray(actions)) {
    out.push(`${path}: must be an array`);
    return;
  }
  actions.forEach((a, i) => checkAction(a, `${path}[${i}]`, out));
}

function checkCoding(coding: unknown, path: string, out: string[]): void {
  if (!isObject(coding)) {
    out.push(`${path}: must be a Coding object`);
    return;
  }
  for (const field of ['system', 'code', 'display'] as const) {
    if (!isNonEmptyString(coding[field])) out.push(`${path}.${field}: required`);
  }
}

function checkLink(link: unknown, path: string, out: string[]): void {
  if (!isObject(link)) {
    out.push(`${path}: must be an object`);
    return;
  }
  if (!isNonEmptyString(link.label)) out.push(`${path}.label: required`);
  if (!isAbsoluteUrl(link.url)) out.push(`${path}.url: required, an absolute URL`);
  if (!LINK_TYPES.has(link.type as string)) out.push(`${path}.type: must be absolute or smart`);
  if (link.appContext !== undefined && link.type !== 'smart') {
    out.push(`${path}.appContext: only allowed on smart links`);
  }
}

function checkUuid(holder: Json, path: string, seen: Map<string, string>, out: string[]): void {
  const uuid = holder.uuid;
  if (!isNonEmptyString(uuid)) {
    out.push(`${path}.uuid: required (feedback needs it)`);
    return;
  }
  const first = seen.get(uuid);
  if (first !== undefined) out.push(`${path}.uuid: duplicates ${first}.uuid`);
  else seen.set(uuid, path);
}

function checkSuggestions(card: Json, path: string, seen: Map<string, string>, out: string[]): void {
  const suggestions = card.suggestions;
  if (suggestions === undefined) {
    if (card.selectionBehavior !== undefined) out.push(`${path}.selectionBehavior: only with suggestions`);
    return;
  }
  if (!Array.isArray(suggestions)) {
    out.push(`${path}.suggestions: must be an array`);
    return;
  }
  if (card.selectionBehavior === undefined) out.push(`${path}.selectionBehavior: required with suggestions`);
  else if (!SELECTION_BEHAVIORS.has(card.selectionBehavior as string)) {
    out.push(`${path}.selectionBehavior: must be at-most-one or any`);
  }
  let recommended = 0;
  suggestions.forEach((s, i) => {
    const sp = `${path}.suggestions[${i}]`;
    if (!isObject(s)) {
      out.push(`${sp}: must be an object`);
      return;
    }
    if (!isNonEmptyString(s.label)) out.push(`${sp}.label: required`);
    checkUuid(s, sp, seen, out);
    if (s.isRecommended === true) recommended += 1;
    checkActions(s.actions, `${sp}.actions`, out);
  });
  if (recommended > 1 && card.selectionBehavior !== 'any') {
    out.push(`${path}.suggestions: several isRecommended only with selectionBehavior 'any'`);
  }
}

function checkCard(card: unknown, path: string, seen: Map<string, string>, out: string[]): void {
  if (!isObject(card)) {
    out.push(`${path}: must be an object`);
    return;
  }
  checkUuid(card, path, seen, out);
  if (!isNonEmptyString(card.summary)) out.push(`${path}.summary: required`);
  else if (card.summary.length >= SUMMARY_LIMIT) out.push(`${path}.summary: must be shorter than 140 characters`);
  if (card.detail !== undefined && typeof card.detail !== 'string') out.push(`${path}.detail: must be a string`);
  if (!INDICATORS.has(card.indicator as string)) out.push(`${path}.indicator: must be info, warning or critical`);
  if (!isObject(card.source)) out.push(`${path}.source: required`);
  else {
    if (!isNonEmptyString(card.source.label)) out.push(`${path}.source.label: required`);
    if (card.source.url !== undefined && !isAbsoluteUrl(card.source.url)) {
      out.push(`${path}.source.url: must be an absolute URL`);
    }
  }
  checkSuggestions(card, path, seen, out);
  if (card.overrideReasons !== undefined) {
    if (!Array.isArray(card.overrideReasons)) out.push(`${path}.overrideReasons: must be an array`);
    else card.overrideReasons.forEach((c, i) => checkCoding(c, `${path}.overrideReasons[${i}]`, out));
  }
  if (card.links !== undefined) {
    if (!Array.isArray(card.links)) out.push(`${path}.links: must be an array`);
    else card.links.forEach((l, i) => checkLink(l, `${path}.links[${i}]`, out));
  }
}

/** Every CDS Hooks 2.0.1 rule the response breaks, as `path: problem` strings; `[]` when it is valid. */
export function checkResponse(resp: unknown): string[] {
  const out: string[] = [];
  if (!isObject(resp)) return ['response: must be a JSON object'];
  if (!Array.isArray(resp.cards)) out.push('cards: required, an array');
  else {
    const seen = new Map<string, string>();
    resp.cards.forEach((c, i) => checkCard(c, `cards[${i}]`, seen, out));
  }
  checkActions(resp.systemActions, 'systemActions', out);
  if (resp.extension !== undefined) {
    if (!isObject(resp.extension)) out.push('extension: must be an object');
    else checkActions(resp.extension.systemActions, 'extension.systemActions', out);
  }
  checkNoEmpty(resp, '', out);
  return out;
}
