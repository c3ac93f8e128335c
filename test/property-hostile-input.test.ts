/**
 * Hostile input, property-based (issue 6, part 4): malformed and hostile hook and feedback requests —
 * wrong types at every field, deep nesting, huge arrays and strings (within and beyond the body limit),
 * `__proto__`/`constructor` keys anywhere, odd unicode, duplicate keys (raw JSON text), bundles with
 * thousands of entries, mutations of every valid fixture request — must each get a 4xx OperationOutcome
 * or a valid 200, never a 5xx, a crash or a hang. Plus: FHIR free text that reaches a card's markdown is
 * escaped.
 *
 * The bulk goes through app.inject on one service instance; a few hundred cases go over real HTTP.
 * Seeds are fixed (override with HOSTILE_SEED, runs per route with HOSTILE_RUNS) and printed on failure.
 */
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { startService, fixtureRequest, type RunningService } from './fixtures/service.js';
import { checkResponse } from '../src/protocol/response-rules.js';
import { MAX_JSON_DEPTH } from '../src/protocol/request-schema.js';
import { bigBundleCase, hostileCase, nested, toText, toTree, type HostileCase, type JTree } from './fixtures/hostile.js';

const SEED = Number(process.env['HOSTILE_SEED'] ?? 20261126);
const RUNS = Number(process.env['HOSTILE_RUNS'] ?? 1000);
const HTTP_RUNS = Number(process.env['HOSTILE_HTTP_RUNS'] ?? 75);
/** Smaller than the 5 MB default so beyond-the-limit cases are cheap to build; 1 MB still holds 5,000 slim entries. */
const BODY_LIMIT = 1024 * 1024;
const HANG_MS = 10_000;
/** 500s are failures. HOSTILE_STRICT=0 reports them as todo instead, for exploring new arbitraries. */
const STRICT = process.env['HOSTILE_STRICT'] !== '0';

const SERVICES = {
  'sih-imaging-patient-view': ['patient-view-v5.json'],
  'sih-imaging-order-select': [
    'order-select-v5-dsm.json',
    'order-select-v5-dtpa.json',
    'order-select-v5-dynamic-ctm.json',
    'order-select-v5-mr-myelography.json',
  ],
  'sih-imaging-order-sign': ['order-sign-v5-two-orders.json'],
} as const;
type ServiceId = keyof typeof SERVICES;

// Every fixture request must be covered by some route above.
const ALL_REQUESTS = readdirSync(new URL('../fixtures/requests/', import.meta.url)).filter((f) => f.endsWith('.json'));

const FEEDBACK_BASE = {
  feedback: [
    {
      card: '9b0c8f7e-6a3d-4c1b-8e2f-1a2b3c4d5e6f',
      outcome: 'accepted',
      acceptedSuggestions: [{ id: '0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6' }],
      outcomeTimestamp: '2026-11-26T12:00:00Z',
    },
    {
      card: '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9',
      outcome: 'overridden',
      overrideReason: {
        reason: { system: 'http://example.org/override-reasons', code: 'patient-preference', display: 'Patient preference' },
        userComment: 'discussed with the patient',
      },
      outcomeTimestamp: '2026-11-26T12:00:05+01:00',
    },
  ],
};

const BIG_BUNDLES = [
  ['context', 'draftOrders'],
  ['prefetch', 'conditions'],
  ['prefetch', 'observations'],
  ['prefetch', 'diagnosticReports'],
] as const;

type RouteKind = 'hook' | 'feedback';

function hookCases(id: ServiceId): fc.Arbitrary<HostileCase> {
  const bases = SERVICES[id].map((f) => toTree(fixtureRequest(f)));
  return fc.oneof(
    ...bases.map((b) => ({ weight: 30, arbitrary: hostileCase(b) })),
    ...bases.map((b) => ({ weight: 1, arbitrary: bigBundleCase(b, BIG_BUNDLES.map((k) => [...k])) })),
  );
}

