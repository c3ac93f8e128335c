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
