/**
 * Two replicas of the real service (src/server.ts, separate processes) on one PostgreSQL schema and one
 * Redis prefix, as behind a load balancer: a token used on one is refused on the other; feedback
 * acknowledged by one is in the other's report; SIGKILL of one in a feedback burst loses no acknowledged
 * item; the per-client rate limit holds across both.
 */
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { makeIssuer, signToken, staticIssuerConfig } from './fixtures/jwt.js';
import { TEST_DATABASE_URL, testSchema } from './fixtures/pg.js';

const BASE = 'https://cds.example.org';
const FEEDBACK = '/cds-services/sih-imaging-order-sign/feedback';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CLIENT_LIMIT = 20;

interface Replica {
  child: ChildProcess;
  url: string;
}

function startReplica(t: { teardown(fn: () => unknown): void }, env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`replica did not start: ${stderr}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) {
        clearTimeout(timer);
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve({ child, url: m[1]! });
      }
    });
    child.on('exit', (code) => reject(new Error(`replica exited (${code}) before listening: ${stderr}`)));
  });
}

t.test('two replicas act as one service', async (t) => {
  const issuer = await makeIssuer();
  const dir = mkdtempSync(join(tmpdir(), 'replicas-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const issuersFile = join(dir, 'issuers.json');
  writeFileSync(issuersFile, JSON.stringify([staticIssuerConfig(issuer)]));
  const schema = testSchema(t);
  const env = {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    AUTH_MODE: 'required',
    PUBLIC_BASE_URL: BASE,
    AUTH_ISSUERS_FILE: issuersFile,
    DATABASE_URL: TEST_DATABASE_URL,
    PG_SCHEMA: schema,
    REDIS_URL,
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
    RATE_LIMIT_MAX: '100000',
    RATE_LIMIT_CLIENT_MAX: String(CLIENT_LIMIT),
    ANALYTICS_ENABLED: 'true',
    SHED_EVENT_LOOP_DELAY_MS: '100000',
  };
  // One after the other would also work; together shows the migration lock at work.
  const [a, b] = await Promise.all([startReplica(t, env), startReplica(t, env)]);
  const token = (path: string, tenant: string) => signToken(issuer, { aud: `${BASE}${path}`, tenant });

  // 1. A token used on A is a replay on B.
  const once = await token('/cds-services', 'replay');
  t.equal((await fetch(`${a.url}/cds-services`, { headers: { authorization: `Bearer ${once}` } })).status, 200);
  t.equal((await fetch(`${b.url}/cds-services`, { headers: { authorization: `Bearer ${once}` } })).status, 401, 'jti used on A refused on B');

  // 2. Feedback acknowledged by A is in B's report.
  const post = async (r: Replica, body: unknown, tenant: string) =>
    fetch(`${r.url}${FEEDBACK}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await token(FEEDBACK, tenant)}` },
      body: JSON.stringify(body),
    });
  const fb = (card: string, i = 0) => ({
    feedback: [{ card, outcome: 'accepted', acceptedSuggestions: [], outcomeTimestamp: new Date(Date.UTC(2026, 10, 3, 10, 0, 0, i)).toISOString() }],
  });
  t.equal((await post(a, fb('shared-card'), 'report')).status, 200);
  const report = await fetch(`${b.url}/analytics/summary`, { headers: { authorization: `Bearer ${await token('/analytics/summary', 'report')}` } });
  t.equal(report.status, 200);
  t.equal(((await report.json()) as { unknownCardFeedback: number }).unknownCardFeedback, 1, "A's feedback in B's report");

  // 3. The per-client limit holds across both: calls alternate between A and B.
  const statuses: number[] = [];
  for (let i = 0; i < CLIENT_LIMIT + 4; i++) {
    const r = i % 2 === 0 ? a : b;
    statuses.push((await fetch(`${r.url}/cds-services`, { headers: { authorization: `Bearer ${await token('/cds-services', 'limited')}` } })).status);
  }
  t.equal(statuses.filter((s) => s === 200).length, CLIENT_LIMIT, `${CLIENT_LIMIT} answered across both replicas`);
  t.same(statuses.slice(CLIENT_LIMIT), [429, 429, 429, 429], 'then 429 on either');

  // 4. SIGKILL of A during a feedback burst on both: every acknowledged item is in the database.
  const acknowledged: string[] = [];
  let next = 0;
  let killed = false;
  const TOTAL = 240;
  const worker = async (): Promise<void> => {
    while (next < TOTAL) {
      const i = next++;
      const target = i % 2 === 0 ? a : b;
      const card = `burst-${i}`;
      try {
        // Many tenants, so the burst stays under the per-client limit.
        const res = await post(target, fb(card, i), `burst-${i % 40}`);
        await res.arrayBuffer();
        if (res.status === 200) acknowledged.push(card);
      } catch {
        // A's connections die with it.
      }
      if (!killed && acknowledged.length >= 60) {
        killed = true;
        a.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  t.ok(killed, 'A was killed mid-burst');
  t.ok(acknowledged.length > 60, `${acknowledged.length} acknowledged, B kept answering after A died`);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  t.teardown(() => client.end());
  const { rows } = await client.query<{ card_uuid: string }>(`SELECT card_uuid FROM ${schema}.feedback WHERE card_uuid LIKE 'burst-%'`);
  const stored = new Set(rows.map((r) => r.card_uuid));
  const lost = acknowledged.filter((c) => !stored.has(c));
  t.same(lost, [], 'no acknowledged item lost');
  b.child.kill('SIGTERM');
});
