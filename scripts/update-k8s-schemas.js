#!/usr/bin/env node
// Refreshes schema/kubernetes/<version>.json.gz: strict JSON Schemas of every built-in Kubernetes kind,
// converted from the official OpenAPI v2 document (api/openapi-spec/swagger.json) of the k8s.io/kubernetes
// Go module at that version, fetched with `go mod download` (the Go module proxy). Run by maintainers when
// adding a Kubernetes version; tests and `npm run validate` only read the committed files (no network).
//
//   node scripts/update-k8s-schemas.js v1.35.4 v1.27.16
// The conversion is in scripts/openapi-jsonschema.js.
'use strict';
const { execFileSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const { kindsOf, strictDefinitions } = require('./openapi-jsonschema');

for (const version of process.argv.slice(2)) {
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], { encoding: 'utf8' }));
  if (info.Error) throw new Error(info.Error);
  const raw = fs.readFileSync(path.join(info.Dir, 'api', 'openapi-spec', 'swagger.json'));
  const swagger = JSON.parse(raw);
  const definitions = strictDefinitions(swagger);
  const bundle = {
    kubernetesVersion: version,
    source: { module: `k8s.io/kubernetes@${version}`, file: 'api/openapi-spec/swagger.json', sha256: crypto.createHash('sha256').update(raw).digest('hex') },
    kinds: kindsOf(swagger),
    definitions,
  };
  const target = path.join(__dirname, '..', 'schema', 'kubernetes', `${version}.json.gz`);
  fs.writeFileSync(target, zlib.gzipSync(JSON.stringify(bundle), { level: 9 }));
  console.log(`wrote ${path.relative(process.cwd(), target)}: ${Object.keys(bundle.kinds).length} kinds, ${fs.statSync(target).size} bytes`);
}
