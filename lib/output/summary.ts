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
  /** The manifest file, or undefined for a component with files only. */
  readonly file?: string;
}

export function summarize(
  outputs: readonly ChartOutput[],
  components: readonly ClusterComponent[],
  files: ReadonlyMap<string, readonly { path: string; secret?: { inDist: boolean } }[]>,
  config: ClusterConfig,
  publishedDir: string,
  /** Where the manifests are: `publishedDir`, or its templates/ in a Helm chart. */
  manifestDir: string = publishedDir,
): ComponentSummary[] {
  const byId = new Map(components.map((c) => [c.id, c]));
  const where = (f: { path: string; secret?: { inDist: boolean } }) =>
    f.secret ? `${path.join(f.secret.inDist ? publishedDir : config.secretsDir, f.path)} (secret, mode 0600)` : path.join(publishedDir, f.path);
  return outputs.map((o) => ({
    id: o.id,
    files: (files.get(o.id) ?? []).map(where),
    version: byId.get(o.id)?.version(config) ?? '-',
    images: [...new Set(o.objects.flatMap(imagesOf))],
    objects: o.objects.length,
    ...(o.file ? { file: path.join(manifestDir, path.basename(o.file)) } : {}),
  }));
}

/** A short human summary for the terminal. */
export function formatSummary(rows: readonly ComponentSummary[], config: ClusterConfig, source: string): string {
  const n = config.network;
  const lines = [
    `cluster ${config.clusterName} (Kubernetes ${config.kubernetesVersion.semver}) from ${source}`,
    `  pods ${n.podCidrs.join(',')}  services ${n.serviceCidrs.join(',')}  kubernetes svc ${n.firstServiceIP}  dns ${n.dnsServiceIP}  node-local dns ${n.nodeLocalDnsIP}`,
  ];
  for (const r of rows) {
    lines.push(r.file ? `  ${r.id} ${r.version}: ${r.objects} objects -> ${r.file}` : `  ${r.id} ${r.version}: files only`);
    for (const image of r.images) lines.push(`      image ${image}`);
    for (const file of r.files) lines.push(`      file  ${file}`);
  }
  const total = rows.reduce((sum, r) => sum + r.objects, 0);
  lines.push(`${rows.length} component(s), ${total} objects`);
  return lines.join('\n');
}

/** What was published: the plain folder with its kustomization, or a Helm chart (`synthConfig.format: helm`). */
export type PublishedForm = { readonly kustomization: string } | { readonly helmChart: { readonly name: string; readonly version: string; readonly escaped: number } };

/**
 * Where the output went, after the summary: the folder, how to apply it, and, under `cdk8s synth`, what the
 * CLI's own folder holds (it lists those paths next).
 */
export function formatPublished(publishedDir: string, form: PublishedForm, cliOutdir?: string): string {
  if ('kustomization' in form) {
    const lines = [`published ${publishedDir}/ (apply with: kubectl apply -k ${publishedDir}/, which reads ${path.join(publishedDir, form.kustomization)})`];
    if (cliOutdir) lines.push(`the cdk8s CLI lists ${cliOutdir}/ below: links to the files in ${publishedDir}/, which it validates`);
    return lines.join('\n');
  }
  const c = form.helmChart;
  const lines = [
    `published Helm chart ${c.name} ${c.version} in ${publishedDir}/ (install with: helm upgrade --install ${c.name} ${publishedDir}/ --namespace kube-system; ` +
      `manifests in ${path.join(publishedDir, 'templates')}/, node files listed in ${path.join(publishedDir, '.helmignore')})`,
  ];
  if (cliOutdir) {
    const copies = c.escaped ? `, copies of the ${c.escaped} whose "{{" the chart escapes` : '';
    lines.push(`the cdk8s CLI lists ${cliOutdir}/ below: the objects as plain manifests (links to ${publishedDir}/${copies}) and the node files, which it validates`);
  }
  return lines.join('\n');
}
