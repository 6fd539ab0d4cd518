// The extended-resource command against the real API server: it patches a KWOK node's status, and the real
// scheduler then places a pod that requests the resource on exactly that node.
import { spawnSync } from 'child_process';
import * as path from 'path';
import { kubectl, kubectlOk, waitFor } from './harness/cluster';
import { cluster } from './support';

const command = path.join(__dirname, '..', '..', 'build', 'lib', 'cli', 'extended-resource.js');
const RESOURCE = 'example.com/dongle';

describe('extended-resource command', () => {
  const { kubeconfig } = cluster();
  const run = (...args: string[]) => spawnSync(process.execPath, [command, ...args, '--kubeconfig', kubeconfig], { encoding: 'utf8', timeout: 60_000 });
  const status = (node: string) => JSON.parse(kubectlOk(kubeconfig, ['get', 'node', node, '-o', 'json'])).status;
  let node: string;

  beforeAll(() => {
    // a schedulable Linux worker (no taints)
    const nodes = JSON.parse(kubectlOk(kubeconfig, ['get', 'nodes', '-l', 'kubernetes.io/os=linux,!node-role.kubernetes.io/control-plane', '-o', 'json'])).items;
    node = nodes.find((n: any) => !(n.spec.taints ?? []).length).metadata.name;
  });
  afterAll(() => {
    kubectl(kubeconfig, ['delete', 'pod', 'dongle-user', '-n', 'default', '--wait=false']);
    run('remove', node, RESOURCE);
  });

  test('advertise sets status.capacity (and allocatable with --allocatable), like the docs PATCH', () => {
    const r = run('advertise', node, RESOURCE, '4', '--allocatable');
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toContain(`capacity ${RESOURCE}=4, allocatable ${RESOURCE}=4`);
    const s = status(node);
    expect(s.capacity[RESOURCE]).toBe('4');
    expect(s.allocatable[RESOURCE]).toBe('4');
    expect(s.capacity.cpu).toBe('32'); // the rest of the status is untouched
  });

  test('the real scheduler places a pod requesting 2 dongles on that node, the only one that has them', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dongle-user', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { [RESOURCE]: '2' }, limits: { [RESOURCE]: '2' } } }] },
    };
    kubectlOk(kubeconfig, ['create', '-f', '-'], JSON.stringify(pod));
    let placed = '';
    await waitFor(
      'the dongle pod to be scheduled',
      () => {
        placed = JSON.parse(kubectlOk(kubeconfig, ['get', 'pod', 'dongle-user', '-n', 'default', '-o', 'json'])).spec.nodeName ?? '';
        return placed !== '';
      },
      60_000,
    );
    expect(placed).toBe(node);
  });

  test('a pod asking for more dongles than any node has stays Pending as Unschedulable', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dongle-hog', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { [RESOURCE]: '5' }, limits: { [RESOURCE]: '5' } } }] },
    };
    kubectlOk(kubeconfig, ['create', '-f', '-'], JSON.stringify(pod));
    try {
      await waitFor(
        'the scheduler to report the hog unschedulable',
        () => {
          const p = JSON.parse(kubectlOk(kubeconfig, ['get', 'pod', 'dongle-hog', '-n', 'default', '-o', 'json']));
          return (p.status.conditions ?? []).some((c: any) => c.type === 'PodScheduled' && c.reason === 'Unschedulable' && c.message.includes(`Insufficient ${RESOURCE}`));
        },
        60_000,
      );
    } finally {
      kubectl(kubeconfig, ['delete', 'pod', 'dongle-hog', '-n', 'default', '--wait=false']);
    }
  });

  test('a bad name or a fraction never reaches the API server', () => {
    expect(run('advertise', node, 'kubernetes.io/dongle', '4').status).toBe(2);
    expect(run('advertise', node, RESOURCE, '4.5').status).toBe(2);
    expect(status(node).capacity[RESOURCE]).toBe('4');
  });

  test('remove takes it off capacity and allocatable; removing again changes nothing', () => {
    const r = run('remove', node, RESOURCE);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    const s = status(node);
    expect(s.capacity[RESOURCE]).toBeUndefined();
    expect(s.allocatable[RESOURCE]).toBeUndefined();
    const again = run('remove', node, RESOURCE);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('nothing to remove');
  });

  test('an unknown node is an API error, exit 1, with the server message', () => {
    const r = run('advertise', 'no-such-node', RESOURCE, '1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/API server answered 404: nodes "no-such-node" not found/);
  });
});
