import { Testing } from 'cdk8s';
import { ClusterBootstrap, type ClusterBootstrapProps } from '../../lib/cluster-bootstrap';
import type { ClusterConfig } from '../../lib/config/cluster-config';
import { parseClusterConfig } from '../../lib/config/parse';
import type { ClusterConfigFile } from '../../lib/config/types';

export type Manifest = Record<string, any>;

/** Synthesizes the bootstrap for a config file object; returns objects per chart id. */
export function synthBootstrap(file: ClusterConfigFile = {}, extra: Partial<ClusterBootstrapProps> = {}): {
  config: ClusterConfig;
  bootstrap: ClusterBootstrap;
  charts: Record<string, Manifest[]>;
  all: Manifest[];
} {
  const config = parseClusterConfig(file);
  const app = Testing.app();
  const bootstrap = new ClusterBootstrap(app, { config, ...extra });
  const charts: Record<string, Manifest[]> = {};
  for (const [id, chart] of bootstrap.charts) charts[id] = Testing.synth(chart);
  return { config, bootstrap, charts, all: Object.values(charts).flat() };
}

export function find(objects: Manifest[], kind: string, name: string): Manifest {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}
