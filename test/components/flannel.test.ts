import { parseClusterConfig } from '../../lib/config/parse';
import { flannelCniConf, flannelNetConf } from '../../lib/components/flannel/net-conf';
import { find, synthBootstrap, type Manifest } from '../support/synth';

function flannelObjects(file = {}): Manifest[] {
  return synthBootstrap(file).charts.flannel;
}

function netConf(objects: Manifest[]): any {
  return JSON.parse(find(objects, 'ConfigMap', 'kube-flannel-cfg').data['net-conf.json']);
}

describe('net-conf.json (pure)', () => {
  test('Network is the pod CIDR of the config, VXLAN options are explicit', () => {
    const c = parseClusterConfig({ networking: { podSubnet: '10.50.0.0/16' } });
    expect(flannelNetConf(c.network, c.components.flannel.vxlan, c.kubeProxyMode)).toEqual({
      Network: '10.50.0.0/16',
      EnableNFTables: false,
      Backend: { Type: 'vxlan', VNI: 1, Port: 8472 },
    });
  });

  test('dual-stack enables IPv6 with the IPv6 pod CIDR; nftables kube-proxy turns on EnableNFTables', () => {
    const c = parseClusterConfig({
      networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12,fd00:10:96::/112', kubeProxyMode: 'nftables' },
      components: { flannel: { vxlan: { directRouting: true, mtu: 1400 } } },
    });
    expect(flannelNetConf(c.network, c.components.flannel.vxlan, c.kubeProxyMode)).toEqual({
      Network: '10.244.0.0/16',
      EnableIPv6: true,
      IPv6Network: 'fd00:10:244::/56',
      EnableNFTables: true,
      Backend: { Type: 'vxlan', VNI: 1, Port: 8472, DirectRouting: true, MTU: 1450 }, // the device's 1400 plus the VXLAN header
    });
  });

  test('CNI conflist chains flannel and portmap', () => {
    const conf = flannelCniConf() as any;
    expect(conf.name).toBe('cbr0');
    expect(conf.plugins.map((p: any) => p.type)).toEqual(['flannel', 'portmap']);
    expect(conf.plugins[0].delegate).toEqual({ hairpinMode: true, isDefaultGateway: true });
  });
});

describe('Flannel chart', () => {
  test('objects and namespace with the privileged Pod Security level', () => {
    const objects = flannelObjects();
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/kube-flannel',
      'ClusterRole/flannel',
      'ServiceAccount/flannel',
      'ClusterRoleBinding/flannel',
      'ConfigMap/kube-flannel-cfg',
      'DaemonSet/kube-flannel-ds',
    ]);
    expect(find(objects, 'Namespace', 'kube-flannel').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  test('RBAC grants only what flanneld uses', () => {
    const role = find(flannelObjects(), 'ClusterRole', 'flannel');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'] },
    ]);
  });

  test('net-conf Network follows the configured pod subnet (typed once)', () => {
    expect(netConf(flannelObjects({ networking: { podSubnet: '10.32.0.0/12' } })).Network).toBe('10.32.0.0/12');
  });

  test('Windows clusters get VNI 4096 and port 4789', () => {
    expect(netConf(flannelObjects({ windows: { enabled: true } })).Backend).toEqual({ Type: 'vxlan', VNI: 4096, Port: 4789 });
  });

  test('DaemonSet: Linux only, host network, node-critical, tolerates NoSchedule taints', () => {
    const pod = find(flannelObjects(), 'DaemonSet', 'kube-flannel-ds').spec.template.spec;
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] },
    ]);
    expect(pod.hostNetwork).toBe(true);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.tolerations).toEqual([{ operator: 'Exists', effect: 'NoSchedule' }]);
    expect(pod.serviceAccountName).toBe('flannel');
    const flanneld = pod.containers[0];
    expect(flanneld.securityContext).toEqual({ privileged: false, allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } });
    expect(pod.initContainers.map((c: any) => c.securityContext)).toEqual([{ allowPrivilegeEscalation: false }, { allowPrivilegeEscalation: false }]);
    expect(flanneld.resources).toEqual({ requests: { cpu: '100m', memory: '50Mi' } });
    expect(flanneld.volumeMounts.map((m: any) => m.mountPath)).toEqual(['/run/flannel', '/etc/kube-flannel/', '/run/xtables.lock']);
    expect(pod.volumes.find((v: any) => v.name === 'xtables-lock').hostPath).toEqual({ path: '/run/xtables.lock', type: 'FileOrCreate' });
  });

  test('v0.28.9 pins its images, installs the config with install-conf and has health probes', () => {
    const pod = find(flannelObjects(), 'DaemonSet', 'kube-flannel-ds').spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.image)).toEqual(['ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3', 'ghcr.io/flannel-io/flannel:v0.28.9']);
    expect(pod.initContainers[1].command).toEqual(['/opt/bin/install-conf']);
    expect(pod.containers[0].args).toEqual(['--ip-masq', '--kube-subnet-mgr', '--healthz-port=8081']);
    expect(pod.containers[0].livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'healthz' });
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'healthz' });
  });

  test('v0.27.0 uses cp and has no health server', () => {
    const pod = find(flannelObjects({ components: { flannel: { version: 'v0.27.0' } } }), 'DaemonSet', 'kube-flannel-ds').spec.template.spec;
    expect(pod.initContainers[0].image).toBe('ghcr.io/flannel-io/flannel-cni-plugin:v1.7.1-flannel1');
    expect(pod.initContainers[1].command).toEqual(['cp', '-f']);
    expect(pod.containers[0].args).toEqual(['--ip-masq', '--kube-subnet-mgr']);
    expect(pod.containers[0].livenessProbe).toBeUndefined();
    expect(pod.containers[0].ports).toBeUndefined();
  });

  test('the image registry override replaces the registry host and keeps paths and tags', () => {
    const pod = find(flannelObjects({ imageRegistry: 'mirror.internal:5000/hub' }), 'DaemonSet', 'kube-flannel-ds').spec.template.spec;
    expect(pod.containers[0].image).toBe('mirror.internal:5000/hub/flannel-io/flannel:v0.28.9');
    expect(pod.initContainers[0].image).toBe('mirror.internal:5000/hub/flannel-io/flannel-cni-plugin:v1.9.1-flannel3');
  });
});
