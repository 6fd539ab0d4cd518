// Error text -> probable cause and fix, for what the API server says when it cannot reach a node (pods/log,
// exec, APIServices and webhooks behind Konnectivity). A pure table: the first pattern that matches wins, so
// specific patterns come before general ones. Each pattern says where its string comes from: `recorded` names
// the run it was copied from; `unrecorded` ones are written from the upstream sources and wait for a real one.

export type CauseId =
  | 'agents-not-connected'
  | 'server-socket-missing'
  | 'kubelet-port-blocked'
  | 'tunnel-timeout'
  | 'kubelet-refused'
  | 'kubelet-serving-cert'
  | 'kubelet-no-log'
  | 'agent-token-audience'
  | 'unauthorized'
  | 'forbidden'
  // found by comparing the synthesized files, not from an error text
  | 'agent-port-mismatch'
  | 'socket-mismatch'
  | 'mode-mismatch'
  | 'agent-identity-mismatch';

export interface Cause {
  readonly id: CauseId;
  /** What is wrong, in one line. */
  readonly title: string;
  /** What to do about it. */
  readonly fix: string;
}

export const CAUSES: Readonly<Record<CauseId, Cause>> = {
  'agents-not-connected': {
    id: 'agents-not-connected',
    title: 'no Konnectivity agent is connected to the server the API server uses',
    fix: 'check the konnectivity-agent pods run and log "connected to proxy server"; the nodes must reach serverHost:agentPort (8132) of every control-plane node',
  },
  'server-socket-missing': {
    id: 'server-socket-missing',
    title: 'the API server cannot open the Konnectivity socket: the server is down or the socket folder is not mounted',
    fix: 'check the konnectivity-server pod runs on this control-plane node, and that kube-apiserver mounts /etc/kubernetes/konnectivity-server (the same host folder) and has --egress-selector-config-file',
  },
  'kubelet-port-blocked': {
    id: 'kubelet-port-blocked',
    title: 'the kubelet port (10250) does not answer: blocked between the agent (or the control plane) and the node',
    fix: 'open TCP 10250 on the node to the Konnectivity agents (or, without Konnectivity, to the control plane); check the node address the API server dials (--kubelet-preferred-address-types)',
  },
  'tunnel-timeout': {
    id: 'tunnel-timeout',
    title: 'the request through Konnectivity timed out: the Konnectivity server is down (kube-apiserver keeps redialling its socket and never answers), or the kubelet port is blocked from the agent',
    fix: 'first check the konnectivity-server pod on every control-plane node and its socket (/etc/kubernetes/konnectivity-server/konnectivity-server.socket, mounted into kube-apiserver); then TCP 10250 from the agents to the node',
  },
  'kubelet-refused': {
    id: 'kubelet-refused',
    title: 'nothing listens on the kubelet port of the node',
    fix: 'check the kubelet runs on the node (systemctl status kubelet) and serves on the port in the Node status (daemonEndpoints.kubeletEndpoint)',
  },
  'kubelet-serving-cert': {
    id: 'kubelet-serving-cert',
    title: "the kubelet's serving certificate is not signed by the CA of --kubelet-certificate-authority",
    fix: 'set serverTLSBootstrap: true in the kubelet config and approve the kubelet-serving CSRs (components.kubeletServingApprover.enabled: true, or kubectl certificate approve)',
  },
  'kubelet-no-log': {
    id: 'kubelet-no-log',
    title: 'the API server reached the node, but its kubelet answered 404 for the container log',
    fix: 'on a real node: check the container exists (crictl ps -a) and the kubelet serves /containerLogs; a simulated kubelet (KWOK) serves no logs unless its ClusterLogs name the pods',
  },
  'agent-token-audience': {
    id: 'agent-token-audience',
    title: "the agents' token audience does not match the server's --authentication-audience",
    fix: 'give the agent pods a projected serviceAccountToken with the audience the server names in --authentication-audience (system:konnectivity-server when generated here)',
  },
  unauthorized: {
    id: 'unauthorized',
    title: 'the API server does not accept the credentials of the kubeconfig (401)',
    fix: 'renew the token or client certificate of the kubeconfig user, or pick the right context',
  },
  forbidden: {
    id: 'forbidden',
    title: 'the kubeconfig user lacks a right the doctor needs (403)',
    fix: 'bind the user to the cluster-doctor ClusterRole and Role (dist/cluster-doctor-rbac.k8s.yaml), or use its ServiceAccount: kubectl create token cluster-doctor -n kube-system',
  },
  'agent-port-mismatch': {
    id: 'agent-port-mismatch',
    title: "the agents dial another port than the server's --agent-port",
    fix: 'make the agent --proxy-server-port equal the server --agent-port (components.konnectivity.agentPort sets both)',
  },
  'socket-mismatch': {
    id: 'socket-mismatch',
    title: "the API server's egress selector names another socket than the server's --uds-name",
    fix: 'make udsName in the EgressSelectorConfiguration equal the server --uds-name, and mount its folder into both',
  },
  'mode-mismatch': {
    id: 'mode-mismatch',
    title: "the egress selector's proxyProtocol does not match the server --mode",
    fix: 'use proxyProtocol GRPC with --mode=grpc, HTTPConnect with --mode=http-connect (components.konnectivity.mode sets both)',
  },
  'agent-identity-mismatch': {
    id: 'agent-identity-mismatch',
    title: "the agents run as another ServiceAccount or namespace than the server's --agent-service-account / --agent-namespace",
    fix: 'run the agents as the ServiceAccount and namespace the server names (konnectivity-agent in kube-system when generated here)',
  },
};

