/**
 * End to end over HTTP, against the real FHIR server loaded with the fixture patients: the fictional hospital's
 * site facts (fixtures/site-facts.example.json) read a GCS total recorded only under the hospital's own
 * flowsheet code, and turn the positive-brain-MRI patient from "undetermined" into variant 4.
 */
import t from 'tap';
import { fileURLToPath } from 'node:url';
import { startLocalFhir } from './fixtures/local-fhir.js';
import { startService, fixtureRequest } from './fixtures/service.js';
import { checkResponse } from '../src/protocol/response-rules.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/patients', import.meta.url));
const SITE_FACTS = fileURLToPath(new URL('../fixtures/site-facts.example.json', import.meta.url));

function patientView(fhirBase: string): unknown {
  const req = fixtureRequest('patient-view-v5.json');
  delete req.prefetch;
  req.context = { ...req.context, patientId: 'sih-posmri' };
  req.fhirServer = fhirBase;
  return req;
}

const textOf = (json: any): string =>
  json.cards.map((c: any) => [c.summary, c.detail, ...(c.suggestions ?? []).map((s: any) => s.label)].join('\n')).join('\n---\n');

t.test('a site fact defined only in the example file turns undetermined into variant 4', async (t) => {
  const fhir = await startLocalFhir(t, { fixturesDir: FIXTURES });

  const plain = await startService(t);
  const before = await plain.post('/cds-services/sih-imaging-patient-view', patientView(fhir.baseUrl));
  t.equal(before.status, 200);
  t.same(checkResponse(before.json), []);
  plain.audit.flush();

  const site = await startService(t, { SITE_FACTS_PATH: SITE_FACTS });
  const after = await site.post('/cds-services/sih-imaging-patient-view', patientView(fhir.baseUrl));
  t.equal(after.status, 200);
  t.same(checkResponse(after.json), []);
  site.audit.flush();

  // Without the site's definitions: positive brain imaging, no obtundation the engine can read → no variant.
  t.notMatch(textOf(before.json), /ACR V\d:/, 'no variant without the site facts');
  t.notMatch(textOf(before.json), /Order MRI/, 'and nothing suggested');
  // With them: the flowsheet GCS of 8 is obtundation → variant 4, whose next step is MRI of the whole spine.
  const text = textOf(after.json);
  t.match(text, /ACR V4: obtundation with brain imaging features of SIH/, 'variant 4');
  // The card escapes Markdown, so the label's parentheses and hyphen arrive as \(, \) and \-.
  t.ok(text.includes('Glasgow Coma Scale \\(GCS total \\(Northbridge neuro flowsheet\\) \\(site\\-defined\\)\\)'), 'the site finding is evidence, marked site-defined');
  t.match(text, /Order MRI Complete Spine Without IV Contrast/);
});
