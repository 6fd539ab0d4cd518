// eslint-disable-next-line @typescript-eslint/no-require-imports
const { kindsOf, standaloneSchema, strictDefinitions } = require('../scripts/openapi-jsonschema.js');

const openapi = {
  definitions: {
    'x.Thing': {
      description: 'a thing',
      properties: {
        kind: { type: 'string' },
        spec: { $ref: '#/definitions/x.Spec' },
        port: { format: 'int-or-string', type: 'string' },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
      },
      'x-kubernetes-group-version-kind': [{ group: 'example.io', version: 'v1', kind: 'Thing' }],
    },
    'x.Spec': { properties: { size: { $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' } } },
    'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string' },
    'x.Unused': { properties: { a: { type: 'string' } } },
    'x.Shared': { properties: { kind: { type: 'string' } }, 'x-kubernetes-group-version-kind': [{ group: '', version: 'v1', kind: 'A' }, { group: 'b', version: 'v1', kind: 'A' }] },
  },
};

describe('OpenAPI to strict JSON Schema', () => {
  const defs = strictDefinitions(openapi);

  test('objects reject unknown fields unless they preserve them; descriptions go', () => {
    expect(defs['x.Thing'].additionalProperties).toBe(false);
    expect(defs['x.Thing'].description).toBeUndefined();
    expect(defs['x.Thing'].properties.extra.additionalProperties).toBeUndefined();
  });

  test('int-or-string and Quantity accept both forms', () => {
    expect(defs['x.Thing'].properties.port).toEqual({ type: ['string', 'integer'] });
    expect(defs['io.k8s.apimachinery.pkg.api.resource.Quantity'].type).toEqual(['string', 'number']);
  });

  test('kinds map apiVersion/kind to definitions, skipping shared multi-kind types', () => {
    expect(kindsOf(openapi)).toEqual({ 'example.io/v1/Thing': 'x.Thing' });
  });

  test('a standalone schema carries exactly the definitions it references', () => {
    const schema = standaloneSchema(defs, 'x.Thing');
    expect(schema.$ref).toBe('#/definitions/x.Thing');
    expect(Object.keys(schema.definitions).sort()).toEqual(['io.k8s.apimachinery.pkg.api.resource.Quantity', 'x.Spec', 'x.Thing']);
  });
});
