import * as fs from 'fs';

/**
 * Every change this machine forces on a file we emit before a real program reads it, in one place, each with
 * its reason. Everything else the programs read is exactly our output.
 */
export interface HostRewrite {
  /** Top-level field of the document that is set. */
  readonly field: string;
  readonly value: unknown;
  readonly why: string;
}

/** True on a host with the unified cgroup v2 hierarchy (a cgroup2 file system at /sys/fs/cgroup). */
export function hostHasCgroupV2(): boolean {
  return fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
}

/** What the kubelet's own validation needs changed on this machine to judge our KubeletConfiguration. */
export function kubeletHostRewrites(): HostRewrite[] {
  const rewrites: HostRewrite[] = [];
  if (!hostHasCgroupV2()) {
    rewrites.push({
      field: 'failCgroupV1',
      value: false,
      why: 'this CI host runs cgroup v1; from 1.35 the kubelet refuses such a host unless failCgroupV1 is false (a fact of the host, not of the file: our nodes are cgroup v2)',
    });
  }
  return rewrites;
}

/** Sets each rewrite's field at the top of a single-document YAML file (after its `kind:` line). */
export function applyRewrites(yamlText: string, rewrites: readonly HostRewrite[]): string {
  let text = yamlText;
  for (const r of rewrites) {
    if (new RegExp(`^${r.field}:`, 'm').test(text)) throw new Error(`${r.field} is already set in the file; a rewrite would hide our value`);
    text = text.replace(/^kind: .*$/m, (kind) => `${kind}\n${r.field}: ${JSON.stringify(r.value)}`);
  }
  return text;
}
