import t from 'tap';
import { checkResponse } from '../src/protocol/response-rules.js';

// Loose on purpose: the cases below break the shape the types would enforce.
type J = Record<string, any>;

/** A response that obeys every rule: each case below breaks exactly one thing in a copy of it. */
function good(): J {
  return {
    cards: [
      {
        uuid: 'c1',
        summary: 'MR myelography is May Be Appropriate (5)',
        detail: '**Detail**',
        indicator: 'warning',
        source: { label: 'ACR', url: 'https://doi.org/10.1016/j.jacr.2024.08.020' },
        selectionBehavior: 'at-most-one',
        suggestions: [
          {
            label: 'Order DSM instead',
            uuid: 's1',
            isRecommended: true,
            actions: [
              {
                type: 'update',
                description: 'Replace the order',
                resource: { resourceType: 'ServiceRequest', id: 'sr1', status: 'draft' },
              },
            ],
          },
          {
            label: 'Remove the order',
            uuid: 's2',
            actions: [{ type: 'delete', description: 'Remove', resourceId: 'ServiceRequest/sr1' }],
          },
          {
            label: 'New order',
            uuid: 's3',
            actions: [{ type: 'create', description: 'Create', resource: { resourceType: 'ServiceRequest' } }],
          },
        ],
        overrideReasons: [{ system: 'http://example.org/cs', code: 'x', display: 'X' }],
        links: [
          { label: 'ACR', url: 'https://acsearch.acr.org/list', type: 'absolute' },
          { label: 'App', url: 'https://app.example.org/launch', type: 'smart', appContext: '{"a":1}' },
        ],
      },
    ],
    systemActions: [
      { type: 'update', description: 'Rate', resource: { resourceType: 'ServiceRequest', id: 'sr1' } },
    ],
    extension: {
      systemActions: [
        { type: 'update', description: 'Rate', resource: { resourceType: 'ServiceRequest', id: 'sr1' } },
      ],
    },
  };
}

t.test('valid responses have no violations', async (t) => {
  t.same(checkResponse(good()), []);
  t.same(checkResponse({ cards: [] }), [], 'no guidance: cards [] is the one allowed empty array');
  const minimal = good();
  minimal.cards[0].suggestions[0].isRecommended = true;
  minimal.cards[0].suggestions[1].isRecommended = true;
  minimal.cards[0].selectionBehavior = 'any';
  t.same(checkResponse(minimal), [], 'several recommended with selectionBehavior any');
});

