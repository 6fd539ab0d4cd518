/**
 * The `components.konnectivity` section of the cluster config: the Konnectivity server, its agents and the
 * options both ends must agree on. Part of `cluster.yaml`; see `types.ts`.
 */

/**
 * How the server picks the agent for a dial: `destHost` sends traffic for a node's IP through the agent on that
 * node (agents name their node IP in `--agent-identifiers`), `default` through any agent. Listed in order, the
 * first strategy that finds an agent wins.
 */
export type KonnectivityProxyStrategy = 'destHost' | 'default';

/** Resources of each agent container. */
export interface KonnectivityAgentResourcesConfig {
  /**
   * CPU request. No CPU limit is set: a throttled agent stalls every `logs`/`exec` stream through it.
   * @pattern ^[0-9]+m?$
   * @default "50m"
   */
  readonly cpuRequest?: string;

  /**
   * Memory request (what the scheduler reserves on every node).
   * @pattern ^[0-9]+(Ki|Mi|Gi)$
   * @default "32Mi"
   */
  readonly memoryRequest?: string;

  /**
   * Memory limit. Each open tunnel stream buffers data in the agent, so many concurrent `logs -f`/`exec`
   * sessions need headroom above the idle footprint; the limit still caps a leak.
   * @pattern ^[0-9]+(Ki|Mi|Gi)$
   * @default "128Mi"
   */
  readonly memoryLimit?: string;
}

/** Resources of the server container. */
export interface KonnectivityServerResourcesConfig {
  /**
   * CPU request. No CPU limit: a throttled server stalls every tunnelled `logs`/`exec`/`port-forward`.
   * @pattern ^[0-9]+m?$
   * @default "100m"
   */
  readonly cpuRequest?: string;

  /**
   * Memory request (reserved on each control-plane node). No memory limit: the server buffers the streams of
   * every agent, and an OOM-killed server cuts all tunnels at once.
   * @pattern ^[0-9]+(Ki|Mi|Gi)$
   * @default "64Mi"
   */
  readonly memoryRequest?: string;
}

export interface KonnectivityConfig {
  /**
   * Whether to deploy Konnectivity.
   * @default false
   */
  readonly enabled?: boolean;

  /**
   * apiserver-network-proxy release (images `kas-network-proxy/proxy-server` and `proxy-agent`). Another
   * release than the one paired with `kubernetesVersion` is used as written, with a warning.
   * @pattern ^v[0-9]+\.[0-9]+\.[0-9]+$
   * @default - the release paired with `kubernetesVersion` (v0.35.0 for 1.35; see docs/control-plane-add-ons.md)
   */
  readonly version?: string;

  /**
   * How the server runs: a static Pod manifest file for each control-plane node (the documented form), or a
   * DaemonSet on control-plane nodes.
   * @default "static-pod"
   */
  readonly serverForm?: 'static-pod' | 'daemonset';

  /**
   * How the agents run: a DaemonSet on Linux workers, or a Deployment of `agentReplicas`.
   * @default "daemonset"
   */
  readonly agentForm?: 'daemonset' | 'deployment';

  /**
   * Agent replicas when `agentForm` is `deployment`.
   * @asType integer
   * @minimum 1
   * @default 2
   */
  readonly agentReplicas?: number;

  /**
   * Tunnel protocol between the API server and the Konnectivity server.
   * @default "grpc"
   */
  readonly mode?: 'grpc' | 'http-connect';

  /**
   * Host agents dial: a DNS name or IP of the control plane.
   * @default - apiServer.host
   */
  readonly serverHost?: string;

  /**
   * Port agents connect to.
   * @asType integer
   * @minimum 1
   * @maximum 65535
   * @default 8132
   */
  readonly agentPort?: number;

  /**
   * Admin port of server and agents (local).
   * @asType integer
   * @minimum 1
   * @maximum 65535
   * @default 8133
   */
  readonly adminPort?: number;

  /**
   * Health port of server and agents.
   * @asType integer
   * @minimum 1
   * @maximum 65535
   * @default 8134
   */
  readonly healthPort?: number;

  /**
   * Proxy strategies of the server (`--proxy-strategies`), in order. `destHost` needs an agent on every node,
   * so it is refused with `agentForm: deployment`.
   * @default - ["destHost", "default"] with `agentForm: daemonset`, ["default"] with `deployment`
   */
  readonly proxyStrategies?: KonnectivityProxyStrategy[];

  /**
   * Number of Konnectivity servers (`--server-count`): one per control-plane node. Each agent connects to this
   * many servers; fewer than the servers that run leaves some API servers without tunnels.
   * @asType integer
   * @minimum 1
   * @default 1
   */
  readonly serverCount?: number;

  /**
   * Count servers from Lease objects instead of `serverCount` (server `--enable-lease-controller`, agent
   * `--count-server-leases`), so control-plane nodes can be added without restarting agents. Needs v0.31.0 or
   * newer; adds Roles for the server's and agents' Leases in kube-system.
   * @default false
   */
  readonly serverCountFromLeases?: boolean;

  /**
   * How often an agent retries connecting to servers it is missing (agent `--sync-interval`), as a Go duration.
   * @pattern ^([0-9]+(ms|s|m|h))+$
   * @default "5s"
   */
  readonly syncInterval?: string;

  /**
   * How often an agent checks its server connections are ready (agent `--probe-interval`), as a Go duration.
   * @pattern ^([0-9]+(ms|s|m|h))+$
   * @default "5s"
   */
  readonly probeInterval?: string;

  /**
   * gRPC keepalive of the agent tunnels, set on both ends (server and agent `--keepalive-time`), as a Go
   * duration. At least 30s: the server drops agents that ping more often. The default stays below common
   * load-balancer and NAT idle timeouts (Azure Load Balancer 4 min, AWS NLB 350 s).
   * @pattern ^([0-9]+(ms|s|m|h))+$
   * @default "1m"
   */
  readonly keepaliveTime?: string;

  /** Resources of each agent container: requests and a memory limit, so agents are never BestEffort. */
  readonly agentResources?: KonnectivityAgentResourcesConfig;

  /** Resources of the server container: requests, so the server is never BestEffort, and no limits. */
  readonly serverResources?: KonnectivityServerResourcesConfig;
}
