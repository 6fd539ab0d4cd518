import * as fs from 'fs';
import * as path from 'path';
import type { App } from 'cdk8s';
import { toYaml } from './yaml';
import type { OutputFile } from '../component';

/** One chart's synthesized objects and the file they went to. */
export interface ChartOutput {
  readonly id: string;
  /** The manifest file; undefined for a chart without objects (a component with files only). */
  readonly file?: string;
  readonly objects: readonly Record<string, any>[];
}

export const MANIFEST_SUFFIX = '.k8s.yaml';

/**
 * Writes one `<chart id>.k8s.yaml` per top-level chart into `outdir`, after running the same construct
 * validations as `App.synth()`. Returns the objects so callers can summarize without re-reading files.
 */
export function synthCharts(app: App, outdir: string): ChartOutput[] {
  const errors = app.node
    .findAll()
    .flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length) throw new Error(`construct validation failed:\n  ${errors.join('\n  ')}`);
  fs.mkdirSync(outdir, { recursive: true });
  return app.charts.map((chart) => {
    const objects = Object.values(chart.toJson()) as Record<string, any>[];
    // an empty manifest would only make `kubectl apply -k dist/` (or `-f` of the file) fail with "no objects passed to apply"
    if (!objects.length) return { id: chart.node.id, objects };
    const file = path.join(outdir, `${chart.node.id}${MANIFEST_SUFFIX}`);
    fs.writeFileSync(file, toYaml(...objects));
    return { id: chart.node.id, file, objects };
  });
}

/** Writes the components' non-Kubernetes files under `outdir`; refuses paths that would leave it. */
export function writeFiles(files: readonly OutputFile[], outdir: string): string[] {
  const root = path.resolve(outdir);
  return files.map((f) => {
    const target = path.resolve(root, f.path);
    if (!target.startsWith(root + path.sep) || target.endsWith(MANIFEST_SUFFIX)) {
      throw new Error(`output file path "${f.path}" must stay inside the output folder and not end in ${MANIFEST_SUFFIX}`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.content, f.secret ? { mode: 0o600 } : {});
    return target;
  });
}
