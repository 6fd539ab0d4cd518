// Converts the Kubernetes OpenAPI v2 document (swagger.json, or a live API server's /openapi/v2) into strict
// JSON Schemas. Shared by scripts/update-k8s-schemas.js (the committed offline schemas) and the e2e tier
// (kubeconform schemas from the running API server).
//
// Descriptions and x-kubernetes-* extensions are dropped; objects with declared properties reject unknown
// fields (additionalProperties: false, as the API server's strict field validation does); int-or-string
// accepts a string or an integer; Quantity accepts a string or a number.
'use strict';

const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

function convert(node, name) {
  if (Array.isArray(node)) return node.map((n) => convert(n));
  if (!node || typeof node !== 'object') return node;
  if (node.format === 'int-or-string') return { type: ['string', 'integer'] };
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'format' || key.startsWith('x-kubernetes-')) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v)])) : convert(value);
  }
  if (name === QUANTITY) out.type = ['string', 'number'];
  if (out.properties && out.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** Strict JSON Schema definitions, keyed like the OpenAPI definitions. */
function strictDefinitions(openapi) {
  return Object.fromEntries(Object.entries(openapi.definitions).map(([n, d]) => [n, convert(d, n)]));
}

/** `apiVersion/Kind` (e.g. `apps/v1/DaemonSet`) → definition name, for every kind the document serves. */
function kindsOf(openapi) {
  const kinds = {};
  for (const [name, def] of Object.entries(openapi.definitions)) {
    const gvks = def['x-kubernetes-group-version-kind'];
    if (!gvks || gvks.length !== 1 || !def.properties?.kind) continue; // shared types like DeleteOptions
    const { group, version, kind } = gvks[0];
    kinds[`${group ? `${group}/${version}` : version}/${kind}`] = name;
  }
  return kinds;
}

/** A self-contained schema for one definition: it plus every definition it references. */
function standaloneSchema(definitions, name) {
  const needed = new Set();
  const visit = (n) => {
    if (needed.has(n)) return;
    needed.add(n);
    JSON.stringify(definitions[n], (key, value) => {
      if (key === '$ref' && typeof value === 'string') visit(value.replace('#/definitions/', ''));
      return value;
    });
  };
  visit(name);
  return { $ref: `#/definitions/${name}`, definitions: Object.fromEntries([...needed].map((n) => [n, definitions[n]])) };
}

module.exports = { strictDefinitions, kindsOf, standaloneSchema };
