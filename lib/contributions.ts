/**
 * What components contribute to the control plane, the kubelets, kube-proxy and the certificates. The node and
 * control-plane renderers (lib/node-config) and the PKI plan (lib/pki) read only the merged `ClusterWiring`, never
 * a component, so an app repo's component (an OIDC or authentication webhook, an admission plugin, a kubelet
 * credential provider) can do what the built-in ones do.
 */
import { parseSubjectAltName } from './config/resolve-pki';
import { isKebabCase } from './net/names';

/** A host path a control-plane static Pod mounts (kubeadm `extraVolumes`). */
export interface HostPathMount {
  readonly name: string;
  readonly hostPath: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
  readonly pathType: 'File' | 'Directory' | 'DirectoryOrCreate' | 'FileOrCreate';
}

/** Flags (name without `--` → value) and mounts for kube-apiserver, kube-controller-manager or kube-scheduler. */
export interface ControlPlaneContribution {
  /** @default - none */
  readonly args?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly mounts?: readonly HostPathMount[];
  /** Flags no component may set on this program (e.g. `cloud-provider` with an external cloud provider). @default - none */
  readonly forbiddenArgs?: readonly string[];
}

/** A client certificate signed by the cluster CA, added to the PKI plan (e.g. the Konnectivity server's). */
export interface ClientCertificateRequest {
  /** Name in the plan and file base name under the PKI folder (`<name>.crt`, `<name>.key`); kebab-case. */
  readonly name: string;
  readonly commonName: string;
  /** @default - none */
  readonly organizations?: readonly string[];
  /** One line: what the certificate is for. */
  readonly purpose: string;
}

export interface ComponentContributions {
  readonly apiServer?: ControlPlaneContribution;
  readonly controllerManager?: ControlPlaneContribution;
  readonly scheduler?: ControlPlaneContribution;
  readonly kubelet?: {
    /** kubelet flags the config file cannot carry (kubeadm `nodeRegistration.kubeletExtraArgs`). @default - none */
    readonly args?: Readonly<Record<string, string>>;
    /** Top-level KubeletConfiguration fields. @default - none */
    readonly config?: Readonly<Record<string, unknown>>;
  };
  /** Top-level KubeProxyConfiguration fields. @default - none */
  readonly kubeProxy?: { readonly config?: Readonly<Record<string, unknown>> };
  readonly certificates?: {
    /** Extra DNS names or IP addresses on the API server's serving certificate. @default - none */
    readonly apiServerSANs?: readonly string[];
    /** @default - none */
    readonly clientCertificates?: readonly ClientCertificateRequest[];
  };
}

export interface MergedControlPlane {
  /** Sorted by flag name. */
  readonly args: Readonly<Record<string, string>>;
  /** In component order. */
  readonly mounts: readonly HostPathMount[];
}

/** What one component contributed. */
export interface ContributionSource {
  readonly id: string;
  readonly contributions: ComponentContributions;
}

/** Every enabled component's contributions, merged and checked once (`collectContributions`). */
export interface ClusterWiring {
  /** The contributions as given, in component order (a renderer with settings of its own merges them first). */
  readonly sources: readonly ContributionSource[];
  readonly apiServer: MergedControlPlane;
  readonly controllerManager: MergedControlPlane;
  readonly scheduler: MergedControlPlane;
  readonly kubelet: { readonly args: Readonly<Record<string, string>>; readonly config: Readonly<Record<string, unknown>> };
  readonly kubeProxy: { readonly config: Readonly<Record<string, unknown>> };
  readonly certificates: { readonly apiServerSANs: readonly string[]; readonly clientCertificates: readonly ClientCertificateRequest[] };
}

/**
 * Two contributions that cannot both hold (the message names both components, the setting and both values), or
 * one that is invalid by itself (the message names its component).
 */
export class ContributionConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContributionConflictError';
  }
}

const PROGRAMS = { apiServer: 'kube-apiserver', controllerManager: 'kube-controller-manager', scheduler: 'kube-scheduler' } as const;
type Program = keyof typeof PROGRAMS;

const show = (v: unknown) => JSON.stringify(v);

/** Keys into a record, remembering which component set each one; the same value twice is fine. */
class Owned<T> {
  readonly values = new Map<string, { value: T; by: string }>();
  constructor(private readonly what: (key: string) => string) {}
  set(key: string, value: T, by: string): void {
    const prior = this.values.get(key);
    if (prior && show(prior.value) !== show(value)) {
      throw new ContributionConflictError(`${this.what(key)}: component "${prior.by}" sets ${show(prior.value)} but component "${by}" sets ${show(value)}`);
    }
    if (!prior) this.values.set(key, { value, by });
  }
  sorted(): Record<string, T> {
    return Object.fromEntries([...this.values.keys()].sort().map((k) => [k, this.values.get(k)!.value]));
  }
  inOrder(): Record<string, T> {
    return Object.fromEntries([...this.values].map(([k, v]) => [k, v.value]));
  }
}

