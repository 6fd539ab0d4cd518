import { parseClusterConfig } from '../../lib/config/parse';
import { kubeletClusterDns, nodeLocalDnsCorefile, RUNTIME_PLACEHOLDERS } from '../../lib/components/node-local-dns';
import { issuesOf as issues } from '../support/issues';
import { find, synthBootstrap } from '../support/synth';


describe('CoreDNS objects', () => {
  const { charts } = synthBootstrap({ networking: { serviceSubnet: '172.20.0.0/16' } });
  const objects = charts.coredns;

  test('the kube-dns Service sits on the cluster DNS IP of the config', () => {
    const svc = find(objects, 'Service', 'kube-dns');
    expect(svc.spec.clusterIP).toBe('172.20.0.10');
    expect(svc.spec.ports.map((p: any) => `${p.name}:${p.port}/${p.protocol}`)).toEqual(['dns:53/UDP', 'dns-tcp:53/TCP', 'metrics:9153/TCP']);
  });

  test('least-privilege RBAC: what the kubernetes plugin reads with `pods insecure` (no endpoints, no pods)', () => {
    expect(find(objects, 'ClusterRole', 'system:coredns').rules).toEqual([
      { apiGroups: [''], resources: ['services', 'namespaces'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]);
  });

  test('Deployment: replicas, rolling update, spread, critical priority, probes, hardened container', () => {
    const d = find(objects, 'Deployment', 'coredns');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    const pod = d.spec.template.spec;
    expect(pod.priorityClassName).toBe('system-cluster-critical');
    expect(pod.topologySpreadConstraints[0]).toMatchObject({ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' });
    const c = pod.containers[0];
    expect(c.image).toBe('registry.k8s.io/coredns/coredns:v1.13.1');
    expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, readOnlyRootFilesystem: true });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/health', port: 'liveness-probe', scheme: 'HTTP' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'readiness-probe', scheme: 'HTTP' });
    expect(c.ports.filter((p: any) => p.name.endsWith('probe')).map((p: any) => p.containerPort)).toEqual([8080, 8181]);
    expect(c.resources).toEqual({ limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } });
    expect(find(objects, 'PodDisruptionBudget', 'coredns').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'k8s-app': 'kube-dns' } } });
  });

  test('the CoreDNS release follows kubeadm for the Kubernetes version unless set', () => {
    const image = (file: object) => find(synthBootstrap(file).charts.coredns, 'Deployment', 'coredns').spec.template.spec.containers[0].image;
    expect(image({ kubernetesVersion: '1.28.4' })).toBe('registry.k8s.io/coredns/coredns:v1.10.1');
    expect(image({ kubernetesVersion: '1.31.0' })).toBe('registry.k8s.io/coredns/coredns:v1.11.3');
    expect(image({ components: { coredns: { version: 'v1.14.2' } } })).toBe('registry.k8s.io/coredns/coredns:v1.14.2');
  });
});

describe('NodeLocal DNSCache, both kube-proxy modes', () => {
  const leftovers = (text: string) => (text.match(/__PILLAR__[A-Z_]+__/g) ?? []).filter((p) => !(RUNTIME_PLACEHOLDERS as readonly string[]).includes(p));

  test('iptables: binds the link-local and kube-dns IPs; kubelets keep the Service IP', () => {
    const cluster = parseClusterConfig({});
    const ds = find(synthBootstrap().charts['node-local-dns'], 'DaemonSet', 'node-local-dns');
    expect(ds.spec.template.spec.containers[0].args.slice(0, 2)).toEqual(['-localip', '169.254.20.10,10.96.0.10']);
    const corefile = nodeLocalDnsCorefile(cluster);
    expect(corefile).toContain('bind 169.254.20.10 10.96.0.10');
    expect(corefile).toContain('forward . __PILLAR__CLUSTER__DNS__ {');
    expect(leftovers(corefile)).toEqual([]);
    expect(kubeletClusterDns(cluster)).toBe('10.96.0.10');
  });

  test('IPVS: only the link-local IP (no dangling comma), cluster zones forward to the kube-dns IP; kubelets use the link-local IP', () => {
    const cluster = parseClusterConfig({ networking: { kubeProxyMode: 'ipvs' } });
    const objects = synthBootstrap({ networking: { kubeProxyMode: 'ipvs' } }).charts['node-local-dns'];
    expect(find(objects, 'DaemonSet', 'node-local-dns').spec.template.spec.containers[0].args.slice(0, 2)).toEqual(['-localip', '169.254.20.10']);
    const corefile = find(objects, 'ConfigMap', 'node-local-dns').data.Corefile;
    expect(corefile).toContain('bind 169.254.20.10\n');
    expect(corefile).toContain('forward . 10.96.0.10 {');
    expect(corefile).not.toContain('__PILLAR__CLUSTER__DNS__');
    expect(leftovers(corefile)).toEqual([]);
    expect(kubeletClusterDns(cluster)).toBe('169.254.20.10');
  });

  test('DaemonSet: Linux only, host network, node-critical, health on the link-local IP', () => {
    const pod = find(synthBootstrap().charts['node-local-dns'], 'DaemonSet', 'node-local-dns').spec.template.spec;
    expect(pod.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod.hostNetwork).toBe(true);
    expect(pod.priorityClassName).toBe('system-node-critical');
    expect(pod.containers[0].livenessProbe.httpGet).toEqual({ host: '169.254.20.10', path: '/health', port: 8080 });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN'] } });
  });
});

describe('DNS config errors', () => {
  test('a stub domain with a bad IP names the stub domain', () => {
    const [issue] = issues({ components: { coredns: { stubDomains: { 'acme.local': ['10.0.0.300'] } } } });
    expect(issue.path).toBe('components.coredns.stubDomains.acme.local');
    expect(issue.message).toMatch(/not an IP address/);
  });

  test('duplicate zones', () => {
    const [issue] = issues({ components: { coredns: { stubDomains: { 'acme.local': ['10.0.0.1'], 'acme.local.': ['10.0.0.2'] } } } });
    expect(issue.message).toMatch(/also served by server block/);
  });

  test('forward with no upstreams', () => {
    expect(issues({ components: { coredns: { upstreams: [] } } })[0]).toMatchObject({ path: 'components.coredns.upstreams', message: 'forward has no upstreams' });
  });

  test('an unknown plugin option in the typed model gets a did-you-mean', () => {
    const [issue] = issues({ components: { coredns: { forward: { maxConcurent: 10 } } } });
    expect(issue.path).toBe('components.coredns.forward.maxConcurent');
    expect(issue.hint).toMatch(/did you mean "maxConcurrent"/);
  });

  test('a node-local IP outside link-local space', () => {
    expect(issues({ networking: { nodeLocalDnsIP: '192.168.0.10' } })[0]).toMatchObject({ path: 'networking.nodeLocalDnsIP', message: 'not a link-local address' });
  });
});
