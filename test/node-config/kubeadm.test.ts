import { parseAllDocuments } from 'yaml';
import { apiServerSettings, clusterConfiguration, initConfiguration, joinConfiguration, kubeletConfiguration, kubeProxyConfiguration, nodeConfigDocuments, nodeConfigFiles } from '../support/wired';
import { KONNECTIVITY } from '../../lib/components/konnectivity';
import { parseClusterConfig } from '../../lib/config/parse';
import type { ClusterConfigFile } from '../../lib/config/types';
import { extraArgs, JOIN_PLACEHOLDERS, kubeadmApiVersion } from '../../lib/node-config/kubeadm';
import { NODE_PATHS, OUTPUT_PATHS } from '../../lib/node-config/paths';
import { NodeConfigSchema } from '../../lib/validation/node-config-schema';
import { synthBootstrap } from '../support/synth';

const cfg = (file: ClusterConfigFile = {}) => parseClusterConfig(file);
const V127 = { kubernetesVersion: '1.27.16' };
const EXTERNAL = { cloudProvider: { type: 'external', name: 'openstack' }, components: { cloudControllerManager: { image: 'registry.k8s.io/provider-os/openstack-cloud-controller-manager:v1.35.0' } } } as const;

/** extraArgs of either API version as a plain map. */
function argsOf(value: unknown): Record<string, string> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((a: { name: string; value: string }) => [a.name, a.value]));
  return (value ?? {}) as Record<string, string>;
}

