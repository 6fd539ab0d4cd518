import { clusterCorefile, migrateKubeDnsConfigMap } from '../../lib/dns/cluster-corefile';
import { CorefileError, renderCorefile, type Corefile } from '../../lib/dns/corefile';

const trimmed = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

// The Corefile kubeadm 1.33+ installs (cmd/kubeadm/app/phases/addons/dns), written out by hand.
const KUBEADM_1_33 = `
.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}`;

describe('cluster Corefile', () => {
  test('the default equals what kubeadm installs for the same version (1.33+)', () => {
    const text = renderCorefile(clusterCorefile({ domain: 'cluster.local', kubernetesMinor: 35, upstreams: ['/etc/resolv.conf'] }));
    expect(trimmed(text)).toEqual(trimmed(KUBEADM_1_33));
  });

  test('before 1.33 kubeadm caches the cluster domain too (plain `cache 30`)', () => {
    const lines = trimmed(renderCorefile(clusterCorefile({ domain: 'cluster.local', kubernetesMinor: 31, upstreams: ['/etc/resolv.conf'] })));
    expect(lines).toContain('cache 30');
    expect(lines.join('\n')).not.toContain('disable success');
  });

  test('domain, upstreams, forward options, stub domains and raw plugin lines', () => {
    const text = renderCorefile(
      clusterCorefile({
        domain: 'corp.internal',
        kubernetesMinor: 35,
        upstreams: ['10.0.0.53', '10.0.0.54:5353'],
        forward: { maxConcurrent: 500, policy: 'sequential', forceTcp: true },
        stubDomains: { 'consul.local': ['10.150.0.1'] },
        extraPlugins: ['log', 'hosts /etc/coredns/hosts {\n    fallthrough\n}'],
      }),
    );
    expect(text).toContain('kubernetes corp.internal in-addr.arpa ip6.arpa {');
    expect(text).toContain('    forward . 10.0.0.53 10.0.0.54:5353 {\n        force_tcp\n        max_concurrent 500\n        policy sequential\n    }');
    expect(text).toContain('    log\n    hosts /etc/coredns/hosts {\n        fallthrough\n    }\n    cache 30 {');
    expect(text).toContain('consul.local:53 {\n    errors\n    cache 30\n    loop\n    forward . 10.150.0.1\n}');
  });
});

describe('Corefile checks', () => {
  const block = (zones: string[], to: string[] = ['/etc/resolv.conf']): Corefile[number] => ({ zones, plugins: [{ name: 'forward', from: '.', to }] });

  test('duplicate zones on one port are refused (trailing dots do not hide them)', () => {
    expect(() => renderCorefile([block(['.']), block(['example.com']), block(['example.com.'])])).toThrow(/zone "example.com." on port 53 is also served by server block 1/);
    expect(() => renderCorefile([block(['example.com']), { ...block(['example.com']), port: 5353 }])).not.toThrow();
  });

  test('forward needs upstreams, and upstreams must be IPs or paths', () => {
    expect(() => renderCorefile([block(['.'], [])])).toThrow(/has no upstreams/);
    expect(() => renderCorefile([block(['.'], ['dns.google'])])).toThrow(CorefileError);
    expect(() => renderCorefile([block(['.'], ['10.0.0.1:99999'])])).toThrow(/invalid port/);
    expect(() => renderCorefile([block(['.'], ['[fd00::53]:53', '/etc/resolv.conf'])])).not.toThrow();
  });

  test('zones must be domain names', () => {
    expect(() => renderCorefile([block(['Bad_Zone'])])).toThrow(/is not a domain name/);
  });
});

describe('kube-dns ConfigMap migration', () => {
  // the example of the Kubernetes documentation ("Customizing DNS Service", kube-dns to CoreDNS)
  const docs = {
    stubDomains: '{"abc.com" : ["1.2.3.4"], "my.cluster.local" : ["2.3.4.5"]}',
    upstreamNameservers: '["8.8.8.8", "8.8.4.4"]',
    federations: '{"foo" : "foo.feddomain.com"}',
  };

  test('the documentation example becomes the documented Corefile', () => {
    const m = migrateKubeDnsConfigMap(docs, { domain: 'cluster.local', kubernetesMinor: 31 });
    const text = renderCorefile(m.corefile);
    expect(text).toContain('    federation cluster.local {\n        foo foo.feddomain.com\n    }\n    prometheus :9153');
    expect(text).toContain('    forward . 8.8.8.8 8.8.4.4 {');
    expect(text).toContain('abc.com:53 {\n    errors\n    cache 30\n    loop\n    forward . 1.2.3.4\n}');
    expect(text).toContain('my.cluster.local:53 {\n    errors\n    cache 30\n    loop\n    forward . 2.3.4.5\n}');
    expect(m.warnings).toEqual([expect.stringMatching(/federation plugin was removed from CoreDNS in 1.7.0/)]);
  });

  test('without upstreamNameservers the node resolvers stay the upstream', () => {
    const m = migrateKubeDnsConfigMap({ stubDomains: '{"acme.local": ["1.2.3.4"]}' }, { domain: 'cluster.local', kubernetesMinor: 35 });
    expect(m.options.upstreams).toEqual(['/etc/resolv.conf']);
    expect(m.warnings).toEqual([]);
  });

  test('malformed JSON and bad IPs are errors naming the key', () => {
    expect(() => migrateKubeDnsConfigMap({ stubDomains: '{"abc.com": ["1.2.3.4"' }, { domain: 'cluster.local', kubernetesMinor: 35 })).toThrow(/kube-dns ConfigMap stubDomains: is not valid JSON/);
    expect(() => migrateKubeDnsConfigMap({ upstreamNameservers: '{"a": 1}' }, { domain: 'cluster.local', kubernetesMinor: 35 })).toThrow(/upstreamNameservers: has the wrong shape/);
    expect(() => migrateKubeDnsConfigMap({ stubDomains: '{"abc.com": ["1.2.3.400"]}' }, { domain: 'cluster.local', kubernetesMinor: 35 })).toThrow(/stubDomains.abc.com.*not an IP address/);
    expect(() => migrateKubeDnsConfigMap({ upstreamNameservers: '["8.8.8"]' }, { domain: 'cluster.local', kubernetesMinor: 35 })).toThrow(CorefileError);
  });
});
