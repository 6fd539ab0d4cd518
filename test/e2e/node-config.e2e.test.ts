// The node and control-plane files meet the programs that read them: the tier's kubeadm validates the init
// and join files of every scenario, as `kubeadm init --config` / `kubeadm join --config` would first, and the
// kubelet's and kube-proxy's own loading and validation code judges their files.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyRewrites, kubeletHostRewrites } from './harness/host-rewrites';
import { describeFailure, fillJoinPlaceholders, validateKubeadmConfig, type CommandResult } from './harness/kubeadm';
import { validateNodeAgentConfig } from './harness/node-agents';
import { tierVersions, tool } from './harness/tools';
import { FEATURE_GATES } from '../../lib/node-config/feature-gates.generated';
import { SCENARIOS, synthConfig } from './support';

const TIER_MINOR = Number(tierVersions().kubernetes.split('.')[1]);

/** The tier's scenarios plus the node-config variants that change what kubeadm reads. */
export const NODE_CONFIG_SCENARIOS: Record<string, string> = {
  ...SCENARIOS,
  'konnectivity-static-pod': 'components:\n  konnectivity:\n    enabled: true\n',
  'dual-stack-nftables': [
    'networking:',
    '  podSubnet: 10.244.0.0/16,fd00:10:244::/56',
    '  serviceSubnet: 10.96.0.0/16,fd00:10:96::/112',
    // nftables needs 1.31 (our validator refuses it for the 1.30 tier, as kube-proxy 1.30 has it only behind a gate)
    `  kubeProxyMode: ${TIER_MINOR >= 31 ? 'nftables' : 'iptables'}`,
    '  dnsDomain: k8s.example',
    '',
  ].join('\n'),
  'audit-encryption-pki': [
    'apiServer:',
    '  host: api.k8s.example',
    '  port: 8443',
    '  audit:',
    '    extraRules:',
    '      - level: Request',
    '        resources: [{ group: apps, resources: [deployments] }]',
    '  encryptionAtRest:',
    '    enabled: true',
    '    provider: aescbc',
    '    resources: [secrets, configmaps]',
    '    keys: [{ name: key1, fromEnv: E2E_ENCRYPTION_KEY }]',
    'pki:',
    '  keyAlgorithm: ECDSA-P256',
    '  apiServerCertSANs: [api-internal.k8s.example, 10.0.0.100]',
    '  etcdCertSANs: [etcd-0.k8s.example]',
    'components:',
    '  nodeConfig:',
    '    kubelet: { cgroupDriver: cgroupfs, topologyManagerPolicy: single-numa-node, topologyManagerScope: pod }',
    '',
  ].join('\n'),
  'kms-registry': [
    'imageRegistry: registry.example.internal:5000/mirror',
    'apiServer:',
    '  encryptionAtRest:',
    '    enabled: true',
    '    provider: kms',
    '    kms: { name: vault, endpoint: "unix:///var/run/kmsplugin/socket.sock" }',
    '',
  ].join('\n'),
};

