import { Testing, Chart } from 'cdk8s';
import { parseClusterConfig } from '../../lib/config/parse';
import {
  allowApiServerEgress,
  allowDnsEgress,
  allowIngressFromLabels,
  defaultDeny,
  denyMetadataEgress,
  isolateNamespace,
  NetworkPolicyError,
  NetworkPolicySet,
  PolicyPeer,
  PolicyPort,
  type NetworkPolicyJson,
} from '../../lib/network-policy';
import { KubernetesSchema } from '../../lib/validation/kubernetes-schema';

function errorOf(fn: () => unknown): NetworkPolicyError {
  try {
    fn();
  } catch (e) {
    if (e instanceof NetworkPolicyError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('value classes refuse bad input with field, value and hint', () => {
  test('ipBlock that is not a CIDR', () => {
    const e = errorOf(() => PolicyPeer.ipBlock('10.0.0.300/8'));
    expect([e.field, e.value]).toEqual(['ipBlock.cidr', '10.0.0.300/8']);
    expect(errorOf(() => PolicyPeer.ipBlock('10.0.0.1')).hint).toMatch(/CIDR like/);
  });

  test('an except outside (or equal to) its CIDR', () => {
    const e = errorOf(() => PolicyPeer.ipBlock('10.0.0.0/8', ['192.168.0.0/16']));
    expect([e.field, e.value]).toEqual(['ipBlock.except[0]', '192.168.0.0/16']);
    expect(e.message).toMatch(/is not inside 10.0.0.0\/8/);
    expect(errorOf(() => PolicyPeer.ipBlock('10.0.0.0/8', ['10.0.0.0/8'])).field).toBe('ipBlock.except[0]');
    expect(PolicyPeer.ipBlock('10.0.0.0/8', ['10.1.0.0/16']).toJson()).toEqual({ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } });
  });

  test.each([0, 65536, 1.5, -1])('port %p out of range', (port) => {
    expect(errorOf(() => PolicyPort.tcp(port)).field).toBe('port');
  });

  test('port ranges and names', () => {
    expect(errorOf(() => PolicyPort.tcpRange(9000, 8000)).message).toMatch(/below the start port 9000/);
    expect(errorOf(() => PolicyPort.tcpRange(80, 70000)).field).toBe('endPort');
    expect(errorOf(() => PolicyPort.tcp('HTTP')).field).toBe('port');
    expect(errorOf(() => PolicyPort.tcp('1234')).field).toBe('port');
    expect(PolicyPort.udpRange(30000, 32767).toJson()).toEqual({ protocol: 'UDP', port: 30000, endPort: 32767 });
  });

  test('an empty selector where labels are required', () => {
    expect(errorOf(() => PolicyPeer.podsWithLabels({})).field).toBe('podSelector');
    expect(errorOf(() => PolicyPeer.namespacesWithLabels({})).field).toBe('namespaceSelector');
    expect(errorOf(() => allowIngressFromLabels('default', 'x', {}, { a: 'b' })).hint).toMatch(/explicit all\* helper/);
    expect(PolicyPeer.allPodsInNamespace().toJson()).toEqual({ podSelector: {} });
  });
});

describe('policies from the cluster config', () => {
  const cluster = parseClusterConfig({ networking: { serviceSubnet: '172.20.0.0/16' }, apiServer: { host: '10.0.0.5' } });

  test('DNS egress names the kube-dns pods, the DNS Service IP and the node-local IP, on 53 UDP/TCP', () => {
    const p = allowDnsEgress('team-a', cluster);
    expect(p.spec.egress![0].to!.slice(1)).toEqual([{ ipBlock: { cidr: '172.20.0.10/32' } }, { ipBlock: { cidr: '169.254.20.10/32' } }]);
    expect(p.spec.egress![0].ports).toEqual([
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ]);
  });

  test('API server egress: the kubernetes Service IP on 443 and the endpoint on its port plus Konnectivity', () => {
    const p = allowApiServerEgress('team-a', cluster, { konnectivity: true });
    expect(p.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '172.20.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ ipBlock: { cidr: '10.0.0.5/32' } }], ports: [{ protocol: 'TCP', port: 6443 }, { protocol: 'TCP', port: 8132 }] },
    ]);
    // a DNS-name endpoint cannot be named by a policy: only the Service path remains
    expect(allowApiServerEgress('x', parseClusterConfig({ apiServer: { host: 'api.example.internal' } })).spec.egress).toHaveLength(1);
  });

  test('every helper synthesizes objects that pass the strict Kubernetes schema', () => {
    const policies: NetworkPolicyJson[] = [
      defaultDeny('team-a', 'both'),
      defaultDeny('team-a', 'ingress'),
      defaultDeny('team-a', 'egress'),
      allowDnsEgress('team-a', cluster),
      denyMetadataEgress('team-a', parseClusterConfig({ networking: { podSubnet: '10.244.0.0/16,fd00:1::/56', serviceSubnet: '10.96.0.0/12,fd00:2::/112' } })),
      allowIngressFromLabels('default', 'access-nginx', { app: 'nginx' }, { access: 'true' }, [PolicyPort.tcp('http'), PolicyPort.tcpRange(8000, 8080)]),
      isolateNamespace('team-a'),
      allowApiServerEgress('team-a', cluster, { konnectivity: true }),
    ];
    const chart = new Chart(Testing.app(), 'policies');
    new NetworkPolicySet(chart, 'set', policies);
    const objects = Testing.synth(chart);
    expect(objects).toHaveLength(policies.length);
    expect(objects.find((x) => x.metadata.name === 'access-nginx').spec.ingress[0].ports).toEqual([
      { protocol: 'TCP', port: 'http' },
      { protocol: 'TCP', port: 8000, endPort: 8080 },
    ]);
    expect(KubernetesSchema.forVersion('1.35.4').validateAll(objects)).toEqual([]);
  });
});
