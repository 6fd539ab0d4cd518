// The DNS tier's rewrites and node-cache's start-up step, done by the tests in node-cache's place: pure, so they are
// checked here without the tier (dns-service-path.e2e.test.ts runs them on the real programs).
import { parse } from 'yaml';
import { kubeProxyRewrites, nodeCacheRewrites } from '../e2e/harness/host-rewrites';
import { localIpsFromArgs, nodeCacheRules, renderNodeCacheCorefile } from '../e2e/harness/node-cache';

const ours = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\nclusterCIDR: 10.244.0.0/16\n';

describe('kubeProxyRewrites', () => {
  test('adds the kubeconfig kubeadm would add and the hostname flag, and keeps every field of ours', () => {
    const { configText, flags, rewrites } = kubeProxyRewrites(ours, { kubeconfig: '/tmp/k/kubeconfig.conf', nodeName: 'linux-worker-0' });
    const config = parse(configText);
    expect(config).toEqual({ ...parse(ours), clientConnection: { kubeconfig: '/tmp/k/kubeconfig.conf' } });
    expect(flags).toEqual(['--hostname-override=linux-worker-0']);
    expect(rewrites.map((r) => r.field)).toEqual(['clientConnection', '--hostname-override']);
    for (const r of rewrites) expect(r.why.length).toBeGreaterThan(40);
  });

  test('refuses to hide a clientConnection our file already sets', () => {
    expect(() => kubeProxyRewrites(`${ours}clientConnection:\n  qps: 50\n`, { kubeconfig: '/k', nodeName: 'n' })).toThrow(/clientConnection is already set/);
  });
});

describe("node-cache's start-up step", () => {
  const base = 'cluster.local:53 {\n    forward . __PILLAR__CLUSTER__DNS__ {\n        force_tcp\n    }\n}\n.:53 {\n    forward . __PILLAR__UPSTREAM__SERVERS__\n}\n';

  test('fills both placeholders, the upstreams with /etc/resolv.conf unless given', () => {
    expect(renderNodeCacheCorefile(base, '10.96.12.34')).toBe(base.replace('__PILLAR__CLUSTER__DNS__', '10.96.12.34').replace('__PILLAR__UPSTREAM__SERVERS__', '/etc/resolv.conf'));
    expect(renderNodeCacheCorefile(base, '10.96.12.34', '192.0.2.53')).toContain('forward . 192.0.2.53');
    expect(renderNodeCacheCorefile(base, '10.96.12.34')).not.toContain('__PILLAR__');
  });

  test('takes the listen IPs from -localip, and says so when our args have none', () => {
    expect(localIpsFromArgs(['-localip', '169.254.20.10,10.96.0.10', '-conf', '/etc/Corefile'])).toEqual(['169.254.20.10', '10.96.0.10']);
    expect(() => localIpsFromArgs(['-conf', '/etc/Corefile'])).toThrow(/no -localip/);
  });

  test('NOTRACK and ACCEPT rules for port 53 of each local IP, both protocols, in and out', () => {
    const rules = nodeCacheRules('169.254.20.10').map((r) => r.join(' '));
    expect(rules).toHaveLength(10);
    expect(rules).toContain('-t raw -A PREROUTING -p udp -d 169.254.20.10 --dport 53 -j NOTRACK');
    expect(rules).toContain('-t raw -A OUTPUT -p tcp -s 169.254.20.10 --sport 53 -j NOTRACK');
    expect(rules).toContain('-t filter -A INPUT -p tcp -d 169.254.20.10 --dport 53 -j ACCEPT');
  });

  test('the forced changes are listed with their reasons', () => {
    expect(nodeCacheRewrites().map((r) => `${r.field}: ${r.from} -> ${r.value}`)).toEqual(['nodelocaldns link: dummy -> lo', '-conf: /etc/Corefile -> <test folder>/Corefile']);
  });
});