// 32 bytes, base64: the key the audit-encryption-pki scenario reads from the environment (never a real one)
process.env.E2E_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-kubeadm-'));
const passed = (r: CommandResult) => ({ status: r.status, failure: r.status === 0 ? '' : describeFailure(r) });
const CGROUP_V1_REFUSAL = 'kubelet is configured to not run on a host using cgroup v1';
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe(`kubeadm ${tierVersions().kubernetes} accepts our files`, () => {
  describe.each(Object.keys(NODE_CONFIG_SCENARIOS))('scenario %s', (scenario) => {
    let nodeConfig: string;
    beforeAll(() => {
      nodeConfig = path.join(synthConfig(scenario, NODE_CONFIG_SCENARIOS[scenario]), 'node-config');
    });

    test('kubeadm config validate: kubeadm-init.yaml', () => {
      const r = validateKubeadmConfig(path.join(nodeConfig, 'kubeadm-init.yaml'));
      expect(passed(r)).toEqual({ status: 0, failure: '' });
      expect(r.stdout).toMatch(/ok/i);
    });

    test('kubeadm config validate: kubeadm-join.yaml with the README placeholders filled', () => {
      const filled = path.join(work, `${scenario}-join.yaml`);
      fs.writeFileSync(filled, fillJoinPlaceholders(fs.readFileSync(path.join(nodeConfig, 'kubeadm-join.yaml'), 'utf8')));
      const r = validateKubeadmConfig(filled);
      expect(passed(r)).toEqual({ status: 0, failure: '' });
    });

    test('the kubelet loads and validates kubelet-config.yaml', () => {
      const file = path.join(nodeConfig, 'kubelet-config.yaml');
      const asIs = validateNodeAgentConfig('kubelet', file);
      if (kubeletHostRewrites(TIER_MINOR).length === 0) {
        expect(passed(asIs)).toEqual({ status: 0, failure: '' });
        return;
      }
      // on this cgroup v1 host the file as emitted is refused for the host alone; the one rewrite fixes only that
      expect(asIs.status).toBe(1);
      expect(asIs.stderr.trim()).toMatch(new RegExp(`^kubelet: ${CGROUP_V1_REFUSAL}`));
      const rewritten = path.join(work, `${scenario}-kubelet-config.yaml`);
      fs.writeFileSync(rewritten, applyRewrites(fs.readFileSync(file, 'utf8'), kubeletHostRewrites(TIER_MINOR)));
      expect(passed(validateNodeAgentConfig('kubelet', rewritten))).toEqual({ status: 0, failure: '' });
    });

    test('kube-proxy loads and validates kube-proxy-config.yaml', () => {
      expect(passed(validateNodeAgentConfig('kube-proxy', path.join(nodeConfig, 'kube-proxy-config.yaml')))).toEqual({ status: 0, failure: '' });
    });
  });

  test('the kubelet and kube-proxy checks can fail', () => {
    const dist = path.join(synthConfig('broken-agents', ''), 'node-config');
    const kubelet = path.join(work, 'broken-kubelet.yaml');
    fs.writeFileSync(kubelet, applyRewrites(fs.readFileSync(path.join(dist, 'kubelet-config.yaml'), 'utf8').replace(/^readOnlyPort: 0$/m, 'readOnlyPort: 70000'), kubeletHostRewrites(TIER_MINOR)));
    const k = validateNodeAgentConfig('kubelet', kubelet);
    expect(k.status).toBe(1);
    expect(k.stderr).toMatch(/readOnlyPort/);
    const proxy = path.join(work, 'broken-kube-proxy.yaml');
    fs.writeFileSync(proxy, fs.readFileSync(path.join(dist, 'kube-proxy-config.yaml'), 'utf8').replace(/^mode: .*$/m, 'mode: userspace'));
    const p = validateNodeAgentConfig('kube-proxy', proxy);
    expect(p.status).toBe(1);
    expect(p.stderr).toMatch(/mode/i);
  });

  describe('feature gates: our list is the binaries’ own, and what our validator refuses kube-proxy refuses', () => {
    const minor = tierVersions().kubernetes.replace(/^v(\d+\.\d+)\..*$/, '$1');

    test(`lib/node-config/feature-gates.generated.ts equals what ${tierVersions().kubernetes} registers`, () => {
      const r = spawnSync(tool('validate-node-config'), ['feature-gates'], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status).toBe(0);
      const registered = JSON.parse(r.stdout) as Record<string, { default: boolean; lockToDefault: boolean }>;
      const fromBinary = Object.fromEntries(Object.entries(registered).map(([n, g]) => [n, [g.default, g.lockToDefault]]));
      expect({ version: FEATURE_GATES[minor]?.version, gates: FEATURE_GATES[minor]?.gates }).toEqual({ version: tierVersions().kubernetes, gates: fromBinary });
    });

    // a typo, and a gate locked to its default in the tier's release set the other way
    const [locked, [lockedTo]] = Object.entries(FEATURE_GATES[minor]?.gates ?? {}).find(([, [, isLocked]]) => isLocked) ?? ['(none)', [true]];
    test.each([
      ['ServiceTrafficDistributon', true, /unrecognized feature gate: ServiceTrafficDistributon/],
      [locked, !lockedTo, new RegExp(`cannot set feature gate ${locked} to ${!lockedTo}, feature is locked to ${lockedTo}`)],
    ])('%s: %s is refused by our config validator and by kube-proxy', (gate, value, kubeProxyError) => {
      expect(() => synthConfig(`gate-${gate}`, `components:\n  nodeConfig:\n    kubeProxy:\n      featureGates: { ${gate}: ${value} }\n`)).toThrow(new RegExp(`components.nodeConfig.kubeProxy.featureGates.${gate}`));
      const file = path.join(work, `gate-${gate}.yaml`);
      const emitted = fs.readFileSync(path.join(synthConfig('gate-base', ''), 'node-config', 'kube-proxy-config.yaml'), 'utf8');
      fs.writeFileSync(file, `${emitted.trimEnd()}\nfeatureGates:\n  ${gate}: ${value}\n`);
      const r = validateNodeAgentConfig('kube-proxy', file);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(kubeProxyError);
    });
  });

  test('a broken file is refused (the check can fail)', () => {
    const broken = path.join(work, 'broken-init.yaml');
    const init = fs.readFileSync(path.join(synthConfig('broken', ''), 'node-config', 'kubeadm-init.yaml'), 'utf8');
    fs.writeFileSync(broken, init.replace(/serviceSubnet: \S+/, 'serviceSubnet: 10.96.0.0/33'));
    const r = validateKubeadmConfig(broken);
    expect(r.status).not.toBe(0);
    expect(`${r.stdout}${r.stderr}`).toMatch(/serviceSubnet/);
  });
});
