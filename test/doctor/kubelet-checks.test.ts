import { ApiRequestError, type DoctorClient } from '../../lib/doctor/api-client';
import { DEFAULT_KONNECTIVITY_FACTS } from '../../lib/doctor/check-context';
import { checkKubeletLogs } from '../../lib/doctor/kubelet-checks';

/** A client whose node has one running pod and whose log request times out, as a stopped Konnectivity server does. */
function timingOutClient(): DoctorClient & { requests: string[] } {
  const requests: string[] = [];
  const pod = { metadata: { namespace: 'default', name: 'p' }, spec: { containers: [{ name: 'c' }] }, status: { containerStatuses: [{ name: 'c', state: { running: {} } }] } };
  return {
    server: 'https://127.0.0.1:6443',
    user: 'tester',
    requests,
    async get(p: string) {
      requests.push(p);
      if (p.startsWith('/api/v1/nodes')) return { status: 200, text: JSON.stringify({ items: [{ metadata: { name: 'node-1' } }] }) };
      if (p.startsWith('/api/v1/pods')) return { status: 200, text: JSON.stringify({ items: [pod] }) };
      throw new ApiRequestError('timeout', `https://127.0.0.1:6443${p}`, 'no answer within 5 s');
    },
  };
}

describe('a pod-log request that times out', () => {
  test('with Konnectivity enabled, the cause names the stopped server first (measured in the tunnel tier)', async () => {
    const [f] = await checkKubeletLogs({ client: timingOutClient(), timeoutMs: 5000, konnectivity: { ...DEFAULT_KONNECTIVITY_FACTS, enabled: true } });
    expect([f.subject, f.status, f.cause?.id]).toEqual(['node-1', 'problem', 'tunnel-timeout']);
  });

  test('without Konnectivity, the kubelet port is the suspect', async () => {
    const [f] = await checkKubeletLogs({ client: timingOutClient(), timeoutMs: 5000, konnectivity: DEFAULT_KONNECTIVITY_FACTS });
    expect([f.status, f.cause?.id]).toEqual(['problem', 'kubelet-port-blocked']);
  });

  test('stays within its request bound per node', async () => {
    const client = timingOutClient();
    await checkKubeletLogs({ client, timeoutMs: 5000, konnectivity: DEFAULT_KONNECTIVITY_FACTS });
    // the node list, then for node-1: the pod list and one log request (a timeout is not retried on another pod)
    expect(client.requests.length).toBe(3);
  });
});
