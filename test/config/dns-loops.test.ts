// The DNS loop rules through parseClusterConfig: the full error text users see, and configs that still parse.
import { nodeLocalDnsCorefile, nodeLocalListenIps } from '../../lib/components/node-local-dns/node-local-dns';
import { parseClusterConfig } from '../../lib/config/parse';
import { issuesOf } from '../support/issues';

const coredns = (c: object, networking: object = {}) => ({ networking, components: { coredns: c } });
const error = (input: unknown) => {
  try {
    parseClusterConfig(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('config was accepted');
};

describe('rule 1: an upstream that is the cluster DNS, the NodeLocal DNS address or a Service IP', () => {
  test('the DNS Service IP, written with port 53', () => {
    expect(error(coredns({ upstreams: ['10.0.0.53', '10.96.0.10:53'] }))).toBe(
      [
        'invalid cluster config: 1 problem',
        '  - components.coredns.upstreams.1: is the cluster DNS Service IP: CoreDNS would forward names outside the cluster to itself (a forward loop the loop plugin stops by exiting) (got "10.96.0.10:53")',
        "    hint: name resolvers outside the cluster by their own addresses, or /etc/resolv.conf (the node's resolvers)",
      ].join('\n'),
    );
  });

  test('any other address of a service subnet, IPv6 in brackets too', () => {
    const input = coredns({ upstreams: ['[fd00:10:96::35]:53'] }, { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/12,fd00:10:96::/112' });
    expect(error(input)).toBe(
      [
        'invalid cluster config: 1 problem',
        `  - components.coredns.upstreams.0: is inside the service subnet fd00:10:96::/112: a ClusterIP is reached through kube-proxy, so CoreDNS would depend on kube-proxy and that Service's pods for names outside the cluster, and a resolver there that uses cluster DNS sends it back (a forward loop) (got "[fd00:10:96::35]:53")`,
        "    hint: name resolvers outside the cluster by their own addresses, or /etc/resolv.conf (the node's resolvers)",
      ].join('\n'),
    );
  });

  test('the NodeLocal DNS address (rule 4: the one way the config could make node-cache talk to itself)', () => {
    const input = { networking: { kubeProxyMode: 'ipvs', nodeLocalDnsIP: '169.254.0.53' }, components: { nodeLocalDns: { enabled: true }, coredns: { upstreams: ['169.254.0.53'] } } };
    expect(error(input)).toBe(
      [
        'invalid cluster config: 1 problem',
        '  - components.coredns.upstreams.0: is the NodeLocal DNS address (networking.nodeLocalDnsIP): node-cache forwards reverse lookups (in-addr.arpa, ip6.arpa) to CoreDNS, whose kubernetes plugin passes those it cannot answer on to this upstream, so they would circle between the two (a forward loop) (got "169.254.0.53")',
        "    hint: name resolvers outside the cluster by their own addresses, or /etc/resolv.conf (the node's resolvers)",
      ].join('\n'),
    );
  });

  test('the checked addresses follow the networking section: 10.96.0.10 is an outside resolver for a 172.20.0.0/16 cluster', () => {
    const c = parseClusterConfig(coredns({ upstreams: ['10.96.0.10', '10.0.0.54:5353', '/etc/resolv.conf'] }, { serviceSubnet: '172.20.0.0/16' }));
    expect(c.components.coredns.upstreams).toEqual(['10.96.0.10', '10.0.0.54:5353', '/etc/resolv.conf']);
    expect(issuesOf(coredns({ upstreams: ['172.20.0.10'] }, { serviceSubnet: '172.20.0.0/16' }))[0].message).toMatch(/^is the cluster DNS Service IP/);
  });
});

describe('rule 2: a stub domain forwarding to the cluster DNS', () => {
  test('the DNS Service IP as a stub domain name server', () => {
    expect(error(coredns({ stubDomains: { 'corp.example': ['10.20.0.53', '10.96.0.10'] } }))).toBe(
      [
        'invalid cluster config: 1 problem',
        '  - components.coredns.stubDomains.corp.example.1: is the cluster DNS Service IP: CoreDNS would forward corp.example to itself (a forward loop the loop plugin stops by exiting) (got "10.96.0.10")',
        '    hint: list the name servers of corp.example by their own addresses, outside the cluster',
      ].join('\n'),
    );
  });
});

describe('rule 3: a stub zone that takes names from the cluster block', () => {
  test('a zone inside the cluster domain (case and trailing dot do not matter)', () => {
    expect(error(coredns({ stubDomains: { 'SVC.Cluster.Local.': ['10.20.0.53'] } }))).toBe(
      [
        'invalid cluster config: 1 problem',
        '  - components.coredns.stubDomains.SVC.Cluster.Local.: is inside the cluster domain cluster.local: its server block would answer those names instead of the kubernetes plugin, sending cluster names out of the cluster (got "SVC.Cluster.Local.")',
        '    hint: pick a zone outside cluster.local that does not contain it either',
      ].join('\n'),
    );
  });

  test('the root zone: one issue, not also the duplicate-zone one', () => {
    expect(error(coredns({ stubDomains: { '.': ['10.20.0.53'] } }))).toBe(
      [
        'invalid cluster config: 1 problem',
        '  - components.coredns.stubDomains..: is the root zone: its server block would take "." from the main block, and with it the cluster domain and every other name (got ".")',
        '    hint: set the resolvers for names outside the cluster in components.coredns.upstreams, and give stub domains their own zones',
      ].join('\n'),
    );
  });

  test('a reverse zone holding the service subnet', () => {
    expect(error(coredns({ stubDomains: { '96.10.in-addr.arpa': ['10.20.0.53'] } }))).toBe(
      [
        'invalid cluster config: 1 problem',
        '  - components.coredns.stubDomains.96.10.in-addr.arpa: covers the reverse lookups of 10.96.0.0/12 (Services): the kubernetes plugin answers PTR queries for Service and pod IPs, and this block would send them out of the cluster (got "96.10.in-addr.arpa")',
        '    hint: give only the reverse zone of your own network, outside the service and pod subnets, e.g. 0.168.192.in-addr.arpa for 192.168.0.0/24',
      ].join('\n'),
    );
  });

  test('the zone rules follow networking.dnsDomain', () => {
    expect(issuesOf(coredns({ stubDomains: { 'example.internal': ['10.20.0.53'] } }, { dnsDomain: 'k8s.example.internal' }))[0].message).toMatch(/^contains the cluster domain k8s.example.internal/);
    expect(() => parseClusterConfig(coredns({ stubDomains: { 'cluster.local': ['10.20.0.53'] } }, { dnsDomain: 'k8s.example.internal' }))).not.toThrow();
  });
});

describe('all together', () => {
  test('every loop in one run, next to the other problems of the file', () => {
    const input = {
      clusterName: 'Bad_Name',
      components: { coredns: { upstreams: ['10.96.0.10', '127.0.0.1'], stubDomains: { 'cluster.local': ['10.96.0.10'], 'in-addr.arpa': ['10.20.0.53'], 'acme.local': ['10.0.0.300'] } } },
    };
    expect(issuesOf(input).map((i) => i.path)).toEqual([
      'clusterName',
      'components.coredns.upstreams.0',
      'components.coredns.upstreams.1',
      'components.coredns.stubDomains.cluster.local',
      'components.coredns.stubDomains.cluster.local.0',
      'components.coredns.stubDomains.in-addr.arpa',
      'components.coredns.stubDomains.acme.local', // the Corefile check still runs for the zones not refused
    ]);
  });

  test('with the networking section invalid, the zone rules still report', () => {
    const paths = issuesOf({ networking: { podSubnet: 'nonsense' }, components: { coredns: { upstreams: ['10.96.0.10'], stubDomains: { 'svc.cluster.local': ['10.20.0.53'] } } } }).map((i) => i.path);
    expect(paths).toEqual(['networking.podSubnet', 'components.coredns.stubDomains.svc.cluster.local']);
  });

  test('a config with outside resolvers and stub domains still parses', () => {
    const c = parseClusterConfig(
      coredns({ upstreams: ['10.0.0.53', '[2001:db8::53]:53', '/etc/resolv.conf'], stubDomains: { 'consul.local': ['10.150.0.1'], 'corp.example.': ['10.20.0.53:5353'], '168.192.in-addr.arpa': ['192.168.0.53'] } }),
    );
    expect(Object.keys(c.components.coredns.stubDomains)).toEqual(['consul.local', 'corp.example.', '168.192.in-addr.arpa']);
  });
});

describe('rule 4: node-cache never forwards to an address it listens on', () => {
  test.each(['iptables', 'ipvs', 'nftables'])('kube-proxy %s: the forwards are the DNS IP or placeholders, never the listen IPs or the CoreDNS upstreams', (kubeProxyMode) => {
    const cluster = parseClusterConfig({ networking: { kubeProxyMode }, components: { coredns: { upstreams: ['10.0.0.53'] } } });
    const forwards = [...nodeLocalDnsCorefile(cluster).matchAll(/forward \. (\S+)/g)].map((m) => m[1]);
    expect(new Set(forwards)).toEqual(new Set([kubeProxyMode === 'iptables' ? '__PILLAR__CLUSTER__DNS__' : '10.96.0.10', '__PILLAR__UPSTREAM__SERVERS__']));
    expect(forwards.filter((f) => nodeLocalListenIps(cluster).includes(f))).toEqual([]);
  });
});
