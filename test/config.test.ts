import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('embedded defaults work with an empty environment', async (t) => {
  const c = loadConfig({});
  t.equal(c.HOST, '127.0.0.1');
  t.equal(c.PORT, 3000);
  t.same(c.FHIR_SERVER_ALLOWLIST, ['loopback']);
  t.equal(c.FHIR_DEADLINE_MS, 2000);
  t.equal(c.MIRROR_SYSTEM_ACTIONS, true);
  t.equal(c.production, false);
  t.equal(c.corsOrigins, '*');
});

t.test('variables override defaults; empty strings count as unset', async (t) => {
  const c = loadConfig({ PORT: '8080', HOST: '', FHIR_SERVER_ALLOWLIST: 'https://a.example/fhir, loopback', CORS_ORIGINS: 'http://x.test,http://y.test', MIRROR_SYSTEM_ACTIONS: 'false' });
  t.equal(c.PORT, 8080);
  t.equal(c.HOST, '127.0.0.1');
  t.same(c.FHIR_SERVER_ALLOWLIST, ['https://a.example/fhir', 'loopback']);
  t.same(c.corsOrigins, ['http://x.test', 'http://y.test']);
  t.equal(c.MIRROR_SYSTEM_ACTIONS, false);
});

t.test('bad values stop start-up naming the variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), ConfigError);
  t.throws(() => loadConfig({ FHIR_DEADLINE_MS: '5' }), /FHIR_DEADLINE_MS/);
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
});

t.test('allow-list entries must be loopback or http(s) URL prefixes', async (t) => {
  t.throws(() => loadConfig({ FHIR_SERVER_ALLOWLIST: 'hapi.fhir.org/baseR4' }), /FHIR_SERVER_ALLOWLIST/);
  t.throws(() => loadConfig({ FHIR_SERVER_ALLOWLIST: 'loopback,ftp://x' }), /FHIR_SERVER_ALLOWLIST/);
  t.same(loadConfig({ FHIR_SERVER_ALLOWLIST: 'LOOPBACK, https://hapi.fhir.org/baseR4' }).FHIR_SERVER_ALLOWLIST, ['LOOPBACK', 'https://hapi.fhir.org/baseR4']);
});

t.test('authentication on needs the public base URL; production needs an explicit allow-list', async (t) => {
  t.throws(() => loadConfig({ AUTH_MODE: 'required' }), /PUBLIC_BASE_URL: required/);
  t.throws(() => loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'off', AUDIT_HASH_KEY: 'k'.repeat(32) }), /FHIR_SERVER_ALLOWLIST: required in production/);
  const c = loadConfig({ NODE_ENV: 'production', AUTH_MODE: 'off', AUDIT_HASH_KEY: 'k'.repeat(32), FHIR_SERVER_ALLOWLIST: 'loopback' });
  t.same(c.FHIR_SERVER_ALLOWLIST, ['loopback'], 'loopback can still be chosen explicitly');
});
