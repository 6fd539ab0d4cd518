#!/usr/bin/env node
// `npm run policy-matrix -- [--config <file>] [--out <file.html>]`: who may connect to whom under the tenants'
// default NetworkPolicies, as an HTML page (and a text table on stdout). Config: --config <file>, else
// $CLUSTER_CONFIG, else ./cluster.yaml, else the embedded default.
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { ConfigError } from '../config/errors';
import { findConfigSource, loadClusterConfig } from '../config/load';
import { renderMatricesHtml, renderMatrixText } from '../network-policy/render';
import { CLOUD_METADATA_CIDR } from '../network-policy/policies';
import { OUTSIDE_ADDRESS, tenantReachability } from '../network-policy/tenant-matrix';

const USAGE = 'usage: policy-matrix [--config <file>] [--out <file.html>]';

export function main(argv: readonly string[], io: { out: (t: string) => void; err: (t: string) => void; cwd: string; env: NodeJS.ProcessEnv }): number {
  let values: { config?: string; out?: string };
  try {
    values = parseArgs({ args: [...argv], options: { config: { type: 'string' }, out: { type: 'string' } }, strict: true }).values;
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  try {
    const source = values.config ? { kind: 'file' as const, path: path.resolve(io.cwd, values.config) } : findConfigSource(io.cwd, io.env);
    const cluster = loadClusterConfig(source);
    if (!cluster.tenants.length) io.err('policy-matrix: the config has no tenants; the picture shows only the namespace without policies\n');
    const matrices = tenantReachability(cluster);
    io.out(matrices.map(renderMatrixText).join('\n'));
    if (values.out) {
      const out = path.resolve(io.cwd, values.out);
      const html = renderMatricesHtml(matrices, `Tenant NetworkPolicies of cluster ${cluster.clusterName}`, `Our evaluator of the NetworkPolicy spec, on two sample pods per tenant; rows connect to columns. Cloud metadata is ${CLOUD_METADATA_CIDR.split('/')[0]}, outside is ${OUTSIDE_ADDRESS}.`);
      // written whole or not at all: a reader never sees half a page
      fs.writeFileSync(`${out}.tmp`, html);
      fs.renameSync(`${out}.tmp`, out);
      io.out(`wrote ${out}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), cwd: process.cwd(), env: process.env });
}
