import { causeOf, CAUSES, ERROR_PATTERNS } from '../../lib/doctor/causes';

describe('error -> cause', () => {
  test.each([
    ['error dialing backend: No agent available', 'agents-not-connected'],
    ['error dialing backend: dial unix /etc/kubernetes/konnectivity-server/konnectivity-server.socket: connect: no such file or directory', 'server-socket-missing'],
    ['error dialing backend: dial unix /etc/kubernetes/konnectivity-server/konnectivity-server.socket: connect: connection refused', 'server-socket-missing'],
    ['Get "https://10.0.0.1:10250/containerLogs/kube-system/p/c?tailLines=1": dial tcp 10.0.0.1:10250: i/o timeout', 'kubelet-port-blocked'],
    ['Get "https://10.0.0.1:10250/containerLogs/x": dial tcp 10.0.0.1:10250: connect: connection refused', 'kubelet-refused'],
    ['Get "https://10.0.0.1:10250/containerLogs/x": tls: failed to verify certificate: x509: certificate signed by unknown authority', 'kubelet-serving-cert'],
    ['"Failed to authenticate" err="token audience [\\"wrong\\"] ..."', 'agent-token-audience'],
    ['authentication failed: invalid audience', 'agent-token-audience'],
  ])('%s', (message, id) => {
    expect(causeOf({ message })?.id).toBe(id);
  });

  test('the recorded KWOK answer: the kubelet was reached and had no log', () => {
    // the exact text the tier's API server returned (test/e2e/cluster-doctor.e2e.test.ts)
    expect(causeOf({ message: 'the server could not find the requested resource ( pods/log konnectivity-agent-p5r98)', status: 404 })?.id).toBe('kubelet-no-log');
  });

  // exactly what kubectl printed in test/e2e/konnectivity.e2e.test.ts, each broken state in turn
  test.each([
    ['Error from server: Get "https://127.0.0.11:46053/containerLogs/default/tunnel-tunnel-worker-0/app": No agent available', 'agents-not-connected'],
    ['Error from server: Get "https://127.0.0.11:46053/containerLogs/default/tunnel-tunnel-worker-0/app": dial tcp 127.0.0.11:46053: connect: connection refused', 'kubelet-refused'],
    ['Error from server: Get "https://127.0.0.11:46053/containerLogs/default/tunnel-tunnel-worker-0/app": tls: failed to verify certificate: x509: certificate signed by unknown authority', 'kubelet-serving-cert'],
  ])('recorded in the Konnectivity tier: %s', (message, id) => {
    expect(causeOf({ message })?.id).toBe(id);
  });

  test('401 and 403 are the kubeconfig rights, whatever the text', () => {
    expect(causeOf({ message: 'Unauthorized', status: 401 })?.id).toBe('unauthorized');
    expect(causeOf({ message: 'pods is forbidden: User "x" cannot list resource "pods"', status: 403 })?.id).toBe('forbidden');
  });

  test('an unknown text has no cause', () => {
    expect(causeOf({ message: 'something else', status: 500 })).toBeUndefined();
  });

  test('every pattern names a cause with a fix, and says whether its string was recorded', () => {
    for (const p of ERROR_PATTERNS) {
      expect(CAUSES[p.cause].fix.length).toBeGreaterThan(20);
      expect(p.recorded === false || typeof p.recorded === 'string').toBe(true);
    }
  });
});
