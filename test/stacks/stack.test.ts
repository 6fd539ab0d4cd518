// The Pulumi program under pulumi.runtime.setMocks: what it registers, under which parents, in which order.
import * as fs from 'fs';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { parseClusterConfig } from '../../lib/config/parse';
import { synthBootstrap } from '../support/synth';
import { tempDir } from '../support/temp-dir';

interface Registered {
  readonly type: string;
  readonly name: string;
  readonly inputs: any;
}
const registered: Registered[] = [];

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs });
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: (args) => args.inputs,
  },
  'cluster-bootstrap',
  'test',
  false,
);

// imported after setMocks, as the mocks must be in place before resources are created
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ClusterBootstrapStack, BOOTSTRAP_TYPE, COMPONENT_TYPE, podInputs, retainedOnRemoval } = require('../../stacks/src/cluster-bootstrap-stack') as typeof import('../../stacks/src/cluster-bootstrap-stack');

function settle<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

async function deploy(file: object, name: string) {
  registered.length = 0;
  const stack = new ClusterBootstrapStack(name, { config: parseClusterConfig(file) });
  const urns = await settle(pulumi.all(Object.values(stack.resources).map((r) => r.urn)));
  return { stack, urns, kube: registered.filter((r) => r.type.startsWith('kubernetes:')) };
}

