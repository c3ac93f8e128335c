import t from 'tap';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildAuditRecord, cardTypeOf } from '../src/store/audit-record.js';
import { AuditWriter } from '../src/store/audit-writer.js';
import { MIGRATIONS } from '../src/store/migrations.js';
import { applyMigrations, configureConnection, idempotencyKey, openSqliteStore, StoreError } from '../src/store/sqlite-store.js';
import { readStoreConfig, DEV_AUDIT_HASH_KEY } from '../src/store/store-config.js';
import { OVERRIDE_REASON_SYSTEM } from '../src/guideline/override-reasons.js';
import type { FeedbackItem, Store } from '../src/store/store.js';
import { HASH_KEY, PATIENT_ID, SECRETS, UNDETERMINED, makeAuditInput, makeCard } from './fixtures/audit-fixtures.js';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sih-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const accepted = (card: string, ts = '2026-11-03T10:00:00.000Z'): FeedbackItem => ({
  cardUuid: card,
  outcome: 'accepted',
  acceptedSuggestionIds: ['s-1'],
  outcomeTimestamp: ts,
  hasUserComment: false,
});

t.test('opening creates the directory and file, and applies the migrations once', async (t) => {
  const path = join(tempDir(), 'nested', 'deeper', 'audit.sqlite');
  openSqliteStore(path).close();
  t.ok(existsSync(path), 'file created on first open');
  openSqliteStore(path).close();
  const db = new Database(path, { readonly: true });
  t.teardown(() => db.close());
  const rows = db.prepare('SELECT version, description FROM schema_migrations ORDER BY version').all();
  t.same(
    rows,
    MIGRATIONS.map((m) => ({ version: m.version, description: m.description })),
    'each migration recorded exactly once',
  );
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'WAL is persistent in the file');
});

t.test('connection pragmas: WAL and synchronous FULL', async (t) => {
  const db = new Database(join(tempDir(), 'p.sqlite'));
  t.teardown(() => db.close());
  configureConnection(db);
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL = 2');
  t.equal(db.pragma('foreign_keys', { simple: true }), 1);
});

