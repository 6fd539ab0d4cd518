// Reachability on the classic cases; every expected matrix is written by hand from the rules in the
// Kubernetes NetworkPolicy documentation, not produced by the evaluator.
import {
  allowDnsEgress,
  allowIngressFromLabels,
  defaultDeny,
  denyMetadataEgress,
  isolateNamespace,
  PolicyPeer,
  PolicyPort,
  reachability,
  renderMatrixHtml,
  renderMatrixText,
  type Endpoint,
  type NetworkPolicyJson,
  type SampleNamespace,
  type SamplePod,
} from '../../lib/network-policy';
import { parseClusterConfig } from '../../lib/config/parse';

const namespaces: SampleNamespace[] = [{ name: 'default' }, { name: 'team-a', labels: { team: 'a' } }, { name: 'kube-system' }];
const nginx: SamplePod = { name: 'nginx', namespace: 'default', ip: '10.244.1.10', labels: { app: 'nginx' }, ports: [{ name: 'http', port: 80 }] };
const client: SamplePod = { name: 'client', namespace: 'default', ip: '10.244.1.11', labels: { run: 'client' } };
const trusted: SamplePod = { name: 'trusted', namespace: 'default', ip: '10.244.1.12', labels: { access: 'true' } };
const api: SamplePod = { name: 'api', namespace: 'team-a', ip: '10.244.2.10', labels: { app: 'api', access: 'true' } };
const coredns: SamplePod = { name: 'coredns', namespace: 'kube-system', ip: '10.244.3.10', labels: { 'k8s-app': 'kube-dns' } };
const pods = [nginx, client, trusted, api, coredns];
const metadata: Endpoint = { name: 'metadata', ip: '169.254.169.254' };
const internet: Endpoint = { name: 'internet', ip: '203.0.113.5' };

const o = true;
const x = false;
const _ = null;

function matrix(policies: NetworkPolicyJson[], port = 80, protocol: 'TCP' | 'UDP' = 'TCP', destinations: Endpoint[] = pods) {
  return reachability(pods, destinations, { port, protocol }, policies, namespaces).allowed;
}

