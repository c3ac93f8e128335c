/**
 * One contract for every Store (src/store/store.ts), run against the embedded SQLite store and against
 * real PostgreSQL (its own schema per run, dropped at the end). A new implementation joins the list of
 * `IMPLEMENTATIONS` and must pass the same assertions.
 */
import t, { type Test } from 'tap';
import { buildAuditRecord } from '../src/store/audit-record.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { applyPgMigrations, createPool, openPostgresStore } from '../src/store/postgres/pg-store.js';
import { PG_MIGRATIONS } from '../src/store/postgres/pg-migrations.js';
import { PgReplayGuard } from '../src/store/postgres/pg-replay.js';
import type { FeedbackItem, Store } from '../src/store/store.js';
import { makeAuditInput, makeCard, OVERRIDE_SYSTEM } from './fixtures/audit-fixtures.js';
import { OVERRIDE_REASONS, OVERRIDE_REASON_SYSTEM } from '../src/guideline/override-reasons.js';
import { overrideReasons } from '../src/cards/override-reasons.js';
import { TEST_DATABASE_URL, testSchema } from './fixtures/pg.js';

const IMPLEMENTATIONS: Array<{ name: string; open: (t: Test) => Promise<Store> }> = [
  { name: 'sqlite', open: async () => openSqliteStore(':memory:') },
  { name: 'postgresql', open: async (t) => openPostgresStore(TEST_DATABASE_URL, { schema: testSchema(t) }) },
];

const item = (card: string, opts: Partial<FeedbackItem> = {}): FeedbackItem => ({
  cardUuid: card,
  outcome: 'accepted',
  acceptedSuggestionIds: ['9b1c2d3e-0000-4000-8000-0000000000a1'],
  outcomeTimestamp: '2026-11-03T10:00:00.000Z',
  hasUserComment: false,
  ...opts,
});
const AT = new Date('2026-11-03T10:00:01Z');

for (const impl of IMPLEMENTATIONS) {
  t.test(`Store contract: ${impl.name}`, async (t) => {
    const open = async (t: Test): Promise<Store> => {
      const store = await impl.open(t);
      t.teardown(() => store.close());
      return store;
    };

    t.test('feedback is idempotent, unknown cards flagged, joined to decisions through the card uuid', async (t) => {
      const store = await open(t);
      const input = makeAuditInput();
      await store.recordDecisions([buildAuditRecord(input)]);
      const known = input.response.cards[0]!.uuid;
      t.same(await store.recordFeedback('svc', [item(known), item('not-shown')], AT), { stored: 2, duplicates: 0, unknownCards: 1 });
      t.same(await store.recordFeedback('svc', [item(known)], AT), { stored: 0, duplicates: 1, unknownCards: 0 }, 'same feedback again');
      t.same(
        await store.recordFeedback('svc', [item(known, { outcomeTimestamp: '2026-11-03T10:05:00.000Z' }), item(known, { outcomeTimestamp: '2026-11-03T10:05:00.000Z' })], AT),
        { stored: 1, duplicates: 1, unknownCards: 0 },
        'a repeat inside one call is a duplicate',
      );
      const s = await store.summary({});
      t.equal(s.decisions, 1);
      t.equal(s.unknownCardFeedback, 1);
      const group = s.groups.find((g) => g.cardType === 'order-warning');
      t.same(group && { shown: group.cardsShown, accepted: group.accepted }, { shown: 1, accepted: 1 });
      t.same(group?.suggestionsChosen.map((x) => x.label), ['Replace with MRI head without and with IV contrast'], 'our own label, from the audit');
    });

    t.test('one call is one transaction: a failing item leaves nothing written', async (t) => {
      const store = await open(t);
      await t.rejects(store.recordFeedback('svc', [item('a'), item('b', { outcome: 'bogus' as never })], AT));
      t.same(await store.recordFeedback('svc', [item('a')], AT), { stored: 1, duplicates: 0, unknownCards: 1 }, 'the first item was rolled back');
    });

    t.test('unknown-card quota: over it, nothing of the call is written', async (t) => {
      const store = await open(t);
      const r = await store.recordFeedback('svc', [item('u1'), item('u2')], AT, { maxUnknownCards: 1 });
      t.equal(r.overQuota, true);
      t.equal(r.stored, 0);
      t.equal((await store.summary({})).unknownCardFeedback, 0);
      t.same(await store.recordFeedback('svc', [item('u1')], AT, { maxUnknownCards: 1 }), { stored: 1, duplicates: 0, unknownCards: 1 });
    });

    t.test('override reasons keep the code; the display shown is the card’s own', async (t) => {
      const store = await open(t);
      const input = makeAuditInput({ cards: [makeCard('c-over')] });
      await store.recordDecisions([buildAuditRecord(input)]);
      await store.recordFeedback('svc', [item('c-over', { outcome: 'overridden', acceptedSuggestionIds: [], overrideReason: { system: OVERRIDE_SYSTEM, code: 'patient-preference' } })], AT);
      const s = await store.summary({});
      const g = s.groups.find((x) => x.overridden === 1);
      t.equal(g?.topOverrideReasons[0]?.code, 'patient-preference');
      t.equal(s.totals.overrideRate, 1);
    });

    t.test('compact record: our override-reason table is stored as codes, the report shows our displays', async (t) => {
      const store = await open(t);
      const card = makeCard('c-std', { overrideReasons: overrideReasons() });
      const rec = buildAuditRecord(makeAuditInput({ cards: [card] }));
      t.same(rec.cards[0]!.overrideReasons, OVERRIDE_REASONS.map((r) => r.code), 'codes only, no displays or system per card');
      t.notOk(JSON.stringify(rec).includes(OVERRIDE_REASONS[0]!.display), 'no constant text in the record');
      await store.recordDecisions([rec]);
      await store.recordFeedback('svc', [item('c-std', { outcome: 'overridden', acceptedSuggestionIds: [], overrideReason: { system: OVERRIDE_REASON_SYSTEM, code: 'action-completed' } })], AT);
      const g = (await store.summary({})).groups.find((x) => x.overridden === 1);
      t.same(g?.topOverrideReasons, [{ system: OVERRIDE_REASON_SYSTEM, code: 'action-completed', display: 'Recommended action was already completed', count: 1 }]);
    });

    t.test('summary window and retention pruning', async (t) => {
      const store = await open(t);
      const old = { ...buildAuditRecord(makeAuditInput({ hookInstance: 'old', cards: [makeCard('c-old')] })), receivedAt: '2025-01-01T00:00:00.000Z' };
      const recent = buildAuditRecord(makeAuditInput({ hookInstance: 'new', cards: [makeCard('c-new')] }));
      await store.recordDecisions([old, recent]);
      t.equal((await store.summary({})).decisions, 2);
      t.equal((await store.summary({ from: new Date('2026-01-01T00:00:00Z') })).decisions, 1, 'window by receive time');
      t.equal(await store.pruneDecisions(new Date('2026-01-01T00:00:00Z')), 1);
      t.equal((await store.summary({})).decisions, 1);
      // Cards went with their decision: feedback for the pruned card is now for an unknown card.
      t.same(await store.recordFeedback('svc', [item('c-old')], AT), { stored: 1, duplicates: 0, unknownCards: 1 });
    });

    t.test('concurrent identical feedback is stored once', async (t) => {
      const store = await open(t);
      const results = await Promise.all(Array.from({ length: 12 }, () => store.recordFeedback('svc', [item('same')], AT)));
      t.equal(results.reduce((n, r) => n + r.stored, 0), 1);
      t.equal(results.reduce((n, r) => n + r.duplicates, 0), 11);
    });

    t.test('health answers, and a closed store refuses feedback', async (t) => {
      const store = await impl.open(t);
      t.equal((await store.health()).ok, true);
      await store.close();
      await t.rejects(store.recordFeedback('svc', [item('x')], AT));
    });
  });
}

