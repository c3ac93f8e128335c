import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import t from 'tap';
import {
  clientAuthConfigSchema,
  describeAuth,
  loadIssuersFile,
  registerClientAuth,
  type ClientAuthConfig,
} from '../src/security/client-auth.js';
import { ReplayCache } from '../src/security/replay-cache.js';
import { startJwksServer, JWKS_PATH } from './fixtures/jwks-server.js';
import { hmacToken, makeIssuer, signToken, staticIssuerConfig, unsignedToken, type TestIssuer } from './fixtures/jwt.js';

const BASE = 'https://cds.example.org';
const SERVICE = '/cds-services/x';
const FEEDBACK = '/cds-services/x/feedback';
const DISCOVERY = '/cds-services';

/** Fastify with a pino logger whose JSON lines are captured in `logs`. */
function makeFastify(logs: string[]) {
  return Fastify({ loggerInstance: pino({ level: 'info' }, { write: (line: string) => void logs.push(line) }) });
}
type App = ReturnType<typeof makeFastify>;

interface TestApp {
  app: App;
  logs: string[];
}

async function buildApp(t: { teardown(fn: () => unknown): void }, cfg: ClientAuthConfig): Promise<TestApp> {
  const logs: string[] = [];
  const app = makeFastify(logs);
  registerClientAuth(app, cfg);
  const echo = async (request: { cdsClient: unknown }) => ({ ok: true, client: request.cdsClient });
  app.get(DISCOVERY, echo);
  app.post(SERVICE, echo);
  app.post(FEEDBACK, echo);
  app.get('/analytics/summary', echo);
  app.get('/healthz', echo);
  // Stands in for @fastify/cors's preflight handler.
  app.options(SERVICE, async (_req, reply) => reply.code(204).send());
  await app.ready();
  t.teardown(() => app.close());
  return { app, logs };
}

function config(issuers: ClientAuthConfig['issuers'], extra: Partial<ClientAuthConfig> = {}): ClientAuthConfig {
  return { mode: 'required', publicBaseUrl: BASE, issuers, ...extra };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

async function call(app: App, url: string, token?: string, method: 'GET' | 'POST' = 'POST') {
  return app.inject({
    method,
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(method === 'POST' ? { payload: {} } : {}),
  });
}

/** Parsed warn-level auth failure records. */
function authFailures(logs: string[]): Array<Record<string, unknown>> {
  return logs
    .map((l) => JSON.parse(l) as { level: number; msg: string; auth?: Record<string, unknown> })
    .filter((l) => l.msg === 'client authentication failed' && l.level === 40)
    .map((l) => l.auth ?? {});
}

let es384: TestIssuer;
t.before(async () => {
  es384 = await makeIssuer('ES384', { iss: 'https://ehr.test.example' });
});

t.test('a correct ES384 token for the service URL is accepted and identifies the client', async (t) => {
  const { app } = await buildApp(t, config([staticIssuerConfig(es384)]));
  const token = await signToken(es384, { aud: BASE + SERVICE, jti: 'jti-ok-1' });
  const res = await call(app, SERVICE, token);
  t.equal(res.statusCode, 200);
  t.match(res.json(), { client: { iss: es384.iss, kid: es384.kid, jti: 'jti-ok-1', keySource: 'static' } });
});

t.test('refusals answer a bare 401 OperationOutcome with WWW-Authenticate: Bearer', async (t) => {
  const { app, logs } = await buildApp(t, config([staticIssuerConfig(es384)]));
  const res = await call(app, SERVICE);
  t.equal(res.statusCode, 401);
  t.equal(res.headers['www-authenticate'], 'Bearer');
  t.match(res.headers['content-type'], /^application\/fhir\+json/);
  t.same(res.json(), {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'login', diagnostics: 'Unauthorized' }],
  });
  t.same(authFailures(logs), [{ reason: 'no bearer token' }]);
});

