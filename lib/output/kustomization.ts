import * as fs from 'fs';
import * as path from 'path';
import { toYaml } from './yaml';
import type { ChartOutput } from './synth';

export const KUSTOMIZATION_FILE = 'kustomization.yaml';

/** Apply order of a kind: Namespaces, then CustomResourceDefinitions, then everything else. */
function rank(object: Record<string, any>): number {
  if (object?.kind === 'Namespace' && object?.apiVersion === 'v1') return 0;
  if (object?.kind === 'CustomResourceDefinition' && String(object?.apiVersion).startsWith('apiextensions.k8s.io/')) return 1;
  return 2;
}

/**
 * The manifest files in apply order: a file holding a Namespace first, then one holding a CRD, then the rest, each
 * group in synth (component) order. Paths relative to `outdir`; charts without a file (files-only components) are left out.
 */
export function applyOrder(outputs: readonly ChartOutput[], outdir: string): string[] {
  return outputs
    .filter((o): o is ChartOutput & { file: string } => !!o.file)
    .map((o, i) => ({ file: path.relative(outdir, o.file).split(path.sep).join('/'), rank: Math.min(2, ...o.objects.map(rank)), i }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((o) => o.file);
}

/** The kustomization that makes `kubectl apply -k <outdir>` apply every manifest, in apply order. */
export function kustomization(files: readonly string[]): string {
  const header = '# Written by cluster-bootstrap: the manifests of this folder in apply order (Namespaces and CRDs first).\n# kubectl apply -k <this folder>\n';
  return header + toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...files] });
}

/** Writes `kustomization.yaml` into `outdir`, listing the charts' manifest files; returns its path. */
export function writeKustomization(outputs: readonly ChartOutput[], outdir: string): string {
  const file = path.join(outdir, KUSTOMIZATION_FILE);
  fs.writeFileSync(file, kustomization(applyOrder(outputs, outdir)));
  return file;
}
