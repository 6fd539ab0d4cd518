import * as path from 'path';
import type { ClusterComponent } from '../component';
import type { ClusterConfig } from '../config/cluster-config';
import type { ChartOutput } from './synth';

/** Container images referenced by an object's pod template (or by a Pod). */
export function imagesOf(object: Record<string, any>): string[] {
  const pod = object.kind === 'Pod' ? object.spec : (object.spec?.jobTemplate?.spec ?? object.spec)?.template?.spec;
  if (!pod) return [];
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])] as { image?: string }[];
  return containers.map((c) => c.image).filter((i): i is string => typeof i === 'string');
}

export interface ComponentSummary {
  readonly id: string;
  /** Non-Kubernetes files, relative to the output folder. */
  readonly files: readonly string[];
  readonly version: string;
  readonly images: readonly string[];
  readonly objects: number;
  /** The manifest file; absent for a files-only component. */
  readonly file?: string;
}

/** One row per component that wrote something (a manifest or files), in the components' order. */
export function summarize(
  outputs: readonly ChartOutput[],
  components: readonly ClusterComponent[],
  files: ReadonlyMap<string, readonly { path: string }[]>,
  config: ClusterConfig,
  publishedDir: string,
): ComponentSummary[] {
  const byId = new Map(components.map((c) => [c.id, c]));
  const outputById = new Map(outputs.map((o) => [o.id, o]));
  const ids = [...components.map((c) => c.id).filter((id) => outputById.has(id) || files.has(id)), ...outputs.map((o) => o.id).filter((id) => !byId.has(id))];
  return ids.map((id) => {
    const o = outputById.get(id);
    return {
      id,
      files: (files.get(id) ?? []).map((f) => path.join(publishedDir, f.path)),
      version: byId.get(id)?.version(config) ?? '-',
      images: o ? [...new Set(o.objects.flatMap(imagesOf))] : [],
      objects: o?.objects.length ?? 0,
      ...(o ? { file: path.join(publishedDir, path.basename(o.file)) } : {}),
    };
  });
}

/** The deepest folder holding every one of `files`. */
function commonFolder(files: readonly string[]): string {
  const parts = files.map((f) => path.dirname(f).split(path.sep));
  const common: string[] = [];
  for (let i = 0; parts.every((p) => i < p.length && p[i] === parts[0][i]); i++) common.push(parts[0][i]);
  return common.join(path.sep) || '.';
}

/** A short human summary for the terminal. */
export function formatSummary(rows: readonly ComponentSummary[], config: ClusterConfig, source: string): string {
  const n = config.network;
  const lines = [
    `cluster ${config.clusterName} (Kubernetes ${config.kubernetesVersion.semver}) from ${source}`,
    `  pods ${n.podCidrs.join(',')}  services ${n.serviceCidrs.join(',')}  kubernetes svc ${n.firstServiceIP}  dns ${n.dnsServiceIP}  node-local dns ${n.nodeLocalDnsIP}`,
  ];
  for (const r of rows) {
    if (!r.file) {
      // a files-only component (e.g. the PKI plan): one line, not one per file
      lines.push(`  ${r.id} ${r.version}: ${r.files.length} files -> ${commonFolder(r.files)}/`);
      continue;
    }
    lines.push(`  ${r.id} ${r.version}: ${r.objects} objects -> ${r.file}`);
    for (const image of r.images) lines.push(`      image ${image}`);
    for (const file of r.files) lines.push(`      file  ${file}`);
  }
  const total = rows.reduce((sum, r) => sum + r.objects, 0);
  lines.push(`${rows.length} component(s), ${total} objects`);
  return lines.join('\n');
}
