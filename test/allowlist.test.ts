import t from 'tap';
import { createAllowList } from '../src/fhir/allowlist.js';

t.test('loopback admits only loopback hosts', async (t) => {
  const a = createAllowList(['loopback']);
  for (const u of ['http://127.0.0.1:8090/fhir/R4', 'http://localhost/fhir', 'http://[::1]:80/x', 'https://127.5.6.7/']) t.ok(a.allows(u), u);
  for (const u of ['http://10.0.0.1/fhir', 'https://hapi.fhir.org/baseR4', 'http://127.0.0.1.evil.com/', 'file:///etc/passwd', 'nonsense'])
    t.notOk(a.allows(u), u);
});

t.test('prefixes match on origin and whole path segments', async (t) => {
  const a = createAllowList(['https://hapi.fhir.org/baseR4']);
  t.ok(a.allows('https://hapi.fhir.org/baseR4'));
  t.ok(a.allows('https://hapi.fhir.org/baseR4/Condition?patient=1'));
  t.notOk(a.allows('https://hapi.fhir.org/baseR4evil'));
  t.notOk(a.allows('http://hapi.fhir.org/baseR4'), 'scheme is part of the origin');
  t.notOk(a.allows('https://hapi.fhir.org.evil.com/baseR4'));
  t.notOk(a.allows('https://user:pw@hapi.fhir.org/baseR4'), 'credentials in the URL are refused');
  t.notOk(a.allows('http://127.0.0.1/fhir'), 'no loopback unless listed');
});

t.test('encoded path tricks are refused, on the server URL and on any URL fetched (next links) (issue 12)', async (t) => {
  const a = createAllowList(['http://host/fhir']);
  t.ok(a.allows('http://host/fhir/Condition?patient=1&_count=200'), 'an ordinary search');
  t.ok(a.allows('http://host/fhir/Condition?_getpages=abc%2Fdef&_page=2'), 'encoded characters in the query are fine');
  for (const u of [
    'http://host/fhir/..%2fadmin',
    'http://host/fhir/%2E%2E%2Fadmin',
    'http://host/fhir/..;/admin',
    'http://host/fhir/%2e%2e/admin',
    'http://host/fhir/x/%2e%2e/admin',
    'http://host/fhir/..%5cadmin',
    'http://host/fhir\\..\\admin',
    'http://host/fhir/%252e%252e%252fadmin',
    'http://host/fhir/Patient;jsessionid=1',
    'http://host/fhir/a%00b',
    'http://host/fhir/../admin',
    'http://host/fhir/./../admin',
    'http://HOST/admin',
  ]) {
    t.notOk(a.allows(u), u);
  }
  t.ok(a.allows('http://HOST/fhir/Patient'), 'host case is normalised');
  const l = createAllowList(['loopback']);
  t.notOk(l.allows('http://127.0.0.1/fhir/..%2f..%2fadmin'), 'loopback entries get the same path checks');
});
