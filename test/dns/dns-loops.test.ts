// The loop checks on their own: plain data in, issues out (no config parsing, no synth).
import { findDnsLoops, reverseZoneRanges, type DnsLoopFacts } from '../../lib/dns/dns-loops';
import { Cidr, IpAddress } from '../../lib/net/cidr';

const FACTS: DnsLoopFacts = {
  dnsDomain: 'cluster.local',
  dnsServiceIP: IpAddress.parse('10.96.0.10'),
  nodeLocalDnsIP: IpAddress.parse('169.254.20.10'),
  serviceCidrs: [Cidr.parse('10.96.0.0/12'), Cidr.parse('fd00:10:96::/112')],
  podCidrs: [Cidr.parse('10.244.0.0/16'), Cidr.parse('fd00:10:244::/56')],
};

const upstreams = (list: string[], facts = FACTS) => findDnsLoops({ upstreams: list, stubDomains: {} }, facts);
const stub = (zone: string, list = ['10.0.0.53'], facts = FACTS) => findDnsLoops({ upstreams: ['/etc/resolv.conf'], stubDomains: { [zone]: list } }, facts);

describe('upstreams that forward back into the cluster DNS', () => {
  test.each(['10.96.0.10', '10.96.0.10:53', '[10.96.0.10]:53', '::ffff:10.96.0.10', '[::ffff:10.96.0.10]:53'])('%s is the cluster DNS Service IP', (u) => {
    expect(upstreams([u])).toEqual([
      {
        path: 'components.coredns.upstreams.0',
        value: u,
        message: 'is the cluster DNS Service IP: CoreDNS would forward names outside the cluster to itself (a forward loop the loop plugin stops by exiting)',
        hint: "name resolvers outside the cluster by their own addresses, or /etc/resolv.conf (the node's resolvers)",
      },
    ]);
  });

  test('the DNS IP on another port is still a Service IP', () => {
    expect(upstreams(['10.96.0.10:5353'])[0].message).toMatch(/^is the cluster DNS Service IP/);
  });

  test.each(['169.254.20.10', '169.254.20.10:53', '[169.254.20.10]:53'])('%s is the NodeLocal DNS address (node-cache sends reverse zones back)', (u) => {
    const [issue] = upstreams([u]);
    expect(issue.path).toBe('components.coredns.upstreams.0');
    expect(issue.message).toMatch(/^is the NodeLocal DNS address \(networking.nodeLocalDnsIP\): node-cache forwards reverse lookups .* circle between the two \(a forward loop\)$/);
  });

  test.each([
    ['10.100.0.5', '10.96.0.0/12'],
    ['10.96.0.1:53', '10.96.0.0/12'],
    ['10.111.255.254:5353', '10.96.0.0/12'],
    ['fd00:10:96::a', 'fd00:10:96::/112'],
    ['[fd00:10:96::a]:53', 'fd00:10:96::/112'],
  ])('%s is inside the service subnet %s', (u, cidr) => {
    expect(upstreams([u])[0].message).toMatch(new RegExp(`^is inside the service subnet ${cidr.replace(/\./g, '\\.')}: a ClusterIP is reached through kube-proxy`));
  });

  test('a loopback upstream is CoreDNS itself on port 53, nothing on another port', () => {
    const [a, b, c] = upstreams(['127.0.0.1', '[::1]:53', '127.0.0.53:5353']);
    expect(a.message).toMatch(/^is a loopback address: in the CoreDNS pod that is CoreDNS itself/);
    expect(b.message).toMatch(/^is a loopback address: in the CoreDNS pod that is CoreDNS itself/);
    expect(c.message).toMatch(/would get no answer$/);
  });

  test('outside resolvers, paths, placeholders and non-IPs pass (non-IPs are the Corefile check\'s)', () => {
    expect(upstreams(['10.0.0.53', '10.0.0.54:5353', '8.8.8.8', '[2001:4860:4860::8888]:53', '10.112.0.10', '10.95.255.255', '/etc/resolv.conf', '__PILLAR__UPSTREAM__SERVERS__', 'dns.example'])).toEqual([]);
  });

  test('every bad entry is reported, each at its index', () => {
    expect(upstreams(['10.0.0.53', '10.96.0.10', '/etc/resolv.conf', '169.254.20.10']).map((i) => i.path)).toEqual(['components.coredns.upstreams.1', 'components.coredns.upstreams.3']);
  });

  test('the addresses checked follow the facts (another service subnet, DNS IP and node-local IP)', () => {
    const facts = { ...FACTS, dnsServiceIP: IpAddress.parse('172.20.0.10'), nodeLocalDnsIP: IpAddress.parse('169.254.0.53'), serviceCidrs: [Cidr.parse('172.20.0.0/16')] };
    expect(upstreams(['10.96.0.10', '169.254.20.10'], facts)).toEqual([]);
    expect(upstreams(['172.20.0.10', '169.254.0.53', '172.20.1.1'], facts).map((i) => i.message.split(':')[0])).toEqual(['is the cluster DNS Service IP', 'is the NodeLocal DNS address (networking.nodeLocalDnsIP)', 'is inside the service subnet 172.20.0.0/16']);
  });

  test('with only the domain known (networking invalid), addresses are not judged', () => {
    expect(upstreams(['10.96.0.10', '169.254.20.10'], { dnsDomain: 'cluster.local' })).toEqual([]);
    expect(upstreams(['127.0.0.1'], { dnsDomain: 'cluster.local' })).toHaveLength(1); // loopback needs no facts
  });
});

