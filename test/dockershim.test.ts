import * as fs from 'fs';
import * as path from 'path';
import { App, ApiObject, Chart, Testing } from 'cdk8s';
import { main } from '../lib/cli/dockershim-lint';
import { addDockershimCheck, lintDockershim } from '../lib/dockershim/chart-check';
import { dockerSocketExposure, lintManifests, lintObject, type ManifestObject } from '../lib/dockershim/lint';
import { synthBootstrap } from './support/synth';
import { tempDir } from './support/temp-dir';

const pod = (spec: ManifestObject) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'agent', namespace: 'monitoring' }, spec });
const socketPod = (hostPath: string) =>
  pod({ containers: [{ name: 'agent', image: 'agent:1', volumeMounts: [{ name: 'sock', mountPath: '/host/docker.sock' }] }], volumes: [{ name: 'sock', hostPath: { path: hostPath } }] });
const template = { metadata: { labels: { app: 'a' } }, spec: socketPod('/var/run/docker.sock').spec };

describe('dockershim lint', () => {
  test.each([
    '/var/run/docker.sock',
    '/run/docker.sock',
    '/var/run',
    '/var/run/',
    '/run',
    '/run/',
    '/var',
    '/var/',
    '/',
    '//var//run//',
    '/var/run/docker',
    '/var/run/docker/',
    '/var/run/docker/containerd/containerd.sock',
    '/run/docker',
    '/var/lib/../run/docker.sock',
  ])('hostPath %s exposes the Docker socket', (hostPath) => {
    expect(dockerSocketExposure(hostPath)).toBeDefined();
    expect(lintObject(socketPod(hostPath))).toEqual([{ object: 'Pod/monitoring/agent', container: 'agent', type: 'docker-socket-mount', detail: expect.stringContaining(`hostPath ${hostPath}`) }]);
  });

  test.each(['/var/lib/docker', '/var/log', '/run/containerd/containerd.sock', '/run/flannel', '/var/run/dockershim-not', '/etc/cni/net.d', '/run/xtables.lock', '/var/run/docker.socket'])('hostPath %s does not', (hostPath) => {
    expect(dockerSocketExposure(hostPath)).toBeUndefined();
    expect(lintObject(socketPod(hostPath))).toEqual([]);
  });

  test.each([
    ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' }, spec: { template } }, 'Deployment/ns/d'],
    ['DaemonSet', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'ns' }, spec: { template } }, 'DaemonSet/ns/d'],
    ['StatefulSet', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'd', namespace: 'ns' }, spec: { template } }, 'StatefulSet/ns/d'],
    ['ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'd', namespace: 'ns' }, spec: { template } }, 'ReplicaSet/ns/d'],
    ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'd', namespace: 'ns' }, spec: { template } }, 'Job/ns/d'],
    ['CronJob', { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'd', namespace: 'ns' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } }, 'CronJob/ns/d'],
    ['PodTemplate', { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'd', namespace: 'ns' }, template }, 'PodTemplate/ns/d'],
  ])('finds the socket in a %s pod template', (_, object, ref) => {
    expect(lintObject(object)).toEqual([{ object: ref, container: 'agent', type: 'docker-socket-mount', detail: 'volume sock mounts hostPath /var/run/docker.sock, which is the Docker socket' }]);
  });

  test('names every container that mounts it, init containers included, and volumes no one mounts', () => {
    const p = socketPod('/run/docker.sock');
    p.spec.initContainers = [{ name: 'setup', image: 'x', volumeMounts: [{ name: 'sock', mountPath: '/s' }] }] as any;
    expect(lintObject(p).map((f) => f.container)).toEqual(['init:setup', 'agent']);
    const unmounted = pod({ containers: [{ name: 'c', image: 'x' }], volumes: [{ name: 'v', hostPath: { path: '/var/run' } }] });
    expect(lintObject(unmounted)).toEqual([{ object: 'Pod/monitoring/agent', type: 'docker-socket-mount', detail: 'volume v mounts hostPath /var/run, which holds the Docker socket (no container mounts it yet)' }]);
  });

  test.each([
    [{ command: ['docker', 'ps'] }, 'docker-cli'],
    [{ command: ['/usr/bin/docker'], args: ['inspect', 'abc'] }, 'docker-cli'],
    [{ command: ['sh', '-c', 'while true; do docker ps -q | wc -l; sleep 10; done'] }, 'docker-cli'],
    [{ command: ['bash'], args: ['-c', 'systemctl restart docker.service'] }, 'docker-cli'],
    [{ args: ['--config', '/etc/docker/daemon.json'] }, 'docker-config'],
    [{ env: [{ name: 'DOCKER_HOST', value: 'unix:///var/run/docker.sock' }] }, 'docker-socket-mount'],
  ])('finds %j', (fields, type) => {
    const findings = lintObject(pod({ containers: [{ name: 'agent', image: 'x', ...fields }] }));
    expect(findings.map((f) => [f.container, f.type])).toEqual([['agent', type]]);
  });

  test.each([[['--docker-endpoint=unix:///x']], [['image', 'docker.io/library/nginx']], [['dockerd-rootless']], [['/bin/sh', '-c', 'echo hello']]])('does not flag %j', (command) => {
    expect(lintObject(pod({ containers: [{ name: 'c', image: 'x', command }] }))).toEqual([]);
  });

  test('looks into kind: List and ignores objects without pod templates', () => {
    expect(lintManifests([{ apiVersion: 'v1', kind: 'List', items: [socketPod('/var/run')] }, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, null as any])).toHaveLength(1);
  });

  test('no built-in chart depends on Docker, in any configuration', () => {
    for (const file of [
      {},
      { windows: { enabled: true } },
      { cloudProvider: { type: 'external', name: 'aws' }, components: { cloudControllerManager: { image: 'r/ccm:v1' }, konnectivity: { enabled: true, serverForm: 'daemonset' } } },
      { tenants: [{ name: 'team-a' }] },
    ] as const) {
      const { bootstrap } = synthBootstrap(file as object);
      for (const chart of bootstrap.charts.values()) expect({ chart: chart.node.id, findings: lintDockershim(chart) }).toEqual({ chart: chart.node.id, findings: [] });
    }
  });

  test('as a construct validation, it fails synthesis naming the object and container, unless allowed', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'apps');
    new ApiObject(chart, 'agent', socketPod('/var/run/docker.sock'));
    addDockershimCheck(chart);
    expect(() => app.synth()).toThrow(/depends on Docker .*Pod\/monitoring\/agent container agent: volume sock mounts hostPath \/var\/run\/docker.sock/);
    const allowed = new App({ outdir: tempDir('lint-') });
    const other = new Chart(allowed, 'apps');
    new ApiObject(other, 'agent', socketPod('/var/run/docker.sock'));
    addDockershimCheck(other, { allow: (f) => f.object === 'Pod/monitoring/agent' });
    expect(() => allowed.synth()).not.toThrow();
  });
});