const feedbackCases: fc.Arbitrary<HostileCase> = hostileCase(toTree(FEEDBACK_BASE));

/** What is wrong with an answer, or undefined when it is a valid 200 or a 4xx OperationOutcome. */
function problemWith(kind: RouteKind, status: number, text: string): string | undefined {
  if (status >= 500) return `status ${status}: ${text.slice(0, 300)}`;
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    return `status ${status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  if (status === 200) {
    if (kind === 'feedback') return JSON.stringify(json) === '{}' ? undefined : `feedback 200 body ${text.slice(0, 200)}`;
    const violations = checkResponse(json);
    return violations.length === 0 ? undefined : `200 that breaks the response rules: ${violations.slice(0, 5).join('; ')}`;
  }
  if (status < 400) return `unexpected status ${status}`;
  if (json?.resourceType !== 'OperationOutcome') return `${status} without an OperationOutcome: ${text.slice(0, 200)}`;
  const d = json?.issue?.[0]?.diagnostics;
  if (typeof d !== 'string' || d.trim() === '') return `${status} OperationOutcome without issue[0].diagnostics`;
  return undefined;
}

async function withHangGuard<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${HANG_MS} ms (hang): ${what}`)), HANG_MS);
  });
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

async function viaInject(svc: RunningService, url: string, c: HostileCase): Promise<{ status: number; text: string }> {
  const res = await withHangGuard(
    svc.app.inject({
      method: 'POST',
      url,
      headers: c.contentType === undefined ? {} : { 'content-type': c.contentType },
      payload: c.body,
    }),
    c.label,
  );
  return { status: res.statusCode, text: res.body };
}

async function viaHttp(svc: RunningService, url: string, c: HostileCase): Promise<{ status: number; text: string }> {
  const res = await withHangGuard(
    fetch(`${svc.url}${url}`, {
      method: 'POST',
      headers: c.contentType === undefined ? {} : { 'content-type': c.contentType },
      body: typeof c.body === 'string' ? c.body : new Uint8Array(c.body),
    }),
    c.label,
  );
  return { status: res.status, text: await withHangGuard(res.text(), c.label) };
}

interface Tally {
  cases: number;
  byStatus: Map<number, number>;
}

async function runProperty(
  t: Test,
  svc: RunningService,
  kind: RouteKind,
  url: string,
  arb: fc.Arbitrary<HostileCase>,
  via: typeof viaInject,
  numRuns: number,
  seed: number,
): Promise<Tally> {
  const tally: Tally = { cases: 0, byStatus: new Map() };
  const started = performance.now();
  let last: { problem: string; label: string; contentType: string | undefined } | undefined;
  const engineCrashes = new Map<string, { count: number; example: string }>();
  try {
    await fc.assert(
      fc.asyncProperty(arb, async (c) => {
        const { status, text } = await via(svc, url, c);
        tally.cases++;
        tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);
        const problem = problemWith(kind, status, text);
        if (problem) {
          const internal = status >= 500 ? svc.logs.filter((l) => l.includes('"level":50')).slice(-1)[0] : undefined;
          const engineFrame = internal?.match(/at (\w+) \([^)]*src\/engine\/([\w-]+\.ts):(\d+)/);
          const idless = status === 200 && /an update must name the resource it replaces/.test(problem);
          if ((engineFrame || idless) && !STRICT) {
            // A known class, owned outside this file (see the report): counted and shown, not fatal here.
            const where = engineFrame
              ? `${engineFrame[2]}:${engineFrame[3]} ${engineFrame[1]}`
              : 'src/cards: update action for a draft order without an id';
            const seen = engineCrashes.get(where);
            if (seen) seen.count++;
            else engineCrashes.set(where, { count: 1, example: `${c.label.slice(0, 400)}\n  log: ${(internal ?? problem).slice(0, 700)}` });
            return;
          }
          last = { problem: internal ? `${problem}\n  log: ${internal.slice(0, 1200)}` : problem, label: c.label, contentType: c.contentType };
          throw new Error(problem);
        }
      }),
      // Shrinking a 5,000-entry case is slow and rarely clearer; the label says what the case was.
      { seed, numRuns, endOnFailure: true },
    );
    t.pass(`${url}: ${tally.cases} cases, statuses ${JSON.stringify(Object.fromEntries([...tally.byStatus].sort()))}, ${Math.round(performance.now() - started)} ms`);
  } catch (err) {
    const what = last
      ? `${last.problem}\n  case: ${last.label}\n  content-type: ${String(last.contentType)}`
      : `threw: ${String((err as { cause?: Error }).cause?.stack ?? (err as Error).message).slice(0, 800)}`;
    t.fail(`${url}: hostile case failed after ${tally.cases} cases (seed ${seed}; rerun with HOSTILE_SEED=${seed})\n${what}\n${(err as Error).message.slice(0, 600)}`);
  }
  for (const [where, { count, example }] of engineCrashes) {
    t.fail(`${url}: ${count} case(s) in a known class owned elsewhere: ${where}\n  e.g. ${example}`, {
      todo: 'HOSTILE_STRICT=0: known crash classes reported, not failed',
    });
  }
  return tally;
}

