import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { runReport } from '../src/cli/report.js';
import { analyticsRoutes } from '../src/protocol/analytics.js';
import { buildAuditRecord } from '../src/store/audit-record.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { FeedbackItem } from '../src/store/store.js';
import { parseTimeWindow, type ReportSummary } from '../src/store/summary.js';
import { OVERRIDE_SYSTEM, UNDETERMINED, makeAuditInput, makeCard, variantOf } from './fixtures/audit-fixtures.js';

/**
 * The known data set. November 2026 holds four decisions (one in October is outside the window):
 *   D1 V1 order-sign:   A (warning, suggestion "MRI head"), B (info)
 *   D2 V1 order-sign:   C (warning)
 *   D3 patient-view, undetermined: D
 *   D5 V5 order-select: F (warning, suggestions DSM / dynamic CTM)
 *   D4 V1 in October:   E (warning)
 * Feedback: A accepted (MRI head); C accepted then overridden later (counts as overridden, reason
 * patient-preference); F overridden (already-done) reported twice; E overridden (outside the window);
 * X, a card no decision showed, overridden in November with no reason coding.
 */
async function seed(path: string): Promise<void> {
  const store = openSqliteStore(path);
  const rec = (at: string, opts: Parameters<typeof makeAuditInput>[0]) =>
    store.recordDecisions([buildAuditRecord(makeAuditInput({ receivedAt: new Date(at), ...opts }))]);
  await rec('2026-11-03T09:00:00Z', {
    hookInstance: 'h1',
    cards: [
      makeCard('A', { suggestions: [{ uuid: 'sA', label: 'Order MRI head without and with IV contrast' }] }),
      makeCard('B', { indicator: 'info' }),
    ],
  });
  await rec('2026-11-05T09:00:00Z', { hookInstance: 'h2', cards: [makeCard('C')] });
  await rec('2026-11-10T09:00:00Z', { hookInstance: 'h3', hook: 'patient-view', variant: UNDETERMINED, cards: [makeCard('D', { indicator: 'info' })] });
  await rec('2026-11-12T09:00:00Z', {
    hookInstance: 'h5',
    hook: 'order-select',
    variant: variantOf(5),
    cards: [
      makeCard('F', {
        suggestions: [
          { uuid: 'sF1', label: 'Order digital subtraction myelography' },
          { uuid: 'sF2', label: 'Order dynamic CT myelography' },
        ],
      }),
    ],
  });
  await rec('2026-10-20T09:00:00Z', { hookInstance: 'h4', cards: [makeCard('E')] });

  const acc = (card: string, ids: string[], ts: string): FeedbackItem => ({
    cardUuid: card, outcome: 'accepted', acceptedSuggestionIds: ids, outcomeTimestamp: ts, hasUserComment: false,
  });
  const ovr = (card: string, code: string | undefined, ts: string): FeedbackItem => ({
    cardUuid: card,
    outcome: 'overridden',
    acceptedSuggestionIds: [],
    outcomeTimestamp: ts,
    ...(code ? { overrideReason: { system: OVERRIDE_SYSTEM, code } } : {}),
    hasUserComment: code === undefined,
  });
  const nov = new Date('2026-11-15T12:00:00Z');
  await store.recordFeedback('sih-imaging-order-sign', [acc('A', ['sA'], '2026-11-03T09:05:00.000Z')], nov);
  await store.recordFeedback('sih-imaging-order-sign', [acc('C', [], '2026-11-05T09:01:00.000Z')], nov);
  await store.recordFeedback('sih-imaging-order-sign', [ovr('C', 'patient-preference', '2026-11-05T09:02:00.000Z')], nov);
  await store.recordFeedback('sih-imaging-order-select', [ovr('F', 'already-done', '2026-11-12T09:01:00.000Z')], nov);
  await store.recordFeedback('sih-imaging-order-select', [ovr('F', 'already-done', '2026-11-12T09:01:00.000Z')], nov);
  await store.recordFeedback('sih-imaging-order-sign', [ovr('E', 'patient-preference', '2026-10-20T09:01:00.000Z')], new Date('2026-10-20T10:00:00Z'));
  await store.recordFeedback('sih-imaging-order-sign', [ovr('X', undefined, '2026-11-20T09:01:00.000Z')], new Date('2026-11-20T10:00:00Z'));
  await store.close();
}

