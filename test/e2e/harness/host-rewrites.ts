import * as fs from 'fs';
import * as path from 'path';

/**
 * Every change this machine forces on what we emit, or on what kubeadm makes of it, before a real program
 * reads it: in one place, each with its reason. Everything else the programs read is exactly that output.
 */
export interface HostRewrite {
  /** Top-level field of a document, or a program's `--flag`. */
  readonly field: string;
  /** The value before the rewrite; absent when the rewrite adds the field. */
  readonly from?: string;
  readonly value: unknown;
  readonly why: string;
}

/** True on a host with the unified cgroup v2 hierarchy (a cgroup2 file system at /sys/fs/cgroup). */
export function hostHasCgroupV2(): boolean {
  return fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
}

/**
 * What the kubelet's own validation needs changed on this machine to judge our KubeletConfiguration, for the
 * tier's Kubernetes minor: from 1.35 the kubelet refuses a cgroup v1 host unless `failCgroupV1` is false (1.30's
 * kubelet has no such field and runs on cgroup v1).
 */
export function kubeletHostRewrites(kubernetesMinor: number): HostRewrite[] {
  const rewrites: HostRewrite[] = [];
  if (!hostHasCgroupV2() && kubernetesMinor >= 35) {
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

/** A hostPath volume of a static Pod and where the container sees it. */
export interface StaticPodVolume {
  readonly hostPath: string;
  readonly mountPath: string;
}

/** What one machine gives the control plane: its folder standing in for `/`, and free loopback ports. */
export interface ControlPlaneHost {
  /** The folder that stands in for the node's root file system (`<root>/etc/kubernetes/pki`, ...). */
  readonly root: string;
  /** kubeadm's fixed port (6443, 2379, 2380, 2381, 10257, 10259) -> the free loopback port used instead. */
  readonly ports: Readonly<Record<number, number>>;
}

/** kubeadm's fixed ports of each program that it does not pass as a flag (the program's built-in default). */
const DEFAULT_SECURE_PORTS: Record<string, number> = { 'kube-controller-manager': 10257, 'kube-scheduler': 10259 };

const WHY = {
  path: 'a host path of the static Pod: the tier has no node root file system, so <root> stands in for /',
  url: 'loopback only (the tests reach no other address), on a free port: kubeadm fixes the ports and another tier may hold them on this machine',
  advertise: "kubeadm takes the host's default-route address; the tier answers only on loopback",
  securePort: "kubeadm's fixed port, replaced by a free loopback port (another tier may hold it)",
  bindAddress: 'kubeadm leaves the API server on every address; the tier binds loopback only',
  reconciler: 'the endpoint reconciler refuses to write the loopback advertise address into the `kubernetes` Endpoints and would retry forever',
  fsync: 'a throwaway etcd on a shared VM disk: fsync on each write is most of its latency, and nothing here must survive a power cut',
} as const;

function mapPath(value: string, volumes: readonly StaticPodVolume[], root: string): string | undefined {
  if (!value.startsWith('/')) return undefined;
  const v = volumes.filter((m) => value === m.mountPath || value.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  return v ? path.join(root, v.hostPath, path.relative(v.mountPath, value)) : undefined;
}

function mapUrls(value: string, ports: ControlPlaneHost['ports']): string {
  const urls = value.split(',').map((u) =>
    // `https://10.0.0.5:2379`, or `member=https://10.0.0.5:2380` in etcd's --initial-cluster
    u.replace(/^((?:[^=,]+=)?)(\w+):\/\/([^/:]+|\[[^\]]+\]):(\d+)/, (_whole, member: string, scheme: string, _host: string, port: string) => {
      const to = ports[Number(port)];
      if (to === undefined) throw new Error(`no free port stands in for ${port} (in ${value})`);
      return `${member}${scheme}://127.0.0.1:${to}`;
    }),
  );
  return [...new Set(urls)].join(','); // the host address and 127.0.0.1 both become loopback: listen once
}

/**
 * The command line of one kubeadm static Pod as this machine runs it, and the list of what changed and why.
 * Rewritten: host paths (into `root`), URLs (loopback, free ports), the advertise address, ports; added: loopback
 * binding and what loopback forces. Every other flag is kubeadm's and ours, untouched.
 */
export function controlPlaneRewrites(program: string, command: readonly string[], volumes: readonly StaticPodVolume[], host: ControlPlaneHost): { command: string[]; rewrites: HostRewrite[] } {
  const rewrites: HostRewrite[] = [];
  const out = [command[0]];
  const present = new Set<string>();
  for (const arg of command.slice(1)) {
    const m = /^--([^=]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`${program}: kubeadm wrote an argument without --flag=value form: ${arg}`);
    const [, flag, value] = m;
    present.add(flag);
    let to = value;
    let why: string | undefined;
    if (flag === 'advertise-address') [to, why] = ['127.0.0.1', WHY.advertise];
    else if (flag === 'secure-port') [to, why] = [String(host.ports[Number(value)]), WHY.securePort];
    else if (/:\/\/[^,]+:\d+/.test(value)) [to, why] = [mapUrls(value, host.ports), WHY.url];
    else {
      const mapped = mapPath(value, volumes, host.root);
      if (mapped) [to, why] = [mapped, WHY.path];
    }
    if (to === 'undefined') throw new Error(`${program}: no free port stands in for --${flag}=${value}`);
    if (why && to !== value) rewrites.push({ field: `--${flag}`, from: value, value: to, why });
    out.push(`--${flag}=${to}`);
  }
  const add = (flag: string, value: string, why: string) => {
    if (present.has(flag)) throw new Error(`${program}: --${flag} is already set by kubeadm; adding it would hide its value`);
    rewrites.push({ field: `--${flag}`, value, why });
    out.push(`--${flag}=${value}`);
  };
  if (program === 'kube-apiserver') {
    add('bind-address', '127.0.0.1', WHY.bindAddress);
    add('endpoint-reconciler-type', 'none', WHY.reconciler);
  }
  if (DEFAULT_SECURE_PORTS[program] !== undefined && !present.has('secure-port')) add('secure-port', String(host.ports[DEFAULT_SECURE_PORTS[program]]), WHY.securePort);
  if (program === 'etcd') add('unsafe-no-fsync', 'true', WHY.fsync);
  return { command: out, rewrites };
}

/** A kubeadm kubeconfig (`server: https://<endpoint>:6443`) pointed at the tier's API server port. */
export function kubeconfigRewrite(text: string, host: ControlPlaneHost): { text: string; rewrite: HostRewrite } {
  const m = /^(\s*server: )(\S+)$/m.exec(text);
  if (!m) throw new Error('kubeconfig without a server line');
  const to = mapUrls(m[2], host.ports);
  return { text: text.replace(m[0], `${m[1]}${to}`), rewrite: { field: 'clusters[0].cluster.server', from: m[2], value: to, why: WHY.url } };
}

/** A static Pod's HTTP probe (readiness, startup or liveness), as kubeadm writes it. */
export interface HttpGetProbe {
  readonly host?: string;
  readonly path?: string;
  readonly port: number | string;
  readonly scheme?: string;
}

/**
 * Where the tier sends a static Pod's probe, as the kubelet would: a named port resolves through the
 * container's ports; the port and host are then this machine's. Rewritten only where they differ.
 */
export function probeRewrite(program: string, probe: HttpGetProbe, containerPorts: readonly { name?: string; containerPort: number }[], host: ControlPlaneHost): { url: string; rewrites: HostRewrite[] } {
  const rewrites: HostRewrite[] = [];
  const fixed = typeof probe.port === 'number' ? probe.port : containerPorts.find((p) => p.name === probe.port)?.containerPort;
  if (fixed === undefined) throw new Error(`${program}: its probe names port ${probe.port}, which no container port defines`);
  const port = host.ports[fixed];
  if (port === undefined) throw new Error(`${program}: no free port stands in for its probe port ${fixed}`);
  if (port !== fixed) rewrites.push({ field: 'probe.httpGet.port', from: String(probe.port), value: port, why: WHY.securePort });
  if (probe.host !== '127.0.0.1') rewrites.push({ field: 'probe.httpGet.host', from: probe.host ?? '(the pod IP, i.e. the host)', value: '127.0.0.1', why: WHY.advertise });
  return { url: `${(probe.scheme ?? 'HTTP').toLowerCase()}://127.0.0.1:${port}${probe.path ?? '/'}`, rewrites };
}

/**
 * Paths inside the EncryptionConfiguration that the API server opens itself: the KMS plugin's Unix socket. On a
 * node it is under the folder kubeadm mounts; here that folder is under `root`, like every other host path.
 */
export function encryptionConfigRewrites(text: string, root: string): { text: string; rewrites: HostRewrite[] } {
  const rewrites: HostRewrite[] = [];
  const out = text.replace(/^(\s*endpoint: )unix:\/\/(\/\S+)$/gm, (_line, lead: string, socket: string) => {
    const to = `unix://${path.join(root, socket)}`;
    rewrites.push({ field: 'resources[].providers[].kms.endpoint', from: `unix://${socket}`, value: to, why: WHY.path });
    return `${lead}${to}`;
  });
  return { text: out, rewrites };
}

/** What one machine gives a cloud-controller-manager run outside a Pod: a kubeconfig for its identity, a free port. */
export interface CloudControllerManagerHost {
  /** Server and CA of the tier, with the token `kubectl create token` issued to the CCM's ServiceAccount. */
  readonly kubeconfig: string;
  /** A free loopback port for its secure (health, metrics) port. */
  readonly securePort: number;
}

/**
 * The command line our cloud-controller-manager container runs (its `args`, from the emitted manifest) as this
 * machine runs it, and the list of what was added and why. Our flags are passed untouched; each added flag is
 * one a Pod of our DaemonSet gets from its environment instead.
 */
export function cloudControllerManagerRewrites(args: readonly string[], host: CloudControllerManagerHost): { args: string[]; rewrites: HostRewrite[] } {
  const inCluster =
    "in a Pod it uses the in-cluster config (the projected ServiceAccount token, the cluster CA, KUBERNETES_SERVICE_HOST); here no Pod exists, so a kubeconfig carries the same three: the tier's server and CA and the token `kubectl create token` issued to our ServiceAccount";
  // without the two delegated ones the authentication/authorization of its secure port is skipped outside a Pod
  // (the options fall back to in-cluster config only), which would hide what the auth-reader binding is for
  return rewriteFlags('cloud-controller-manager', args, [
    { flag: 'kubeconfig', to: () => host.kubeconfig, add: true, why: inCluster },
    { flag: 'authentication-kubeconfig', to: () => host.kubeconfig, add: true, why: `${inCluster} (a Pod falls back to it for delegated authentication too)` },
    { flag: 'authorization-kubeconfig', to: () => host.kubeconfig, add: true, why: `${inCluster} (a Pod falls back to it for delegated authorization too)` },
    { flag: 'secure-port', to: () => String(host.securePort), add: true, why: 'its default 10258 on the node (host network); here a free port, as another run or tier may hold 10258' },
    { flag: 'bind-address', to: () => '127.0.0.1', add: true, why: 'its default is every address of the node; the tier binds loopback only' },
  ]);
}

/** Replaces `--flag=value` in `args` or adds it; throws when an added flag is already there (it would hide ours). */
function rewriteFlags(program: string, args: readonly string[], changes: readonly { flag: string; to: (from: string | undefined) => string; why: string; add?: boolean }[]): { args: string[]; rewrites: HostRewrite[] } {
  const out = [...args];
  const rewrites: HostRewrite[] = [];
  for (const c of changes) {
    const i = out.findIndex((a) => a === `--${c.flag}` || a.startsWith(`--${c.flag}=`));
    const from = i >= 0 ? out[i].slice(c.flag.length + 3) : undefined;
    if (c.add && i >= 0) throw new Error(`${program}: --${c.flag} is already in our args; adding it would hide our value`);
    if (!c.add && i < 0) throw new Error(`${program}: our args have no --${c.flag} to rewrite`);
    const value = c.to(from);
    if (i >= 0) out[i] = `--${c.flag}=${value}`;
    else out.push(`--${c.flag}=${value}`);
    rewrites.push({ field: `--${c.flag}`, ...(from !== undefined ? { from } : {}), value, why: c.why });
  }
  return { args: out, rewrites };
}

/** What one machine gives the Konnectivity server of our static Pod: the node's root and free loopback ports. */
export interface KonnectivityServerHost {
  readonly root: string;
  readonly agentPort: number;
  readonly adminPort: number;
  readonly healthPort: number;
}

/**
 * The Konnectivity server's command line (our static Pod's container args) as this machine runs it. Rewritten:
 * the host paths its mounts map (socket, API server certificate, kubeconfig) into the tier's root, and its three
 * ports; added: loopback binding for the agent and health listeners. Mode, audience, agent identity, proxy
 * strategy and every other flag are ours, untouched.
 */
export function konnectivityServerRewrites(args: readonly string[], volumes: readonly StaticPodVolume[], host: KonnectivityServerHost): { args: string[]; rewrites: HostRewrite[] } {
  const inRoot = (from: string | undefined) => {
    const to = from && mapPath(from, volumes, host.root);
    if (!to) throw new Error(`konnectivity-server: ${from} is under none of our static Pod's mounts`);
    return to;
  };
  const port = (value: number) => () => String(value);
  const freePortWhy = 'a fixed port of the node, replaced by a free loopback port (another tier may hold it)';
  return rewriteFlags('konnectivity-server', args, [
    { flag: 'uds-name', to: inRoot, why: `${WHY.path}; the API server's egress configuration names the same file (egressSelectorRewrites)` },
    { flag: 'cluster-cert', to: inRoot, why: WHY.path },
    { flag: 'cluster-key', to: inRoot, why: WHY.path },
    { flag: 'kubeconfig', to: inRoot, why: WHY.path },
    { flag: 'agent-port', to: port(host.agentPort), why: freePortWhy },
    { flag: 'admin-port', to: port(host.adminPort), why: freePortWhy },
    { flag: 'health-port', to: port(host.healthPort), why: freePortWhy },
    { flag: 'agent-bind-address', to: () => '127.0.0.1', add: true, why: 'its default is every address of the node (host network); the tier binds loopback only' },
    { flag: 'health-bind-address', to: () => '127.0.0.1', add: true, why: 'its default is every address of the node (host network); the tier binds loopback only' },
  ]);
}

/** What one simulated node gives its Konnectivity agent: files a Pod would be given, the node's address, ports. */
export interface KonnectivityAgentHost {
  /** The cluster CA, which a Pod finds at the ServiceAccount mount's `ca.crt`. */
  readonly caCert: string;
  /** A token from the TokenRequest API for our ServiceAccount and audience, which the projected volume would hold. */
  readonly tokenFile: string;
  /** The downward-API values our container's `env` asks for (e.g. HOST_IP = status.hostIP): the node's. */
  readonly env: Readonly<Record<string, string>>;
  readonly serverPort: number;
  readonly adminPort: number;
  readonly healthPort: number;
}

/**
 * The Konnectivity agent's command line (our DaemonSet container's args) as this machine runs it for one node.
 * `$(VAR)` is expanded from the container's env, as the kubelet does. Rewritten: the two files a Pod gets from
 * its volumes, the server port (the server's free port) and its own two ports; added: loopback for its health
 * listener. The server host, identifiers, intervals and every other flag are ours, untouched.
 */
export function konnectivityAgentRewrites(args: readonly string[], host: KonnectivityAgentHost): { args: string[]; rewrites: HostRewrite[] } {
  const expanded: HostRewrite[] = [];
  const kubeletExpanded = args.map((a) =>
    a.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (_whole, name: string) => {
      const value = host.env[name];
      if (value === undefined) throw new Error(`konnectivity-agent: ${a} names $(${name}), which our container's env does not give`);
      expanded.push({ field: a.replace(/=.*$/, ''), from: a.replace(/^[^=]*=/, ''), value, why: `the kubelet expands $(${name}) from the container's env (the downward API); here the simulated node's value` });
      return value;
    }),
  );
  const freePortWhy = 'a fixed port of the node, replaced by a free loopback port (every simulated node runs its agent on this one machine)';
  const run = rewriteFlags('konnectivity-agent', kubeletExpanded, [
    { flag: 'ca-cert', to: () => host.caCert, why: "in a Pod the ServiceAccount volume holds the cluster CA at that path; here no Pod exists, so the tier's CA file" },
    { flag: 'service-account-token-path', to: () => host.tokenFile, why: 'in a Pod the projected volume holds the token at that path; here the same token, from the TokenRequest API for our ServiceAccount and audience' },
    { flag: 'proxy-server-port', to: () => String(host.serverPort), why: "the server's agent port, which the tier replaced by a free loopback port" },
    { flag: 'admin-server-port', to: () => String(host.adminPort), why: freePortWhy },
    { flag: 'health-server-port', to: () => String(host.healthPort), why: freePortWhy },
    { flag: 'health-server-host', to: () => '127.0.0.1', add: true, why: 'its default is every address of the pod; the tier binds loopback only' },
  ]);
  return { args: run.args, rewrites: [...expanded, ...run.rewrites] };
}

/**
 * The API server's EgressSelectorConfiguration as this machine gives it: the socket path is under the tier's
 * root (where the server's `--uds-name` was mapped). Protocol and selection names are ours, untouched.
 */
export function egressSelectorRewrites(text: string, root: string): { text: string; rewrites: HostRewrite[] } {
  const rewrites: HostRewrite[] = [];
  const out = text.replace(/^(\s*udsName: )(\/\S+)$/gm, (_line, lead: string, socket: string) => {
    const to = path.join(root, socket);
    rewrites.push({ field: 'egressSelections[].connection.transport.uds.udsName', from: socket, value: to, why: WHY.path });
    return `${lead}${to}`;
  });
  return { text: out, rewrites };
}

/** Where one machine runs kube-proxy for the DNS tests: a node namespace with a bridge to the API server. */
export interface KubeProxyHost {
  /** The kubeconfig (ServiceAccount token, the bridge's address) kube-proxy reads inside the node namespace. */
  readonly kubeconfig: string;
  readonly nodeName: string;
}

/**
 * kube-proxy on our `kube-proxy-config.yaml`. Our file leaves `clientConnection` out: kubeadm fills in
 * /var/lib/kube-proxy/kubeconfig.conf when it makes its kube-proxy ConfigMap, and a node set up by hand passes its
 * own. Here it is a kubeconfig of the test's. `--hostname-override` is what kubeadm's DaemonSet passes as
 * $(NODE_NAME). Mode, clusterCIDR and everything else stay ours.
 */
export function kubeProxyRewrites(configText: string, host: KubeProxyHost): { configText: string; flags: string[]; rewrites: HostRewrite[] } {
  const rewrites: HostRewrite[] = [
    {
      field: 'clientConnection',
      value: { kubeconfig: host.kubeconfig },
      why: "kubeadm adds clientConnection.kubeconfig (/var/lib/kube-proxy/kubeconfig.conf, from the kube-proxy ServiceAccount) to our KubeProxyConfiguration; here a kubeconfig with that ServiceAccount's token and the API bridge inside the node's namespace",
    },
    { field: '--hostname-override', value: host.nodeName, why: "kubeadm's kube-proxy DaemonSet passes --hostname-override=$(NODE_NAME); the node namespace's hostname is the machine's" },
  ];
  return { configText: applyRewrites(configText, rewrites.slice(0, 1)), flags: [`--hostname-override=${host.nodeName}`], rewrites };
}

/**
 * node-cache's start-up, which the tests do in its place (the node-cache binary is not served by the module
 * proxy; it is CoreDNS plus this step), on our NodeLocal Corefile. Two changes the machine forces on top: the
 * listen addresses go on the node namespace's `lo` instead of a `nodelocaldns` dummy link (this kernel has no
 * `dummy` link type), and the Corefile is read from the test's folder.
 */
export function nodeCacheRewrites(): HostRewrite[] {
  return [
    { field: 'nodelocaldns link', from: 'dummy', value: 'lo', why: 'node-cache adds its listen IPs to a dummy link named nodelocaldns; this kernel has no dummy link type, so they go on the node namespace\'s loopback, which answers for them the same way' },
    { field: '-conf', from: '/etc/Corefile', value: '<test folder>/Corefile', why: 'node-cache writes the rendered Corefile to /etc/Corefile; the test writes it to its own folder' },
  ];
}

/** The flannel container of our DaemonSet, as synthesized (`spec.template.spec.containers[kube-flannel]`). */
export interface FlannelContainer {
  readonly args: readonly string[];
  readonly env: readonly { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
}

export interface FlannelHost {
  readonly nodeName: string;
  /** The Pod name and namespace the kubelet would put in the fieldRef env vars. */
  readonly podName: string;
  readonly podNamespace: string;
  /** A kubeconfig with the flannel ServiceAccount's token and the API bridge inside the node namespace. */
  readonly kubeconfig: string;
}

/**
 * flanneld outside a Pod, on our DaemonSet's args and env. What the kubelet would fill in (the fieldRef env vars)
 * is filled in; two things no Pod gives are added: the kubeconfig (in a Pod, client-go's in-cluster config reads
 * the projected token and KUBERNETES_SERVICE_HOST) and NODE_NAME (in a Pod, flanneld finds its node by looking up
 * POD_NAME; no such Pod exists here). Every arg of ours (--ip-masq, --kube-subnet-mgr, --healthz-port) and every
 * literal env value stays; the files it reads and writes (/etc/kube-flannel/net-conf.json, /run/flannel/subnet.env)
 * keep their paths, in the node's own mount namespace.
 */
export function flannelRewrites(container: FlannelContainer, host: FlannelHost): { args: string[]; env: Record<string, string>; rewrites: HostRewrite[] } {
  const rewrites: HostRewrite[] = [];
  const env: Record<string, string> = {};
  const fieldRefs: Record<string, string> = { 'metadata.name': host.podName, 'metadata.namespace': host.podNamespace, 'spec.nodeName': host.nodeName };
  for (const e of container.env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) {
      const value = fieldRefs[e.valueFrom.fieldRef.fieldPath];
      if (value === undefined) throw new Error(`flannel env ${e.name}: no stand-in for fieldRef ${e.valueFrom.fieldRef.fieldPath}`);
      env[e.name] = value;
      rewrites.push({ field: `env ${e.name}`, from: `fieldRef ${e.valueFrom.fieldRef.fieldPath}`, value, why: 'the kubelet resolves this fieldRef from the Pod; no Pod runs flanneld here, so the harness fills in what the kubelet would' });
    } else throw new Error(`flannel env ${e.name}: neither a value nor a fieldRef`);
  }
  const add = (field: string, value: string, why: string) => {
    if (field.startsWith('--') ? container.args.some((a) => a.startsWith(`${field}=`) || a === field) : field.slice(4) in env) {
      throw new Error(`flannel: ${field} is already set by our DaemonSet; adding it would hide our value`);
    }
    rewrites.push({ field, value, why });
  };
  add('--kubeconfig-file', host.kubeconfig, "in a Pod flanneld uses client-go's in-cluster config (the projected token, KUBERNETES_SERVICE_HOST); here a kubeconfig with the flannel ServiceAccount's token and the API bridge inside the node's namespace");
  add('env NODE_NAME', host.nodeName, 'in a Pod flanneld finds its node by getting Pod POD_NAME; no such Pod exists here, and NODE_NAME is what flanneld reads first');
  env.NODE_NAME = host.nodeName;
  return { args: [...container.args, `--kubeconfig-file=${host.kubeconfig}`], env, rewrites };
}
