// The one function that lists what this machine changes in kubeadm's static Pods: pure, so it is checked here
// without the tier. The tier's own test (control-plane.e2e.test.ts) checks it against kubeadm's real output.
import { cloudControllerManagerRewrites, controlPlaneRewrites, egressSelectorRewrites, konnectivityAgentRewrites, konnectivityServerRewrites, kubeconfigRewrite, probeRewrite, type ControlPlaneHost } from '../e2e/harness/host-rewrites';

const host: ControlPlaneHost = { root: '/tmp/tier/root', ports: { 6443: 40001, 2379: 40002, 2380: 40003, 2381: 40004, 10257: 40005, 10259: 40006 } };
const pki = [{ hostPath: '/etc/kubernetes/pki', mountPath: '/etc/kubernetes/pki' }];

describe('controlPlaneRewrites', () => {
  test('maps host paths under a hostPath volume into the root, and leaves other values exactly as kubeadm wrote them', () => {
    const { command, rewrites } = controlPlaneRewrites(
      'kube-apiserver',
      ['kube-apiserver', '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt', '--authorization-mode=Node,RBAC', '--audit-log-path=/var/log/audit.log', '--secure-port=6443'],
      pki,
      host,
    );
    expect(command).toEqual([
      'kube-apiserver',
      '--tls-cert-file=/tmp/tier/root/etc/kubernetes/pki/apiserver.crt',
      '--authorization-mode=Node,RBAC',
      // no volume holds this path: the kubelet would not give the container such a file, so it stays as written
      '--audit-log-path=/var/log/audit.log',
      '--secure-port=40001',
      '--bind-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
    ]);
    expect(rewrites.map((r) => r.field)).toEqual(['--tls-cert-file', '--secure-port', '--bind-address', '--endpoint-reconciler-type']);
    expect(rewrites.every((r) => r.why.length > 20)).toBe(true);
  });

  test("puts every URL on loopback with the free port, listens once where the host's address and loopback meet, and keeps etcd's member names", () => {
    const { command } = controlPlaneRewrites(
      'etcd',
      ['etcd', '--listen-client-urls=https://127.0.0.1:2379,https://192.0.2.2:2379', '--initial-cluster=vm=https://192.0.2.2:2380', '--listen-metrics-urls=http://127.0.0.1:2381'],
      [],
      host,
    );
    expect(command).toEqual([
      'etcd',
      '--listen-client-urls=https://127.0.0.1:40002',
      '--initial-cluster=vm=https://127.0.0.1:40003',
      '--listen-metrics-urls=http://127.0.0.1:40004',
      '--unsafe-no-fsync=true',
    ]);
  });

  test('gives the controller-manager and scheduler a free secure port when kubeadm leaves the default', () => {
    expect(controlPlaneRewrites('kube-scheduler', ['kube-scheduler', '--bind-address=127.0.0.1'], [], host).command).toEqual(['kube-scheduler', '--bind-address=127.0.0.1', '--secure-port=40006']);
  });

  test('refuses to add a flag kubeadm already set, a port it has no stand-in for, and an argument not in --flag=value form', () => {
    expect(() => controlPlaneRewrites('kube-apiserver', ['kube-apiserver', '--bind-address=0.0.0.0'], [], host)).toThrow(/--bind-address is already set by kubeadm/);
    expect(() => controlPlaneRewrites('kube-apiserver', ['kube-apiserver', '--etcd-servers=https://10.0.0.5:2999'], [], host)).toThrow(/no free port stands in for 2999/);
    expect(() => controlPlaneRewrites('etcd', ['etcd', '--name', 'vm'], [], host)).toThrow(/without --flag=value form: --name/);
  });
});

describe('probeRewrite and kubeconfigRewrite', () => {
  test('a named probe port resolves through the container ports; the host address becomes loopback, listed', () => {
    const r = probeRewrite('kube-apiserver', { host: '192.0.2.2', path: '/readyz', port: 'probe-port', scheme: 'HTTPS' }, [{ name: 'probe-port', containerPort: 6443 }], host);
    expect(r.url).toBe('https://127.0.0.1:40001/readyz');
    expect(r.rewrites.map((w) => [w.field, w.from, w.value])).toEqual([
      ['probe.httpGet.port', 'probe-port', 40001],
      ['probe.httpGet.host', '192.0.2.2', '127.0.0.1'],
    ]);
    expect(() => probeRewrite('etcd', { port: 'metrics' }, [], host)).toThrow(/names port metrics, which no container port defines/);
  });

  test("a kubeconfig's server moves to the tier's API server port and nothing else changes", () => {
    const text = 'apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: AAA\n    server: https://127.0.0.1:6443\n  name: bootstrap\n';
    const { text: out, rewrite } = kubeconfigRewrite(text, host);
    expect(out).toBe(text.replace('6443', '40001'));
    expect(rewrite.from).toBe('https://127.0.0.1:6443');
  });
});