const EXPECTED: ReportSummary = {
  window: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
  decisions: 4,
  totals: { cardsShown: 5, accepted: 1, overridden: 3, overrideRate: 0.75 },
  unknownCardFeedback: 1,
  groups: [
    { cardType: 'order-info', variant: 'V1', cardsShown: 1, accepted: 0, overridden: 0, overrideRate: null, topOverrideReasons: [], suggestionsChosen: [] },
    {
      cardType: 'order-warning',
      variant: 'V1',
      cardsShown: 2,
      accepted: 1,
      overridden: 1,
      overrideRate: 0.5,
      topOverrideReasons: [{ system: OVERRIDE_SYSTEM, code: 'patient-preference', display: 'Patient preference', count: 1 }],
      suggestionsChosen: [{ label: 'Order MRI head without and with IV contrast', count: 1 }],
    },
    {
      cardType: 'order-warning',
      variant: 'V5',
      cardsShown: 1,
      accepted: 0,
      overridden: 1,
      overrideRate: 1,
      topOverrideReasons: [{ system: OVERRIDE_SYSTEM, code: 'already-done', display: 'Already performed elsewhere', count: 1 }],
      suggestionsChosen: [],
    },
    { cardType: 'undetermined', variant: 'undetermined', cardsShown: 1, accepted: 0, overridden: 0, overrideRate: null, topOverrideReasons: [], suggestionsChosen: [] },
    {
      cardType: 'unknown',
      variant: 'unknown',
      cardsShown: 0,
      accepted: 0,
      overridden: 1,
      overrideRate: 1,
      topOverrideReasons: [{ system: '', code: '(none given)', count: 1 }],
      suggestionsChosen: [],
    },
  ],
};

const dir = mkdtempSync(join(tmpdir(), 'sih-report-'));
const DB = join(dir, 'audit.sqlite');
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
await seed(DB);

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runReport(argv, { out: (s) => (out += s), err: (s) => (err += s), env });
  return { code, out, err };
}

t.test('--json gives the known figures for November', async (t) => {
  const r = await run(['--db', DB, '--from', '2026-11-01', '--to', '2026-11-30', '--json']);
  t.equal(r.code, 0);
  t.equal(r.err, '');
  t.same(JSON.parse(r.out), EXPECTED);
});

t.test('the window selects cards by when they were shown', async (t) => {
  const oct = JSON.parse((await run(['--db', DB, '--from', '2026-10-01', '--to', '2026-10-31', '--json'])).out) as ReportSummary;
  t.equal(oct.decisions, 1);
  t.same(oct.totals, { cardsShown: 1, accepted: 0, overridden: 1, overrideRate: 1 });
  t.equal(oct.unknownCardFeedback, 0, 'X arrived in November');
  const all = JSON.parse((await run(['--json'], { DB_PATH: DB })).out) as ReportSummary;
  t.equal(all.decisions, 5, 'no window: everything; database from DB_PATH');
  t.same(all.window, { from: null, to: null });
  const day = JSON.parse((await run(['--db', DB, '--from', '2026-11-03', '--to', '2026-11-03', '--json'])).out) as ReportSummary;
  t.equal(day.decisions, 1, 'a date-only --to includes that whole day');
});

t.test('the table for people', async (t) => {
  const r = await run(['--db', DB, '--from', '2026-11-01', '--to', '2026-11-30']);
  t.equal(r.code, 0);
  t.match(r.out, /Decisions: 4 {2}Cards shown: 5 {2}Accepted: 1 {2}Overridden: 3 {2}Override rate: 75\.0%/);
  t.match(r.out, /^Card type\s+Variant\s+Shown\s+Accepted\s+Overridden\s+Override rate$/m);
  t.match(r.out, /^order-warning\s+V1\s+2\s+1\s+1\s+50\.0%$/m);
  t.match(r.out, /^order-info\s+V1\s+1\s+0\s+0\s+-$/m);
  t.match(r.out, /^unknown\s+unknown\s+0\s+0\s+1\s+100\.0%$/m);
  t.match(r.out, /order-warning \/ V5\n {2}Top override reasons:\n {4}1 {2}Already performed elsewhere \(already-done\)/);
  t.match(r.out, /Suggestions chosen:\n {4}1 {2}Order MRI head without and with IV contrast/);
});