t.test('each invalid token is refused with 401, and the log says why', async (t) => {
  const other = await makeIssuer('ES384', { iss: 'https://stranger.example' });
  const { app, logs } = await buildApp(t, config([staticIssuerConfig(es384)]));
  const now = nowSeconds();
  const aud = BASE + SERVICE;
  const cases: Array<[string, string | Promise<string>, RegExp]> = [
    ['non-bearer scheme', 'ignored', /no bearer token/],
    ['malformed token', 'not-a-jwt', /malformed/],
    ['three parts, not JSON', 'abc.def.ghi', /malformed/],
    ['wrong aud', signToken(es384, { aud: BASE + '/cds-services/y' }), /claim "aud"/],
    ['aud on another host', signToken(es384, { aud: 'https://evil.example' + SERVICE }), /claim "aud"/],
    ['expired beyond skew', signToken(es384, { aud, iat: now - 600, exp: now - 120 }), /claim "exp"/],
    ['iat in the future beyond skew', signToken(es384, { aud, iat: now + 120, exp: now + 400 }), /claim "iat"/],
    ['alg none', unsignedToken({ kid: es384.kid, typ: 'JWT' }, { iss: es384.iss, aud, iat: now, exp: now + 300, jti: 'n1' }), /alg "none" is not allowed/],
    ['HS256 keyed with the public JWK', hmacToken(JSON.stringify(es384.publicJwk), { kid: es384.kid }, { iss: es384.iss, aud, iat: now, exp: now + 300, jti: 'h1' }), /alg "HS256" is not allowed/],
    ['unknown issuer', signToken(other, { aud }), /issuer not trusted/],
    ['trusted iss but signed by another key with the same kid', signToken({ ...other, iss: es384.iss, kid: es384.kid }, { aud }), /signature verification failed/],
    ['kid not in the key set', signToken(es384, { aud }, { kid: 'no-such-kid' }), /no applicable key/i],
    ['missing kid', signToken(es384, { aud }, { kid: undefined }), /kid is missing/],
    ['missing typ', signToken(es384, { aud }, { typ: undefined }), /typ is not JWT/],
    ['wrong typ', signToken(es384, { aud }, { typ: 'at+jwt' }), /typ is not JWT/],
    ['missing jti', signToken(es384, { aud, jti: undefined }), /claim "jti"/],
    ['missing iat', signToken(es384, { aud, iat: undefined }), /claim "iat"/],
    ['lifetime longer than allowed', signToken(es384, { aud, iat: now, exp: now + 7200 }), /lifetime 7200s exceeds 3600s/],
  ];
  for (const [name, tokenOrPromise, reason] of cases) {
    const token = await tokenOrPromise;
    const res = await app.inject({
      method: 'POST',
      url: SERVICE,
      payload: {},
      headers: { authorization: name === 'non-bearer scheme' ? `Basic ${token}` : `Bearer ${token}` },
    });
    t.equal(res.statusCode, 401, `${name}: 401`);
    t.equal(res.json().issue[0].diagnostics, 'Unauthorized', `${name}: no reason leaked to the client`);
    const logged = authFailures(logs).at(-1);
    t.match(logged?.['reason'], reason, `${name}: logged reason`);
  }
});

t.test('clock skew tolerates small drift in exp and iat', async (t) => {
  const { app } = await buildApp(t, config([staticIssuerConfig(es384)]));
  const now = nowSeconds();
  const justExpired = await signToken(es384, { aud: BASE + SERVICE, iat: now - 300, exp: now - 20 });
  const slightlyFuture = await signToken(es384, { aud: BASE + SERVICE, iat: now + 20, exp: now + 300 });
  t.equal((await call(app, SERVICE, justExpired)).statusCode, 200, 'expired 20s ago, skew 60s');
  t.equal((await call(app, SERVICE, slightlyFuture)).statusCode, 200, 'issued 20s ahead, skew 60s');
});

