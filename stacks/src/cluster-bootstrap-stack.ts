import * as os from 'os';
import * as path from 'path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { App } from 'cdk8s';
import { ClusterBootstrap } from '../../lib/cluster-bootstrap';
import type { ClusterComponent } from '../../lib/component';
import { generatedKeyPath } from '../../lib/node-config/encryption';
import type { ClusterConfig } from '../../lib/config/cluster-config';

const GENERATED_KEYS_DIR = path.dirname(generatedKeyPath('k'));

export const BOOTSTRAP_TYPE = 'clusterbootstrap:index:ClusterBootstrap';
export const COMPONENT_TYPE = 'clusterbootstrap:index:Component';

export interface ClusterBootstrapStackArgs {
  /** The validated cluster config: the same model and validator as `cdk8s synth`. */
  readonly config: ClusterConfig;
  /**
   * Components to deploy.
   * @default builtInComponents()
   */
  readonly components?: readonly ClusterComponent[];
  /**
   * Wait for workloads to become ready. Off by default: node agents and CoreDNS cannot be ready before nodes
   * join and the pod network is up, which a bootstrap usually precedes.
   * @default false
   */
  readonly awaitWorkloads?: boolean;
}

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; [k: string]: unknown };

/** `Kind/namespace/name`, the key the stack uses for every object. */
export function objectRef(o: Manifest): string {
  return `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** The typed @pulumi/kubernetes class for an apiVersion/kind (e.g. apps/v1 DaemonSet → k8s.apps.v1.DaemonSet). */
function resourceClass(apiVersion: string, kind: string): new (name: string, args: object, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  const cls = (k8s as any)[group.split('.')[0]]?.[version]?.[kind];
  if (!cls) throw new Error(`@pulumi/kubernetes has no resource for ${apiVersion} ${kind}`);
  return cls;
}

/**
 * Whether Pulumi should not wait for an object to become ready. Workloads need joined nodes (and a working
 * pod network) to become ready, and a Service with a selector waits for their endpoints; everything else is
 * ready once the API server stored it.
 */
export function skipAwait(o: Manifest, awaitWorkloads: boolean): boolean {
  if (awaitWorkloads) return false;
  if (o.kind === 'DaemonSet' || o.kind === 'Deployment') return true;
  return o.kind === 'Service' && (o as { spec?: { selector?: object } }).spec?.selector !== undefined;
}

/**
 * The provider's annotations on an object: skipAwait (above), and patchForce on every object. A hand edit
 * (kubectl edit, patch, scale) takes over the fields it touched, and every later server-side apply of ours then
 * failed with a field conflict (measured in test/e2e/pulumi-day2.e2e.test.ts), so `pulumi up --refresh` could not
 * restore our values. The stack is the source of truth for the fields it sets: its applies take them back; fields it
 * does not set stay whoever's they are. (The pinned provider build ignores the provider-wide `enablePatchForce`.)
 */
export function pulumiAnnotations(o: Manifest, awaitWorkloads: boolean): Record<string, string> {
  return { 'pulumi.com/patchForce': 'true', ...(skipAwait(o, awaitWorkloads) ? { 'pulumi.com/skipAwait': 'true' } : {}) };
}

/**
 * `Kind/namespace/name` of the ServiceAccount, ConfigMaps and Secrets a workload's pods use. A workload that
 * depends on them is created after them (no pod fails on a missing account) and destroyed before them (no
 * controller recreates a pod after its account is gone).
 */
export function podInputs(o: Manifest): string[] {
  const spec = (o as any).spec?.template?.spec ?? (o.kind === 'Pod' ? (o as any).spec : undefined);
  if (!spec) return [];
  const ns = o.metadata.namespace ?? 'default';
  const refs = new Set<string>();
  if (spec.serviceAccountName) refs.add(`ServiceAccount/${ns}/${spec.serviceAccountName}`);
  for (const v of spec.volumes ?? []) {
    if (v.configMap?.name) refs.add(`ConfigMap/${ns}/${v.configMap.name}`);
    if (v.secret?.secretName) refs.add(`Secret/${ns}/${v.secret.secretName}`);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const e of c.envFrom ?? []) {
      if (e.configMapRef?.name) refs.add(`ConfigMap/${ns}/${e.configMapRef.name}`);
      if (e.secretRef?.name) refs.add(`Secret/${ns}/${e.secretRef.name}`);
    }
  }
  return [...refs];
}

/**
 * Whether Pulumi leaves the object in the cluster when it leaves the program: a tenant's Namespace, unless the
 * tenant says `onRemoval: delete`. Deleting a Namespace deletes every workload in it, and tenants hold workloads we
 * did not create; removing a tenant from the config must not do that silently. The namespaces of components hold
 * only the component's own objects, so disabling a component deletes them as before (the change plan names it).
 */
export function retainedOnRemoval(config: ClusterConfig, o: Manifest): boolean {
  if (o.kind !== 'Namespace') return false;
  const tenant = config.tenants.find((t) => t.name === o.metadata.name);
  return tenant !== undefined && tenant.onRemoval !== 'delete';
}

/**
 * The whole bootstrap as one Pulumi component: a child component per bootstrap component, and under each the
 * Kubernetes objects `cdk8s synth` writes for the same config. Namespaces (and CRDs) are created before the
 * objects that need them through explicit `dependsOn`.
 */
export class ClusterBootstrapStack extends pulumi.ComponentResource {
  /** Child component per bootstrap component id. */
  readonly components: Record<string, pulumi.ComponentResource> = {};
  /** Every Kubernetes resource, by `Kind/namespace/name`. */
  readonly resources: Record<string, pulumi.CustomResource> = {};
  /** The dependencies given to each resource, by `Kind/namespace/name` (for review and tests). */
  readonly dependencies: Record<string, string[]> = {};
  readonly dnsServiceIP: string;
  readonly kubeletClusterDNS: string;
  readonly componentVersions: Record<string, string> = {};
  /** Non-Kubernetes files of the components, by path. */
  readonly nodeFiles: Record<string, string> = {};
  /**
   * Files holding secrets (the EncryptionConfiguration), by path under the config's `secretsDir`: a Pulumi
   * secret, so they are encrypted in the state and never printed.
   */
  readonly secretFiles: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ClusterBootstrapStackArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super(BOOTSTRAP_TYPE, name, {}, opts);
    const { config } = args;
    // built in memory only: the app is never synthesized to disk here
    const app = new App({ outdir: os.tmpdir() });
    const bootstrap = new ClusterBootstrap(app, { config, ...(args.components ? { components: args.components } : {}) });
    // files first: a config that cannot be deployed stops before any resource is registered
    const secrets: Record<string, string> = {};
    for (const files of bootstrap.files.values()) {
      for (const f of files) {
        if (!f.secret) this.nodeFiles[f.path] = f.content;
        else if (f.path.startsWith(`${GENERATED_KEYS_DIR}${path.sep}`)) {
          // A key generated now would go into this deployment only and be lost with it: the API server would
          // encrypt with a key nobody keeps. Keys are generated by `cdk8s synth`, which keeps them.
          throw new pulumi.RunError(
            `apiServer.encryptionAtRest: key "${path.basename(f.path, '.key')}" is generated but not yet kept in ${config.secretsDir}/${GENERATED_KEYS_DIR}; ` +
              'run `npx cdk8s synth` once in the folder Pulumi runs in (it generates and keeps the key), or give the key with fromEnv or fromFile',
          );
        } else secrets[f.path] = f.content;
      }
    }
    this.secretFiles = pulumi.secret(secrets);
    const charts = [...bootstrap.charts.entries()].map(([id, chart]) => ({ id, objects: Object.values(chart.toJson()) as Manifest[] }));
    const all = charts.flatMap((c) => c.objects);
    const namespaces = new Set(all.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    const crdGroups = new Map(all.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => [(o as any).spec.group as string, objectRef(o)]));

    const refs = new Set(all.map(objectRef));
    const rank = (o: Manifest) => (o.kind === 'Namespace' ? 0 : o.kind === 'CustomResourceDefinition' ? 1 : podInputs(o).length > 0 ? 3 : 2);
    const ordered = charts.flatMap((c) => c.objects.map((o) => ({ id: c.id, o }))).sort((a, b) => rank(a.o) - rank(b.o));
    for (const { id } of charts) {
      this.components[id] = new pulumi.ComponentResource(COMPONENT_TYPE, id, {}, { parent: this });
      const component = bootstrap.registered.find((c) => c.id === id);
      if (component) this.componentVersions[id] = component.version(config);
    }
    for (const { id, o } of ordered) {
      const ref = objectRef(o);
      const needs: string[] = [];
      if (o.metadata.namespace && namespaces.has(o.metadata.namespace)) needs.push(`Namespace/${o.metadata.namespace}`);
      const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
      if (crdGroups.has(group)) needs.push(crdGroups.get(group)!);
      // objects of the bootstrap itself only; ordering sorts them before the workloads that use them
      needs.push(...podInputs(o).filter((r) => refs.has(r)));
      this.dependencies[ref] = needs;
      const metadata = { ...o.metadata, annotations: { ...o.metadata.annotations, ...pulumiAnnotations(o, args.awaitWorkloads ?? false) } };
      const Resource = resourceClass(o.apiVersion, o.kind);
      this.resources[ref] = new Resource(o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name, { ...o, metadata }, {
        parent: this.components[id],
        dependsOn: needs.map((n) => this.resources[n]),
        ...(retainedOnRemoval(config, o) ? { retainOnDelete: true } : {}),
      });
    }
    this.dnsServiceIP = config.network.dnsServiceIP.toString();
    this.kubeletClusterDNS = config.network.kubeletClusterDNS;
    this.registerOutputs({ dnsServiceIP: this.dnsServiceIP, kubeletClusterDNS: this.kubeletClusterDNS, componentVersions: this.componentVersions, secretFiles: this.secretFiles });
  }
}
