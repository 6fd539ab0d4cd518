// Rules over a set of manifest documents that need no schema (so the synth app can run them before it publishes
// dist/ without loading Ajv): the dockershim lint and the cross-object checks (cluster DNS address, Konnectivity
// flags). Pure: documents in, violations out. Each rule looks only at the documents it knows and does nothing
// when they are absent, so any app's manifests (unknown kinds, custom resources) pass through.
import { lintObject } from '../dockershim/lint';
import { checkStaticConsistency, isAgent, isServer, podSpecOf } from '../doctor/static-consistency';

/** One YAML document and where it came from. */
export interface ManifestDocument {
  readonly document: any;
  /** The file, as the caller wants it shown (e.g. `dist/coredns.k8s.yaml`). */
  readonly file: string;
}

export const RULES = {
  'kubernetes-schema': 'objects match the OpenAPI schema of their Kubernetes release (unknown fields, types, required fields, served kinds, names, labels)',
  'node-config-schema': 'kubeadm, kubelet, kube-proxy, audit, encryption and egress selector documents match their Go types',
  dockershim: 'no workload depends on Docker as the node runtime (socket mounts, docker CLI, /etc/docker)',
  'cluster-dns': "the kubelet's clusterDNS is the kube-dns Service clusterIP (or the NodeLocal DNS address that forwards to it)",
  'konnectivity-consistency': "the Konnectivity server's flags agree with its agents and with the API server's egress selector",
} as const;
export type RuleId = keyof typeof RULES;
export const RULE_IDS = Object.keys(RULES) as RuleId[];

export interface RuleViolation {
  readonly rule: RuleId;
  /** `Kind namespace/name`, `Kind name`, or `apiVersion/Kind` for a config document without a name. */
  readonly object: string;
  readonly file: string;
  /** JSON pointer inside the object, when known. */
  readonly path?: string;
  readonly message: string;
  readonly hint: string;
}

export function isObject(d: unknown): d is Record<string, any> {
  return d !== null && typeof d === 'object' && !Array.isArray(d);
}

/** `Kind namespace/name`; config documents without metadata are named by apiVersion/kind. */
export function describeDocument(d: any): string {
  const meta = isObject(d?.metadata) ? d.metadata : {};
  if (typeof meta.name !== 'string') return `${d?.apiVersion ?? '?'}/${d?.kind ?? '?'}`;
  return `${d.kind ?? '?'} ${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${meta.name}`;
}

/** Documents with an apiVersion and a kind (skips comments-only documents, cloud-init files and the like); `List`s are opened. */
export function kubernetesDocuments(docs: readonly ManifestDocument[]): ManifestDocument[] {
  return docs.flatMap((d) => {
    if (!isObject(d.document) || typeof d.document.kind !== 'string' || typeof d.document.apiVersion !== 'string') return [];
    if (d.document.kind.endsWith('List') && Array.isArray(d.document.items)) return kubernetesDocuments(d.document.items.map((document: unknown) => ({ document, file: d.file })));
    return [d];
  });
}

const DOCKERSHIM_HINTS: Record<string, string> = {
  'docker-socket-mount': 'mount the containerd or CRI-O socket (/run/containerd/containerd.sock) and talk CRI, or drop the mount',
  'docker-cli': 'use crictl (CRI) or the Kubernetes API instead of the docker CLI; the node runs containerd, not Docker',
  'docker-config': 'configure the container runtime (containerd: /etc/containerd/config.toml) instead of /etc/docker',
};

function dockershim(docs: readonly ManifestDocument[]): RuleViolation[] {
  return docs.flatMap(({ document, file }) =>
    lintObject(document).map((f) => ({
      rule: 'dockershim' as const,
      object: describeDocument(document),
      file,
      message: `depends on Docker (dockershim was removed in Kubernetes 1.24): ${f.container ? `container ${f.container}: ` : ''}${f.detail}`,
      hint: DOCKERSHIM_HINTS[f.type],
    })),
  );
}