const ENV = {
  RATE_LIMIT_MAX: '100000000',
  // The service runs in this process, and building thousands of hostile bodies (some of 1,000 entries)
  // keeps its event loop busy: latency shedding would answer 503 to the test's own load. Shedding has its
  // own tests (test/faults/); here it is set out of reach.
  SHED_EVENT_LOOP_DELAY_MS: '600000',
  BODY_LIMIT_BYTES: String(BODY_LIMIT),
  // Nothing here should reach a FHIR server: every fhirServer a case names is refused by the allow-list.
  FHIR_SERVER_ALLOWLIST: 'https://fhir.example.invalid/R4',
  FHIR_DEADLINE_MS: '200',
};

t.test('every fixture request is a base for hostile cases', async (t) => {
  const covered = new Set<string>(Object.values(SERVICES).flat());
  t.same(ALL_REQUESTS.filter((f) => !covered.has(f)), [], 'no fixture request left out');
});

t.test('hostile hook and feedback requests: 4xx OperationOutcome or valid 200, never 5xx or a hang', async (t) => {
  const svc = await startService(t, ENV);
  let total = 0;
  let routeIndex = 0;
  for (const id of Object.keys(SERVICES) as ServiceId[]) {
    const tally = await runProperty(t, svc, 'hook', `/cds-services/${id}`, hookCases(id), viaInject, RUNS, SEED + routeIndex++);
    total += tally.cases;
  }
  const ids = Object.keys(SERVICES) as ServiceId[];
  // Feedback: the same number of cases again, spread over the three ids.
  for (const [i, id] of ids.entries()) {
    const runs = Math.ceil(RUNS / ids.length);
    const tally = await runProperty(t, svc, 'feedback', `/cds-services/${id}/feedback`, feedbackCases, viaInject, runs, SEED + 10 + i);
    total += tally.cases;
  }
  t.ok(total >= RUNS * 4, `${total} hostile cases through app.inject`);

  // Nothing leaked onto Object.prototype from `__proto__` / `constructor` keys.
  const probe = {} as Record<string, unknown>;
  t.equal(probe['isAdmin'], undefined, 'no prototype pollution (isAdmin)');
  t.equal(probe['polluted'], undefined, 'no prototype pollution (polluted)');
  t.equal(probe['x'], undefined, 'no prototype pollution (x)');

  // And the service is still well after all that.
  const health = await svc.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200, 'healthz after the hostile run');
  const ok = await svc.app.inject({ method: 'POST', url: '/cds-services/sih-imaging-order-select', payload: fixtureRequest('order-select-v5-dsm.json') });
  t.equal(ok.statusCode, 200, 'a valid call still answers 200');
  t.same(checkResponse(ok.json()), []);
});

