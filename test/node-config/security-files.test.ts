import * as fs from 'fs';
import { featureGateProblem, listedFeatureGateMinors } from '../../lib/node-config/feature-gates';
import * as path from 'path';
import * as fc from 'fast-check';
import { parse } from 'yaml';
import { nodeConfigFiles } from '../support/wired';
import { ConfigError } from '../../lib/config/errors';
import { parseClusterConfig } from '../../lib/config/parse';
import type { ClusterConfigFile } from '../../lib/config/types';
import { auditPolicy, DEFAULT_AUDIT_RULES } from '../../lib/node-config/audit-policy';
import { checkKeyMaterial, encryptionConfiguration, generatedKeyPath, loadEncryptionKeys } from '../../lib/node-config/encryption';
import { modprobeBlacklist } from '../../lib/node-config/kernel-modules';
import { OUTPUT_PATHS } from '../../lib/node-config/paths';
import { partitionFiles, writeSecretFiles } from '../../lib/output/secrets';
import { NodeConfigSchema } from '../../lib/validation/node-config-schema';
import { issuesOf } from '../support/issues';
import { tempDir } from '../support/temp-dir';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 100);
const schema = NodeConfigSchema.forVersion('1.35.4');
const encrypted = (e: object, extra: ClusterConfigFile = {}) => parseClusterConfig({ ...extra, apiServer: { encryptionAtRest: { enabled: true, ...e } } });
const tmp = () => tempDir('cb-node-config-');
const key = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');