const typeOf = (o: any) => `kubernetes:${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
const nameOf = (o: any) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

describe('ClusterBootstrapStack', () => {
  test.each([
    ['default', {}],
    [
      'Windows, IPVS, external cloud, Konnectivity',
      {
        windows: { enabled: true },
        networking: { kubeProxyMode: 'ipvs' },
        cloudProvider: { type: 'external', name: 'aws' },
        components: { cloudControllerManager: { image: 'registry.k8s.io/provider-aws/cloud-controller-manager:v1.35.0' }, konnectivity: { enabled: true } },
      },
    ],
  ])('registers exactly the objects cdk8s synth produces (%s)', async (name, file) => {
    const { kube } = await deploy(file, `b-${name.split(',')[0].toLowerCase()}`);
    const expected = synthBootstrap(file as object).all.map((o) => `${typeOf(o)} ${nameOf(o)}`).sort();
    expect(kube.map((r) => `${r.type} ${r.name}`).sort()).toEqual(expected);
  });

  test('one component resource per bootstrap component; every object is parented by its component', async () => {
    const { stack, urns } = await deploy({}, 'parents');
    expect(registered.filter((r) => r.type === BOOTSTRAP_TYPE).map((r) => r.name)).toEqual(['parents']);
    expect(registered.filter((r) => r.type === COMPONENT_TYPE).map((r) => r.name)).toEqual(['flannel', 'coredns', 'node-local-dns', 'node-config', 'cluster-doctor-rbac', 'pki']);
    expect(Object.keys(stack.components)).toEqual(['flannel', 'coredns', 'node-local-dns', 'node-config', 'cluster-doctor-rbac', 'pki']);
    // each URN names its parent's type: bootstrap → component → object
    const componentUrn = await settle(stack.components.flannel.urn);
    expect(componentUrn).toContain(`${BOOTSTRAP_TYPE}$${COMPONENT_TYPE}::flannel`);
    const daemonSet = urns.find((u) => u.endsWith('::kube-flannel/kube-flannel-ds'))!;
    expect(daemonSet).toContain(`${COMPONENT_TYPE}$kubernetes:apps/v1:DaemonSet::`);
  });

  test('namespaced objects depend on their Namespace when the bootstrap creates it; namespaces come first', async () => {
    const { stack } = await deploy({}, 'deps');
    expect(stack.dependencies['ConfigMap/kube-flannel/kube-flannel-cfg']).toEqual(['Namespace/kube-flannel']);
    expect(stack.dependencies['ServiceAccount/kube-system/coredns']).toEqual([]); // kube-system always exists
    expect(stack.dependencies['ClusterRole/flannel']).toEqual([]);
    const order = registered.filter((r) => r.type.startsWith('kubernetes:')).map((r) => r.type);
    expect(order[0]).toBe('kubernetes:core/v1:Namespace');
  });

  test('workloads depend on the ServiceAccount and ConfigMaps their pods use, so destroy removes them first', async () => {
    const { stack } = await deploy({}, 'pod-inputs');
    expect(stack.dependencies['DaemonSet/kube-flannel/kube-flannel-ds']).toEqual(['Namespace/kube-flannel', 'ServiceAccount/kube-flannel/flannel', 'ConfigMap/kube-flannel/kube-flannel-cfg']);
    expect(stack.dependencies['Deployment/kube-system/coredns']).toEqual(['ServiceAccount/kube-system/coredns', 'ConfigMap/kube-system/coredns']);
    // node-local-dns also mounts the optional kube-dns ConfigMap, which the bootstrap does not own
    expect(stack.dependencies['DaemonSet/kube-system/node-local-dns']).toEqual(['ServiceAccount/kube-system/node-local-dns', 'ConfigMap/kube-system/node-local-dns']);
    // a reference to an object the bootstrap does not own is no dependency (it may come from elsewhere)
    expect(podInputs({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec: { serviceAccountName: 'x', volumes: [{ name: 'v', secret: { secretName: 's' } }], containers: [{ envFrom: [{ configMapRef: { name: 'c' } }] }] } })).toEqual(['ServiceAccount/a/x', 'Secret/a/s', 'ConfigMap/a/c']);
    expect(Object.values(stack.dependencies).flat().every((d) => d in stack.resources)).toBe(true);
  });

  test('encryption at rest: the EncryptionConfiguration is a secret output, never a node file', async () => {
    process.env.CB_TEST_ETCD_KEY = Buffer.alloc(32, 7).toString('base64');
    try {
      const { stack } = await deploy({ apiServer: { encryptionAtRest: { enabled: true, keys: [{ name: 'k1', fromEnv: 'CB_TEST_ETCD_KEY' }] } } }, 'enc');
      expect(Object.keys(stack.nodeFiles).filter((f) => f.includes('encryption'))).toEqual([]);
      expect(await (stack.secretFiles as any).isSecret).toBe(true);
      const secrets = await settle(stack.secretFiles);
      expect(Object.keys(secrets)).toEqual(['control-plane/encryption-configuration.yaml']);
      expect(secrets['control-plane/encryption-configuration.yaml']).toContain(process.env.CB_TEST_ETCD_KEY);
    } finally {
      delete process.env.CB_TEST_ETCD_KEY;
    }
  });

  test('encryption at rest: a key that would be generated inside the deployment (and lost with it) stops the program', () => {
    const cwd = process.cwd();
    const empty = tempDir('cb-stack-');
    process.chdir(empty); // no secretsDir here, so no kept key
    try {
      expect(() => new ClusterBootstrapStack('gen', { config: parseClusterConfig({ apiServer: { encryptionAtRest: { enabled: true } } }) })).toThrow(
        /apiServer\.encryptionAtRest: key "key1" is generated but not yet kept in \.cluster-secrets\/encryption-keys; run `npx cdk8s synth` once/,
      );
      expect(fs.readdirSync(empty)).toEqual([]); // and nothing was written
    } finally {
      process.chdir(cwd);
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('workloads and the Services in front of them skip await; the rest is awaited', async () => {
    const { kube } = await deploy({}, 'await');
    const skipped = kube.filter((r) => r.inputs.metadata?.annotations?.['pulumi.com/skipAwait'] === 'true').map((r) => `${r.type.split(':').pop()} ${r.name}`);
    expect(skipped.sort()).toEqual(
      ['DaemonSet kube-flannel/kube-flannel-ds', 'DaemonSet kube-system/node-local-dns', 'Deployment kube-system/coredns', 'Service kube-system/kube-dns', 'Service kube-system/kube-dns-upstream', 'Service kube-system/node-local-dns'].sort(),
    );
  });

  test('outputs: DNS IP, the kubelet clusterDNS from NodeLocal DNS, versions, node files', async () => {
    const ipvs = (await deploy({ networking: { kubeProxyMode: 'ipvs' } }, 'out')).stack;
    expect(ipvs.dnsServiceIP).toBe('10.96.0.10');
    expect(ipvs.kubeletClusterDNS).toBe('169.254.20.10');
    expect(ipvs.componentVersions).toEqual({ flannel: 'v0.28.9', coredns: 'v1.13.1', 'node-local-dns': '1.26.7', 'node-config': 'v1.35.4', 'cluster-doctor-rbac': 'v1.35.4', pki: 'v1.35.4' });
    expect(Object.keys(ipvs.nodeFiles)).toContain('node-config/kubeadm-init.yaml');
    expect(Object.keys(ipvs.nodeFiles)).toContain('pki/openssl/apiserver.csr.conf'); // the certificate plan; keys are never stack outputs
    expect(Object.keys(ipvs.nodeFiles)).toContain('node/linux/sysctl.d/90-cluster-bootstrap-flannel.conf');
    expect((await deploy({ components: { nodeLocalDns: { enabled: false } }, networking: { kubeProxyMode: 'ipvs' } }, 'out2')).stack.kubeletClusterDNS).toBe('10.96.0.10');
  });
});

describe('what Pulumi keeps when an object leaves the program', () => {
  const config = parseClusterConfig({ tenants: [{ name: 'team-a' }, { name: 'team-b', onRemoval: 'delete' }] });
  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

  test("a tenant's Namespace is retained unless the tenant says onRemoval: delete", () => {
    expect(config.tenants.map((t) => [t.name, t.onRemoval])).toEqual([['team-a', 'retain'], ['team-b', 'delete']]);
    expect(retainedOnRemoval(config, ns('team-a'))).toBe(true);
    expect(retainedOnRemoval(config, ns('team-b'))).toBe(false);
  });

  test("a component's Namespace and a tenant's other objects are deleted as before", () => {
    expect(retainedOnRemoval(config, ns('kube-flannel'))).toBe(false);
    expect(retainedOnRemoval(config, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'team-a', namespace: 'team-a' } })).toBe(false);
  });

  test('onRemoval takes only retain or delete, with the field path in the error', () => {
    expect(() => parseClusterConfig({ tenants: [{ name: 'team-a', onRemoval: 'keep' }] })).toThrow(/tenants\.0\.onRemoval/);
  });
});

describe('the change plan inside the program', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { gateChanges, deployedConfigFrom } = require('../../stacks/src/change-gate') as typeof import('../../stacks/src/change-gate');
  const before = { clusterName: 'dev' };

  test('an impossible change is refused with the words of cluster-plan, unless acknowledged by its id', () => {
    const deployed = deployedConfigFrom(before);
    const after = parseClusterConfig({ clusterName: 'dev', networking: { podSubnet: '10.200.0.0/16' } });
    expect(() => gateChanges(deployed, after, [])).toThrow(pulumi.RunError);
    expect(() => gateChanges(deployed, after, [])).toThrow(/networking\.podSubnet \[pod-cidr\]: cannot change on a running cluster \(old "10\.244\.0\.0\/16", new "10\.200\.0\.0\/16"\)/);
    expect(gateChanges(deployed, after, ['pod-cidr']).plan.refused).toEqual([]);
  });

  test('a disruptive change and a deleted namespace are warnings; a retained tenant is said to stay', () => {
    const deployed = deployedConfigFrom({ tenants: [{ name: 'team-a' }, { name: 'team-b', onRemoval: 'delete' }] });
    const { warnings } = gateChanges(deployed, parseClusterConfig({ windows: { enabled: true } }), []);
    expect(warnings.filter((w) => w.startsWith('disruptive change windows.enabled [windows]'))).toHaveLength(1);
    expect(warnings.filter((w) => w.startsWith('change plan: Namespace'))).toEqual([
      'change plan: Namespace team-a leaves the stack but stays in the cluster with everything inside it (tenant onRemoval: retain)',
      'change plan: Namespace team-b is deleted with everything inside it',
    ]);
  });

  test('nothing deployed, or a deployed config that no longer parses: planned against nothing, and said so', () => {
    const unreadable = deployedConfigFrom({ networking: { podSubnet: 'not-a-cidr' } });
    expect(unreadable.config).toBeUndefined();
    expect(unreadable.note).toMatch(/^the last deployed cluster config no longer parses/);
    expect(gateChanges(unreadable, parseClusterConfig({}), []).warnings[0]).toMatch(/planned against nothing$/);
  });

  test('an unknown acknowledgement id is an error naming the stack config key', () => {
    expect(() => gateChanges(deployedConfigFrom(before), parseClusterConfig(before), ['pod-cidrs'])).toThrow(/Pulumi stack config allowDisruptive: .*pod-cidrs/);
  });
});

describe('stack config files', () => {
  const stacks = path.join(__dirname, '..', '..', 'stacks');
  const clusterOf = (file: string) => parse(fs.readFileSync(path.join(stacks, file), 'utf8')).config['cluster-bootstrap:cluster'];

  test('Pulumi.dev.yaml and Pulumi.prod.yaml hold valid cluster configs that differ as environments do', () => {
    const dev = parseClusterConfig(clusterOf('Pulumi.dev.yaml'));
    const prod = parseClusterConfig(clusterOf('Pulumi.prod.yaml'));
    expect([dev.windows.enabled, prod.windows.enabled]).toEqual([false, true]);
    expect([dev.components.coredns.replicas, prod.components.coredns.replicas]).toEqual([1, 3]);
    expect([dev.cloudProvider.type, prod.cloudProvider.type]).toEqual(['none', 'external']);
  });

  test('a bad stack config fails with the same clear error as the cdk8s path', () => {
    const bad = { networking: { podSubnet: '10.96.0.0/16' } };
    let cdk8sMessage = '';
    try {
      parseClusterConfig(bad, 'X');
    } catch (e) {
      cdk8sMessage = (e as Error).message;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { run } = require('../../stacks/src/program') as typeof import('../../stacks/src/program');
    const config = pulumi.runtime as any;
    config.setConfig('cluster-bootstrap:cluster', JSON.stringify(bad));
    expect(() => run()).toThrow(pulumi.RunError);
    try {
      run();
    } catch (e) {
      expect((e as Error).message).toBe(cdk8sMessage.replace('invalid X', 'invalid Pulumi stack config cluster-bootstrap:cluster'));
    }
  });
});
