/**
 * Matching CodeableConcepts against the value sets, fast: one Map lookup per coding (built once at module
 * load), then the text terms only for the sets no code matched. Plain TypeScript rather than FHIRPath here:
 * a Map lookup per coding is cheaper than evaluating a membership expression per resource, and clearer.
 *
 * What a match returns never contains the patient's text: for a text match it is our value-set term.
 */
import type { CodeableConcept, Coding } from 'fhir/r4.js';
import { PRE_NEGATION_ONLY_TEXT_SETS, SYSTEMS, UNGUARDED_TEXT_SETS, VALUE_SETS } from '../guideline/valuesets.js';
import { BORDER_SETS, IN_TOPIC_SETS } from '../guideline/topic-border.js';

export interface ConceptMatch {
  setId: string;
  system?: string;
  code?: string;
  /** Our display for the code, or our term for a text match (never the record's own text). */
  display: string;
  textMatch: boolean;
}

const ICD_SYSTEMS: ReadonlySet<string> = new Set([SYSTEMS.icd10cm, SYSTEMS.icd10]);

/** ICD-10-CM and ICD-10 share one key space; ICD dots are dropped ("G96.811" ≡ "G96811"). */
function codeKey(system: string, code: string): string {
  if (ICD_SYSTEMS.has(system)) return `icd|${code.replace(/\./g, '').toUpperCase()}`;
  return `${system}|${code.trim()}`;
}

interface IndexedCode {
  setId: string;
  system: string;
  code: string;
  display: string;
}

/** system|code → every value-set entry with that code. Built once. */
const CODE_INDEX: Map<string, IndexedCode[]> = (() => {
  const index = new Map<string, IndexedCode[]>();
  for (const vs of Object.values(VALUE_SETS)) {
    for (const c of vs.codes) {
      const key = codeKey(c.system, c.code);
      const list = index.get(key) ?? [];
      // Both ICD flavours of one code collapse to one key: keep one entry per set.
      if (!list.some((e) => e.setId === vs.id)) {
        list.push({ setId: vs.id, system: c.system, code: c.code, display: c.display ?? c.code });
      }
      index.set(key, list);
    }
  }
  return index;
})();

/**
 * The non-ICD part of CODE_INDEX as system → code → the same entry lists, so the common lookup needs no
 * `system|code` string built and hashed per coding. Equivalent to the joined key as long as no indexed
 * system or code contains "|" (checked here; otherwise only the joined-key path is used).
 */
const BY_SYSTEM: Map<string, Map<string, IndexedCode[]>> | undefined = (() => {
  const out = new Map<string, Map<string, IndexedCode[]>>();
  for (const vs of Object.values(VALUE_SETS)) {
    for (const c of vs.codes) {
      if (ICD_SYSTEMS.has(c.system)) continue;
      if (c.system.includes('|') || c.code.includes('|') || c.system === 'icd') return undefined;
      let codes = out.get(c.system);
      if (!codes) {
        codes = new Map();
        out.set(c.system, codes);
      }
      codes.set(c.code.trim(), CODE_INDEX.get(codeKey(c.system, c.code))!);
    }
  }
  return out;
})();

const NONE: IndexedCode[] = [];

/**
 * BY_SYSTEM's entries as a list: a record's system strings are each a new string, and comparing one with a
 * handful of known systems (most differ in length) is cheaper than hashing it for a Map lookup.
 */
const SYSTEM_LIST: ReadonlyArray<readonly [string, Map<string, IndexedCode[]>]> = BY_SYSTEM ? [...BY_SYSTEM] : [];

/** BY_SYSTEM.get(system), by comparison with each known system (the same answer). */
function systemCodes(system: string): Map<string, IndexedCode[]> | undefined {
  for (let i = 0; i < SYSTEM_LIST.length; i++) if (SYSTEM_LIST[i]![0] === system) return SYSTEM_LIST[i]![1];
  return undefined;
}

/** Whether trim() would return `code` unchanged: it starts and ends with printable ASCII other than space. */
function untrimmed(code: string): boolean {
  const first = code.charCodeAt(0);
  const last = code.charCodeAt(code.length - 1);
  return first > 0x20 && first < 0x7f && last > 0x20 && last < 0x7f;
}

