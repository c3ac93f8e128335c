import t from 'tap';
import { readFileSync } from 'node:fs';
import { DiscoveryError, loadDiscovery, validateDiscovery } from '../src/protocol/discovery.js';
import { HOOKS } from '../src/protocol/types.js';

const real = JSON.parse(readFileSync(new URL('../cds-services.json', import.meta.url), 'utf8'));

t.test('cds-services.json lists exactly the three services, each with prefetch', async (t) => {
  const d = loadDiscovery(HOOKS);
  t.same(
    d.services.map((s) => [s.id, s.hook]).sort(),
    [
      ['sih-imaging-order-select', 'order-select'],
      ['sih-imaging-order-sign', 'order-sign'],
      ['sih-imaging-patient-view', 'patient-view'],
    ],
  );
  for (const s of d.services) {
    t.ok(s.title && s.description, `${s.id} has title and description`);
    const types = Object.values(s.prefetch ?? {}).map((q) => q.split(/[/?]/)[0]);
    t.same(types.sort(), ['Condition', 'DiagnosticReport', 'ImagingStudy', 'Observation', 'Patient', 'Procedure', 'ServiceRequest']);
    for (const q of Object.values(s.prefetch ?? {})) t.match(q, /\{\{context\.patientId\}\}/);
  }
});

t.test('a discovery document that would break clients stops start-up', async (t) => {
  const bad = (mutate: (d: any) => void): unknown => {
    const d = structuredClone(real);
    mutate(d);
    return d;
  };
  const cases: Array<[string, unknown, RegExp]> = [
    ['draftOrders token', bad((d) => (d.services[0].prefetch.x = 'ServiceRequest?_id={{context.draftOrders}}')), /not a first-level context field/],
    ['duplicate id', bad((d) => (d.services[1].id = d.services[0].id)), /used twice/],
    ['unknown hook', bad((d) => (d.services[0].hook = 'encounter-start')), /hook/],
    ['missing description', bad((d) => delete d.services[0].description), /description/],
    ['no services', { services: [] }, /services/],
  ];
  for (const [name, doc, message] of cases) {
    t.throws(() => validateDiscovery(doc, HOOKS, 'test'), message, name);
  }
  t.throws(() => validateDiscovery(real, ['patient-view'], 'test'), /no handler serves/);
  t.throws(() => loadDiscovery(HOOKS, '/nonexistent/cds-services.json'), DiscoveryError);
});