t.test('migrations: applied in order, only the new ones; newer database refused', async (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  const m1 = { version: 1, description: 'a', sql: 'CREATE TABLE a (x)' };
  const m2 = { version: 2, description: 'b', sql: 'CREATE TABLE b (x)' };
  const m3 = { version: 3, description: 'c', sql: 'ALTER TABLE a ADD COLUMN y' };
  t.same(applyMigrations(db, [m1, m2]), [1, 2]);
  t.same(applyMigrations(db, [m1, m2, m3]), [3], 'only the new migration runs');
  t.same(applyMigrations(db, [m1, m2, m3]), [], 'nothing to do');
  t.throws(() => applyMigrations(db, [m1, m2]), StoreError, 'database newer than the code');
  t.throws(() => applyMigrations(new Database(':memory:'), [m2, m1]), /strictly increasing/);
  // A failing migration leaves no half-applied version behind.
  const bad = { version: 4, description: 'bad', sql: 'CREATE TABLE d (x); CREATE TABLE a (x)' };
  t.throws(() => applyMigrations(db, [m1, m2, m3, bad]));
  t.equal(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get(), 3);
  t.notOk(db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'd'").get(), 'rolled back');
});

t.test('read-only open: missing file and unmigrated file are clear errors', async (t) => {
  const dir = tempDir();
  t.throws(() => openSqliteStore(join(dir, 'missing.sqlite'), { readonly: true }), /database file not found/);
  t.notOk(existsSync(join(dir, 'missing.sqlite')), 'read-only open creates nothing');
  new Database(join(dir, 'empty.sqlite')).close();
  t.throws(() => openSqliteStore(join(dir, 'empty.sqlite'), { readonly: true }), /not a feedback database/);
});

t.test('buildAuditRecord keeps the decision and drops patient data', async (t) => {
  const rec = buildAuditRecord(makeAuditInput());
  t.equal(rec.patientHash, createHmac('sha256', HASH_KEY).update(PATIENT_ID).digest('hex'), 'HMAC-SHA256(key, id)');
  t.not(rec.patientHash, createHmac('sha256', 'another-key').update(PATIENT_ID).digest('hex'), 'keyed');
  t.same(rec.variant, { status: 'determined', number: 1 });
  t.same(rec.evidence, [
    {
      fact: 'orthostatic-headache',
      resourceType: 'Condition',
      id: createHmac('sha256', HASH_KEY).update('Condition/cond-ortho-1').digest('hex'),
      textMatch: true,
    },
    {
      fact: 'patient-sex',
      resourceType: 'Patient',
      id: rec.patientHash,
      system: 'http://hl7.org/fhir/administrative-gender',
      code: 'female',
    },
  ], 'no display, no date; resource ids keyed-hashed, the Patient id as the patient hash');
  t.same(rec.orders, [
    { recognition: 'procedure', procedure: 'ct-head-wo', outcome: 'rated', category: 'Usually Not Appropriate', rating: 2 },
  ]);
  t.same(rec.cards, [
    {
      uuid: '9b1c2d3e-0000-4000-8000-00000000000a',
      cardType: 'order-warning',
      indicator: 'warning',
      suggestions: [{ uuid: '9b1c2d3e-0000-4000-8000-0000000000a1', label: 'Replace with MRI head without and with IV contrast' }],
      overrideReasons: [
        { system: 'https://example.org/sih-cds/override-reason', code: 'patient-preference', display: 'Patient preference' },
        { system: 'https://example.org/sih-cds/override-reason', code: 'already-done', display: 'Already performed elsewhere' },
      ],
    },
  ]);
  t.same(rec.gaps, [{ resourceType: 'ImagingStudy', reason: 'timeout', detail: 'no answer in 2000 ms' }], 'record and decision gaps merged once');
  t.same(rec.prefetched, ['Condition'], 'prefetched types listed, without a timing row each');
  t.same(rec.timings.map((x) => x.resourceType), ['ImagingStudy'], 'the FHIR read keeps its timing');
  t.equal(rec.latencyMs, 12.5);
  t.equal(rec.hookInstance, 'd1577c69-dfbe-44ad-ba6d-3e05e953b2ea');
  t.same(
    Object.keys(rec).sort(),
    ['cards', 'evidence', 'gaps', 'hashKeyId', 'hook', 'hookInstance', 'latencyMs', 'nextSteps', 'orders', 'patientHash', 'pitfalls', 'prefetched', 'receivedAt', 'serviceId', 'timings', 'variant', 'version'],
    'no other field (no prefetch, context, draft orders or token)',
  );
  const json = JSON.stringify(rec);
  for (const [what, secret] of Object.entries(SECRETS)) t.notOk(json.includes(secret), `no ${what} in the record`);
});

t.test('cardTypeOf: declared topic wins; otherwise derived from the decision', async (t) => {
  const base = makeAuditInput().decision;
  t.equal(cardTypeOf(makeCard('a', { source: { label: 'x', topic: { system: 's', code: 'data-gap' } } }), base), 'data-gap');
  t.equal(cardTypeOf(makeCard('a', { source: { label: 'x', topic: { system: 's', code: 'nonsense' } } }), base), 'order-warning', 'unknown topic codes are ignored');
  t.equal(cardTypeOf(makeCard('a', { indicator: 'critical' }), base), 'order-warning');
  t.equal(cardTypeOf(makeCard('a', { indicator: 'info' }), base), 'order-info');
  t.equal(cardTypeOf(makeCard('a'), { ...base, variant: UNDETERMINED }), 'undetermined');
  t.equal(cardTypeOf(makeCard('a'), { ...base, variant: { status: 'not-applicable', evidence: [] } }), 'not-applicable');
  const pv = { ...base, hook: 'patient-view' as const, orders: [] };
  t.equal(cardTypeOf(makeCard('a', { indicator: 'info' }), pv), 'info');
  t.equal(
    cardTypeOf(makeCard('a', { indicator: 'info' }), { ...pv, nextSteps: [{ kind: 'order-imaging', variant: 1, procedures: ['mri-head-wo-w'], selection: 'all' }] }),
    'next-step',
  );
  const undeterminedRec = buildAuditRecord(makeAuditInput({ variant: UNDETERMINED }));
  t.same(undeterminedRec.variant, { status: 'undetermined', candidates: [1, 2] });
});

t.test('the database file holds no patient name, identifier, free text or token', async (t) => {
  const dir = tempDir();
  const path = join(dir, 'audit.sqlite');
  const store = openSqliteStore(path);
  const input = makeAuditInput();
  await store.recordDecisions([buildAuditRecord(input)]);
  const card = input.response.cards[0]!.uuid;
  await store.recordFeedback('sih-imaging-order-sign', [
    {
      cardUuid: card,
      outcome: 'overridden',
      acceptedSuggestionIds: [],
      outcomeTimestamp: '2026-11-03T10:00:00.000Z',
      overrideReason: { system: 'https://example.org/sih-cds/override-reason', code: 'patient-preference' },
      hasUserComment: true,
    },
  ], new Date('2026-11-03T10:00:01Z'));
  await store.close();
  // Every file SQLite left in the directory (the main file; WAL/SHM if any survived the close).
  const bytes = Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f))));
  for (const [what, secret] of Object.entries(SECRETS)) {
    t.equal(bytes.indexOf(Buffer.from(secret, 'utf8')), -1, `${what} not in the database`);
  }
  // The search works: things that should be there are found.
  t.not(bytes.indexOf(Buffer.from(card, 'utf8')), -1, 'card uuid is stored');
  const hash = createHmac('sha256', HASH_KEY).update(PATIENT_ID).digest('hex');
  t.not(bytes.indexOf(Buffer.from(hash, 'utf8')), -1, 'the hashed patient id is stored');
});