t.test('a few hundred hostile cases over real HTTP', async (t) => {
  const svc = await startService(t, ENV);
  let total = 0;
  let i = 0;
  for (const id of Object.keys(SERVICES) as ServiceId[]) {
    total += (await runProperty(t, svc, 'hook', `/cds-services/${id}`, hookCases(id), viaHttp, HTTP_RUNS, SEED + 100 + i++)).cases;
  }
  total += (await runProperty(t, svc, 'feedback', '/cds-services/sih-imaging-order-sign/feedback', feedbackCases, viaHttp, HTTP_RUNS, SEED + 200)).cases;
  t.ok(total >= HTTP_RUNS * 4, `${total} hostile cases over HTTP`);
});

t.test('named hostile shapes', async (t) => {
  const svc = await startService(t, ENV);
  const post = async (url: string, body: string | Buffer, contentType = 'application/json') => {
    const r = await viaInject(svc, url, { label: 'named', contentType, body });
    return { ...r, json: (() => { try { return JSON.parse(r.text); } catch { return undefined; } })() };
  };
  const os = toTree(fixtureRequest('order-select-v5-dsm.json'));
  const pv = toTree(fixtureRequest('patient-view-v5.json'));

  // 10,000 levels: at the top, inside the context, inside a draft order, inside a prefetched resource.
  const deepCases: Array<[string, string, string]> = [
    ['whole body [[[…]]]', '/cds-services/sih-imaging-patient-view', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['whole body {"a":{…}}', '/cds-services/sih-imaging-patient-view', toText(nested(10_000, 'a', false))],
    ['in an unknown top-level field', '/cds-services/sih-imaging-order-select', toText(withPair(os, [], 'extension', nested(10_000)))],
    ['in a draft order', '/cds-services/sih-imaging-order-select', toText(withPair(os, ['context', 'draftOrders', 'entry', 0, 'resource'], 'extension', nested(10_000)))],
    ['__proto__ chain in a draft order', '/cds-services/sih-imaging-order-select', toText(withPair(os, ['context', 'draftOrders', 'entry', 0, 'resource'], 'extension', nested(10_000, '__proto__', false)))],
    ['in a prefetched Condition', '/cds-services/sih-imaging-patient-view', toText(withPair(pv, ['prefetch', 'conditions', 'entry', 0, 'resource'], 'extension', nested(10_000, 'extension', false)))],
    ['in feedback', '/cds-services/sih-imaging-order-select/feedback', toText({ $pairs: [['feedback', [nested(10_000, 'card', false)]]] })],
  ];
  for (const [name, url, body] of deepCases) {
    const r = await post(url, body);
    t.equal(problemWith(url.endsWith('feedback') ? 'feedback' : 'hook', r.status, r.text), undefined, `10,000 levels ${name}: ${r.status}`);
    t.ok(r.status < 500, `${name}: not a 5xx`);
  }
  // A draft order nested past the limit is refused by name, not crashed on; one within it is fine.
  const atLimit = await post('/cds-services/sih-imaging-order-select', toText(withPair(os, ['context', 'draftOrders', 'entry', 0, 'resource'], 'extension', [nested(MAX_JSON_DEPTH - 12, 'url', false)])));
  t.equal(atLimit.status, 200, `nesting within ${MAX_JSON_DEPTH} levels is still answered`);
  t.same(checkResponse(atLimit.json), []);
  const past = await post('/cds-services/sih-imaging-order-select', toText(withPair(os, ['context', 'draftOrders', 'entry', 0, 'resource'], 'extension', nested(3_000))));
  t.equal(past.status, 400, 'a draft order nested 3,000 deep is a 400');
  t.match(past.json?.issue?.[0]?.expression?.[0], /^context\.draftOrders\.entry\[0\]\.resource\.extension/, 'names where');

  // Duplicate keys: JSON.parse keeps the last one; both orders must be answered sanely.
  const raw = JSON.stringify(fixtureRequest('order-select-v5-dsm.json'));
  for (const dup of ['"hook":42,', '"context":"x",', '"prefetch":[1,2],', '"hookInstance":{},']) {
    const before = await post('/cds-services/sih-imaging-order-select', raw.replace('{', `{${dup}`));
    t.equal(problemWith('hook', before.status, before.text), undefined, `duplicate ${dup} before the real one: ${before.status}`);
    const after = await post('/cds-services/sih-imaging-order-select', `${raw.slice(0, -1)},${dup.slice(0, -1)}}`);
    t.equal(problemWith('hook', after.status, after.text), undefined, `duplicate ${dup} after the real one: ${after.status}`);
    t.equal(after.status, 400, `duplicate ${dup} after the real one wins and is refused`);
  }

  // __proto__ / constructor anywhere: refused as malformed JSON (Fastify's secure parser) or ignored — never obeyed.
  for (const where of ['{', '"context":{', '"resource":{', '"prefetch":{']) {
    for (const key of ['"__proto__":{"polluted":1},', '"constructor":{"prototype":{"polluted":1}},']) {
      const r = await post('/cds-services/sih-imaging-order-select', raw.replace(where, `${where}${key}`));
      t.equal(problemWith('hook', r.status, r.text), undefined, `${key.slice(0, 14)} after ${where}: ${r.status}`);
    }
  }
  t.equal(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype untouched');

  // Right at and just past the body limit.
  const padTo = (n: number): string => {
    const head = raw.slice(0, -1) + ',"padding":"';
    return `${head}${'x'.repeat(n - head.length - 2)}"}`;
  };
  const under = await post('/cds-services/sih-imaging-order-select', padTo(BODY_LIMIT));
  t.equal(Buffer.byteLength(padTo(BODY_LIMIT)), BODY_LIMIT);
  t.equal(under.status, 200, 'a body of exactly BODY_LIMIT_BYTES is answered');
  const over = await post('/cds-services/sih-imaging-order-select', padTo(BODY_LIMIT + 1));
  t.equal(over.status, 413, 'one byte more is 413');
  t.equal(over.json?.resourceType, 'OperationOutcome');
  const overFb = await post('/cds-services/sih-imaging-order-select/feedback', `{"feedback":[],"p":"${'x'.repeat(BODY_LIMIT)}"}`);
  t.equal(overFb.status, 413, 'feedback past the limit is 413');
  t.equal(overFb.json?.resourceType, 'OperationOutcome');

  // Lone surrogates, RTL marks and NUL in every string the hook reads.
  const odd = '\ud800\u202e\u0000\u200f<b>';
  const oddReq = fixtureRequest('order-sign-v5-two-orders.json');
  oddReq.hookInstance = `hi${odd}`;
  oddReq.context.patientId = `sih-v5${odd}`;
  oddReq.context.userId = odd;
  for (const e of oddReq.context.draftOrders.entry) {
    e.resource.id = `${e.resource.id}${odd}`;
    e.resource.code.text = `${e.resource.code.text}${odd}`;
  }
  const oddRes = await post('/cds-services/sih-imaging-order-sign', JSON.stringify(oddReq));
  t.equal(oddRes.status, 200, 'odd unicode is answered');
  t.same(checkResponse(oddRes.json), []);
});

/** A copy of `root` with `[key, value]` added to the object at `at` (keys and indices). */
function withPair(root: JTree, at: Array<string | number>, key: string, value: JTree): JTree {
  const copy = toTree(JSON.parse(toText(root)));
  let node: JTree = copy;
  for (const step of at) {
    if (Array.isArray(node) && typeof step === 'number') node = node[step]!;
    else if (node !== null && typeof node === 'object' && !Array.isArray(node)) node = node.$pairs.find(([k]) => k === step)![1];
  }
  (node as { $pairs: Array<[string, JTree]> }).$pairs.push([key, value]);
  return copy;
}

t.test('FHIR free text that reaches card markdown is escaped', async (t) => {
  const svc = await startService(t, ENV);
  const PLANTS = [
    '<img src=x onerror=alert(1)>',
    '[click](javascript:alert(1))',
    '| pipe | cell |',
    '`tick`',
    '<script>alert(2)</script>',
    '**bold**',
  ];
  const plant = PLANTS.join(' ');
  const req = fixtureRequest('patient-view-v5.json');
  const plantIn = (bundle: any, what: (r: any, i: number) => void) => bundle.entry.forEach((e: any, i: number) => what(e.resource, i));
  plantIn(req.prefetch.conditions, (r, i) => {
    r.id = `${r.id}-${i}${plant}`;
    r.code.text = plant;
    for (const c of r.code.coding ?? []) c.display = `${c.display} ${plant}`;
  });
  plantIn(req.prefetch.diagnosticReports, (r, i) => {
    r.id = `${r.id}-${i}${plant}`;
    r.conclusion = `${r.conclusion ?? ''} ${plant}`;
    for (const c of r.code?.coding ?? []) c.display = `${c.display} ${plant}`;
  });
  // ImagingStudy ids stay: reports link to studies by reference, and the planted id would break the link.
  plantIn(req.prefetch.imagingStudies, (r) => {
    r.description = plant;
  });
  plantIn(req.prefetch.observations, (r, i) => {
    r.id = `${r.id}-${i}${plant}`;
    if (r.code) r.code.text = plant;
  });
  const orders = fixtureRequest('order-select-v5-mr-myelography.json');
  for (const e of orders.context.draftOrders.entry) {
    e.resource.id = `${e.resource.id}${plant}`;
    e.resource.code.text = `${e.resource.code.text} ${plant}`;
    for (const c of e.resource.code.coding ?? []) c.display = `${c.display} ${plant}`;
  }
  orders.context.selections = orders.context.draftOrders.entry.map((e: any) => `ServiceRequest/${e.resource.id}`);
  orders.prefetch = req.prefetch;

  for (const [url, body] of [
    ['/cds-services/sih-imaging-patient-view', req],
    ['/cds-services/sih-imaging-order-select', orders],
  ] as const) {
    const res = await svc.app.inject({ method: 'POST', url, payload: body });
    t.equal(res.statusCode, 200, `${url} answered`);
    const json = res.json();
    t.same(checkResponse(json), [], 'response rules hold');
    t.ok(json.cards.length > 0, `${url}: has cards`);
    const details: string[] = json.cards.map((c: any) => String(c.detail ?? ''));
    // Changed (issue 11): cards name findings in the guideline's words and show no resource ids, so the
    // planted record text and ids no longer reach a card at all, not even escaped (the escaping itself is
    // unit-tested in cards.test.ts). Before, they reached the evidence table escaped.
    t.notOk(details.some((d) => d.includes('onerror')), `${url}: no planted record text or id reaches a card`);
    for (const d of details) {
      for (const p of PLANTS) t.notOk(d.includes(p), `${url}: detail has no raw ${JSON.stringify(p)}`);
      t.notOk(/<[a-z]/i.test(d), `${url}: no raw HTML tag opens in the detail`);
      t.notOk(/\]\(javascript:/i.test(d), `${url}: no javascript: link`);
      // A table row of our own has a fixed number of cells: planted pipes must not add any.
      const rows = d.split('\n').filter((l) => l.startsWith('|'));
      if (rows.length > 0) {
        const cells = (l: string) => l.replace(/\\\|/g, '').split('|').length;
        const widths = new Set<number>();
        let table: number[] = [];
        for (const l of d.split('\n')) {
          if (l.startsWith('|')) table.push(cells(l));
          else if (table.length > 0) (widths.add(new Set(table).size), (table = []));
        }
        if (table.length > 0) widths.add(new Set(table).size);
        t.same([...widths], [1], `${url}: every table keeps its column count`);
      }
    }
    for (const c of json.cards) {
      t.notOk(String(c.summary).includes('<img'), 'no raw HTML in the summary either');
    }
  }
});
