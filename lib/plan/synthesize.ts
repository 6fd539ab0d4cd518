import * as os from 'os';
import { App } from 'cdk8s';
import { ClusterBootstrap } from '../cluster-bootstrap';
import type { ClusterComponent, OutputFile } from '../component';
import type { ClusterConfig } from '../config/cluster-config';

/** One synthesized Kubernetes object and the component (chart) that emits it. */
export interface SynthesizedObject {
  readonly component: string;
  readonly manifest: Record<string, any>;
}

export interface SynthesizedCluster {
  readonly objects: readonly SynthesizedObject[];
  /** The components' non-Kubernetes files, by component id (secret files included; callers decide). */
  readonly files: readonly (OutputFile & { readonly component: string })[];
}

/**
 * The objects and files `cdk8s synth` would write for a config, built in memory only (as the Pulumi stack
 * does): nothing is written to disk. Encryption keys are read as synth reads them (a generated key that is
 * not yet kept is made up in memory and dropped).
 */
export function synthesizeCluster(config: ClusterConfig, components?: readonly ClusterComponent[]): SynthesizedCluster {
  const app = new App({ outdir: os.tmpdir() });
  const bootstrap = new ClusterBootstrap(app, { config, ...(components ? { components } : {}) });
  const objects: SynthesizedObject[] = [];
  for (const [component, chart] of bootstrap.charts) {
    for (const manifest of Object.values(chart.toJson()) as Record<string, any>[]) objects.push({ component, manifest });
  }
  const files = [...bootstrap.files.entries()].flatMap(([component, list]) => list.map((f) => ({ ...f, component })));
  return { objects, files };
}