t.test('feedback: idempotent on its key, unknown cards flagged, joined through the card uuid', async (t) => {
  const store = openSqliteStore(':memory:');
  t.teardown(() => store.close());
  const input = makeAuditInput();
  await store.recordDecisions([buildAuditRecord(input)]);
  const known = input.response.cards[0]!.uuid;
  const at = new Date('2026-11-03T10:00:00Z');

  t.same(await store.recordFeedback('svc', [accepted(known), accepted('not-a-card-we-showed')], at), { stored: 2, duplicates: 0, unknownCards: 1 });
  t.same(await store.recordFeedback('svc', [accepted(known)], at), { stored: 0, duplicates: 1, unknownCards: 0 }, 'same feedback again');
  t.same(
    await store.recordFeedback('svc', [accepted(known, '2026-11-03T10:05:00.000Z'), accepted(known, '2026-11-03T10:05:00.000Z')], at),
    { stored: 1, duplicates: 1, unknownCards: 0 },
    'a later report is new; a repeat inside one POST is not',
  );
  const s = await store.summary({});
  t.equal(s.decisions, 1);
  t.equal(s.unknownCardFeedback, 1);
  const group = s.groups.find((g) => g.cardType === 'order-warning');
  t.same(group && { shown: group.cardsShown, accepted: group.accepted }, { shown: 1, accepted: 1 }, 'counted once per card');
});

t.test('report over a database holding version-1 and version-2 audit rows: labels and displays of both', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sih-mixed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'mixed.sqlite');
  const store = openSqliteStore(path);
  t.teardown(() => store.close());
  // Version 2, as written today: labels in the record JSON, our override reasons as codes.
  const v2card = makeCard('c-v2', {
    overrideReasons: [{ system: OVERRIDE_REASON_SYSTEM, code: 'action-completed', display: 'Recommended action was already completed' }],
    suggestions: [{ uuid: 's-1', label: 'Order DSM instead' }],
  });
  await store.recordDecisions([buildAuditRecord(makeAuditInput({ hookInstance: 'v2', cards: [v2card] }))]);
  // Version 1, as an earlier release wrote it: whole codings per card and a row per suggestion.
  const raw = new Database(path);
  const id = raw
    .prepare(`INSERT INTO decisions (received_at, service_id, hook, hook_instance, patient_hash, variant_status, variant_number, variant_key, latency_ms, record_json)
              VALUES (?, 'svc', 'order-select', 'v1', 'h', 'determined', 5, 'V5', 1, '{"version":1}')`)
    .run(new Date().toISOString()).lastInsertRowid;
  raw.prepare('INSERT INTO decision_cards VALUES (?, ?, ?, ?, ?)').run(id, 'c-v1', 'order-warning', 'warning', JSON.stringify([{ system: 'urn:x', code: 'old', display: 'Old display' }]));
  raw.prepare('INSERT INTO card_suggestions VALUES (?, ?, ?, ?)').run(id, 'c-v1', 's-1', 'Order CT myelography instead');
  raw.close();
  const at = new Date('2026-11-03T10:00:00Z');
  await store.recordFeedback('svc', [accepted('c-v1'), accepted('c-v2')], at);
  await store.recordFeedback('svc', [{ ...accepted('c-v1', '2026-11-03T11:00:00.000Z'), outcome: 'overridden', acceptedSuggestionIds: [], overrideReason: { system: 'urn:x', code: 'old' } }], at);
  await store.recordFeedback('svc', [{ ...accepted('c-v2', '2026-11-03T11:00:00.000Z'), outcome: 'overridden', acceptedSuggestionIds: [], overrideReason: { system: OVERRIDE_REASON_SYSTEM, code: 'action-completed' } }], at);
  const overridden = (await store.summary({})).groups.flatMap((g) => g.topOverrideReasons).map((r) => r.display).sort();
  t.same(overridden, ['Old display', 'Recommended action was already completed'], 'v1 display from the row, v2 from our table');
  await store.recordFeedback('svc', [accepted('c-v1', '2026-11-03T12:00:00.000Z'), accepted('c-v2', '2026-11-03T12:00:00.000Z')], at);
  const labels = (await store.summary({})).groups.flatMap((g) => g.suggestionsChosen).map((x) => x.label).sort();
  t.same(labels, ['Order CT myelography instead', 'Order DSM instead'], 'v1 label from its row, v2 from the record');
});