t.test('PostgreSQL: migrations run once across replicas starting together, under an advisory lock', async (t) => {
  const schema = testSchema(t);
  const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore(TEST_DATABASE_URL, { schema })));
  t.teardown(() => Promise.all(stores.map((s) => s.close())));
  const { rows } = await stores[0]!.pool.query('SELECT version FROM schema_migrations ORDER BY version');
  t.same(rows.map((r) => r.version), PG_MIGRATIONS.map((m) => m.version), 'each version recorded exactly once');
  // A database newer than the code is refused, as with SQLite.
  const pool = createPool(TEST_DATABASE_URL, { schema });
  t.teardown(() => pool.end());
  await pool.query("INSERT INTO schema_migrations VALUES (999, 'future', 'x')");
  await t.rejects(applyPgMigrations(pool, schema), /newer than this service knows/);
});

t.test('PostgreSQL replay cache: insert-if-absent with expiry, per-issuer quota, shared by two pools', async (t) => {
  const schema = testSchema(t);
  const store = await openPostgresStore(TEST_DATABASE_URL, { schema });
  t.teardown(() => store.close());
  const other = createPool(TEST_DATABASE_URL, { schema });
  t.teardown(() => other.end());
  const a = new PgReplayGuard(store.pool, { maxEntriesPerIssuer: 2 });
  const b = new PgReplayGuard(other, { maxEntriesPerIssuer: 2 });
  t.teardown(() => {
    a.close();
    b.close();
  });
  const later = Date.now() + 60_000;
  t.equal(await a.check('iss-1', 'j1', later), 'fresh');
  t.equal(await b.check('iss-1', 'j1', later), 'replayed', 'used on one replica, refused on the other');
  const raced = await Promise.all([a.check('iss-1', 'j2', later), b.check('iss-1', 'j2', later)]);
  t.same(raced.sort(), ['fresh', 'replayed'], 'a race with one token has one winner');
  await new Promise((r) => setTimeout(r, 1100)); // the per-issuer count is refreshed at most once a second
  t.equal(await a.check('iss-1', 'j3', later), 'full', 'quota of iss-1 reached');
  t.equal(await a.check('iss-1', 'j1', later), 'replayed', 'a replay is still called a replay when full');
  t.equal(await a.check('iss-2', 'j3', later), 'fresh', 'another issuer is unaffected');
  t.equal(await a.check('iss-3', 'gone', Date.now() - 1), 'fresh');
  t.equal(await b.check('iss-3', 'gone', later), 'fresh', 'an expired entry is forgotten');
});
