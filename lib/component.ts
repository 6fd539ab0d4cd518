import type { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ClusterConfig } from './config/cluster-config';
import type { ClusterWiring, ComponentContributions } from './contributions';

/** A file that is not a Kubernetes object (node preparation, config files), written to `dist/<path>`. */
export interface OutputFile {
  /** Relative path under the output folder, e.g. `node/linux/sysctl.d/90-flannel.conf`. */
  readonly path: string;
  readonly content: string;
  /**
   * Set when the file holds secrets (keys): it is written with mode 0600 and its content is never printed.
   * It goes under the config's `secretsDir` (path relative to that folder), unless `inDist` is set by an
   * explicit opt-in: then it goes under dist/ and synth prints a warning.
   */
  readonly secret?: { readonly inDist: boolean };
}

/**
 * The add-on contract. A component has a kebab-case `id`, which names its chart and its output file
 * (`dist/<id>.k8s.yaml`), says from the cluster config whether it is enabled, and adds its objects to
 * the chart it is given. Everything it needs comes from the validated `ClusterConfig`: a component never
 * re-derives a network fact. App repos implement this interface to add or replace components.
 */
export interface ClusterComponent {
  readonly id: string;
  /** Whether this cluster config turns the component on. */
  isEnabled(config: ClusterConfig): boolean;
  /** The component's release, for the synth summary (e.g. `v0.28.9`). */
  version(config: ClusterConfig): string;
  /**
   * Adds the component's API objects under `chart` and returns the construct holding them. A component with
   * files only adds nothing: its empty chart writes no manifest. `wiring` holds every enabled component's
   * contributions, merged.
   */
  addTo(chart: Chart, config: ClusterConfig, wiring: ClusterWiring): Construct;
  /** Files for nodes or the control plane that the component needs besides its API objects. */
  files?(config: ClusterConfig, wiring: ClusterWiring): OutputFile[];
  /**
   * Settings the component needs elsewhere in the cluster: kube-apiserver, kube-controller-manager and
   * kube-scheduler flags and mounts, kubelet flags and config fields, kube-proxy config fields, API server
   * certificate SANs and client certificates. Collected from every enabled component before `addTo`; two
   * components that disagree stop synth with an error naming both.
   */
  contributions?(config: ClusterConfig): ComponentContributions;
}
