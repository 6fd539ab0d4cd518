// The cdk8s app. `cdk8s.yaml` runs build/synth.js: this file compiled and bundled (scripts/bundle-synth.js).
// Config: $CLUSTER_CONFIG, else ./cluster.yaml, else the embedded default.
// Output: dist/ (or $CLUSTER_BOOTSTRAP_OUTDIR), replaced in one swap only after synthesis succeeded.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterBootstrap } from './lib/cluster-bootstrap';
import { ConfigError, formatWarnings } from './lib/config/errors';
import { findConfigSource, loadClusterConfig } from './lib/config/load';
import { writeKustomization } from './lib/output/kustomization';
import { makeStagingDir, mirrorFiles, publishDir } from './lib/output/publish';
import { partitionFiles, secretInDistWarning, writeSecretFiles } from './lib/output/secrets';
import { checkOutput, OutputCheckError, writeCheckRecord } from './lib/output/self-check';
import { formatPublished, formatSummary, summarize } from './lib/output/summary';
import { synthCharts, writeFiles } from './lib/output/synth';

function main(): void {
  const source = findConfigSource();
  const sourceName = source.path ? path.relative(process.cwd(), source.path) || source.path : 'the embedded default config';
  let config;
  try {
    config = loadClusterConfig(source);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\nThe previous output was left untouched.\n`);
      process.exit(1);
    }
    throw e;
  }
  for (const line of formatWarnings(config.warnings)) process.stderr.write(line + '\n');

  // an empty value means unset (not the working folder, which the swap would replace)
  const target = path.resolve(process.env.CLUSTER_BOOTSTRAP_OUTDIR || 'dist');
  const staging = makeStagingDir(target);
  let outputs;
  try {
    const app = new App({ outdir: staging });
    const bootstrap = new ClusterBootstrap(app, { config });
    outputs = synthCharts(app, staging);
    const files = partitionFiles([...bootstrap.files.values()].flat());
    writeFiles(files.dist, staging);
    const kustomization = writeKustomization(outputs, staging);
    // every rule of the validation plugin, before anything is published (a component or an extension could be wrong)
    const check = checkOutput(outputs, staging, config.kubernetesVersion.tag);
    if (check.violations.length) throw new OutputCheckError(check.violations);
    const shown = path.relative(process.cwd(), target) || '.';
    // secrets first: generated keys must be kept before a dist/ that uses them is published
    writeSecretFiles(files.secrets, config.secretsDir);
    publishDir(staging, target);
    for (const f of files.dist.filter((d) => d.secret)) process.stderr.write(secretInDistWarning(path.join(path.relative(process.cwd(), target) || '.', f.path)) + '\n');
    const cliOutdir = process.env.CDK8S_OUTDIR;
    if (cliOutdir && path.resolve(cliOutdir) !== target) {
      mirrorFiles(target, cliOutdir);
      writeCheckRecord(cliOutdir, check);
    }
    const rows = summarize(outputs, bootstrap.registered, bootstrap.files, config, shown);
    // stderr: the cdk8s CLI captures the app's stdout and shows it only on failure
    process.stderr.write(formatSummary(rows, config, sourceName) + '\n');
    process.stderr.write(formatPublished(shown, path.basename(kustomization), cliOutdir && path.resolve(cliOutdir) !== target ? path.relative(process.cwd(), cliOutdir) || '.' : undefined) + '\n');
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (e instanceof ConfigError || e instanceof OutputCheckError) {
      process.stderr.write(`error: ${e.message}\nThe previous output was left untouched.\n`);
      process.exit(1);
    }
    throw e;
  }
}

main();
