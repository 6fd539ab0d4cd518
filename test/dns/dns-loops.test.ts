// Forward loops and shadowed cluster zones are refused when the config is parsed, with the field, the value and a hint.
import { formatIssues } from '../../lib/config/errors';
import { parseClusterConfig } from '../../lib/config/parse';
import { loopingUpstream, reverseZoneCidr, shadowingStubZone, type DnsLoopFacts } from '../../lib/dns/dns-loops';
import { Cidr, IpAddress } from '../../lib/net/cidr';
import { issuesOf } from '../support/issues';

const facts: DnsLoopFacts = {
  dnsDomain: 'cluster.local',
  dnsServiceIP: IpAddress.parse('10.96.0.10'),
  nodeLocalDnsIP: IpAddress.parse('169.254.20.10'),
  serviceCidrs: [Cidr.parse('10.96.0.0/12')],
  podCidrs: [Cidr.parse('10.244.0.0/16')],
};

describe('loopingUpstream', () => {
  test.each([
    ['10.96.0.10', /cluster DNS Service IP/],
    ['10.96.0.10:53', /cluster DNS Service IP/],
    ['169.254.20.10', /NodeLocal DNS IP/],
    ['10.100.3.4:5353', /inside the service CIDR 10\.96\.0\.0\/12/],
    ['10.244.7.7', /inside the pod CIDR 10\.244\.0\.0\/16/],
  ])('%s loops back into the cluster', (upstream, why) => {
    expect(loopingUpstream(upstream, facts)).toMatch(why);
  });

  test.each(['10.0.0.53', '192.0.2.53:5353', '/etc/resolv.conf', '__PILLAR__UPSTREAM__SERVERS__', '[2001:db8::53]:53'])('%s is outside', (upstream) => {
    expect(loopingUpstream(upstream, facts)).toBeUndefined();
  });

  test('an IPv6 DNS IP in bracket form is the DNS IP', () => {
    const v6 = { ...facts, dnsServiceIP: IpAddress.parse('fd00:10:96::a'), serviceCidrs: [Cidr.parse('fd00:10:96::/112')] };
    expect(loopingUpstream('[fd00:10:96::a]:53', v6)).toMatch(/cluster DNS Service IP/);
  });
});

describe('shadowingStubZone', () => {
  test.each([
    ['cluster.local', /contains the cluster domain/],
    ['Cluster.Local.', /contains the cluster domain/],
    ['local', /contains the cluster domain/],
    ['svc.cluster.local', /inside the cluster domain/],
    ['.', /root zone/],
    ['in-addr.arpa', /overlapping 10\.96\.0\.0\/12/],
    ['10.in-addr.arpa', /overlapping 10\.96\.0\.0\/12/],
    ['96.10.in-addr.arpa', /overlapping 10\.96\.0\.0\/12/],
    ['244.10.in-addr.arpa', /overlapping 10\.244\.0\.0\/16/],
  ])('%s takes names from the cluster', (zone, why) => {
    expect(shadowingStubZone(zone, facts)).toMatch(why);
  });

  test.each(['corp.example', 'consul.local', 'mycluster.localdomain', '168.192.in-addr.arpa', '50.10.in-addr.arpa', 'ip6.arpa'])('%s does not', (zone) => {
    expect(shadowingStubZone(zone, facts)).toBeUndefined();
  });

  test('reverse zones map to their networks', () => {
    expect(String(reverseZoneCidr('96.10.in-addr.arpa.'))).toBe('10.96.0.0/16');
    expect(String(reverseZoneCidr('1.0.168.192.in-addr.arpa'))).toBe('192.168.0.1/32');
    expect(reverseZoneCidr('corp.example')).toBeUndefined();
    expect(reverseZoneCidr('300.10.in-addr.arpa')).toBeUndefined();
  });
});

describe('at parse time', () => {
  test('every loop and shadow in one config is reported together, each with field, value and hint', () => {
    const issues = issuesOf({
      components: { coredns: { upstreams: ['10.96.0.10', '8.8.8.8'], stubDomains: { 'svc.cluster.local': ['10.0.0.53'], 'corp.example': ['169.254.20.10'] } } },
    });
    expect(issues.map((i) => `${i.path} = ${JSON.stringify(i.value)}`)).toEqual([
      'components.coredns.upstreams[0] = "10.96.0.10"',
      'components.coredns.stubDomains.svc.cluster.local = "svc.cluster.local"',
      'components.coredns.stubDomains.corp.example[0] = "169.254.20.10"',
    ]);
    const text = formatIssues(issues, 'cluster.yaml');
    expect(text).toContain('components.coredns.upstreams[0]: is the cluster DNS Service IP: CoreDNS would forward to itself');
    expect(text).toContain('hint: name resolvers outside the cluster');
    expect(text).toContain('hint: pick a zone outside cluster.local');
  });

  test('loops are judged against the configured network: a custom DNS IP and domain', () => {
    const issues = issuesOf({ networking: { serviceSubnet: '172.20.0.0/16', dnsDomain: 'k8s.example.internal' }, components: { coredns: { upstreams: ['172.20.0.10'], stubDomains: { 'example.internal': ['192.0.2.54'] } } } });
    expect(issues.map((i) => i.path)).toEqual(['components.coredns.upstreams[0]', 'components.coredns.stubDomains.example.internal']);
  });

  test('the README example and outside upstreams still parse', () => {
    expect(() => parseClusterConfig({ components: { coredns: { upstreams: ['10.0.0.53', '10.0.0.54'], stubDomains: { 'consul.local': ['10.150.0.1'] } } } })).not.toThrow();
  });
});