t.test('the log names iss, kid, jti and tenant, and never contains a token', async (t) => {
  const { app, logs } = await buildApp(t, config([staticIssuerConfig(es384, { tenants: ['hospital-a'] })]));
  const tokens = [
    await signToken(es384, { aud: BASE + '/cds-services/wrong', jti: 'jti-log-1', tenant: 'hospital-a' }),
    await signToken(es384, { aud: BASE + SERVICE, jti: 'jti-log-2', tenant: 'hospital-b' }),
    'garbage.token.value',
  ];
  for (const token of tokens) t.equal((await call(app, SERVICE, token)).statusCode, 401);
  const failures = authFailures(logs);
  t.match(failures[0], { iss: es384.iss, kid: es384.kid, jti: 'jti-log-1', tenant: 'hospital-a' });
  t.match(failures[1], { jti: 'jti-log-2', tenant: 'hospital-b', reason: 'tenant not allowed' });
  const all = logs.join('\n');
  for (const token of tokens) {
    t.notOk(all.includes(token), 'token string absent from logs');
    // The signature part alone is also secret-ish material; make sure no fragment slipped through.
    const signature = token.split('.')[2];
    if (signature && signature.length > 10) t.notOk(all.includes(signature), 'signature absent from logs');
  }
});

t.test('aud must be the exact URL called: discovery, service, feedback, analytics', async (t) => {
  const { app } = await buildApp(t, config([staticIssuerConfig(es384)]));
  t.equal((await call(app, DISCOVERY, await signToken(es384, { aud: BASE + DISCOVERY }), 'GET')).statusCode, 200);
  t.equal((await call(app, FEEDBACK, await signToken(es384, { aud: BASE + FEEDBACK }))).statusCode, 200);
  t.equal((await call(app, FEEDBACK, await signToken(es384, { aud: BASE + SERVICE }))).statusCode, 401, 'service aud on feedback');
  t.equal((await call(app, SERVICE, await signToken(es384, { aud: BASE + FEEDBACK }))).statusCode, 401, 'feedback aud on service');
  t.equal((await call(app, DISCOVERY, await signToken(es384, { aud: BASE + DISCOVERY + '/' }), 'GET')).statusCode, 401, 'trailing slash differs');
  t.equal((await call(app, '/analytics/summary', undefined, 'GET')).statusCode, 401, 'analytics protected');
  t.equal((await call(app, '/analytics/summary', await signToken(es384, { aud: BASE + '/analytics/summary' }), 'GET')).statusCode, 200);
  t.equal((await call(app, SERVICE + '?debug=1', await signToken(es384, { aud: BASE + SERVICE }))).statusCode, 200, 'query not part of aud');
  t.equal((await call(app, SERVICE, await signToken(es384, { aud: ['https://other.example', BASE + SERVICE] }))).statusCode, 200, 'aud array containing the URL');
  t.equal((await call(app, '/no-such-route', undefined, 'GET')).statusCode, 401, 'default-deny: unknown paths need a token too');
});

t.test('a trailing slash on publicBaseUrl is normalised', async (t) => {
  const { app } = await buildApp(t, config([staticIssuerConfig(es384)], { publicBaseUrl: BASE + '/' }));
  t.equal((await call(app, SERVICE, await signToken(es384, { aud: BASE + SERVICE }))).statusCode, 200);
});

t.test('a jti is accepted once per issuer', async (t) => {
  const { app, logs } = await buildApp(t, config([staticIssuerConfig(es384)]));
  const token = await signToken(es384, { aud: BASE + SERVICE, jti: 'once' });
  t.equal((await call(app, SERVICE, token)).statusCode, 200);
  t.equal((await call(app, SERVICE, token)).statusCode, 401, 'replay refused');
  t.match(authFailures(logs).at(-1), { reason: /replay/, jti: 'once' });
  const sameJtiNewToken = await signToken(es384, { aud: BASE + FEEDBACK, jti: 'once' });
  t.equal((await call(app, FEEDBACK, sameJtiNewToken)).statusCode, 401, 'same jti in a different token also refused');
});