/** An error to explain: the message the API server (or the network) gave, and the HTTP status if any. */
export interface ObservedError {
  readonly message: string;
  readonly status?: number;
}

interface ErrorPattern {
  readonly cause: CauseId;
  readonly text?: string | RegExp;
  readonly status?: number;
  /** Where the string was seen (a run of the real tier), or false while it is written from the sources only. */
  readonly recorded: string | false;
}

// One line per known string. Add a recorded string as its own line above the general pattern it refines.
const KONNECTIVITY_TIER = 'e2e tier 2026-12-03: konnectivity.e2e (kube-apiserver v1.35.4, apiserver-network-proxy v0.34.0, grpc)';

export const ERROR_PATTERNS: readonly ErrorPattern[] = [
  // agents stopped, agents with a token for another audience, agents dialling the wrong port: all three read the same
  { cause: 'agents-not-connected', text: 'No agent available', recorded: KONNECTIVITY_TIER },
  { cause: 'server-socket-missing', text: /dial unix [^:]*: connect: no such file or directory/, recorded: false },
  { cause: 'server-socket-missing', text: /dial unix [^:]*: connect: connection refused/, recorded: false },
  { cause: 'kubelet-serving-cert', text: 'x509: certificate signed by unknown authority', recorded: false },
  { cause: 'kubelet-serving-cert', text: /tls: failed to verify certificate: x509:/, recorded: KONNECTIVITY_TIER },
  { cause: 'kubelet-no-log', text: /the server could not find the requested resource \( pods\/log /, status: 404, recorded: 'e2e tier 2026-12-03: kube-apiserver v1.35.4 -> KWOK v0.8.0 node' },
  { cause: 'agent-token-audience', text: 'invalid audience', recorded: false },
  { cause: 'agent-token-audience', text: 'token audience', recorded: false },
  { cause: 'kubelet-port-blocked', text: 'i/o timeout', recorded: false },
  { cause: 'kubelet-port-blocked', text: 'no route to host', recorded: false },
  { cause: 'kubelet-refused', text: /dial tcp [^ ]+: connect: connection refused/, recorded: KONNECTIVITY_TIER },
  { cause: 'unauthorized', status: 401, recorded: false },
  { cause: 'forbidden', status: 403, recorded: false },
];

function matches(p: ErrorPattern, e: ObservedError): boolean {
  if (p.status !== undefined && p.status !== e.status) return false;
  if (p.text === undefined) return p.status !== undefined;
  return typeof p.text === 'string' ? e.message.includes(p.text) : p.text.test(e.message);
}

/** The probable cause of an error, or undefined when no pattern knows it. */
export function causeOf(e: ObservedError): Cause | undefined {
  const p = ERROR_PATTERNS.find((x) => matches(x, e));
  return p && CAUSES[p.cause];
}
