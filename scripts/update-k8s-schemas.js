#!/usr/bin/env node
// Refreshes schema/kubernetes/<version>.json.gz: strict JSON Schemas of every built-in Kubernetes kind,
// converted from the official OpenAPI v2 document (api/openapi-spec/swagger.json) of the k8s.io/kubernetes
// Go module at that version, fetched with `go mod download` (the Go module proxy). Run by maintainers when
// adding a Kubernetes version; tests and `npm run validate` only read the committed files (no network).
//
//   node scripts/update-k8s-schemas.js v1.35.4 v1.27.16
//
// Conversion: descriptions and x-kubernetes-* extensions are dropped; objects with declared properties
// reject unknown fields (additionalProperties: false, as the API server's strict field validation does);
// int-or-string accepts a string or an integer; Quantity accepts a string or a number.
'use strict';
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

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

function kindsOf(definitions) {
  const kinds = {};
  for (const [name, def] of Object.entries(definitions)) {
    const gvks = def['x-kubernetes-group-version-kind'];
    if (!gvks || gvks.length !== 1 || !def.properties?.kind) continue; // shared types like DeleteOptions
    const { group, version, kind } = gvks[0];
    kinds[`${group ? `${group}/${version}` : version}/${kind}`] = name;
  }
  return kinds;
}

for (const version of process.argv.slice(2)) {
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], { encoding: 'utf8' }));
  if (info.Error) throw new Error(info.Error);
  const raw = fs.readFileSync(path.join(info.Dir, 'api', 'openapi-spec', 'swagger.json'));
  const swagger = JSON.parse(raw);
  const definitions = Object.fromEntries(Object.entries(swagger.definitions).map(([n, d]) => [n, convert(d, n)]));
  const bundle = {
    kubernetesVersion: version,
    source: { module: `k8s.io/kubernetes@${version}`, file: 'api/openapi-spec/swagger.json', sha256: crypto.createHash('sha256').update(raw).digest('hex') },
    kinds: kindsOf(swagger.definitions),
    definitions,
  };
  const target = path.join(__dirname, '..', 'schema', 'kubernetes', `${version}.json.gz`);
  fs.writeFileSync(target, zlib.gzipSync(JSON.stringify(bundle), { level: 9 }));
  console.log(`wrote ${path.relative(process.cwd(), target)}: ${Object.keys(bundle.kinds).length} kinds, ${fs.statSync(target).size} bytes`);
}