t.test('tenant allow-list', async (t) => {
  const { app } = await buildApp(t, config([staticIssuerConfig(es384, { tenants: ['hospital-a'] })]));
  const aud = BASE + SERVICE;
  t.equal((await call(app, SERVICE, await signToken(es384, { aud, tenant: 'hospital-a' }))).statusCode, 200);
  t.equal((await call(app, SERVICE, await signToken(es384, { aud, tenant: 'hospital-b' }))).statusCode, 401, 'wrong tenant');
  t.equal((await call(app, SERVICE, await signToken(es384, { aud }))).statusCode, 401, 'tenant missing');
});

t.test('RS384 is accepted by default', async (t) => {
  const rs = await makeIssuer('RS384', { iss: 'https://rsa-ehr.example' });
  const { app } = await buildApp(t, config([staticIssuerConfig(rs)]));
  t.equal((await call(app, SERVICE, await signToken(rs, { aud: BASE + SERVICE }))).statusCode, 200);
});

t.test('ES256 is refused by default and accepted when configured', async (t) => {
  const es256 = await makeIssuer('ES256', { iss: 'https://es256-ehr.example' });
  const byDefault = await buildApp(t, config([staticIssuerConfig(es256)]));
  t.equal((await call(byDefault.app, SERVICE, await signToken(es256, { aud: BASE + SERVICE }))).statusCode, 401);
  const configured = await buildApp(t, config([staticIssuerConfig(es256)], { allowedAlgorithms: ['ES384', 'RS384', 'ES256'] }));
  t.equal((await call(configured.app, SERVICE, await signToken(es256, { aud: BASE + SERVICE }))).statusCode, 200);
});

t.test('jku: only allow-listed URLs are fetched', async (t) => {
  const jkuIssuer = await makeIssuer('ES384', { iss: 'https://jku-ehr.example' });
  const server = await startJwksServer(jkuIssuer.jwks);
  t.teardown(() => server.close());
  const { app } = await buildApp(t, config([{ iss: jkuIssuer.iss, jkuAllowList: [server.jwksUrl] }]));
  const aud = BASE + SERVICE;

  t.test('an un-listed jku is refused and never requested', async (t) => {
    for (const jku of [`${server.origin}/evil.json`, `${server.jwksUrl}?x=1`, `${server.origin}/.well-known/jwks.json/`]) {
      const res = await call(app, SERVICE, await signToken(jkuIssuer, { aud }, { jku }));
      t.equal(res.statusCode, 401, jku);
    }
    t.same(server.requests, [], 'the JWKS server received no request at all');
  });

  t.test('a token without jku is refused when the issuer has no static JWKS', async (t) => {
    t.equal((await call(app, SERVICE, await signToken(jkuIssuer, { aud }))).statusCode, 401);
    t.same(server.requests, []);
  });

  t.test('a listed jku is fetched once and cached', async (t) => {
    t.equal((await call(app, SERVICE, await signToken(jkuIssuer, { aud }, { jku: server.jwksUrl }))).statusCode, 200);
    t.equal((await call(app, SERVICE, await signToken(jkuIssuer, { aud }, { jku: server.jwksUrl }))).statusCode, 200);
    t.same(server.requests, [JWKS_PATH], 'one fetch for two tokens');
  });
});

t.test('a jku listed for one issuer cannot be used by another', async (t) => {
  const a = await makeIssuer('ES384', { iss: 'https://a.example' });
  const b = await makeIssuer('ES384', { iss: 'https://b.example' });
  const server = await startJwksServer(b.jwks);
  t.teardown(() => server.close());
  const { app } = await buildApp(t, config([staticIssuerConfig(a), { iss: b.iss, jkuAllowList: [server.jwksUrl] }]));
  // Issuer a's token pointing at b's (listed) key set: refused, and nothing fetched.
  const token = await signToken({ ...b, iss: a.iss }, { aud: BASE + SERVICE }, { jku: server.jwksUrl });
  t.equal((await call(app, SERVICE, token)).statusCode, 401);
  t.same(server.requests, []);
});