t.test('idempotencyKey ignores suggestion order but not the reason', async (t) => {
  const a: FeedbackItem = { ...accepted('c'), acceptedSuggestionIds: ['x', 'y'] };
  t.equal(idempotencyKey(a), idempotencyKey({ ...a, acceptedSuggestionIds: ['y', 'x'] }));
  const o: FeedbackItem = { ...accepted('c'), outcome: 'overridden', acceptedSuggestionIds: [], overrideReason: { system: 's', code: 'a' } };
  t.not(idempotencyKey(o), idempotencyKey({ ...o, overrideReason: { system: 's', code: 'b' } }));
  t.not(idempotencyKey(o), idempotencyKey({ ...o, outcomeTimestamp: '2026-11-03T10:00:00.001Z' }));
});

t.test('AuditWriter: never throws, batches, logs only hookInstance and message, counts failures', async (t) => {
  const logged: Array<{ obj: object; msg: string }> = [];
  const log = { error: (obj: object, msg: string) => logged.push({ obj, msg }) };
  const failing = {
    recordDecisions: () => {
      throw new Error('SQLITE_FULL: database or disk is full');
    },
  } as unknown as Store;
  const w = new AuditWriter(failing, HASH_KEY, log, { batchMs: 0 });
  const { hashKey: _k, ...call } = makeAuditInput({ hookInstance: 'hi-1' });
  t.doesNotThrow(() => w.record(call));
  t.equal(w.failures, 0, 'the write happens later, not inside the hook call');
  await new Promise((r) => setImmediate(r));
  t.equal(w.failures, 1);
  t.same(logged, [{ obj: { hookInstances: ['hi-1'], err: 'SQLITE_FULL: database or disk is full' }, msg: 'decision audit write failed' }]);

  // A record that cannot even be built is a failure too, not an exception.
  t.doesNotThrow(() => w.record({ ...call, decision: undefined as never }));
  t.equal(w.failures, 2);

  const store = openSqliteStore(':memory:');
  t.teardown(() => store.close());
  const batches: number[] = [];
  const spy = { ...store, recordDecisions: (recs: readonly unknown[]) => { batches.push(recs.length); return store.recordDecisions(recs as never); } } as Store;
  // The default waits a little so that calls answered close together share one transaction.
  const ok = new AuditWriter(spy, HASH_KEY, log, { batchMs: 15 });
  ok.record(call);
  await new Promise((r) => setImmediate(r));
  ok.record({ ...call, request: { ...call.request, hookInstance: 'hi-2' }, response: { cards: [makeCard('c-2')] } });
  ok.record({ ...call, request: { ...call.request, hookInstance: 'hi-3' }, response: { cards: [makeCard('c-3')] } });
  t.same(batches, [], 'nothing written on the next tick yet');
  await new Promise((r) => setTimeout(r, 40));
  t.same(batches, [3], 'one transaction for the three, across ticks');
  t.equal((await store.summary({})).decisions, 3);
  t.same(ok.stats, { written: 3, failed: 0, dropped: 0, queued: 0 });

  const small = new AuditWriter(spy, HASH_KEY, log, { maxQueue: 1 });
  small.record(call);
  small.record(call);
  t.equal(small.stats.dropped, 1, 'bounded queue');
  await small.flush();
  t.equal(small.stats.written, 1);
});

