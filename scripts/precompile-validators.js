#!/usr/bin/env node
// Compiles the committed schemas ahead of time: the Kubernetes OpenAPI ones (schema/kubernetes/<release>.json.gz)
// into build/lib/validation/generated/kubernetes-<release>.js and the node-config ones (schema/node-config/...)
// into node-config-<release>.js: Ajv's standalone code, one validator per kind. Compiling at run time costs
// ~0.35 s per synth (the default bootstrap's 11 kinds) and loads Ajv; loading the compiled module costs ~35 ms.
// lib/validation/kubernetes-schema.ts and node-config-schema.ts use the modules when they are there and compile
// with the same options when they are not (e.g. under ts-jest).
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const zlib = require('zlib');
const Ajv = require('ajv').default;
const standaloneCode = require('ajv/dist/standalone').default;

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'build', 'lib', 'validation', 'generated');

/** The options KubernetesSchema compiles with at run time; errors must come out the same either way. */
const OPTIONS = { allErrors: true, strict: false, validateFormats: false };

/**
 * V8's code cache of a generated module, read by lib/validation/precompiled.ts (loadWithCodeCache): made after every
 * validator ran once, so their lazily compiled code is in it too.
 */
function writeCodeCache(file, code) {
  // the same wrapper as lib/validation/precompiled.ts's wrapModule: V8 takes a cache only for the same text
  const wrapModule = (text) => `(function (exports, require, module, __filename, __dirname) {${text}\n})`;
  const script = new vm.Script(wrapModule(code), { filename: file });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, undefined, module, file, path.dirname(file));
  for (const name of Object.values(module.exports.kinds)) module.exports[name]({});
  fs.writeFileSync(`${file}.v8cache`, script.createCachedData());
}

/** `family` is the schema folder and the `$id` the definitions are added under at run time. */
function precompile(family, rootId) {
  const schemaDir = path.join(root, 'schema', family);
  for (const file of fs.readdirSync(schemaDir).filter((f) => f.endsWith('.json.gz'))) {
    const release = file.slice(0, -'.json.gz'.length);
    const bundle = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(schemaDir, file))).toString('utf8'));
    const ajv = new Ajv({ ...OPTIONS, code: { source: true, esm: false, lines: false } });
    ajv.addSchema({ $id: rootId, definitions: bundle.definitions });
    const exportsByKind = {};
    Object.entries(bundle.kinds).forEach(([kind, definition], i) => {
      const id = `kind${i}`;
      ajv.addSchema({ $id: id, $ref: `${rootId}#/definitions/${definition}` });
      exportsByKind[kind] = id;
    });
    const ids = Object.fromEntries(Object.values(exportsByKind).map((id) => [id, id]));
    const code = `${standaloneCode(ajv, ids)}\nexports.kinds = ${JSON.stringify(exportsByKind)};\nexports.kubernetesVersion = ${JSON.stringify(bundle.kubernetesVersion)};\n`;
    if (/require\(/.test(code)) throw new Error(`${family} ${release}: the compiled validators require Ajv's runtime; synth must not load Ajv`);
    const target = path.join(outDir, `${family}-${release}.js`);
    fs.writeFileSync(target, code);
    writeCodeCache(target, code);
  }
}

fs.mkdirSync(outDir, { recursive: true });
precompile('kubernetes', 'k8s');
precompile('node-config', 'node-config');
