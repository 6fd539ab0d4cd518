#!/usr/bin/env node
// Generates schema/cluster-config.schema.json from the TypeScript types in lib/config/types.ts.
// `--check` exits non-zero when the committed schema differs from a fresh generation.
'use strict';
const fs = require('fs');
const path = require('path');
const { createGenerator } = require('ts-json-schema-generator');

const root = path.resolve(__dirname, '..');
const target = path.join(root, 'schema', 'cluster-config.schema.json');

function generate() {
  const schema = createGenerator({
    path: path.join(root, 'lib', 'config', 'types.ts'),
    tsconfig: path.join(root, 'tsconfig.json'),
    type: 'ClusterConfigFile',
    additionalProperties: false,
    skipTypeCheck: true,
    markdownDescription: false,
  }).createSchema('ClusterConfigFile');
  moveProseDefaults(schema);
  schema.$id = 'https://cluster-bootstrap.dev/schema/cluster-config.schema.json';
  schema.title = 'Cluster bootstrap config (cluster.yaml)';
  return JSON.stringify(schema, null, 2) + '\n';
}

// `@default - text` documents a computed default in prose (the cdk8s convention). JSON Schema's `default`
// must be a value of the property's type, so such prose moves into the description instead.
function moveProseDefaults(node) {
  if (!node || typeof node !== 'object') return;
  if (typeof node.default === 'string' && node.default.startsWith('- ')) {
    node.description = `${node.description ?? ''} Default: ${node.default.slice(2)}.`.trim();
    delete node.default;
  }
  for (const value of Object.values(node)) moveProseDefaults(value);
}

const fresh = generate();
if (process.argv.includes('--check')) {
  const committed = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (committed !== fresh) {
    console.error(`${path.relative(root, target)} is out of date with lib/config/types.ts: run \`npm run schema\``);
    process.exit(1);
  }
  console.log(`${path.relative(root, target)} matches lib/config/types.ts`);
} else {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, fresh);
  console.log(`wrote ${path.relative(root, target)}`);
}