describe('reachability, classic cases', () => {
  test('no policies: everything reaches everything', () => {
    expect(matrix([])).toEqual([
      // nginx client trusted api coredns
      [_, o, o, o, o],
      [o, _, o, o, o],
      [o, o, _, o, o],
      [o, o, o, _, o],
      [o, o, o, o, _],
    ]);
  });

  test('deny all ingress in default: nothing gets into default, default still gets out', () => {
    expect(matrix([defaultDeny('default', 'ingress')])).toEqual([
      [_, x, x, o, o],
      [x, _, x, o, o],
      [x, x, _, o, o],
      [x, x, x, _, o],
      [x, x, x, o, _],
    ]);
  });

  test("the docs' access-nginx: only pods labelled access=true in nginx's namespace reach nginx", () => {
    const accessNginx = allowIngressFromLabels('default', 'access-nginx', { app: 'nginx' }, { access: 'true' });
    expect(accessNginx.spec).toEqual({ podSelector: { matchLabels: { app: 'nginx' } }, ingress: [{ from: [{ podSelector: { matchLabels: { access: 'true' } } }] }] });
    // api has access=true too, but a podSelector alone only means pods of the policy's namespace
    expect(matrix([accessNginx])).toEqual([
      [_, o, o, o, o],
      [x, _, o, o, o],
      [o, o, _, o, o],
      [x, o, o, _, o],
      [x, o, o, o, _],
    ]);
  });

  test('allow same namespace only (namespace isolation of default)', () => {
    expect(matrix([isolateNamespace('default')])).toEqual([
      [_, o, o, o, o],
      [o, _, o, o, o],
      [o, o, _, o, o],
      [x, x, x, _, o],
      [x, x, x, o, _],
    ]);
  });

  test('egress DNS only: default pods reach the cluster DNS on 53 and nothing else', () => {
    const cluster = parseClusterConfig({});
    const policies = [defaultDeny('default', 'egress'), allowDnsEgress('default', cluster)];
    expect(matrix(policies, 53, 'UDP')).toEqual([
      [_, x, x, x, o],
      [x, _, x, x, o],
      [x, x, _, x, o],
      [o, o, o, _, o],
      [o, o, o, o, _],
    ]);
    expect(matrix(policies, 80, 'TCP')).toEqual([
      [_, x, x, x, x],
      [x, _, x, x, x],
      [x, x, _, x, x],
      [o, o, o, _, o],
      [o, o, o, o, _],
    ]);
    // NodeLocal DNS on the host network is reachable through its ipBlock
    const nodeLocal: Endpoint = { name: 'node-local-dns', ip: '169.254.20.10' };
    expect(reachability([client], [nodeLocal, internet], { port: 53, protocol: 'UDP' }, policies, namespaces).allowed).toEqual([[o, x]]);
  });

  test('ipBlock with except: default pods reach the internet but not the metadata endpoint', () => {
    const policies = [denyMetadataEgress('default')];
    expect(reachability(pods, [internet, metadata], { port: 80 }, policies, namespaces).allowed).toEqual([
      [o, x],
      [o, x],
      [o, x],
      [o, o],
      [o, o],
    ]);
  });

  test('one peer with both selectors is AND; two peers are OR', () => {
    const and: NetworkPolicyJson = { metadata: { name: 'and', namespace: 'default' }, spec: { podSelector: { matchLabels: { app: 'nginx' } }, ingress: [{ from: [PolicyPeer.podsInNamespaces({ access: 'true' }, { team: 'a' }).toJson()] }] } };
    const or: NetworkPolicyJson = {
      metadata: { name: 'or', namespace: 'default' },
      spec: { podSelector: { matchLabels: { app: 'nginx' } }, ingress: [{ from: [PolicyPeer.podsWithLabels({ access: 'true' }).toJson(), PolicyPeer.namespacesWithLabels({ team: 'a' }).toJson()] }] },
    };
    const into = (p: NetworkPolicyJson) => reachability(pods, [nginx], { port: 80 }, [p], namespaces).allowed.map((r) => r[0]);
    // from: nginx(self) client trusted api coredns
    expect(into(and)).toEqual([_, x, x, o, x]);
    expect(into(or)).toEqual([_, x, o, o, x]);
  });

  test('ports: named ports resolve on the destination pod; endPort ranges are inclusive; protocol matters', () => {
    const named: NetworkPolicyJson = { metadata: { name: 'named', namespace: 'default' }, spec: { podSelector: {}, ingress: [{ ports: [PolicyPort.tcp('http').toJson()] }] } };
    const ranged: NetworkPolicyJson = { metadata: { name: 'ranged', namespace: 'default' }, spec: { podSelector: {}, ingress: [{ ports: [PolicyPort.tcpRange(8000, 8080).toJson()] }] } };
    const at = (p: NetworkPolicyJson, dst: SamplePod, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => reachability([api], [dst], { port, protocol }, [p], namespaces).allowed[0][0];
    expect([at(named, nginx, 80), at(named, nginx, 81), at(named, client, 80), at(named, nginx, 80, 'UDP')]).toEqual([o, x, x, x]);
    expect([at(ranged, client, 7999), at(ranged, client, 8000), at(ranged, client, 8080), at(ranged, client, 8081)]).toEqual([x, o, o, x]);
  });

  test('policyTypes default: a policy with egress rules and no policyTypes isolates both directions', () => {
    const p: NetworkPolicyJson = { metadata: { name: 'egress-only-rules', namespace: 'team-a' }, spec: { podSelector: {}, egress: [{ to: [PolicyPeer.namespace('kube-system').toJson()] }] } };
    // ingress to api is now denied (no ingress rules), egress only to kube-system
    expect(reachability([api, client], [api, coredns, nginx], { port: 80 }, [p], namespaces).allowed).toEqual([
      [_, o, x],
      [x, o, o],
    ]);
  });
});

describe('rendering', () => {
  const m = reachability([client, trusted], [nginx, metadata], { port: 80 }, [allowIngressFromLabels('default', 'access-nginx', { app: 'nginx' }, { access: 'true' })], namespaces);

  test('text table', () => {
    expect(renderMatrixText(m)).toBe(
      [
        'TCP/80: rows connect to columns (ok = allowed, X = denied, - = itself)',
        'from \\ to       | default/nginx | metadata',
        '----------------|---------------|---------',
        'default/client  | X             | ok',
        'default/trusted | ok            | ok',
        '',
      ].join('\n'),
    );
  });

  test('HTML page with one cell per pair, escaped names', () => {
    const html = renderMatrixHtml(m, 'a <b> title');
    expect(html).toContain('<title>a &lt;b&gt; title</title>');
    expect(html.match(/<td class="(allow|deny|self)"/g)).toHaveLength(4);
    expect(html).toContain('<tr><th scope="row">default/client</th><td class="deny" title="denied">denied</td><td class="allow" title="allowed">allowed</td></tr>');
  });
});