/** Looks a coding up, walking ICD codes up their hierarchy (G96811 → G9681 → G968 → G96). */
function lookupCoding(coding: Coding): IndexedCode[] {
  if (!coding.system || !coding.code) return [];
  const system = coding.system;
  const code = coding.code;
  // The common case first: a system BY_SYSTEM holds is a plain string, neither ICD nor "icd", with no "|"
  // (BY_SYSTEM exists only then), so one lookup of it replaces the string tests below with the same answer.
  const bySystem = systemCodes(system);
  if (bySystem !== undefined && typeof code === 'string' && !code.includes('|')) return bySystem.get(untrimmed(code) ? code : code.trim()) ?? NONE;
  if (
    BY_SYSTEM &&
    typeof system === 'string' &&
    typeof code === 'string' &&
    !ICD_SYSTEMS.has(system) &&
    !system.startsWith('icd|') &&
    system !== 'icd' &&
    !system.includes('|') &&
    !code.includes('|')
  ) {
    // A plain system BY_SYSTEM does not hold (systemCodes above found none): no value set lists it. Callers only
    // read the list: the shared empty list is safe (the joined-key path returns a fresh one).
    return NONE;
  }
  const key = codeKey(system, code);
  if (!key.startsWith('icd|')) return CODE_INDEX.get(key) ?? [];
  const out: IndexedCode[] = [];
  for (let len = key.length; len >= 'icd|'.length + 3; len--) {
    const hit = CODE_INDEX.get(key.slice(0, len));
    if (hit) out.push(...hit);
  }
  return out;
}

interface CompiledTerm {
  term: string;
  /** The term's pattern with the global flag added, for scanning past negated occurrences. */
  scan: RegExp;
}

/**
 * One case-insensitive alternation of EVERY term of every set: most texts in a record ("Heart rate",
 * "Hemoglobin") match no term at all, and this rejects them in one scan instead of one per set.
 */
const ANY_TERM: RegExp = new RegExp(
  Object.values(VALUE_SETS)
    .flatMap((vs) => vs.text.map((t) => `(?:${t.pattern.source})`))
    .join('|'),
  'i',
);

/** One alternation per set, so a text is scanned once per set; the term is found only after a hit. */
const TEXT_INDEX: Map<string, { any: RegExp; terms: CompiledTerm[] }> = new Map(
  Object.values(VALUE_SETS)
    .filter((vs) => vs.text.length > 0)
    .map((vs) => [
      vs.id,
      {
        // A case-insensitive prefilter over-matches case-sensitive acronyms; each term then rechecks with its
        // own flags, so the prefilter only has to never miss.
        any: new RegExp(vs.text.map((t) => `(?:${t.pattern.source})`).join('|'), 'i'),
        terms: vs.text.map((t) => ({
          term: t.term,
          scan: new RegExp(t.pattern.source, t.pattern.flags.includes('g') ? t.pattern.flags : `${t.pattern.flags}g`),
        })),
      },
    ]),
);

/**
 * A NegEx-style guard (conventions stated in guideline/valuesets.ts). A term is negated by:
 *  - a cue earlier in the same clause ("no pachymeningeal enhancement", "negative for CSF leak");
 *  - the prefix "non-" / "non " right before it ("non-orthostatic headache");
 *  - a cue inside the matched words ("headache, not orthostatic": the term spans the cue);
 *  - a cue right after it with only auxiliaries between ("h/o SIH ruled out", "CSF leak was excluded",
 *    "enhancement has resolved", "leak not seen"). "Cannot be excluded" / "not ruled out" are NOT negations:
 *    the cue must follow the term directly.
 * "rule out"/"r/o" BEFORE a term is not a negation: on an order it means "suspected".
 * All patterns are compiled once here; nothing is compiled per call.
 */
const NEGATION = /\b(no|not|without|negative\s+for|free\s+of|absence\s+of|absent|denies|denied|ruled\s+out|resolved)\b/i;
const CLAUSE_BREAK = /[.;:\n]|\bbut\b|\bhowever\b/gi;
/** The first clause break in a text (non-global: `search` needs no lastIndex). */
const CLAUSE_END = /[.;:\n]|\bbut\b|\bhowever\b/i;
const NON_PREFIX = /\bnon[-\s]?$/i;
const INSIDE_NEGATION =
  /\b(?:no|not|without|negative\s+for|free\s+of|absence\s+of|absent|denies|denied|ruled\s+out|resolved|non(?=[-\s]))\b/i;