function mergeControlPlane(program: Program, entries: readonly ContributionSource[]): MergedControlPlane {
  const name = PROGRAMS[program];
  const args = new Owned<string>((flag) => `${name} flag --${flag}`);
  const mounts: { mount: HostPathMount; by: string }[] = [];
  const forbidden = new Map<string, string>();
  for (const { id, contributions } of entries) {
    const c = contributions[program];
    if (!c) continue;
    for (const flag of c.forbiddenArgs ?? []) if (!forbidden.has(flag)) forbidden.set(flag, id);
    for (const [flag, value] of Object.entries(c.args ?? {})) args.set(flag, value, id);
    for (const mount of c.mounts ?? []) {
      const clash = mounts.find((m) => m.mount.name === mount.name || m.mount.mountPath === mount.mountPath);
      if (clash && show(clash.mount) === show(mount)) continue;
      if (clash) {
        const key = clash.mount.mountPath === mount.mountPath ? `mount path ${mount.mountPath}` : `volume name "${mount.name}"`;
        throw new ContributionConflictError(`${name} ${key}: component "${clash.by}" mounts ${show(clash.mount)} but component "${id}" mounts ${show(mount)}`);
      }
      mounts.push({ mount: { ...mount }, by: id });
    }
  }
  for (const [flag, by] of forbidden) {
    const set = args.values.get(flag);
    if (set) throw new ContributionConflictError(`${name} flag --${flag}: component "${by}" forbids it but component "${set.by}" sets ${show(set.value)}`);
  }
  return { args: args.sorted(), mounts: mounts.map((m) => m.mount) };
}

/**
 * Merges the contributions of the enabled components, in component order. The same setting from two components
 * must have the same value; a mount path or volume name is used once; a forbidden flag is set by no one; a
 * client certificate name is unique and kebab-case; a SAN is an IP address or a DNS name. Deterministic: flags sorted by name, mounts and certificates in order.
 */
export function collectContributions(entries: readonly ContributionSource[]): ClusterWiring {
  const kubeletArgs = new Owned<string>((flag) => `kubelet flag --${flag}`);
  const kubeletConfig = new Owned<unknown>((field) => `KubeletConfiguration field ${field}`);
  const kubeProxyConfig = new Owned<unknown>((field) => `KubeProxyConfiguration field ${field}`);
  const sans: string[] = [];
  const certs = new Owned<ClientCertificateRequest>((name) => `client certificate "${name}"`);
  for (const { id, contributions: c } of entries) {
    for (const [flag, value] of Object.entries(c.kubelet?.args ?? {})) kubeletArgs.set(flag, value, id);
    for (const [field, value] of Object.entries(c.kubelet?.config ?? {})) kubeletConfig.set(field, value, id);
    for (const [field, value] of Object.entries(c.kubeProxy?.config ?? {})) kubeProxyConfig.set(field, value, id);
    for (const san of c.certificates?.apiServerSANs ?? []) {
      // the same rule as pki.apiServerCertSANs in the config
      if (!parseSubjectAltName(san)) {
        throw new ContributionConflictError(`API server certificate SAN ${show(san)} from component "${id}": neither an IP address nor a DNS name (write the host only, in lower case, e.g. "api.example.internal", or an IP such as "10.0.0.10")`);
      }
      if (!sans.includes(san)) sans.push(san);
    }
    for (const cert of c.certificates?.clientCertificates ?? []) {
      if (!isKebabCase(cert.name)) throw new ContributionConflictError(`client certificate ${show(cert.name)} from component "${id}": the name must be kebab-case (it names the .crt and .key files)`);
      certs.set(cert.name, cert, id);
    }
  }
  return {
    sources: entries,
    apiServer: mergeControlPlane('apiServer', entries),
    controllerManager: mergeControlPlane('controllerManager', entries),
    scheduler: mergeControlPlane('scheduler', entries),
    kubelet: { args: kubeletArgs.sorted(), config: kubeletConfig.inOrder() },
    kubeProxy: { config: kubeProxyConfig.inOrder() },
    certificates: { apiServerSANs: sans, clientCertificates: Object.values(certs.inOrder()) },
  };
}
