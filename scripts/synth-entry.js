// build/synth.js: what cdk8s.yaml runs. Loads the bundled app (build/synth-bundle.js) through V8's code
// cache (build/synth-bundle.js.v8cache, made at build time and remade if this Node/V8 rejects it), which
// skips parsing and compiling ~600 kB of JavaScript on every synth. The same idea as Node 22's
// module.enableCompileCache(), which Node 20 lacks.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const Module = require('module');

const file = path.join(__dirname, 'synth-bundle.js');
const cacheFile = `${file}.v8cache`;
let cachedData;
try {
  cachedData = fs.readFileSync(cacheFile);
} catch {
  cachedData = undefined; // first run after a build without cache: made below
}
const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = Module._nodeModulePaths(__dirname);
if (!cachedData || script.cachedDataRejected) {
  // after the run, so the functions compiled lazily during synth are in the cache too
  process.on('exit', () => {
    try {
      fs.writeFileSync(cacheFile, script.createCachedData());
    } catch {
      // a read-only build folder only costs speed
    }
  });
}
script.runInThisContext().call(bundle.exports, bundle.exports, Module.createRequire(file), bundle, file, __dirname);