t.test('public paths and CORS preflights need no token', async (t) => {
  const { app } = await buildApp(t, config([staticIssuerConfig(es384)]));
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  t.equal((await app.inject({ method: 'GET', url: '/healthz?verbose=1' })).statusCode, 200);
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: SERVICE,
    headers: { origin: 'https://ehr.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
  t.equal(preflight.statusCode, 204, 'preflight reaches the CORS handler');
  const plainOptions = await app.inject({ method: 'OPTIONS', url: SERVICE });
  t.equal(plainOptions.statusCode, 401, 'an OPTIONS that is not a preflight is not exempt');
});

t.test('mode off lets everything through and marks no client', async (t) => {
  const { app } = await buildApp(t, { mode: 'off', publicBaseUrl: BASE });
  const res = await call(app, SERVICE);
  t.equal(res.statusCode, 200);
  t.equal(res.json().client, null);
  t.equal((await call(app, DISCOVERY, 'garbage', 'GET')).statusCode, 200);
  t.match(describeAuth({ mode: 'off' }), /WARNING.*OFF/);
});

t.test('configuration schema', async (t) => {
  const issuer = staticIssuerConfig(es384);
  t.test('refuses none and HS* in allowedAlgorithms', async (t) => {
    for (const alg of ['none', 'HS256', 'HS384']) {
      const parsed = clientAuthConfigSchema.safeParse({ publicBaseUrl: BASE, issuers: [issuer], allowedAlgorithms: ['ES384', alg] });
      t.notOk(parsed.success, alg);
    }
  });
  t.test('applies defaults', async (t) => {
    const parsed = clientAuthConfigSchema.parse({ publicBaseUrl: BASE + '/', issuers: [issuer] });
    t.match(parsed, { mode: 'required', publicBaseUrl: BASE, allowedAlgorithms: ['ES384', 'RS384'], clockSkewSeconds: 60, maxTokenLifetimeSeconds: 3600 });
  });
  t.test('refuses private or symmetric keys in a trusted JWKS', async (t) => {
    const withPrivate = { iss: 'x', jwks: { keys: [{ ...es384.publicJwk, d: 'secret' }] } };
    t.notOk(clientAuthConfigSchema.safeParse({ publicBaseUrl: BASE, issuers: [withPrivate] }).success, 'private d');
    const symmetric = { iss: 'x', jwks: { keys: [{ kty: 'oct', kid: 'k', k: 'c2VjcmV0' }] } };
    t.notOk(clientAuthConfigSchema.safeParse({ publicBaseUrl: BASE, issuers: [symmetric] }).success, 'oct');
  });
  t.test('refuses a plain-http jku except on loopback', async (t) => {
    const parse = (jku: string) => clientAuthConfigSchema.safeParse({ publicBaseUrl: BASE, issuers: [{ iss: 'x', jkuAllowList: [jku] }] }).success;
    t.notOk(parse('http://keys.example/jwks.json'));
    t.ok(parse('http://127.0.0.1:8080/jwks.json'));
    t.ok(parse('https://keys.example/jwks.json'));
  });
  t.test('refuses a base URL or jku that is not a plain absolute URL', async (t) => {
    const bad = (cfg: Record<string, unknown>) => !clientAuthConfigSchema.safeParse({ publicBaseUrl: BASE, issuers: [issuer], ...cfg }).success;
    t.ok(bad({ publicBaseUrl: 'cds.example.org' }), 'relative base');
    t.ok(bad({ publicBaseUrl: BASE + '?x=1' }), 'base with query');
    t.ok(bad({ publicBaseUrl: 'ftp://cds.example.org' }), 'non-http base');
    t.ok(bad({ issuers: [{ iss: 'x', jkuAllowList: ['not a url'] }] }), 'jku not a URL');
    t.ok(bad({ issuers: [{ iss: 'x', jkuAllowList: ['https://u:p@keys.example/jwks'] }] }), 'jku with credentials');
    t.ok(bad({ issuers: [{ iss: 'x' }] }), 'issuer with no key source');
    t.ok(bad({ issuers: [issuer, issuer] }), 'duplicate issuer');
    t.ok(bad({ clockSkewSeconds: -1 }), 'negative skew');
  });
  t.test('registerClientAuth refuses required mode without issuers or base URL', async (t) => {
    t.throws(() => registerClientAuth(Fastify(), { mode: 'required', publicBaseUrl: BASE, issuers: [] }), /no issuer is trusted/);
    t.throws(() => registerClientAuth(Fastify(), { mode: 'required', issuers: [issuer] }), /publicBaseUrl/);
  });
  t.test('describeAuth summarises a required configuration', async (t) => {
    const line = describeAuth(config([issuer]));
    t.match(line, /required/);
    t.match(line, es384.iss);
    t.notMatch(line, /WARNING/);
  });
});

t.test('loadIssuersFile', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'issuers-'));
  t.test('loads the sandbox example', async (t) => {
    const issuers = loadIssuersFile('fixtures/auth/issuers.sandbox.example.json');
    t.match(issuers, [{ iss: 'https://sandbox.cds-hooks.org', jkuAllowList: ['https://sandbox.cds-hooks.org/.well-known/jwks.json'] }]);
  });
  t.test('names the file and the field on a bad entry', async (t) => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ iss: 'https://ok.example', jkuAllowList: ['https://ok.example/jwks'] }, { iss: '' , jkuAllowList: ['https://x.example/j']}]));
    t.throws(() => loadIssuersFile(file), { message: new RegExp(`${file}[\\s\\S]*1\\.iss`) });
  });
  t.test('names the file on invalid JSON and on a missing file', async (t) => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ nope');
    t.throws(() => loadIssuersFile(file), { message: new RegExp(`${file} is not valid JSON`) });
    t.throws(() => loadIssuersFile(join(dir, 'missing.json')), { message: /Cannot read issuers file .*missing\.json/ });
  });
});