describe('kubeadm configuration', () => {
  test('v1beta3 before 1.31, v1beta4 from 1.31 (extraArgs: a map, then a list of name/value)', () => {
    expect(kubeadmApiVersion(cfg(V127))).toBe('kubeadm.k8s.io/v1beta3');
    expect(kubeadmApiVersion(cfg({ kubernetesVersion: '1.30.14' }))).toBe('kubeadm.k8s.io/v1beta3');
    expect(kubeadmApiVersion(cfg({ kubernetesVersion: '1.31.0' }))).toBe('kubeadm.k8s.io/v1beta4');
    expect(extraArgs(cfg(V127), { b: '2', a: '1' })).toEqual({ a: '1', b: '2' });
    expect(extraArgs(cfg(), { b: '2', a: '1' })).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
  });

  test.each([['1.27.16'], ['1.30.14'], ['1.31.0'], ['1.35.4']])('Kubernetes %s: every file synthesizes and matches its Go types', (kubernetesVersion) => {
    const config = cfg({ kubernetesVersion, components: { konnectivity: { enabled: true } }, apiServer: { encryptionAtRest: { enabled: true, provider: 'kms', kms: { name: 'vault', endpoint: 'unix:///var/run/kmsplugin/socket.sock' } } } });
    const schema = NodeConfigSchema.forVersion(kubernetesVersion);
    const docs = Object.values(nodeConfigDocuments(config)).flat();
    expect(docs.map((d) => d.kind)).toEqual(expect.arrayContaining(['InitConfiguration', 'ClusterConfiguration', 'JoinConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration', 'Policy']));
    for (const d of docs) expect(schema.validate(d)).toEqual([]);
    // and the written files parse back to the same documents
    const files = nodeConfigFiles(config, {});
    const init = files.find((f) => f.path === OUTPUT_PATHS.kubeadmInit)!;
    expect(parseAllDocuments(init.content).map((d) => d.toJS().kind)).toEqual(['InitConfiguration', 'ClusterConfiguration', 'KubeletConfiguration', 'KubeProxyConfiguration']);
  });

  test('networking comes from the parsed config, never re-derived', () => {
    const config = cfg({ networking: { podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/16,fd00:10:96::/112', dnsDomain: 'k8s.example' } });
    const c = clusterConfiguration(config) as any;
    expect(c.networking).toEqual({ podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/16,fd00:10:96::/112', dnsDomain: 'k8s.example' });
    expect(c.controlPlaneEndpoint).toBe('192.0.2.10:6443');
    expect(clusterConfiguration(cfg({ apiServer: { host: 'fd00::10', port: 8443 } })).controlPlaneEndpoint).toBe('[fd00::10]:8443');
    expect(clusterConfiguration(cfg({ imageRegistry: 'registry.example.internal:5000/mirror' })).imageRepository).toBe('registry.example.internal:5000/mirror');
    expect(clusterConfiguration(cfg()).kubernetesVersion).toBe('v1.35.4');
  });

  test('controllerManager signs CSRs with the cluster CA (seed 2.2)', () => {
    for (const config of [cfg(V127), cfg()]) {
      expect(argsOf((clusterConfiguration(config) as any).controllerManager.extraArgs)).toEqual({
        'cluster-signing-cert-file': '/etc/kubernetes/pki/ca.crt',
        'cluster-signing-key-file': '/etc/kubernetes/pki/ca.key',
      });
    }
  });

  test('audit is on by default: policy flag, log rotation, policy and log folders mounted', () => {
    const api = (clusterConfiguration(cfg()) as any).apiServer;
    const flags = argsOf(api.extraArgs);
    expect(flags).toMatchObject({ 'audit-policy-file': NODE_PATHS.auditPolicy, 'audit-log-path': '/var/log/kubernetes/audit/audit.log', 'audit-log-maxage': '30', 'audit-log-maxbackup': '10', 'audit-log-maxsize': '100' });
    expect(api.extraVolumes).toEqual([
      { name: 'audit-policy', hostPath: '/etc/kubernetes/audit', mountPath: '/etc/kubernetes/audit', readOnly: true, pathType: 'Directory' },
      { name: 'audit-log', hostPath: '/var/log/kubernetes/audit', mountPath: '/var/log/kubernetes/audit', readOnly: false, pathType: 'DirectoryOrCreate' },
    ]);
    expect(flags['encryption-provider-config']).toBeUndefined();
    expect(Object.keys((clusterConfiguration(cfg({ apiServer: { audit: { enabled: false } } })) as any).apiServer)).toEqual(['certSANs']);
  });

  test('certificates kubeadm makes itself match the PKI plan: SANs, etcd SANs; key type and validity from v1beta4', () => {
    const pki = { keyAlgorithm: 'ECDSA-P256' as const, caValidityDays: 1000, certificateValidityDays: 90, apiServerCertSANs: ['cp-1.example.internal'], etcdCertSANs: ['10.0.0.21'] };
    const c = clusterConfiguration(cfg({ networking: { dnsDomain: 'k8s.example' }, pki })) as any;
    expect(c.apiServer.certSANs).toEqual(['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster', 'kubernetes.default.svc.k8s.example', 'cp-1.example.internal', '192.0.2.10', '10.96.0.1']);
    expect(c.etcd).toEqual({ local: { serverCertSANs: ['10.0.0.21'], peerCertSANs: ['10.0.0.21'] } });
    expect([c.encryptionAlgorithm, c.certificateValidityPeriod, c.caCertificateValidityPeriod]).toEqual(['ECDSA-P256', '2160h0m0s', '24000h0m0s']);
    const old = clusterConfiguration(cfg({ ...V127, pki })) as any;
    expect([old.encryptionAlgorithm, old.certificateValidityPeriod]).toEqual([undefined, undefined]); // v1beta3 has neither field
    expect((clusterConfiguration(cfg()) as any).etcd).toBeUndefined();
    // the Go types of both API versions know every field
    expect(NodeConfigSchema.forVersion('1.35.4').validate(c)).toEqual([]);
    expect(NodeConfigSchema.forVersion('1.27.16').validate(old)).toEqual([]);
  });

  test('Konnectivity adds the egress selector flag and mounts it already emits, from its own settings', () => {
    const api = (clusterConfiguration(cfg({ components: { konnectivity: { enabled: true } } })) as any).apiServer;
    expect(argsOf(api.extraArgs)['egress-selector-config-file']).toBe(KONNECTIVITY.egressConfigPath);
    expect(api.extraVolumes.map((v: any) => v.hostPath)).toEqual(expect.arrayContaining([KONNECTIVITY.egressConfigPath, KONNECTIVITY.udsDirectory]));
    expect(argsOf((clusterConfiguration(cfg()) as any).apiServer.extraArgs)['egress-selector-config-file']).toBeUndefined();
  });

  test('encryption at rest: the config flag, automatic reload, a read-only folder mount, and the KMS socket folder', () => {
    const s = apiServerSettings(cfg({ apiServer: { encryptionAtRest: { enabled: true, provider: 'kms', kms: { name: 'vault', endpoint: 'unix:///run/vault-kms/kms.sock' } } } }));
    expect(s.flags['encryption-provider-config']).toBe(NODE_PATHS.encryptionConfig);
    expect(s.flags['encryption-provider-config-automatic-reload']).toBe('true');
    expect(s.volumes).toEqual(expect.arrayContaining([
      { name: 'encryption-config', hostPath: '/etc/kubernetes/encryption', mountPath: '/etc/kubernetes/encryption', readOnly: true, pathType: 'Directory' },
      { name: 'kms-plugin', hostPath: '/run/vault-kms', mountPath: '/run/vault-kms', readOnly: false, pathType: 'DirectoryOrCreate' },
    ]));
  });

  test('external cloud provider: kubelets get --cloud-provider=external, the control plane never --cloud-provider', () => {
    for (const config of [cfg({ ...EXTERNAL, ...V127 } as ClusterConfigFile), cfg(EXTERNAL as ClusterConfigFile)]) {
      expect(argsOf((initConfiguration(config) as any).nodeRegistration.kubeletExtraArgs)).toEqual({ 'cloud-provider': 'external' });
      expect(argsOf((joinConfiguration(config) as any).nodeRegistration.kubeletExtraArgs)).toEqual({ 'cloud-provider': 'external' });
      const c = clusterConfiguration(config) as any;
      expect(argsOf(c.apiServer.extraArgs)['cloud-provider']).toBeUndefined();
      expect(argsOf(c.controllerManager.extraArgs)['cloud-provider']).toBeUndefined();
    }
    expect((initConfiguration(cfg()) as any).nodeRegistration.kubeletExtraArgs).toBeUndefined();
  });

  test("kubeadm's CoreDNS is skipped while this library deploys CoreDNS", () => {
    expect(initConfiguration(cfg()).skipPhases).toEqual(['addon/coredns']);
    expect(initConfiguration(cfg({ components: { coredns: { enabled: false } } })).skipPhases).toBeUndefined();
  });

  test('the join file carries placeholders for the short-lived token, never a real one', () => {
    const j = joinConfiguration(cfg()) as any;
    expect(j.discovery.bootstrapToken).toEqual({ apiServerEndpoint: '192.0.2.10:6443', token: JOIN_PLACEHOLDERS.token, caCertHashes: [JOIN_PLACEHOLDERS.caCertHash] });
    // filled in as the README says, it is what kubeadm accepts: a [a-z0-9]{6}.[a-z0-9]{16} token, a sha256 pin
    const filled = JSON.parse(JSON.stringify(j).replace(JOIN_PLACEHOLDERS.token, 'abcdef.0123456789abcdef').replace(JOIN_PLACEHOLDERS.caCertHash, `sha256:${'a'.repeat(64)}`));
    expect(filled.discovery.bootstrapToken.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    expect(NodeConfigSchema.forVersion('1.35.4').validate(filled)).toEqual([]);
  });

  test('the component writes files only: no manifest, no objects', () => {
    const { charts, bootstrap } = synthBootstrap();
    expect(charts['node-config']).toEqual([]);
    expect(bootstrap.files.get('node-config')!.map((f) => f.path).sort()).toEqual(
      [OUTPUT_PATHS.auditPolicy, OUTPUT_PATHS.kubeadmInit, OUTPUT_PATHS.kubeadmJoin, OUTPUT_PATHS.kubeletConfig, OUTPUT_PATHS.kubeProxyConfig, OUTPUT_PATHS.modprobeBlacklist].sort(),
    );
    expect(synthBootstrap({ components: { nodeConfig: { enabled: false } } }).bootstrap.files.has('node-config')).toBe(false);
  });
});

describe('KubeletConfiguration', () => {
  test('hardened defaults: systemd cgroups, serving certs from the CA, no anonymous access, webhook authz', () => {
    expect(kubeletConfiguration(cfg())).toMatchObject({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      cgroupDriver: 'systemd',
      serverTLSBootstrap: true,
      rotateCertificates: true,
      authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' } },
      authorization: { mode: 'Webhook' },
      readOnlyPort: 0,
      topologyManagerPolicy: 'none',
      topologyManagerScope: 'container',
      clusterDomain: 'cluster.local',
    });
  });

  test('clusterDNS follows NodeLocal DNS: the kube-dns IP in iptables mode, the link-local IP in IPVS mode, kube-dns without it', () => {
    expect(kubeletConfiguration(cfg()).clusterDNS).toEqual(['10.96.0.10']);
    expect(kubeletConfiguration(cfg({ networking: { kubeProxyMode: 'ipvs' } })).clusterDNS).toEqual(['169.254.20.10']);
    expect(kubeletConfiguration(cfg({ networking: { kubeProxyMode: 'ipvs' }, components: { nodeLocalDns: { enabled: false } } })).clusterDNS).toEqual(['10.96.0.10']);
    expect(kubeletConfiguration(cfg({ networking: { dnsDomain: 'k8s.example', serviceSubnet: '10.100.0.0/16' } }))).toMatchObject({ clusterDNS: ['10.100.0.10'], clusterDomain: 'k8s.example' });
  });

  test('cgroupfs and topology options only as typed choices', () => {
    const k = kubeletConfiguration(cfg({ components: { nodeConfig: { kubelet: { cgroupDriver: 'cgroupfs', topologyManagerPolicy: 'single-numa-node', topologyManagerScope: 'pod' } } } }));
    expect(k).toMatchObject({ cgroupDriver: 'cgroupfs', topologyManagerPolicy: 'single-numa-node', topologyManagerScope: 'pod' });
  });
});

describe('KubeProxyConfiguration', () => {
  test('mode from networking, clusterCIDR = the pod CIDRs, feature gates as given', () => {
    expect(kubeProxyConfiguration(cfg())).toEqual({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', mode: 'iptables', clusterCIDR: '10.244.0.0/16' });
    const dual = kubeProxyConfiguration(cfg({ networking: { kubeProxyMode: 'nftables', podSubnet: '10.244.0.0/16,fd00:10:244::/56', serviceSubnet: '10.96.0.0/16,fd00:10:96::/112' }, components: { nodeConfig: { kubeProxy: { featureGates: { ServiceTrafficDistribution: true } } } } }));
    expect(dual).toMatchObject({ mode: 'nftables', clusterCIDR: '10.244.0.0/16,fd00:10:244::/56', featureGates: { ServiceTrafficDistribution: true } });
    expect(NodeConfigSchema.forVersion('1.35.4').validate(dual)).toEqual([]);
  });
});

describe('every emitted document matches its Go type, for any valid config', () => {
  test('property: versions, proxy modes, DNS, cloud provider, Konnectivity, audit, encryption, kubelet options', () => {
    const fc = require('fast-check') as typeof import('fast-check');
    const arb = fc.record({
      kubernetesVersion: fc.constantFrom('1.27.16', '1.29.0', '1.31.2', '1.33.1', '1.35.4'),
      networking: fc.record({ kubeProxyMode: fc.constantFrom('iptables', 'ipvs'), dnsDomain: fc.constantFrom('cluster.local', 'k8s.example') }),
      external: fc.boolean(),
      konnectivity: fc.boolean(),
      audit: fc.boolean(),
      encryption: fc.constantFrom('off', 'kms'),
      kubelet: fc.record({ cgroupDriver: fc.constantFrom('systemd', 'cgroupfs'), topologyManagerPolicy: fc.constantFrom('none', 'best-effort', 'restricted', 'single-numa-node'), topologyManagerScope: fc.constantFrom('container', 'pod') }),
      coredns: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, (a) => {
        const file: any = {
          kubernetesVersion: a.kubernetesVersion,
          networking: a.networking,
          ...(a.external ? EXTERNAL : {}),
          apiServer: { audit: { enabled: a.audit }, ...(a.encryption === 'kms' ? { encryptionAtRest: { enabled: true, provider: 'kms', kms: { name: 'kms', endpoint: 'unix:///var/run/kmsplugin/socket.sock' } } } : {}) },
          components: { ...(a.external ? EXTERNAL.components : {}), konnectivity: { enabled: a.konnectivity }, coredns: { enabled: a.coredns }, nodeConfig: { kubelet: a.kubelet } },
        };
        const config = cfg(file);
        const schema = NodeConfigSchema.forVersion(a.kubernetesVersion);
        for (const [name, docs] of Object.entries(nodeConfigDocuments(config))) for (const d of docs) expect([name, schema.validate(d)]).toEqual([name, []]);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 50) },
    );
  });
});
