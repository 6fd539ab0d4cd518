import { Chart, Testing } from 'cdk8s';
import { APPROVER_RULES, approverEnv, KUBELET_SERVING_SIGNER, KubeletServingApprover } from '../../lib/components/kubelet-serving-approver';
import { parseClusterConfig } from '../../lib/config/parse';
import { KubernetesSchema } from '../../lib/validation/kubernetes-schema';
import { issuesOf } from '../support/issues';
import { find, synthBootstrap } from '../support/synth';

const ON = { components: { kubeletServingApprover: { enabled: true } } } as const;

describe('kubelet serving-CSR approver', () => {
  test('off by default', () => {
    expect(Object.keys(synthBootstrap().charts)).not.toContain('kubelet-serving-approver');
  });

  test('RBAC: read CSRs, update approval, approve only the kubelet-serving signer', () => {
    const objects = synthBootstrap(ON).charts['kubelet-serving-approver'];
    expect(find(objects, 'ClusterRole', 'kubelet-csr-approver').rules).toEqual(APPROVER_RULES);
    expect(APPROVER_RULES.flatMap((r) => r.verbs)).not.toContain('create');
    expect(APPROVER_RULES.find((r) => r.resources?.includes('signers'))).toEqual({ apiGroups: ['certificates.k8s.io'], resources: ['signers'], resourceNames: [KUBELET_SERVING_SIGNER], verbs: ['approve'] });
    expect(find(objects, 'ClusterRoleBinding', 'kubelet-csr-approver').subjects).toEqual([{ kind: 'ServiceAccount', name: 'kubelet-csr-approver', namespace: 'kube-system' }]);
    const schema = KubernetesSchema.forVersion('1.35.4');
    for (const o of objects) expect(schema.validate(o)).toEqual([]);
  });

  test('an app repo can place it in another namespace; the binding follows', () => {
    const chart = new Chart(Testing.app(), 'approver');
    new KubeletServingApprover(chart, 'approver', { cluster: parseClusterConfig(ON), namespace: 'csr-approval' });
    const objects = Testing.synth(chart);
    expect(find(objects, 'ServiceAccount', 'kubelet-csr-approver').metadata.namespace).toBe('csr-approval');
    expect(find(objects, 'Deployment', 'kubelet-csr-approver').metadata.namespace).toBe('csr-approval');
    expect(find(objects, 'ClusterRoleBinding', 'kubelet-csr-approver').subjects).toEqual([{ kind: 'ServiceAccount', name: 'kubelet-csr-approver', namespace: 'csr-approval' }]);
  });

  test('one hardened replica, image overridable and mirrored', () => {
    const d = find(synthBootstrap({ ...ON, imageRegistry: 'mirror.example.internal/m' }).charts['kubelet-serving-approver'], 'Deployment', 'kubelet-csr-approver');
    expect(d.spec.replicas).toBe(1);
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe('mirror.example.internal/m/postfinance/kubelet-csr-approver:v1.2.15');
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const own = find(synthBootstrap({ components: { kubeletServingApprover: { enabled: true, image: 'registry.example.internal/approver:v9.9.9' } } }).charts['kubelet-serving-approver'], 'Deployment', 'kubelet-csr-approver');
    expect(own.spec.template.spec.containers[0].image).toBe('registry.example.internal/approver:v9.9.9');
  });

  test('checks are strict by default: bare host names, no IP SANs, DNS resolution on', () => {
    expect(approverEnv(parseClusterConfig(ON))).toEqual([
      { name: 'PROVIDER_REGEX', value: '^[a-z0-9-]+$' },
      { name: 'PROVIDER_IP_PREFIXES', value: '0.0.0.0/32,::/128' },
      { name: 'BYPASS_DNS_RESOLUTION', value: 'false' },
    ]);
    const custom = approverEnv(parseClusterConfig({ components: { kubeletServingApprover: { enabled: true, providerRegex: '^node-[0-9]+\\.example\\.internal$', ipPrefixes: ['10.0.0.0/16'] } } }));
    expect(custom.find((e) => e.name === 'PROVIDER_IP_PREFIXES')?.value).toBe('10.0.0.0/16');
  });

  test('bad settings are errors naming the field', () => {
    expect(issuesOf({ components: { kubeletServingApprover: { providerRegex: 'node-.*' } } })[0]).toMatchObject({ path: 'components.kubeletServingApprover.providerRegex', message: 'not anchored' });
    expect(issuesOf({ components: { kubeletServingApprover: { providerRegex: '^(unclosed$' } } })[0].message).toBe('not a regular expression');
    expect(issuesOf({ components: { kubeletServingApprover: { ipPrefixes: ['10.0.0.1/8'] } } })[0].path).toBe('components.kubeletServingApprover.ipPrefixes.0');
    expect(issuesOf({ components: { kubeletServingApprover: { image: 'approver' } } })[0].path).toBe('components.kubeletServingApprover.image');
  });
});
