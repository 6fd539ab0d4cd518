// The cdk8s app. `cdk8s.yaml` runs build/synth.js: this file compiled and bundled (scripts/bundle-synth.js).
// Config: $CLUSTER_CONFIG, else ./cluster.yaml, else the embedded default.
// Output: dist/ (or $CLUSTER_BOOTSTRAP_OUTDIR), replaced in one swap only after synthesis succeeded.
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { ClusterBootstrap } from './lib/cluster-bootstrap';
import { ConfigError, formatWarnings } from './lib/config/errors';
import { findConfigSource, loadClusterConfig } from './lib/config/load';
import { chartName, detectHelmScaffold, mirrorHelmChart, TEMPLATES_DIR, writeHelmChart, type HelmScaffold } from './lib/output/helm';
import { writeKustomization } from './lib/output/kustomization';
import { makeStagingDir, mirrorFiles, publishDir } from './lib/output/publish';
import { partitionFiles, secretInDistWarning, writeSecretFiles } from './lib/output/secrets';
import { checkOutput, OutputCheckError, writeCheckRecord } from './lib/output/self-check';
import { formatPublished, formatSummary, summarize, type PublishedForm } from './lib/output/summary';
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
  const cliOutdir = process.env.CDK8S_OUTDIR;
  // `cdk8s synth` with synthConfig.format: helm (lib/output/helm.ts): dist/ becomes a Helm chart
  let helm: HelmScaffold | undefined;
  try {
    helm = detectHelmScaffold(cliOutdir);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\nThe previous output was left untouched.\n`);
    process.exit(1);
  }

  // an empty value means unset (not the working folder, which the swap would replace)
  const target = path.resolve(process.env.CLUSTER_BOOTSTRAP_OUTDIR || 'dist');
  const staging = makeStagingDir(target);
  let outputs;
  try {
    const app = new App({ outdir: staging });
    const bootstrap = new ClusterBootstrap(app, { config });
    const manifestDir = helm ? path.join(staging, TEMPLATES_DIR) : staging;
    outputs = synthCharts(app, manifestDir);
    const files = partitionFiles([...bootstrap.files.values()].flat());
    writeFiles(files.dist, staging);
    const nodeFiles = files.dist.map((f) => f.path);
    const chart = helm ? writeHelmChart(staging, outputs, nodeFiles, { name: chartName(config.clusterName), version: helm.version, apiVersion: helm.apiVersion, kubernetesVersion: config.kubernetesVersion }) : undefined;
    // no kustomization.yaml in a chart: Helm would not read it, and it would list templates Helm must render first
    const form: PublishedForm = chart ? { helmChart: { ...chart, escaped: chart.escaped.size } } : { kustomization: path.basename(writeKustomization(outputs, staging)) };
    // every rule of the validation plugin, before anything is published (a component or an extension could be wrong)
    const check = checkOutput(outputs, staging, config.kubernetesVersion.tag);
    if (check.violations.length) throw new OutputCheckError(check.violations);
    const shown = path.relative(process.cwd(), target) || '.';
    // secrets first: generated keys must be kept before a dist/ that uses them is published
    writeSecretFiles(files.secrets, config.secretsDir);
    publishDir(staging, target);
    for (const f of files.dist.filter((d) => d.secret)) process.stderr.write(secretInDistWarning(path.join(path.relative(process.cwd(), target) || '.', f.path)) + '\n');
    const mirrored = cliOutdir && path.resolve(cliOutdir) !== target ? cliOutdir : undefined;
    if (mirrored && chart) mirrorHelmChart(target, mirrored, outputs, nodeFiles, chart.escaped);
    else if (mirrored) mirrorFiles(target, mirrored);
    // what the plugin will be handed there is what was checked: it then only compares hashes
    if (mirrored) writeCheckRecord(mirrored, check);
    const rows = summarize(outputs, bootstrap.registered, bootstrap.files, config, shown, chart ? path.join(shown, TEMPLATES_DIR) : shown);
    // stderr: the cdk8s CLI captures the app's stdout and shows it only on failure
    process.stderr.write(formatSummary(rows, config, sourceName) + '\n');
    process.stderr.write(formatPublished(shown, form, mirrored ? path.relative(process.cwd(), mirrored) || '.' : undefined) + '\n');
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