/** The addresses a node-cache (NodeLocal DNS) DaemonSet listens on: its `-localip` list. */
function nodeLocalAddresses(d: any): string[] {
  for (const c of podSpecOf(d)?.containers ?? []) {
    const args: unknown[] = Array.isArray(c?.args) ? c.args : [];
    const i = args.indexOf('-localip');
    if (i >= 0 && typeof args[i + 1] === 'string') return (args[i + 1] as string).split(',').map((s) => s.trim());
  }
  return [];
}

function clusterDns(docs: readonly ManifestDocument[]): RuleViolation[] {
  const service = docs.find((d) => d.document.kind === 'Service' && d.document.apiVersion === 'v1' && d.document.metadata?.name === 'kube-dns' && d.document.metadata?.namespace === 'kube-system');
  const clusterIP = service?.document.spec?.clusterIP;
  if (typeof clusterIP !== 'string' || clusterIP === 'None') return [];
  const nodeLocal = docs.filter((d) => d.document.kind === 'DaemonSet').flatMap((d) => nodeLocalAddresses(d.document));
  const allowed = [clusterIP, ...nodeLocal.filter((a) => a !== clusterIP)];
  return docs
    .filter((d) => d.document.kind === 'KubeletConfiguration' && String(d.document.apiVersion).startsWith('kubelet.config.k8s.io/'))
    .flatMap((d) => {
      const dns: unknown = d.document.clusterDNS;
      const list = Array.isArray(dns) ? dns.map(String) : [];
      if (list.length && allowed.includes(list[0])) return [];
      return [{
        rule: 'cluster-dns' as const,
        object: describeDocument(d.document),
        file: d.file,
        path: '/clusterDNS',
        message: `clusterDNS ${list.length ? JSON.stringify(list) : '(not set)'} but the kube-dns Service (${service!.file}) has clusterIP ${clusterIP}${nodeLocal.length ? ` and NodeLocal DNS listens on ${nodeLocal.join(', ')}` : ''}: pods would get a resolver nothing answers on`,
        hint: `set the kubelet's clusterDNS to ${allowed.map((a) => `["${a}"]`).join(' or ')}; with cluster-bootstrap both come from networking.dnsServiceIP in cluster.yaml, so re-synthesize instead of editing one of them`,
      }];
    });
}

function konnectivity(docs: readonly ManifestDocument[]): RuleViolation[] {
  const agent = docs.find((d) => isAgent(d.document));
  const server = docs.find((d) => isServer(d.document));
  const egress = docs.find((d) => d.document.kind === 'EgressSelectorConfiguration');
  // the rule applies to a set holding all three; a set with only some (e.g. an app's own manifests) says nothing
  if (!agent || !server || !egress) return [];
  const findings = checkStaticConsistency({ source: '', agent: agent.document, server: server.document, egress: egress.document });
  const fileOf: Record<string, ManifestDocument> = { audience: agent, 'agent port': agent, socket: egress, mode: egress, 'agent identity': agent };
  return findings
    .filter((f) => f.status === 'problem')
    .map((f) => {
      const where = fileOf[f.subject] ?? server;
      return {
        rule: 'konnectivity-consistency' as const,
        object: describeDocument(where.document),
        file: where.file,
        message: `${f.subject}: ${f.detail} (server ${describeDocument(server.document)} in ${server.file})${f.cause ? `: ${f.cause.title}` : ''}`,
        hint: f.cause?.fix ?? 'synthesize the server, the agents and the egress selector from one config (components.konnectivity)',
      };
    });
}

/** The schema-free rules, on documents with an apiVersion and kind (see `kubernetesDocuments`). */
export function checkConsistency(docs: readonly ManifestDocument[], rules: readonly RuleId[] = RULE_IDS): RuleViolation[] {
  const objects = kubernetesDocuments(docs);
  return [
    ...(rules.includes('dockershim') ? dockershim(objects) : []),
    ...(rules.includes('cluster-dns') ? clusterDns(objects) : []),
    ...(rules.includes('konnectivity-consistency') ? konnectivity(objects) : []),
  ];
}

export function formatRuleViolation(v: RuleViolation): string {
  return `${v.object} (${v.file})${v.path ? ` ${v.path}` : ''}: ${v.message} [${v.rule}]\n  hint: ${v.hint}`;
}