describe('Konnectivity and CCM rewrites', () => {
  test('the server keeps every flag of ours but the listed paths and ports, and binds loopback', () => {
    const args = ['--uds-name=/etc/kubernetes/konnectivity-server/s.socket', '--cluster-cert=/etc/kubernetes/pki/apiserver.crt', '--cluster-key=/etc/kubernetes/pki/apiserver.key', '--kubeconfig=/etc/kubernetes/konnectivity-server.conf', '--mode=grpc', '--agent-port=8132', '--admin-port=8133', '--health-port=8134', '--proxy-strategies=destHost,default'];
    const volumes = [
      { hostPath: '/etc/kubernetes/pki', mountPath: '/etc/kubernetes/pki' },
      { hostPath: '/etc/kubernetes/konnectivity-server.conf', mountPath: '/etc/kubernetes/konnectivity-server.conf' },
      { hostPath: '/etc/kubernetes/konnectivity-server', mountPath: '/etc/kubernetes/konnectivity-server' },
    ];
    const r = konnectivityServerRewrites(args, volumes, { root: '/r', agentPort: 1, adminPort: 2, healthPort: 3 });
    expect(r.args).toEqual(['--uds-name=/r/etc/kubernetes/konnectivity-server/s.socket', '--cluster-cert=/r/etc/kubernetes/pki/apiserver.crt', '--cluster-key=/r/etc/kubernetes/pki/apiserver.key', '--kubeconfig=/r/etc/kubernetes/konnectivity-server.conf', '--mode=grpc', '--agent-port=1', '--admin-port=2', '--health-port=3', '--proxy-strategies=destHost,default', '--agent-bind-address=127.0.0.1', '--health-bind-address=127.0.0.1']);
    expect(r.rewrites.every((x) => x.why.length > 0)).toBe(true);
  });

  test('the agent expands $(VAR) from its env as the kubelet does, and refuses a variable the env lacks', () => {
    const args = ['--ca-cert=/var/run/secrets/kubernetes.io/serviceaccount/ca.crt', '--proxy-server-port=8132', '--admin-server-port=8133', '--health-server-port=8134', '--service-account-token-path=/var/run/secrets/tokens/t', '--agent-identifiers=ipv4=$(HOST_IP)'];
    const host = { caCert: '/ca.crt', tokenFile: '/t', env: { HOST_IP: '127.0.0.11' }, serverPort: 9, adminPort: 10, healthPort: 11 };
    expect(konnectivityAgentRewrites(args, host).args).toContain('--agent-identifiers=ipv4=127.0.0.11');
    expect(() => konnectivityAgentRewrites(args, { ...host, env: {} })).toThrow(/HOST_IP/);
  });

  test('an added flag that our args already set is refused, not overridden', () => {
    expect(() => cloudControllerManagerRewrites(['--cloud-provider=x', '--secure-port=10258'], { kubeconfig: '/k', securePort: 5 })).toThrow(/--secure-port is already in our args/);
    expect(cloudControllerManagerRewrites(['--cloud-provider=x'], { kubeconfig: '/k', securePort: 5 }).args).toEqual(['--cloud-provider=x', '--kubeconfig=/k', '--authentication-kubeconfig=/k', '--authorization-kubeconfig=/k', '--secure-port=5', '--bind-address=127.0.0.1']);
  });

  test('the egress selector socket moves under the root', () => {
    const r = egressSelectorRewrites('      uds:\n        udsName: /etc/kubernetes/konnectivity-server/s.socket\n', '/r');
    expect(r.text).toContain('udsName: /r/etc/kubernetes/konnectivity-server/s.socket');
    expect(r.rewrites).toHaveLength(1);
  });
});
