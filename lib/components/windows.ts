import type * as k8s from '../k8s';

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
