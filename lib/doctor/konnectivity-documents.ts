// The synthesized Konnectivity documents, from a dist/ folder or by synthesizing a cluster config in memory
// (the same ClusterBootstrap as `cdk8s synth`, nothing written).
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { loadAll } from 'js-yaml';
import { ClusterBootstrap } from '../cluster-bootstrap';
import type { ClusterConfig } from '../config/cluster-config';
import { isAgent, isServer, type KonnectivityDocuments } from './static-consistency';

export const KONNECTIVITY_FILES = {
  manifest: 'konnectivity.k8s.yaml',
  egress: 'control-plane/egress-selector-configuration.yaml',
  staticPod: 'control-plane/manifests/konnectivity-server.yaml',
} as const;

/** The documents of each file, by path relative to dist/. */
function pick(source: string, files: ReadonlyMap<string, readonly any[]>): KonnectivityDocuments | undefined {
  const manifest = files.get(KONNECTIVITY_FILES.manifest);
  if (!manifest) return undefined;
  const all = [...files.values()].flat();
  return {
    source,
    agent: manifest.find(isAgent),
    server: all.find(isServer),
    egress: (files.get(KONNECTIVITY_FILES.egress) ?? []).find((d) => d?.kind === 'EgressSelectorConfiguration'),
  };
}

/** From a dist folder; undefined when it has no konnectivity.k8s.yaml (Konnectivity off). */
export function documentsFromDist(dist: string): KonnectivityDocuments | undefined {
  if (!fs.existsSync(dist)) throw new Error(`no such folder: ${dist} (give --dist the folder synth wrote, usually dist/)`);
  const files = new Map<string, any[]>();
  for (const rel of Object.values(KONNECTIVITY_FILES)) {
    const file = path.join(dist, rel);
    if (fs.existsSync(file)) files.set(rel, loadAll(fs.readFileSync(file, 'utf8')).filter(Boolean));
  }
  return pick(dist, files);
}

/** By synthesizing the config in memory; undefined when it does not enable Konnectivity. */
export function documentsFromConfig(config: ClusterConfig, source: string): KonnectivityDocuments | undefined {
  const bootstrap = new ClusterBootstrap(new App(), { config });
  const chart = bootstrap.charts.get('konnectivity');
  if (!chart) return undefined;
  const files = new Map<string, any[]>([[KONNECTIVITY_FILES.manifest, chart.toJson()]]);
  for (const f of bootstrap.files.get('konnectivity') ?? []) files.set(f.path, loadAll(f.content).filter(Boolean));
  return pick(source, files);
}
