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