const POST_NEGATION =
  /^[\s,(\u2013-]*(?:(?:has|have|had|is|was|were|are|been|being|now|since|subsequently|clinically)\s+)*(?:ruled\s+out|excluded|unlikely|absent|resolved|denied|negative|not\s+(?:present|seen|identified|found|demonstrated|confirmed|suspected|shown|evident))\b/i;
/** How far after a term the post-negation cue is looked for (characters). */
const POST_WINDOW = 60;

function negated(text: string, start: number, end: number, preOnly: boolean): boolean {
  const before = text.slice(0, start);
  let from = 0;
  CLAUSE_BREAK.lastIndex = 0;
  for (let m = CLAUSE_BREAK.exec(before); m; m = CLAUSE_BREAK.exec(before)) from = m.index + m[0].length;
  if (NEGATION.test(before.slice(from))) return true;
  if (preOnly) return false;
  if (NON_PREFIX.test(text.slice(Math.max(0, start - 5), start))) return true;
  if (INSIDE_NEGATION.test(text.slice(start, end))) return true;
  let after = text.slice(end, end + POST_WINDOW);
  const stop = after.search(CLAUSE_END);
  if (stop >= 0) after = after.slice(0, stop);
  return POST_NEGATION.test(after);
}

/**
 * Text results remembered for the duration of one extraction (see withMatchMemo): a record repeats the same
 * few texts ("Heart rate", "Blood pressure") hundreds of times, and the regex scans are the costly part.
 * Only set while a call runs, so no patient text outlives the call that brought it. One entry per text holds
 * all its answers, so a text is hashed and looked up once per concept, not once per set.
 */
interface TextMemo {
  /** Whether any term of any set could match the text (undefined: not asked yet). */
  any: boolean | undefined;
  /** set id → the set's first non-negated term in the text, or null (built on the first set asked). */
  bySet: Map<string, string | null> | undefined;
}
let memo: Map<string, TextMemo> | undefined;

/** Runs `fn` with text-match results remembered within it (pure functions of the text: same answers). */
export function withMatchMemo<T>(fn: () => T): T {
  if (memo) return fn();
  memo = new Map();
  try {
    return fn();
  } finally {
    memo = undefined;
  }
}

function memoOf(memory: Map<string, TextMemo>, text: string): TextMemo {
  let entry = memory.get(text);
  if (!entry) {
    entry = { any: undefined, bySet: undefined };
    memory.set(text, entry);
  }
  return entry;
}

function anyTermOf(entry: TextMemo, text: string): boolean {
  if (entry.any === undefined) entry.any = ANY_TERM.test(text);
  return entry.any;
}

function matchTextOf(entry: TextMemo, text: string, setId: string): string | undefined {
  const hit = entry.bySet?.get(setId);
  if (hit !== undefined) return hit ?? undefined;
  const found = scanText(text, setId);
  (entry.bySet ??= new Map()).set(setId, found ?? null);
  return found;
}

/** The first non-negated term of `setId` found in `text`, or undefined. */
export function matchText(text: string | undefined, setId: string): string | undefined {
  if (!text) return undefined;
  if (!memo) return scanText(text, setId);
  return matchTextOf(memoOf(memo, text), text, setId);
}

function scanText(text: string, setId: string): string | undefined {
  const entry = TEXT_INDEX.get(setId);
  if (!entry || !entry.any.test(text)) return undefined;
  const guarded = !UNGUARDED_TEXT_SETS.has(setId);
  const preOnly = PRE_NEGATION_ONLY_TEXT_SETS.has(setId);
  for (const t of entry.terms) {
    const re = t.scan;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (!guarded || !negated(text, m.index, m.index + m[0].length, preOnly)) return t.term;
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return undefined;
}

/** The Set form of a (module-constant) list of set ids, built once per list. */
const WANTED = new WeakMap<readonly string[], ReadonlySet<string>>();
/** The last list asked for and its Set: a record's concepts of one type ask with the same list in a row. */
let lastIds: readonly string[] | undefined;
let lastWanted: ReadonlySet<string> | undefined;
function wantedSet(setIds: readonly string[]): ReadonlySet<string> {
  if (setIds === lastIds) return lastWanted!;
  let s = WANTED.get(setIds);
  if (!s) {
    s = new Set(setIds);
    WANTED.set(setIds, s);
  }
  lastIds = setIds;
  lastWanted = s;
  return s;
}

/**
 * Matches a concept against several sets at once. Codes first (any coding); a set with no code hit is then
 * tried on concept.text and the codings' displays, and a hit there is flagged `textMatch`.
 * The Map is the caller's own (callers add to it and delete from it).
 */
export function matchConcept(
  concept: CodeableConcept | undefined,
  setIds: readonly string[],
): Map<string, ConceptMatch> {
  return matchConceptIfAny(concept, setIds) ?? new Map();
}

/**
 * matchConcept, but undefined instead of an empty Map: most concepts of a record (vitals, labs) match
 * nothing, and they then cost no Map and no arrays. Same matches, in the same order, as matchConcept.
 */
export function matchConceptIfAny(
  concept: CodeableConcept | undefined,
  setIds: readonly string[],
): Map<string, ConceptMatch> | undefined {
  if (!concept) return undefined;
  const wanted = wantedSet(setIds);
  const codings = concept.coding;
  let out: Map<string, ConceptMatch> | undefined;
  if (codings) {
    for (let i = 0; i < codings.length; i++) {
      const coding = codings[i];
      if (!coding) continue;
      const hits = lookupCoding(coding);
      for (let j = 0; j < hits.length; j++) {
        const hit = hits[j]!;
        if (!wanted.has(hit.setId) || out?.has(hit.setId)) continue;
        out ??= new Map();
        out.set(hit.setId, {
          setId: hit.setId,
          system: coding.system,
          code: coding.code,
          display: hit.display,
          textMatch: false,
        });
      }
    }
  }
  if (out && out.size === wanted.size) return out;
  // The texts that could match some term, in the order they are tried (concept.text, then each display).
  // A display equal to the text (common: "Heart rate" twice) is the same text: its answers are the same,
  // so it is neither looked up nor tried twice (trying it again could only repeat a miss).
  const text = concept.text;
  let textStrings: string[] | undefined;
  let entries: TextMemo[] | undefined;
  // Plain loops, no closure here: this runs for every concept of a record.
  for (let i = -1; i < (codings ? codings.length : 0); i++) {
    const t = i < 0 ? text : codings![i]?.display;
    if (!t || (i >= 0 && t === text)) continue;
    const entry = memo ? memoOf(memo, t) : undefined;
    if (entry ? !anyTermOf(entry, t) : !ANY_TERM.test(t)) continue;
    (textStrings ??= []).push(t);
    if (entry) (entries ??= []).push(entry);
  }
  if (!textStrings) return out;
  for (const setId of setIds) {
    if (out?.has(setId)) continue;
    for (let k = 0; k < textStrings.length; k++) {
      const t = textStrings[k]!;
      const term = entries ? matchTextOf(entries[k]!, t, setId) : scanText(t, setId);
      if (term) {
        out ??= new Map();
        out.set(setId, { setId, display: term, textMatch: true });
        break;
      }
    }
  }
  return out;
}

/** Convenience: the match of one set, or undefined. */
const SINGLE = new Map<string, readonly string[]>();
export function matchOne(concept: CodeableConcept | undefined, setId: string): ConceptMatch | undefined {
  let ids = SINGLE.get(setId);
  if (!ids) {
    ids = [setId];
    SINGLE.set(setId, ids);
  }
  return matchConcept(concept, ids).get(setId);
}

const IN_TOPIC: ReadonlySet<string> = new Set(IN_TOPIC_SETS);

/**
 * The topic's border applied to one concept's matches (rules in src/guideline/topic-border.ts): a border CODE
 * takes the concept outside (in-topic matches dropped, codes and text alike); border TEXT drops only in-topic
 * TEXT matches (an in-topic code decides). Returns the border matches; `hits` is changed in place.
 */
export function applyBorder(hits: Map<string, ConceptMatch>): ConceptMatch[] {
  const border: ConceptMatch[] = [];
  for (const id of BORDER_SETS) {
    const m = hits.get(id);
    if (m) border.push(m);
  }
  if (border.length === 0) return border;
  const byCode = border.some((m) => !m.textMatch);
  for (const [id, m] of hits) {
    if (IN_TOPIC.has(id) && (byCode || m.textMatch)) hits.delete(id);
  }
  // Border text beside an in-topic code: the code decides, the concept stays inside.
  if (!byCode && [...hits.keys()].some((id) => IN_TOPIC.has(id))) return [];
  return border;
}