t.test('readStoreConfig', async (t) => {
  t.throws(() => readStoreConfig({ NODE_ENV: 'production' }), /AUDIT_HASH_KEY: required in production/);
  t.throws(() => readStoreConfig({ NODE_ENV: 'production', AUDIT_HASH_KEY: 'short' }), /at least 32/);
  const dev = readStoreConfig({});
  t.equal(dev.hashKey, DEV_AUDIT_HASH_KEY);
  t.match(dev.warnings[0], /AUDIT_HASH_KEY is not set/);
  t.equal(dev.dbPath, './data/sih-cds.sqlite');
  t.equal(dev.analyticsEnabled, false);
  const prod = readStoreConfig({ NODE_ENV: 'production', AUDIT_HASH_KEY: 'k'.repeat(40), DB_PATH: '/var/lib/x.sqlite', ANALYTICS_ENABLED: 'true' });
  t.same(prod, {
    dbPath: '/var/lib/x.sqlite',
    hashKey: 'k'.repeat(40),
    analyticsEnabled: true,
    retentionDays: 400,
    minFreeBytes: 16 * 1024 * 1024,
    warnings: [],
  });
  t.equal(readStoreConfig({ AUDIT_RETENTION_DAYS: '30', STORE_MIN_FREE_MB: '0' }).retentionDays, 30);
  t.equal(readStoreConfig({ STORE_MIN_FREE_MB: '0' }).minFreeBytes, 0);
  t.throws(() => readStoreConfig({ AUDIT_RETENTION_DAYS: '0' }), /AUDIT_RETENTION_DAYS/);
  t.throws(() => readStoreConfig({ AUDIT_RETENTION_DAYS: 'forever' }), /AUDIT_RETENTION_DAYS/);
  t.throws(() => readStoreConfig({ ANALYTICS_ENABLED: 'maybe' }), /ANALYTICS_ENABLED/);
  t.equal(readStoreConfig({ AUDIT_HASH_KEY_ID: '2026-q4' }).hashKeyId, '2026-q4');
  t.throws(() => readStoreConfig({ AUDIT_HASH_KEY_ID: 'two words' }), /AUDIT_HASH_KEY_ID/);
});

t.test('audit key id: each record names the key that hashed it; a rotation is told apart', async (t) => {
  const oldKey = 'old-audit-key-0123456789abcdef-0123456789';
  const newKey = 'new-audit-key-0123456789abcdef-0123456789';
  const a = buildAuditRecord({ ...makeAuditInput(), hashKey: oldKey });
  const b = buildAuditRecord({ ...makeAuditInput(), hashKey: newKey });
  t.match(a.hashKeyId, /^fp-[0-9a-f]{12}$/, 'a fingerprint when the operator names none');
  t.not(a.hashKeyId, b.hashKeyId, 'two keys, two ids');
  t.equal(buildAuditRecord({ ...makeAuditInput(), hashKey: oldKey }).hashKeyId, a.hashKeyId, 'stable for one key');
  t.notOk(JSON.stringify(a).includes(oldKey), 'the key itself is never stored');
  t.equal(buildAuditRecord({ ...makeAuditInput(), hashKey: newKey, hashKeyId: '2026-q4' }).hashKeyId, '2026-q4');
  const spy = { recordDecisions: async (recs: readonly { hashKeyId: string }[]) => void seen.push(...recs.map((r) => r.hashKeyId)) };
  const seen: string[] = [];
  const w = new AuditWriter(spy as unknown as Store, newKey, { error: () => undefined }, { batchMs: 0, hashKeyId: '2026-q4' });
  const { hashKey: _k, ...call } = makeAuditInput();
  w.record(call);
  await w.flush();
  t.same(seen, ['2026-q4'], 'the writer stamps the configured id');
});