describe('stub domain upstreams', () => {
  test('the DNS IP, the node-local IP and Service IPs are refused at stubDomains.<zone>.<i>', () => {
    expect(stub('corp.example', ['10.0.0.53', '10.96.0.10:53', '169.254.20.10', '10.100.0.5'])).toEqual([
      {
        path: 'components.coredns.stubDomains.corp.example.1',
        value: '10.96.0.10:53',
        message: 'is the cluster DNS Service IP: CoreDNS would forward corp.example to itself (a forward loop the loop plugin stops by exiting)',
        hint: 'list the name servers of corp.example by their own addresses, outside the cluster',
      },
      expect.objectContaining({ path: 'components.coredns.stubDomains.corp.example.2', message: expect.stringMatching(/^is the NodeLocal DNS address .*node-cache is no server for corp.example/) }),
      expect.objectContaining({ path: 'components.coredns.stubDomains.corp.example.3', message: expect.stringMatching(/^is inside the service subnet 10.96.0.0\/12/) }),
    ]);
  });

  test('outside name servers pass', () => {
    expect(stub('consul.local', ['10.150.0.1', '10.150.0.2:8600'])).toEqual([]);
  });
});

describe('stub zones that take names from the cluster block', () => {
  test.each(['cluster.local', 'cluster.local.', 'Cluster.Local', 'svc.cluster.local', 'default.svc.CLUSTER.local.'])('%s is inside the cluster domain', (zone) => {
    expect(stub(zone)).toEqual([
      {
        path: `components.coredns.stubDomains.${zone}`,
        value: zone,
        message: 'is inside the cluster domain cluster.local: its server block would answer those names instead of the kubernetes plugin, sending cluster names out of the cluster',
        hint: 'pick a zone outside cluster.local that does not contain it either',
      },
    ]);
  });

  test('a parent of the cluster domain wins the longest-zone match for it', () => {
    expect(stub('local')[0].message).toBe('contains the cluster domain cluster.local: CoreDNS picks the server block with the longest matching zone, so cluster.local names would go to this stub instead of the kubernetes plugin');
    expect(stub('example.com', undefined, { ...FACTS, dnsDomain: 'k8s.example.com' })[0].message).toMatch(/^contains the cluster domain k8s.example.com/);
  });

  test('the root zone would replace the main block', () => {
    expect(stub('.')).toEqual([expect.objectContaining({ path: 'components.coredns.stubDomains..', value: '.', message: expect.stringMatching(/^is the root zone/) })]);
  });

  test.each([
    ['in-addr.arpa', '10.96.0.0/12 (Services) and 10.244.0.0/16 (pods)'],
    ['10.in-addr.arpa.', '10.96.0.0/12 (Services) and 10.244.0.0/16 (pods)'],
    ['96.10.in-addr.arpa', '10.96.0.0/12 (Services)'],
    ['5.100.10.in-addr.arpa', '10.96.0.0/12 (Services)'],
    ['244.10.in-addr.arpa', '10.244.0.0/16 (pods)'],
    ['ip6.arpa', 'fd00:10:96::/112 (Services) and fd00:10:244::/56 (pods)'],
    ['d.f.ip6.arpa', 'fd00:10:96::/112 (Services) and fd00:10:244::/56 (pods)'],
    ['arpa', '10.96.0.0/12 (Services) and fd00:10:96::/112 (Services) and 10.244.0.0/16 (pods) and fd00:10:244::/56 (pods)'],
  ])('reverse zone %s covers %s', (zone, covered) => {
    const [issue] = stub(zone);
    expect(issue).toMatchObject({ path: `components.coredns.stubDomains.${zone}`, value: zone });
    expect(issue.message).toBe(`covers the reverse lookups of ${covered}: the kubernetes plugin answers PTR queries for Service and pod IPs, and this block would send them out of the cluster`);
    expect(issue.hint).toMatch(/outside the service and pod subnets/);
  });

  test.each(['corp.example', 'consul.local', 'cluster.local.example', 'mycluster.local', '168.192.in-addr.arpa', '200.10.in-addr.arpa', '95.10.in-addr.arpa', '8.b.d.0.1.0.0.2.ip6.arpa'])('%s is left alone', (zone) => {
    expect(stub(zone)).toEqual([]);
  });

  test('a bad zone and a bad upstream of the same stub are both reported', () => {
    expect(stub('svc.cluster.local', ['10.96.0.10']).map((i) => i.path)).toEqual(['components.coredns.stubDomains.svc.cluster.local', 'components.coredns.stubDomains.svc.cluster.local.0']);
  });
});

describe('reverseZoneRanges', () => {
  test.each([
    ['in-addr.arpa', ['0.0.0.0/0']],
    ['10.in-addr.arpa', ['10.0.0.0/8']],
    ['96.10.in-addr.arpa.', ['10.96.0.0/16']],
    ['10.0.96.10.in-addr.arpa', ['10.96.0.10/32']],
    ['0-25.2.0.192.in-addr.arpa', ['192.0.2.0/24']], // RFC 2317: the /24 it lies in
    ['ip6.arpa', ['::/0']],
    ['d.f.ip6.arpa', ['fd00::/8']],
    ['a.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa', ['fd00:10:96:a::/64']],
    ['arpa', ['0.0.0.0/0', '::/0']],
  ])('%s is %j', (zone, ranges) => {
    expect(reverseZoneRanges(zone)?.map(String)).toEqual(ranges);
  });

  test('zones outside arpa are no reverse zones', () => {
    expect(reverseZoneRanges('example.com')).toBeUndefined();
    expect(reverseZoneRanges('in-addr.arpa.example')).toBeUndefined();
  });
});
