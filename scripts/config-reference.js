#!/usr/bin/env node
// Prints the config reference table (field, type, default, description) from the generated JSON Schema.
// docs/config-reference.md holds it between the config-reference markers; a test (test/readme.test.ts) keeps
// the two identical.
'use strict';
const schema = require('../schema/cluster-config.schema.json');

function rows() {
  const defs = schema.definitions;
  const out = [];
  const walk = (def, prefix) => {
    for (const [key, prop] of Object.entries(def.properties ?? {})) {
      const path = prefix ? `${prefix}.${key}` : key;
      const target = prop.$ref ? defs[prop.$ref.split('/').pop()] : prop;
      if (target.properties) {
        walk(target, path);
        continue;
      }
      const itemRef = target.type === 'array' && target.items && target.items.$ref;
      const type = target.enum ? target.enum.map((v) => `\`${JSON.stringify(v)}\``).join(' or ') : target.type;
      const description = prop.description ?? target.description ?? '';
      const prose = /Default: (.*)\.$/.exec(description);
      const dflt = 'default' in prop ? `\`${JSON.stringify(prop.default)}\`` : prose ? prose[1] : '—';
      const text = description.replace(/ ?Default: .*\.$/, '').replace(/\|/g, '\\|');
      out.push(`| \`${path}\` | ${type} | ${dflt} | ${text} |`);
      // a list of objects (tenants): its fields follow as `list[].field`
      if (itemRef) walk(defs[itemRef.split('/').pop()], `${path}[]`);
    }
  };
  walk(defs.ClusterConfigFile, '');
  return ['| field | type | default | meaning |', '|---|---|---|---|', ...out].join('\n');
}

module.exports = { rows };
if (require.main === module && process.argv.includes('--write')) {
  // rewrites the block between the markers of docs/config-reference.md (npm run docs)
  const fs = require('fs');
  const file = require('path').join(__dirname, '..', 'docs', 'config-reference.md');
  const text = fs.readFileSync(file, 'utf8');
  const updated = text.replace(/(<!-- config-reference:start[^>]*-->\n)[\s\S]*?(\n<!-- config-reference:end -->)/, (_, a, b) => a + rows() + b);
  fs.writeFileSync(file, updated);
  console.log(updated === text ? 'docs/config-reference.md already current' : 'docs/config-reference.md updated');
} else if (require.main === module) {
  console.log(rows());
}