t.test('ReplayCache: per-issuer quota; a full issuer refuses only its own tokens', async (t) => {
  let now = 1_000_000;
  const cache = new ReplayCache({ maxEntriesPerIssuer: 2, now: () => now });
  t.equal(cache.checkAndRemember('iss', 'a', now + 100), 'fresh');
  t.equal(cache.checkAndRemember('iss', 'a', now + 100), 'replayed');
  t.equal(cache.checkAndRemember('other-iss', 'a', now + 100), 'fresh', 'keyed by issuer too');
  t.equal(cache.checkAndRemember('iss', 'b', now + 100), 'fresh');
  t.equal(cache.checkAndRemember('iss', 'c', now + 100), 'full', 'bounded: refuses rather than forgets');
  t.equal(cache.checkAndRemember('other-iss', 'b', now + 100), 'fresh', 'another issuer is not locked out by a full one');
  t.equal(cache.size('iss'), 2);
  t.equal(cache.size(), 4);
  now += 101;
  t.equal(cache.checkAndRemember('iss', 'c', now + 100), 'fresh', 'expired entries are evicted');
  t.equal(cache.size('iss'), 1);
  t.equal(cache.checkAndRemember('iss', 'a', now + 100), 'fresh', 'an expired jti is forgotten');
  t.equal(cache.checkAndRemember('iss', 'd', now + 100), 'full', 'still bounded');
  t.equal(await cache.check('iss', 'a', now + 100), 'replayed', 'the async guard answers the same');
});

t.test('ReplayCache sweeps out-of-order expiries when full', async (t) => {
  let now = 0;
  const cache = new ReplayCache({ maxEntriesPerIssuer: 2, now: () => now });
  cache.checkAndRemember('i', 'long', 10_000); // head, expires late
  cache.checkAndRemember('i', 'short', 100); // behind it, expires early
  now = 5_000;
  t.equal(cache.checkAndRemember('i', 'new', 20_000), 'fresh', 'full sweep found the expired entry behind the head');
  t.equal(cache.checkAndRemember('i', 'long', 20_000), 'replayed');
});
