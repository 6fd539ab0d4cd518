#!/usr/bin/env node
// Bundles the compiled synth app (build/main.js and everything it requires) into one file,
// build/synth-bundle.js, installs the loader build/synth.js (scripts/synth-entry.js) that cdk8s.yaml runs,
// and runs it once on the default config to write the V8 code cache. One cached file instead of ~150
// modules to resolve, parse and compile is most of synth's start-up time (see `npm run bench:synth`).
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const esbuild = require('esbuild');

const build = path.resolve(__dirname, '..', 'build');
const bundle = path.join(build, 'synth-bundle.js');
esbuild.buildSync({
  entryPoints: [path.join(build, 'main.js')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'none',
  logLevel: 'warning',
});
fs.copyFileSync(path.join(__dirname, 'synth-entry.js'), path.join(build, 'synth.js'));
fs.rmSync(`${bundle}.v8cache`, { force: true });

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-warm-'));
try {
  execFileSync(process.execPath, [path.join(build, 'synth.js')], {
    cwd: scratch,
    env: { ...process.env, CLUSTER_CONFIG: '', CLUSTER_BOOTSTRAP_OUTDIR: path.join(scratch, 'dist') },
    stdio: 'pipe',
  });
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