const CASES: Array<[string, (r: J) => unknown, RegExp]> = [
  ['not an object', () => 'x', /^response: must be a JSON object/],
  ['cards missing', (r) => void delete r.cards, /^cards: required/],
  ['summary missing', (r) => void delete r.cards[0].summary, /cards\[0\]\.summary: required/],
  ['summary 140 chars', (r) => void (r.cards[0].summary = 'x'.repeat(140)), /summary: must be shorter than 140/],
  ['indicator not in enum', (r) => void (r.cards[0].indicator = 'hard-stop'), /cards\[0\]\.indicator/],
  ['source.label missing', (r) => void delete r.cards[0].source.label, /cards\[0\]\.source\.label: required/],
  ['source missing', (r) => void delete r.cards[0].source, /cards\[0\]\.source: required/],
  ['source.url not absolute', (r) => void (r.cards[0].source.url = '/acr'), /source\.url: must be an absolute URL/],
  [
    'suggestions without selectionBehavior',
    (r) => void delete r.cards[0].selectionBehavior,
    /selectionBehavior: required with suggestions/,
  ],
  [
    'selectionBehavior not in enum',
    (r) => void (r.cards[0].selectionBehavior = 'all'),
    /selectionBehavior: must be at-most-one or any/,
  ],
  [
    'several isRecommended with at-most-one',
    (r) => void (r.cards[0].suggestions[1].isRecommended = true),
    /several isRecommended only with selectionBehavior 'any'/,
  ],
  ['suggestion label missing', (r) => void delete r.cards[0].suggestions[0].label, /suggestions\[0\]\.label: required/],
  [
    'action type not in enum',
    (r) => void (r.cards[0].suggestions[0].actions[0].type = 'replace'),
    /actions\[0\]\.type: must be create, update or delete/,
  ],
  [
    'action description missing',
    (r) => void delete r.cards[0].suggestions[1].actions[0].description,
    /actions\[0\]\.description: required/,
  ],
  [
    'create without resource',
    (r) => void delete r.cards[0].suggestions[2].actions[0].resource,
    /resource: required for create/,
  ],
  [
    'update without resource',
    (r) => void delete r.cards[0].suggestions[0].actions[0].resource,
    /resource: required for update/,
  ],
  [
    'update of a resource without id',
    (r) => void delete r.cards[0].suggestions[0].actions[0].resource.id,
    /resource\.id: an update must name/,
  ],
  [
    'delete without resourceId',
    (r) => void delete r.cards[0].suggestions[1].actions[0].resourceId,
    /resourceId: required for delete/,
  ],
  [
    'overrideReason without display',
    (r) => void delete r.cards[0].overrideReasons[0].display,
    /overrideReasons\[0\]\.display: required/,
  ],
  [
    'overrideReason without system',
    (r) => void delete r.cards[0].overrideReasons[0].system,
    /overrideReasons\[0\]\.system: required/,
  ],
  [
    'overrideReason without code',
    (r) => void delete r.cards[0].overrideReasons[0].code,
    /overrideReasons\[0\]\.code: required/,
  ],
  ['link without label', (r) => void delete r.cards[0].links[0].label, /links\[0\]\.label: required/],
  ['link without url', (r) => void delete r.cards[0].links[0].url, /links\[0\]\.url: required/],
  ['link type not in enum', (r) => void (r.cards[0].links[0].type = 'web'), /links\[0\]\.type: must be/],
  [
    'appContext on an absolute link',
    (r) => void (r.cards[0].links[0].appContext = 'x'),
    /links\[0\]\.appContext: only allowed on smart links/,
  ],
  ['card uuid missing', (r) => void delete r.cards[0].uuid, /cards\[0\]\.uuid: required/],
  ['suggestion uuid missing', (r) => void delete r.cards[0].suggestions[2].uuid, /suggestions\[2\]\.uuid: required/],
  [
    'duplicate uuid',
    (r) => void (r.cards[0].suggestions[1].uuid = 'c1'),
    /suggestions\[1\]\.uuid: duplicates cards\[0\]\.uuid/,
  ],
  ['null value', (r) => void (r.cards[0].detail = null), /cards\[0\]\.detail: must not be null/],
  ['empty string', (r) => void (r.cards[0].suggestions[0].actions[0].resource.status = ''), /resource\.status: must not be an empty string/],
  ['empty array', (r) => void (r.cards[0].links = []), /cards\[0\]\.links: must not be an empty array/],
  ['empty object', (r) => void (r.extension = {}), /^extension: must not be an empty object/],
  ['empty systemActions', (r) => void (r.systemActions = []), /^systemActions: must not be an empty array/],
  [
    'invalid system action',
    (r) => void delete r.systemActions[0].description,
    /^systemActions\[0\]\.description: required/,
  ],
  [
    'invalid mirrored system action',
    (r) => void delete r.extension.systemActions[0].resource,
    /^extension\.systemActions\[0\]\.resource: required for update/,
  ],
];

for (const [name, breakIt, expected] of CASES) {
  t.test(`violation: ${name}`, async (t) => {
    const r = good();
    const replaced = breakIt(r);
    const violations = checkResponse(replaced === undefined ? r : replaced);
    t.ok(
      violations.some((v) => expected.test(v)),
      `expected ${expected} in ${JSON.stringify(violations)}`,
    );
  });
}
