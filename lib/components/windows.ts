import * as k8s from '../k8s';

/** Windows HostProcess pods: host network and the SYSTEM account (HostProcess containers are GA since 1.26). */
export const HOST_PROCESS_POD: Pick<k8s.PodSpec, 'hostNetwork' | 'securityContext'> = {
  hostNetwork: true,
  securityContext: { windowsOptions: { hostProcess: true, runAsUserName: 'NT AUTHORITY\\system' } },
};

/** Paths the Windows CNI plugins and configs live at on the host. */
export const WINDOWS_CNI_BIN = 'C:\\opt\\cni\\bin';
export const WINDOWS_CNI_CONF = 'C:\\etc\\cni\\net.d';

/** Required node affinity: Windows on amd64 (the HostProcess images are built for it). */
export const WINDOWS_AMD64_AFFINITY: k8s.Affinity = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [
        {
          matchExpressions: [
            { key: 'kubernetes.io/os', operator: 'In', values: ['windows'] },
            { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
          ],
        },
      ],
    },
  },
};

/**
 * Requests of a Windows node agent (flannel, kube-proxy): Burstable rather than BestEffort, which the kubelet
 * evicts first under pressure. No limits, as for their Linux counterparts: a throttled or killed agent cuts the
 * node's pods off the network.
 */
export function nodeAgentRequests(cpu: string, memory: string): k8s.ResourceRequirements {
  return { requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) } };
}
