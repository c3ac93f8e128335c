import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import Database from 'better-sqlite3';
import { feedbackRoutes } from '../src/protocol/feedback.js';
import { buildAuditRecord } from '../src/store/audit-record.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { OVERRIDE_SYSTEM, makeAuditInput } from './fixtures/audit-fixtures.js';

const SERVICE = 'sih-imaging-order-sign';
const CARD = '9b1c2d3e-0000-4000-8000-00000000000a';
const SUGGESTION = '9b1c2d3e-0000-4000-8000-0000000000a1';
const COMMENT = 'Mrs Quillfeather refused: MRI at St Elsewhere last week';

interface Served {
  url: string;
  store: Store;
  path: string;
  dir: string;
  app: FastifyInstance;
}

async function serve(t: Test, store?: Store): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'sih-feedback-'));
  const path = join(dir, 'audit.sqlite');
  const s = store ?? openSqliteStore(path);
  const app = Fastify();
  await app.register(feedbackRoutes, { store: s, serviceIds: [SERVICE, 'sih-imaging-patient-view'] });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(async () => {
    await app.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { url: address, store: s, path, dir, app };
}

async function post(url: string, body: unknown, raw?: string): Promise<{ status: number; type: string; json: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', json: await res.json() };
}

function rows(path: string): Array<Record<string, unknown>> {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT * FROM feedback ORDER BY id').all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

/** What the CDS Hooks 2.0.1 spec shows: display on the reason, a user comment. */
const specShape = {
  feedback: [
    { card: CARD, outcome: 'accepted', acceptedSuggestions: [{ id: SUGGESTION }], outcomeTimestamp: '2026-11-03T10:00:00Z' },
    {
      card: CARD,
      outcome: 'overridden',
      overrideReason: {
        reason: { code: 'patient-preference', system: OVERRIDE_SYSTEM, display: 'Patient preference' },
        userComment: COMMENT,
      },
      outcomeTimestamp: '2026-11-03T10:01:00Z',
    },
  ],
};

/** What the reference sandbox sends: milliseconds, reason without display, no comment. */
const sandboxShape = {
  feedback: [
    {
      card: CARD,
      outcome: 'overridden',
      overrideReason: { reason: { code: 'already-done', system: OVERRIDE_SYSTEM } },
      outcomeTimestamp: '2026-11-03T10:02:03.456Z',
    },
  ],
};

t.test('spec-shaped feedback round trip over HTTP; the comment is not stored', async (t) => {
  const s = await serve(t);
  await s.store.recordDecisions([buildAuditRecord(makeAuditInput())]);
  const res = await post(`${s.url}/cds-services/${SERVICE}/feedback`, specShape);
  t.equal(res.status, 200);
  t.same(res.json, {});
  const stored = rows(s.path);
  t.equal(stored.length, 2);
  t.match(stored[0], {
    service_id: SERVICE,
    card_uuid: CARD,
    outcome: 'accepted',
    accepted_suggestions_json: JSON.stringify([SUGGESTION]),
    outcome_timestamp: '2026-11-03T10:00:00.000Z',
    reason_code: null,
    unknown_card: 0,
    has_user_comment: 0,
  });
  t.match(stored[1], {
    outcome: 'overridden',
    reason_system: OVERRIDE_SYSTEM,
    reason_code: 'patient-preference',
    reason_display: null, // the client's display is free text: not kept (issue 12)
    has_user_comment: 1,
    accepted_suggestions_json: '[]',
  });
  await s.store.close();
  const bytes = Buffer.concat(readdirSync(s.dir).map((f) => readFileSync(join(s.dir, f))));
  t.equal(bytes.indexOf(Buffer.from('Quillfeather')), -1, 'userComment text is nowhere in the database');
});

t.test('reference-client feedback is stored and counted in the summary', async (t) => {
  const s = await serve(t);
  await s.store.recordDecisions([buildAuditRecord(makeAuditInput())]);
  const res = await post(`${s.url}/cds-services/${SERVICE}/feedback`, sandboxShape);
  t.equal(res.status, 200);
  t.match(rows(s.path), [{ reason_code: 'already-done', reason_display: null, has_user_comment: 0, outcome_timestamp: '2026-11-03T10:02:03.456Z' }]);
  const group = (await s.store.summary({})).groups.find((g) => g.cardType === 'order-warning' && g.variant === 'V1');
  t.match(group, {
    cardsShown: 1,
    overridden: 1,
    overrideRate: 1,
    topOverrideReasons: [{ code: 'already-done', display: 'Already performed elsewhere', count: 1 }],
  }, 'display filled from the reasons the card offered');
});

t.test('idempotent: the same feedback twice, or written differently, is stored once', async (t) => {
  const s = await serve(t);
  const url = `${s.url}/cds-services/${SERVICE}/feedback`;
  t.equal((await post(url, sandboxShape)).status, 200);
  t.equal((await post(url, sandboxShape)).status, 200, 'a repeat still answers 200');
  const sameInstantOtherZone = {
    feedback: [{ ...sandboxShape.feedback[0], outcomeTimestamp: '2026-11-03T11:02:03.456+01:00' }],
  };
  t.equal((await post(url, sameInstantOtherZone)).status, 200);
  const twoSuggestions = (ids: string[]) => ({
    feedback: [{ card: CARD, outcome: 'accepted', acceptedSuggestions: ids.map((id) => ({ id })), outcomeTimestamp: '2026-11-03T10:00:00.000Z' }],
  });
  t.equal((await post(url, twoSuggestions(['a', 'b']))).status, 200);
  t.equal((await post(url, twoSuggestions(['b', 'a']))).status, 200);
  t.equal(rows(s.path).length, 2, 'one override and one acceptance');
});

t.test('an unknown card uuid is stored and flagged, not refused', async (t) => {
  const s = await serve(t);
  const res = await post(`${s.url}/cds-services/${SERVICE}/feedback`, {
    feedback: [{ card: 'card-from-before-the-store-existed', outcome: 'accepted', acceptedSuggestions: [], outcomeTimestamp: '2026-11-03T10:00:00Z' }],
  });
  t.equal(res.status, 200);
  t.match(rows(s.path), [{ card_uuid: 'card-from-before-the-store-existed', unknown_card: 1 }]);
});

t.test('a bad item: 400 OperationOutcome naming item and field; nothing of the POST stored', async (t) => {
  const s = await serve(t);
  const url = `${s.url}/cds-services/${SERVICE}/feedback`;
  const ok = sandboxShape.feedback[0];
  const res = await post(url, {
    feedback: [ok, { ...ok, card: 'other' }, { ...ok, card: 'third', outcome: 'ignored' }, { card: 'fourth', outcome: 'accepted' }],
  });
  t.equal(res.status, 400);
  t.match(res.type, /application\/fhir\+json/);
  t.equal(res.json.resourceType, 'OperationOutcome');
  t.same(
    res.json.issue.map((i: { expression: string[] }) => i.expression[0]),
    ['feedback[2].outcome', 'feedback[3].outcomeTimestamp'],
  );
  t.match(res.json.issue[0], { severity: 'error', code: 'invalid', diagnostics: /^feedback\[2\]\.outcome: / });
  t.equal(rows(s.path).length, 0, 'valid items of a refused POST are not stored either');

  const bad = await post(url, { feedback: [{ ...ok, outcomeTimestamp: '3 Nov 2026' }] });
  t.same(bad.json.issue[0].expression, ['feedback[0].outcomeTimestamp']);
  const noArray = await post(url, { cards: [] });
  t.equal(noArray.status, 400);
  t.same(noArray.json.issue[0].expression, ['feedback']);
  const reasonWithoutCode = await post(url, { feedback: [{ ...ok, overrideReason: { reason: { system: OVERRIDE_SYSTEM } } }] });
  t.same(reasonWithoutCode.json.issue[0].expression, ['feedback[0].overrideReason.reason.code']);
});

t.test('unparseable JSON and unknown services answer OperationOutcome', async (t) => {
  const s = await serve(t);
  const broken = await post(`${s.url}/cds-services/${SERVICE}/feedback`, undefined, '{"feedback": [');
  t.equal(broken.status, 400);
  t.equal(broken.json.resourceType, 'OperationOutcome');
  t.equal(broken.json.issue[0].code, 'invalid');
  const unknown = await post(`${s.url}/cds-services/no-such-service/feedback`, sandboxShape);
  t.equal(unknown.status, 404);
  t.match(unknown.json, { resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
  t.equal(rows(s.path).length, 0);
});

t.test('a failed write is not answered 200', async (t) => {
  const broken = {
    recordFeedback: () => {
      throw new Error('SQLITE_IOERR: disk I/O error');
    },
    health: async () => ({ ok: true, checkedAt: new Date().toISOString() }),
    close: () => undefined,
  } as unknown as Store;
  const s = await serve(t, broken);
  const res = await post(`${s.url}/cds-services/${SERVICE}/feedback`, sandboxShape);
  t.equal(res.status, 503, 'storage failure is 503 (retry), not 500 (issue 12)');
  t.match(res.json, { resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
  t.notMatch(JSON.stringify(res.json), /SQLITE/, 'no internals in the answer');
});