/** The ConfigError a call throws. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no ConfigError');
}

describe('EncryptionConfiguration', () => {
  test('provider first, identity last as the fallback for data written before', () => {
    const config = encrypted({ provider: 'aescbc', keys: [{ name: 'key2', fromEnv: 'K2' }, { name: 'key1', fromEnv: 'K1' }] });
    const { keys } = loadEncryptionKeys(config, { K1: key(32), K2: key(16) });
    const doc = encryptionConfiguration(config, keys) as any;
    expect(doc.resources).toEqual([{ resources: ['secrets'], providers: [{ aescbc: { keys: [{ name: 'key2', secret: key(16) }, { name: 'key1', secret: key(32) }] } }, { identity: {} }] }]);
    expect(schema.validate(doc)).toEqual([]);
  });

  test('kms v2 with its plugin socket and timeout', () => {
    const config = encrypted({ provider: 'kms', resources: ['secrets', 'configmaps'], kms: { name: 'vault', endpoint: 'unix:///var/run/kmsplugin/socket.sock', timeout: '5s' } });
    const doc = encryptionConfiguration(config, []) as any;
    expect(doc.resources[0].providers).toEqual([{ kms: { apiVersion: 'v2', name: 'vault', endpoint: 'unix:///var/run/kmsplugin/socket.sock', timeout: '5s' } }, { identity: {} }]);
    expect(doc.resources[0].resources).toEqual(['secrets', 'configmaps']);
    expect(schema.validate(doc)).toEqual([]);
  });

  test('key sizes: aescbc 16/24/32 bytes, secretbox 32; the error names the field and the source, never the key', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.constantFrom('aescbc' as const, 'secretbox' as const), (bytes, provider) => {
        const ok = provider === 'aescbc' ? [16, 24, 32].includes(bytes) : bytes === 32;
        const issue = checkKeyMaterial(provider, key(bytes), 'apiServer.encryptionAtRest.keys.0.fromEnv', '$K');
        expect(issue === undefined).toBe(ok);
        if (issue) expect(issue.message).toContain(`${bytes} bytes`);
      }),
      { numRuns: RUNS },
    );
    const secret = key(20);
    const e = configErrorOf(() => loadEncryptionKeys(encrypted({ provider: 'secretbox', keys: [{ name: 'k', fromEnv: 'K' }] }), { K: secret }));
    expect(e.issues).toEqual([{ path: 'apiServer.encryptionAtRest.keys.0.fromEnv', value: '$K', message: 'the key is 20 bytes; secretbox needs 32 bytes', hint: expect.stringContaining('head -c 32 /dev/urandom | base64') }]);
    expect(e.message).not.toContain(secret);
    expect(configErrorOf(() => loadEncryptionKeys(encrypted({ keys: [{ name: 'k', fromEnv: 'K' }] }), { K: 'not base64!' })).issues[0].message).toBe('the key is not base64');
  });

  test('a missing variable or file is an error naming it', () => {
    const e = configErrorOf(() => loadEncryptionKeys(encrypted({ keys: [{ name: 'a', fromEnv: 'NOPE' }, { name: 'b', fromFile: 'missing.key' }] }), {}, tmp()));
    expect(e.issues.map((i) => [i.path, i.value])).toEqual([['apiServer.encryptionAtRest.keys.0.fromEnv', 'NOPE'], ['apiServer.encryptionAtRest.keys.1.fromFile', 'missing.key']]);
  });

  test('keys from a file, and generated keys: 32 CSPRNG bytes, reused once kept', () => {
    const cwd = tmp();
    fs.writeFileSync(path.join(cwd, 'k.b64'), `${key(32)}\n`);
    const config = encrypted({ keys: [{ name: 'new' }, { name: 'old', fromFile: 'k.b64' }] });
    const first = loadEncryptionKeys(config, {}, cwd);
    expect(first.keys.map((k) => k.name)).toEqual(['new', 'old']);
    expect(Buffer.from(first.generated[0].secret, 'base64')).toHaveLength(32);
    expect(loadEncryptionKeys(config, {}, cwd).generated[0].secret).not.toBe(first.generated[0].secret); // fresh until kept
    writeSecretFiles([{ path: generatedKeyPath('new'), content: first.generated[0].secret }], path.join(cwd, config.secretsDir));
    const again = loadEncryptionKeys(config, {}, cwd);
    expect(again.generated).toEqual([]);
    expect(again.keys).toEqual(first.keys);
  });

  test('the file with keys goes to the secrets folder (0700, git-ignored, files 0600), or to dist/ only on request', () => {
    const cwd = tmp();
    const files = nodeConfigFiles(encrypted({}), {}, cwd);
    const { dist, secrets } = partitionFiles(files);
    expect(dist.map((f) => f.path)).not.toContain(OUTPUT_PATHS.encryptionConfig);
    expect(secrets.map((f) => f.path).sort()).toEqual([OUTPUT_PATHS.encryptionConfig, generatedKeyPath('key1')].sort());
    const dir = path.join(cwd, '.cluster-secrets');
    const written = writeSecretFiles(secrets, dir);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of written) expect(fs.statSync(f).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(parse(fs.readFileSync(path.join(dir, OUTPUT_PATHS.encryptionConfig), 'utf8')).kind).toBe('EncryptionConfiguration');

    const opted = partitionFiles(nodeConfigFiles(encrypted({ writeToDist: true }), {}, cwd));
    expect(opted.dist.find((f) => f.path === OUTPUT_PATHS.encryptionConfig)?.secret).toEqual({ inDist: true });
    expect(opted.secrets.map((f) => f.path)).toEqual([]); // key1 is kept from the first run
  });
});

describe('encryption config errors', () => {
  test.each([
    [{ provider: 'kms' }, 'apiServer.encryptionAtRest.kms', 'required when provider is "kms"'],
    [{ provider: 'secretbox', kms: { name: 'v', endpoint: 'unix:///x/s.sock' } }, 'apiServer.encryptionAtRest.kms', 'set while provider is "secretbox"'],
    [{ keys: [{ name: 'a' }, { name: 'a' }] }, 'apiServer.encryptionAtRest.keys.1.name', 'used by an earlier key'],
    [{ keys: [{ name: 'a', fromEnv: 'A', fromFile: 'a.key' }] }, 'apiServer.encryptionAtRest.keys.0', 'sets both fromEnv and fromFile'],
    [{ resources: ['secrets', 'secrets'] }, 'apiServer.encryptionAtRest.resources', 'lists a resource twice'],
    [{ enabled: false, keys: [{ name: 'a' }] }, 'apiServer.encryptionAtRest.enabled', 'keys or kms are set but encryption is off'],
  ])('%j', (e, p, message) => {
    expect(issuesOf({ apiServer: { encryptionAtRest: { enabled: true, ...e } } })).toContainEqual(expect.objectContaining({ path: p, message }));
  });

  test('a literal key in the config is not a field: unknown fields fail', () => {
    expect(issuesOf({ apiServer: { encryptionAtRest: { enabled: true, keys: [{ name: 'a', secret: key(32) }] } } })).toContainEqual(
      expect.objectContaining({ path: 'apiServer.encryptionAtRest.keys.0.secret', message: 'unknown field' }),
    );
    expect(issuesOf({ apiServer: { encryptionAtRest: { provider: 'aesgcm' } } })[0]).toMatchObject({ path: 'apiServer.encryptionAtRest.provider', message: 'not one of the allowed values' });
  });

  test('secretsDir must not be inside dist/', () => {
    expect(issuesOf({ secretsDir: 'dist/secrets' })).toEqual([expect.objectContaining({ path: 'secretsDir', value: 'dist/secrets' })]);
  });
});

describe('audit Policy', () => {
  const policy = auditPolicy(parseClusterConfig({})) as any;

  test('valid audit.k8s.io/v1, one stage per request, ends with a Metadata catch-all', () => {
    expect(schema.validate(policy)).toEqual([]);
    expect(policy.omitStages).toEqual(['RequestReceived']);
    expect(policy.rules.at(-1)).toEqual({ level: 'Metadata' });
  });

  /** The level of the first rule matching a request, as the API server evaluates the policy. */
  function levelFor(rules: any[], req: { user: string; groups?: string[]; verb: string; group?: string; resource?: string; namespace?: string; url?: string }): string {
    for (const r of rules) {
      if (r.users && !r.users.includes(req.user)) continue;
      if (r.userGroups && !r.userGroups.some((g: string) => req.groups?.includes(g))) continue;
      if (r.verbs && !r.verbs.includes(req.verb)) continue;
      if (r.namespaces && !r.namespaces.includes(req.namespace)) continue;
      if (r.nonResourceURLs) {
        if (!req.url || !r.nonResourceURLs.some((u: string) => (u.endsWith('*') ? req.url!.startsWith(u.slice(0, -1)) : u === req.url))) continue;
      } else if (r.resources) {
        if (req.url || !r.resources.some((g: any) => (g.group ?? '') === (req.group ?? '') && (!g.resources || g.resources.includes(req.resource)))) continue;
      }
      return r.level;
    }
    return 'None';
  }

  test('never bodies of secrets, configmaps, tokens or token reviews, whatever the verb', () => {
    const verb = fc.constantFrom('get', 'list', 'watch', 'create', 'update', 'patch', 'delete');
    const target = fc.constantFrom(['', 'secrets'], ['', 'configmaps'], ['', 'serviceaccounts/token'], ['authentication.k8s.io', 'tokenreviews']);
    const user = fc.constantFrom('alice', 'system:admin', 'system:kube-controller-manager', 'system:serviceaccount:ns:sa');
    fc.assert(
      fc.property(verb, target, user, (v, [group, resource], u) => {
        expect(['None', 'Metadata']).toContain(levelFor(policy.rules, { user: u, verb: v, group, resource, namespace: 'default' }));
      }),
      { numRuns: RUNS },
    );
  });

  test('RBAC writes with bodies, reads and other writes as metadata, probes and kube-proxy watches dropped', () => {
    expect(levelFor(policy.rules, { user: 'alice', verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' })).toBe('RequestResponse');
    expect(levelFor(policy.rules, { user: 'alice', verb: 'get', group: 'rbac.authorization.k8s.io', resource: 'roles' })).toBe('Metadata');
    expect(levelFor(policy.rules, { user: 'alice', verb: 'create', group: 'apps', resource: 'deployments' })).toBe('Metadata');
    expect(levelFor(policy.rules, { user: 'system:kube-proxy', verb: 'watch', group: 'discovery.k8s.io', resource: 'endpointslices' })).toBe('None');
    expect(levelFor(policy.rules, { user: 'kubelet', verb: 'get', url: '/healthz/ready' })).toBe('None');
  });

  test('extra rules come first; one that would log secret bodies is refused with a hint', () => {
    const rule = { level: 'None' as const, users: ['system:serviceaccount:monitoring:prometheus'], verbs: ['get' as const, 'list' as const] };
    expect((auditPolicy(parseClusterConfig({ apiServer: { audit: { extraRules: [rule] } } })) as any).rules[0]).toEqual(rule);
    expect(issuesOf({ apiServer: { audit: { extraRules: [{ level: 'RequestResponse' }] } } })).toEqual([
      expect.objectContaining({ path: 'apiServer.audit.extraRules.0.level', message: 'would record bodies of secrets, which hold credentials', hint: expect.stringContaining('Metadata') }),
    ]);
    expect(issuesOf({ apiServer: { audit: { extraRules: [{ level: 'Request', resources: [{ group: 'authentication.k8s.io' }] }] } } })[0].message).toContain('tokenreviews');
    expect(() => parseClusterConfig({ apiServer: { audit: { extraRules: [{ level: 'Request', resources: [{ group: 'apps', resources: ['deployments'] }] }] } } })).not.toThrow();
    expect(issuesOf({ apiServer: { audit: { extraRules: [{ level: 'None', nonResourceURLs: ['/a*b'] }] } } })[0].path).toBe('apiServer.audit.extraRules.0.nonResourceURLs.0');
    expect(issuesOf({ apiServer: { audit: { extraRules: [{ level: 'Everything' }] } } })[0]).toMatchObject({ path: 'apiServer.audit.extraRules.0.level', message: 'not one of the allowed values' });
  });

  test('the built-in rules pass the same check users get', () => {
    expect(() => parseClusterConfig({ apiServer: { audit: { extraRules: DEFAULT_AUDIT_RULES.filter((r) => r.level !== 'RequestResponse') as any } } })).not.toThrow();
  });
});

describe('kubelet and kube-proxy option errors', () => {
  test('unknown topology policy and cgroup driver typo name the field, the value and the choices', () => {
    expect(issuesOf({ components: { nodeConfig: { kubelet: { topologyManagerPolicy: 'numa' } } } })).toEqual([
      { path: 'components.nodeConfig.kubelet.topologyManagerPolicy', value: 'numa', message: 'not one of the allowed values', hint: expect.stringContaining('"single-numa-node"') },
    ]);
    expect(issuesOf({ components: { nodeConfig: { kubelet: { cgroupDriver: 'sytemd' } } } })).toEqual([
      { path: 'components.nodeConfig.kubelet.cgroupDriver', value: 'sytemd', message: 'not one of the allowed values', hint: expect.stringContaining('did you mean "systemd"?') },
    ]);
    expect(issuesOf({ components: { nodeConfig: { kubelet: { topologyManagerScope: 'node' } } } })[0].path).toBe('components.nodeConfig.kubelet.topologyManagerScope');
  });

  test('feature gate names and kernel module names are checked', () => {
    expect(issuesOf({ components: { nodeConfig: { kubeProxy: { featureGates: { 'nf-tables': true } } } } })[0]).toMatchObject({ path: 'components.nodeConfig.kubeProxy.featureGates.nf-tables', message: 'not a feature gate name' });
    expect(issuesOf({ components: { nodeConfig: { kubeProxy: { featureGates: { Foo: 'yes' } } } } })[0]).toMatchObject({ message: 'expected boolean, found a string' });
    expect(issuesOf({ components: { nodeConfig: { blacklistedKernelModules: ['dccp; rm -rf /'] } } })[0].path).toBe('components.nodeConfig.blacklistedKernelModules.0');
  });
});

describe('feature gates against the release’s own registry', () => {
  test('a gate the release does not know is refused with the nearest name, as kube-proxy refuses it', () => {
    expect(issuesOf({ components: { nodeConfig: { kubeProxy: { featureGates: { ServiceTrafficDistributon: true } } } } })).toEqual([
      {
        path: 'components.nodeConfig.kubeProxy.featureGates.ServiceTrafficDistributon',
        value: true,
        message: expect.stringContaining('not a feature gate of Kubernetes 1.35'),
        hint: expect.stringContaining('did you mean ServiceTrafficDistribution?'),
      },
    ]);
  });

  test('a gate locked to its default (GA) may only be set to that default', () => {
    expect(parseClusterConfig({ components: { nodeConfig: { kubeProxy: { featureGates: { NFTablesProxyMode: true } } } } }).components.nodeConfig.kubeProxy.featureGates).toEqual({ NFTablesProxyMode: true });
    expect(issuesOf({ components: { nodeConfig: { kubeProxy: { featureGates: { NFTablesProxyMode: false } } } } })).toEqual([
      expect.objectContaining({ path: 'components.nodeConfig.kubeProxy.featureGates.NFTablesProxyMode', message: 'locked to true in Kubernetes 1.35 (kube-proxy and the kubelet refuse any other value)' }),
    ]);
  });

  test('each release is judged by its own list: a gate removed after 1.30 is fine for 1.30, refused for 1.35', () => {
    expect(featureGateProblem('KubeProxyDrainingTerminatingNodes', true, 30)).toBeUndefined();
    expect(featureGateProblem('KubeProxyDrainingTerminatingNodes', true, 35)?.message).toMatch(/not a feature gate of Kubernetes 1.35/);
    // a minor without a list of its own is not judged (no guess from a neighbour)
    expect(featureGateProblem('AnythingAtAll', true, 32)).toBeUndefined();
    expect(listedFeatureGateMinors().sort()).toEqual(['1.30', '1.35']);
  });
});

describe('strict validation against the Go types', () => {
  test('unknown fields, wrong types and wrong kinds fail, with the JSON path', () => {
    expect(schema.validate({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', authentication: { anonymus: { enabled: false } } })).toEqual([
      { kind: 'kubelet.config.k8s.io/v1beta1/KubeletConfiguration', path: '/authentication', message: 'unknown field "anonymus"' },
    ]);
    expect(schema.validate({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', clusterDNS: '10.96.0.10' })[0].path).toBe('/clusterDNS');
    expect(schema.validate({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', shutdownGracePeriod: '30 seconds' })[0].path).toBe('/shutdownGracePeriod');
    // v1beta4 extraArgs are a list; a v1beta3 map there fails
    expect(schema.validate({ apiVersion: 'kubeadm.k8s.io/v1beta4', kind: 'ClusterConfiguration', apiServer: { extraArgs: { 'audit-log-path': '-' } } })[0].path).toBe('/apiServer/extraArgs');
    expect(schema.validate({ apiVersion: 'kubeadm.k8s.io/v1beta2', kind: 'ClusterConfiguration' })[0].message).toContain('no schema for kubeadm.k8s.io/v1beta2/ClusterConfiguration');
    expect(schema.validate({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'Metadata', resource: [] }] })[0].message).toBe('unknown field "resource"');
  });

  test('covers every kind the component writes, in both kubeadm versions', () => {
    expect(schema.kinds).toEqual(expect.arrayContaining([
      'kubeadm.k8s.io/v1beta3/ClusterConfiguration', 'kubeadm.k8s.io/v1beta3/InitConfiguration', 'kubeadm.k8s.io/v1beta3/JoinConfiguration',
      'kubeadm.k8s.io/v1beta4/ClusterConfiguration', 'kubeadm.k8s.io/v1beta4/InitConfiguration', 'kubeadm.k8s.io/v1beta4/JoinConfiguration',
      'kubelet.config.k8s.io/v1beta1/KubeletConfiguration', 'kubeproxy.config.k8s.io/v1alpha1/KubeProxyConfiguration',
      'audit.k8s.io/v1/Policy', 'apiserver.config.k8s.io/v1/EncryptionConfiguration', 'apiserver.k8s.io/v1beta1/EgressSelectorConfiguration',
    ]));
  });
});

describe('kernel module blacklist (seed 12)', () => {
  test('blacklists dccp and sctp by default, with the reason', () => {
    const text = modprobeBlacklist(parseClusterConfig({}));
    expect(text).toMatch(/^blacklist dccp$/m);
    expect(text).toMatch(/^blacklist sctp$/m);
    expect(modprobeBlacklist(parseClusterConfig({ components: { nodeConfig: { blacklistedKernelModules: ['dccp'] } } }))).not.toMatch(/sctp/);
  });
});
