import { ApiObject, Chart, type App, type JsonPatch } from 'cdk8s';
import type { Construct } from 'constructs';
import type { ClusterComponent, OutputFile } from './component';
import { FlannelComponent } from './components/flannel';
import { CloudControllerManagerComponent } from './components/cloud-controller-manager';
import { CoreDnsComponent } from './components/coredns';
import { KonnectivityComponent } from './components/konnectivity';
import { KubeProxyWindowsComponent } from './components/kube-proxy-windows';
import { NodeLocalDnsComponent } from './components/node-local-dns';
import { NodeConfigComponent } from './components/node-config';
import { KubeletServingApproverComponent } from './components/kubelet-serving-approver';
import { TenantsComponent } from './components/tenants';
import { ClusterDoctorRbacComponent } from './components/cluster-doctor';
import { PkiPlanComponent } from './components/pki';
import type { ClusterConfig } from './config/cluster-config';
import { collectContributions, type ClusterWiring } from './contributions';
import { isKebabCase } from './net/names';

/** The components this library ships, in the order their charts are synthesized. */
export function builtInComponents(): ClusterComponent[] {
  return [
    new FlannelComponent(),
    new KubeProxyWindowsComponent(),
    new CoreDnsComponent(),
    new NodeLocalDnsComponent(),
    new CloudControllerManagerComponent(),
    new KonnectivityComponent(),
    new NodeConfigComponent(),
    new KubeletServingApproverComponent(),
    new ClusterDoctorRbacComponent(),
    new TenantsComponent(),
    new PkiPlanComponent(),
  ];
}

function wiringOf(enabled: readonly ClusterComponent[], config: ClusterConfig): ClusterWiring {
  return collectContributions(enabled.map((c) => ({ id: c.id, contributions: c.contributions?.(config) ?? {} })));
}

/**
 * The merged contributions of the components this config enables, without synthesizing (for the `cluster-pki`
 * command, or `pkiPlan(config, clusterWiring(config, myComponents))` in an app repo).
 */
export function clusterWiring(config: ClusterConfig, components: readonly ClusterComponent[] = builtInComponents()): ClusterWiring {
  return wiringOf(components.filter((c) => c.isEnabled(config)), config);
}

export interface ClusterBootstrapProps {
  /** The validated cluster config (`parseClusterConfig` / `loadClusterConfig`). */
  readonly config: ClusterConfig;
  /**
   * The components to consider; each one the config enables gets its own chart.
   * @default builtInComponents()
   */
  readonly components?: readonly ClusterComponent[];
}


/**
 * Composes the cluster bootstrap: one chart per enabled component, each a direct child of the app so
 * `dist/` gets one file per component (`dist/<id>.k8s.yaml`).
 */
export class ClusterBootstrap {
  /** Chart of each enabled component, by component id, in synthesis order. */
  readonly charts = new Map<string, Chart>();
  /** The construct each enabled component added, by component id (for patching its objects). */
  readonly components = new Map<string, Construct>();
  /** Every component considered, enabled or not, in order. */
  readonly registered: readonly ClusterComponent[];
  /** Non-Kubernetes files of the enabled components, by component id. */
  readonly files = new Map<string, OutputFile[]>();
  /** The contributions of the enabled components, merged (what node-config and the PKI plan read). */
  readonly wiring: ClusterWiring;

  constructor(
    readonly app: App,
    props: ClusterBootstrapProps,
  ) {
    this.registered = props.components ?? builtInComponents();
    const seen = new Set<string>();
    for (const component of this.registered) {
      if (!isKebabCase(component.id)) {
        throw new Error(`component id "${component.id}" must be kebab-case (it names the chart and dist/${component.id}.k8s.yaml)`);
      }
      if (seen.has(component.id)) {
        throw new Error(`two components have the id "${component.id}"; replace the built-in one instead of adding a second`);
      }
      seen.add(component.id);
    }
    const enabled = this.registered.filter((c) => c.isEnabled(props.config));
    this.wiring = wiringOf(enabled, props.config);
    for (const component of enabled) {
      const chart = new Chart(app, component.id, { disableResourceNameHashes: true });
      this.charts.set(component.id, chart);
      this.components.set(component.id, component.addTo(chart, props.config, this.wiring));
      const files = component.files?.(props.config, this.wiring) ?? [];
      if (files.length) this.files.set(component.id, files);
    }
  }

  /** The component with this id, if enabled. */
  component<T extends Construct = Construct>(id: string): T | undefined {
    return this.components.get(id) as T | undefined;
  }

  /** Every API object of every enabled component. */
  apiObjects(): ApiObject[] {
    // isApiObject, not instanceof: an app repo may load its own copy of cdk8s
    return [...this.charts.values()].flatMap((chart) => chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c)));
  }

  /** The API object with this kind, name and (for namespaced kinds) namespace, if any component emits it. */
  findObject(ref: ObjectRef): ApiObject | undefined {
    return this.apiObjects().find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (ref.namespace === undefined || o.metadata.namespace === ref.namespace));
  }

  /**
   * Escape hatch for anything the typed config does not cover: applies JSON Patch operations (RFC 6902,
   * cdk8s `JsonPatch`) to one object, whichever component emits it, after all its fields are rendered.
   * Throws when no such object exists (naming the objects of that kind), so a renamed object cannot be
   * patched silently in vain.
   */
  patch(ref: ObjectRef, ...ops: JsonPatch[]): ApiObject {
    const target = this.findObject(ref);
    if (!target) {
      const sameKind = this.apiObjects()
        .filter((o) => o.kind === ref.kind)
        .map((o) => `${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
      const where = `${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
      throw new Error(`no ${ref.kind} ${where} to patch; the enabled components emit ${sameKind.length ? `these ${ref.kind} objects: ${sameKind.join(', ')}` : `no ${ref.kind}`}`);
    }
    target.addJsonPatch(...ops);
    return target;
  }
}

/** Names one API object: `{ kind: 'Deployment', namespace: 'kube-system', name: 'coredns' }`. */
export interface ObjectRef {
  readonly kind: string;
  readonly name: string;
  /** @default - any namespace (cluster-scoped objects have none) */
  readonly namespace?: string;
}
