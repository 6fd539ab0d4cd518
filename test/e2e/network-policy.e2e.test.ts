// The NetworkPolicy library's objects, as the real API server validates them (it checks CIDRs, except
// ranges, ports and selectors more strictly than the OpenAPI schema does).
import { Chart, Testing } from 'cdk8s';
import { parseClusterConfig } from '../../lib/config/parse';
import {
  allowApiServerEgress,
  allowDnsEgress,
  allowIngressFromLabels,
  defaultDeny,
  denyMetadataEgress,
  isolateNamespace,
  NetworkPolicySet,
  PolicyPort,
} from '../../lib/network-policy';
import { kubectl } from './harness/cluster';
import { cluster } from './support';

test('every helper policy is accepted by server-side apply', () => {
  const { kubeconfig } = cluster();
  const config = parseClusterConfig({ apiServer: { host: '10.0.0.5' } });
  const chart = new Chart(Testing.app(), 'policies');
  new NetworkPolicySet(chart, 'set', [
    defaultDeny('policy-e2e', 'both'),
    allowDnsEgress('policy-e2e', config),
    denyMetadataEgress('policy-e2e'),
    allowIngressFromLabels('policy-e2e', 'access-nginx', { app: 'nginx' }, { access: 'true' }, [PolicyPort.tcp('http'), PolicyPort.tcpRange(8000, 8080)]),
    isolateNamespace('policy-e2e'),
    allowApiServerEgress('policy-e2e', config, { konnectivity: true }),
  ]);
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'policy-e2e' } };
  const input = [namespace, ...Testing.synth(chart)].map((o) => JSON.stringify(o)).join('\n');
  const r = kubectl(kubeconfig, ['apply', '--server-side', '--field-manager=cluster-bootstrap', '-f', '-'], input);
  expect({ stderr: r.stderr, status: r.status }).toEqual({ stderr: '', status: 0 });
  expect(r.stdout.trim().split('\n')).toHaveLength(7);
  // and the API server does refuse what the library refuses: an except outside its CIDR
  const bad = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'bad-except', namespace: 'policy-e2e' },
    spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] } }] }] },
  };
  const refused = kubectl(kubeconfig, ['apply', '--server-side', '--dry-run=server', '-f', '-'], JSON.stringify(bad));
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toMatch(/except/);
});
