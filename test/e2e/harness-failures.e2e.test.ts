// The harness's own failures are clear: a tier step that cannot start fails with the command, its exit code and
// the last lines of its log, within its time limit, and never passes by skipping.
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { kubeadmInitPhases } from './harness/control-plane';
import { startProcess, stopProcesses, waitReady } from './harness/processes';
import { tool } from './harness/tools';
import { synthConfig } from './support';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-failures-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

// kubeadm 1.35 exits 1 on an invalid config, 1.30 exits 3
test('kubeadm refusing a config: the phase, the exit code and kubeadm’s own words', () => {
  const init = path.join(work, 'init.yaml');
  fs.writeFileSync(init, fs.readFileSync(path.join(synthConfig('failures', ''), 'node-config', 'kubeadm-init.yaml'), 'utf8').replace(/serviceSubnet: \S+/, 'serviceSubnet: 10.96.0.0/33'));
  expect(() => kubeadmInitPhases(init, path.join(work, 'root'))).toThrow(/kubeadm refused our config: kubeadm init phase kubeconfig all --rootfs .*root --config \/etc\/kubernetes\/kubeadm-init\.yaml exited [1-9]\d*:\n[\s\S]*serviceSubnet/);
});

test('a program that cannot bind its port: its name, exit code, command and log tail, long before the time limit', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const p = startProcess('etcd', tool('etcd'), [`--data-dir=${path.join(work, 'etcd')}`, `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`], path.join(work, 'etcd.log'));
  const started = Date.now();
  try {
    await expect(waitReady(p, 'etcd health', () => false, 60_000)).rejects.toThrow(/etcd exited 1: .*etcd --data-dir=[\s\S]*--- last lines of .*etcd\.log ---[\s\S]*address already in use/);
    expect(Date.now() - started).toBeLessThan(30_000);
  } finally {
    stopProcesses([p.pid]);
    taken.close();
  }
});

test('a program that never becomes ready: the time limit, what was awaited, and its log', async () => {
  const p = startProcess('sleep', '/bin/sh', ['-c', 'echo "still starting"; sleep 30'], path.join(work, 'slow.log'));
  try {
    await expect(waitReady(p, 'a probe that never passes', () => false, 1_500)).rejects.toThrow(/timed out after 1.5 s waiting for a probe that never passes\n--- last lines of .*slow\.log ---\nstill starting/);
  } finally {
    stopProcesses([p.pid]);
  }
});
