#!/usr/bin/env node
// `npm run bench:synth`: start-up cost of synthesizing the default bootstrap, measured in one run so the
// figures are comparable on a noisy machine. Reports median/min/max wall time over RUNS runs after a
// warm-up, and peak RSS (via GNU time when installed):
//   app alone          node build/synth.js            (the command cdk8s.yaml runs)
//   cdk8s synth        npx cdk8s synth                 (CLI end to end)
//   cdk8s --version    npx cdk8s --version             (the CLI's own start-up floor)
// Targets (2-core machine): app alone <= 0.3 s; cdk8s synth <= floor + 0.35 s. Exits 0 either way: the
// figures are for reading, not for failing builds.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-bench-'));
const gnuTime = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cli = path.join(root, 'node_modules', '.bin', 'cdk8s');
const env = { ...process.env, CLUSTER_BOOTSTRAP_OUTDIR: path.join(work, 'dist'), CLUSTER_CONFIG: '', CDK8S_CHECK_UPGRADE: 'false' };

function once(argv, cwd) {
  const cmd = gnuTime ? [gnuTime, '-f', '%M', ...argv] : argv;
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const rssKb = gnuTime ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { seconds, rssMb: rssKb / 1024 };
}

function measure(name, argv, cwd) {
  once(argv, cwd); // warm-up: file cache, lazily written CLI caches
  const samples = Array.from({ length: RUNS }, () => once(argv, cwd));
  const times = samples.map((s) => s.seconds).sort((a, b) => a - b);
  return {
    name,
    command: argv.map((a) => path.relative(root, a).startsWith('..') ? a : path.relative(root, a) || a).join(' '),
    median: times[Math.floor(times.length / 2)],
    min: times[0],
    max: times[times.length - 1],
    rssMb: Math.max(...samples.map((s) => s.rssMb)),
  };
}

const rows = [
  measure('app alone', [process.execPath, path.join(root, 'build', 'synth.js')], work),
  measure('cdk8s synth', [cli, 'synth', '--output', path.join(work, 'staging')], root),
  measure('cdk8s --version', [cli, '--version'], root),
];
const [app, synth, floor] = rows;
const fmt = (s) => `${s.toFixed(3)} s`;
console.log(`synth benchmark: ${RUNS} runs after a warm-up; ${os.cpus().length} cores, node ${process.version}`);
console.log('| what | command | median | min | max | peak RSS |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.name} | \`${r.command}\` | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${Number.isNaN(r.rssMb) ? 'n/a' : `${r.rssMb.toFixed(0)} MB`} |`);
const overhead = synth.median - floor.median;
console.log(`target app alone <= 0.300 s: ${fmt(app.median)} ${app.median <= 0.3 ? 'met' : 'MISSED'}`);
console.log(`target cdk8s synth <= floor + 0.350 s: floor ${fmt(floor.median)} + ${fmt(overhead)} ${overhead <= 0.35 ? 'met' : 'MISSED'}`);
fs.rmSync(work, { recursive: true, force: true });