describe('dockershim-lint command', () => {
  const dir = tempDir('dockershim-lint-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, (l) => out.push(l), (l) => err.push(l));
    return { code, out, err };
  };

  test('exits 1 with one line per finding over files and directories', () => {
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'agent.yaml'), `${JSON.stringify(socketPod('/var/run/docker.sock'))}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n`);
    fs.writeFileSync(path.join(dir, 'job.yml'), 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: cleanup, namespace: ops}\nspec:\n  template:\n    spec:\n      containers:\n      - name: prune\n        image: docker:cli\n        command: [docker, system, prune, -f]\n');
    fs.writeFileSync(path.join(dir, 'README.md'), 'docker ps');
    const r = run(dir);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      `${path.join(dir, 'job.yml')}: Job/ops/cleanup container prune: runs the docker CLI: docker system prune -f [docker-cli]`,
      `${path.join(dir, 'sub', 'agent.yaml')}: Pod/monitoring/agent container agent: volume sock mounts hostPath /var/run/docker.sock, which is the Docker socket [docker-socket-mount]`,
    ]);
    expect(r.err).toEqual(['dockershim-lint: 2 findings in 3 objects']);
  });

  test('exits 0 on clean manifests and 2 on bad input', () => {
    const clean = path.join(dir, 'clean.yaml');
    fs.writeFileSync(clean, 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: nginx}]\n');
    expect(run(clean).code).toBe(0);
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'kind: [unclosed\n');
    expect(run(broken)).toMatchObject({ code: 2, err: [expect.stringContaining('broken.yaml: not valid YAML')] });
    expect(run(path.join(dir, 'missing.yaml')).code).toBe(2);
    expect(run().code).toBe(2);
  });
});
