/**
 * Rate limits: per address BEFORE authentication (a token-less or forged-token flood gets 429, not an
 * endless stream of 401s, each costing a signature check), per authenticated issuer/tenant after it,
 * X-Forwarded-For believed only when TRUST_PROXY says so, and counters shared through real Redis.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startService, type RunningService } from './fixtures/service.js';
import { makeIssuer, signToken, staticIssuerConfig, type TestIssuer } from './fixtures/jwt.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function authEnv(issuer: TestIssuer, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(tmpdir(), 'rl-'));
  const file = join(dir, 'issuers.json');
  writeFileSync(file, JSON.stringify([staticIssuerConfig(issuer)]));
  return { AUTH_MODE: 'required', PUBLIC_BASE_URL: 'https://cds.example.org', AUTH_ISSUERS_FILE: file, LOG_LEVEL: 'warn', ...extra };
}

async function get(svc: RunningService, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${svc.url}${path}`, { headers });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

t.test('before authentication: token-less requests are limited per address, probes never', async (t) => {
  const issuer = await makeIssuer();
  const svc = await startService(t, await authEnv(issuer, { RATE_LIMIT_MAX: '5' }));
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) statuses.push((await get(svc, '/cds-services')).status);
  t.same(statuses, [401, 401, 401, 401, 401, 429, 429, 429], 'the 6th token-less request is refused with 429');
  const limited = await get(svc, '/cds-services');
  t.equal(limited.status, 429);
  t.ok(Number(limited.headers.get('retry-after')) >= 1, 'Retry-After in seconds');
  t.equal(JSON.parse(limited.body).resourceType, 'OperationOutcome');
  t.equal(JSON.parse(limited.body).issue[0].code, 'throttled');
  t.equal((await get(svc, '/healthz')).status, 200, 'probes are exempt');
  // A forged token gets 429 too: the limit runs before the signature check.
  const forger = await makeIssuer('ES384', { iss: issuer.iss, kid: issuer.kid });
  const forged = await signToken(forger, { aud: `${svc.config.auth.publicBaseUrl}/cds-services` });
  t.equal((await get(svc, '/cds-services', { authorization: `Bearer ${forged}` })).status, 429);
  t.ok(svc.logs.some((l) => l.includes('"rateLimit":"address"')), 'logged with its kind');
});

t.test('X-Forwarded-For is believed only with TRUST_PROXY', async (t) => {
  for (const trust of ['false', 'true']) {
    const svc = await startService(t, { RATE_LIMIT_MAX: '2', TRUST_PROXY: trust, LOG_LEVEL: 'warn' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await get(svc, '/cds-services', { 'x-forwarded-for': `10.0.0.${i + 1}` })).status);
    }
    if (trust === 'true') t.same(statuses, [200, 200, 200, 200], 'trusted proxy: four callers, four budgets');
    else t.same(statuses, [200, 200, 429, 429], 'untrusted header: one peer, one budget (spoofing buys nothing)');
  }
});

t.test('after authentication: one budget per issuer + tenant, whatever the address', async (t) => {
  const issuer = await makeIssuer();
  const svc = await startService(t, await authEnv(issuer, { RATE_LIMIT_MAX: '1000', RATE_LIMIT_CLIENT_MAX: '3' }));
  const aud = `${svc.config.auth.publicBaseUrl}/cds-services`;
  const call = async (tenant: string) =>
    (await get(svc, '/cds-services', { authorization: `Bearer ${await signToken(issuer, { aud, tenant })}` })).status;
  const a: number[] = [];
  for (let i = 0; i < 5; i++) a.push(await call('hospital-a'));
  t.same(a, [200, 200, 200, 429, 429], 'tenant A limited after 3');
  t.equal(await call('hospital-b'), 200, 'tenant B of the same issuer has its own budget');
  t.ok(svc.logs.some((l) => l.includes('"rateLimit":"client"')));
});

t.test('shared through Redis: two instances, one budget', async (t) => {
  const prefix = `test-${randomUUID()}:`;
  const env = { RATE_LIMIT_MAX: '4', REDIS_URL, REDIS_KEY_PREFIX: prefix, LOG_LEVEL: 'warn' };
  const a = await startService(t, env);
  const b = await startService(t, env);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await get(i % 2 === 0 ? a : b, '/cds-services')).status);
  t.same(statuses, [200, 200, 200, 200, 429, 429], 'the 5th call is refused although each instance saw only 2 or 3');
});

t.test('Redis unreachable: requests go on unlimited, and it is logged', async (t) => {
  const svc = await startService(t, { RATE_LIMIT_MAX: '1', REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'warn' });
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await get(svc, '/cds-services')).status);
  t.same(statuses, [200, 200, 200]);
  t.ok(svc.logs.some((l) => l.includes('rate-limit store (Redis) unavailable')));
});