t.test('help and errors', async (t) => {
  const help = await run(['--help']);
  t.equal(help.code, 0);
  t.match(help.out, /^Usage: npm run report/);
  const missing = await run(['--db', join(dir, 'nope.sqlite')]);
  t.equal(missing.code, 1);
  t.equal(missing.out, '');
  t.match(missing.err, /^report: database file not found: .*nope\.sqlite\n$/);
  const badDate = await run(['--db', DB, '--from', '2026-13-01']);
  t.equal(badDate.code, 2);
  t.match(badDate.err, /^report: --from: "2026-13-01" is not an ISO date/);
  const unknownFlag = await run(['--db', DB, '--verbose']);
  t.equal(unknownFlag.code, 2);
  t.match(unknownFlag.err, /^report: .*--verbose.*\(see --help\)\n$/);
});

t.test('as a process: one-line error, exit 1, no stack trace; report on stdout', async (t) => {
  const missing = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', '--db', join(dir, 'gone.sqlite')], {
    encoding: 'utf8',
    env: { ...process.env, DB_PATH: '' },
  });
  t.equal(missing.status, 1);
  t.equal(missing.stderr.trim().split('\n').length, 1, 'one line');
  t.notMatch(missing.stderr, /\n\s+at /, 'no stack trace');
  const ok = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', '--db', DB, '--from', '2026-11-01', '--to', '2026-11-30', '--json'], {
    encoding: 'utf8',
  });
  t.equal(ok.status, 0);
  t.same(JSON.parse(ok.stdout), EXPECTED);
});

t.test('GET /analytics/summary gives the same figures; bad parameters are named', async (t) => {
  const store = openSqliteStore(DB, { readonly: true });
  const app = Fastify();
  await app.register(analyticsRoutes, { store });
  t.teardown(async () => {
    await app.close();
    await store.close();
  });
  const res = await app.inject({ method: 'GET', url: '/analytics/summary?from=2026-11-01&to=2026-11-30' });
  t.equal(res.statusCode, 200);
  t.equal(res.headers['cache-control'], 'no-store');
  t.same(res.json(), EXPECTED);
  const bad = await app.inject({ method: 'GET', url: '/analytics/summary?from=yesterday' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json(), { resourceType: 'OperationOutcome', issue: [{ code: 'invalid', expression: ['from'] }] });
  const reversed = await app.inject({ method: 'GET', url: '/analytics/summary?from=2026-11-30&to=2026-11-01' });
  t.match(reversed.json(), { issue: [{ expression: ['to'] }] });
  const twice = await app.inject({ method: 'GET', url: '/analytics/summary?to=2026-11-01&to=2026-11-02' });
  t.equal(twice.statusCode, 400);
  t.match(twice.json(), { issue: [{ expression: ['to'] }] });
});

t.test('parseTimeWindow', async (t) => {
  t.same(parseTimeWindow('2026-11-01', '2026-11-30'), {
    ok: true,
    window: { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') },
  });
  t.same(parseTimeWindow('2026-11-01T08:00:00+01:00', undefined), { ok: true, window: { from: new Date('2026-11-01T07:00:00Z') } });
  t.match(parseTimeWindow('2026-02-30', undefined), { ok: false, parameter: 'from' }, 'no rolled-over dates');
  t.match(parseTimeWindow(undefined, '2026-11-01T08:00:00'), { ok: false, parameter: 'to' }, 'a date-time needs a zone');
  t.match(parseTimeWindow('2026-11-02', '2026-11-01'), { ok: false, parameter: 'to' });
});
