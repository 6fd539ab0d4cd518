import { parseClusterConfig } from '../../lib/config/parse';
import type { ClusterConfigFile } from '../../lib/config/types';
import { buildPlan, ChangeRefusedError, NO_BASELINE_NOTE, planChanges, UnknownChangeIdError } from '../../lib/plan/change-plan';
import { describeRef } from '../../lib/plan/object-changes';
import { renderPlanText, summaryLine } from '../../lib/plan/render-plan';
import { synthesizeCluster } from '../../lib/plan/synthesize';
import type { ChangePlan, DisruptiveChangeId, ObjectChange } from '../../lib/plan/types';

const cfg = (file: ClusterConfigFile = {}) => parseClusterConfig(file);
const plan = (before: ClusterConfigFile, after: ClusterConfigFile, allowDisruptive: DisruptiveChangeId[] = []) => planChanges(cfg(before), cfg(after), { allowDisruptive });
/** `class action Kind/ns/name` of every object change, in plan order. */
const objects = (p: ChangePlan) => p.objectChanges.map((c) => `${c.class} ${c.action} ${describeRef(c.object)}`);
const config = (p: ChangePlan) => p.configChanges.map((c) => [c.class, c.id, c.path, c.oldValue, c.newValue]);
const only = (p: ChangePlan): ObjectChange => {
  expect(p.objectChanges).toHaveLength(1);
  return p.objectChanges[0];
};
const TENANT_OBJECTS = ['Namespace/team-a', 'LimitRange/team-a/tenant-limits', 'NetworkPolicy/team-a/default-deny-all', 'NetworkPolicy/team-a/allow-dns-egress', 'NetworkPolicy/team-a/deny-cloud-metadata-egress'];

describe('planChanges: nothing to do, and a first deploy', () => {
  test('the same config plans nothing', () => {
    const p = plan({ tenants: [{ name: 'team-a' }] }, { tenants: [{ name: 'team-a' }] });
    expect([p.configChanges, p.objectChanges, p.fileChanges, p.notes, p.refused]).toEqual([[], [], [], [], []]);
    expect(p.counts).toEqual({ impossible: 0, disruptive: 0, replace: 0, rolling: 0, 'in-place': 0 });
    expect(summaryLine(p)).toBe('Plan: 0 impossible, 0 disruptive, 0 replace, 0 rolling, 0 in-place: no changes');
  });

  test('no old config: planned against nothing, every object a create, every file new', () => {
    const p = planChanges(undefined, cfg());
    expect(p.baseline).toBe('nothing');
    expect(p.notes).toEqual([NO_BASELINE_NOTE]);
    expect(NO_BASELINE_NOTE).toBe('no previous config: planned against nothing');
    expect(p.configChanges).toEqual([]);
    const synthesized = synthesizeCluster(cfg()).objects;
    expect(p.objectChanges).toHaveLength(synthesized.length);
    expect(p.objectChanges.length).toBe(23);
    expect(new Set(p.objectChanges.map((c) => `${c.class} ${c.action}`))).toEqual(new Set(['replace create']));
    expect(p.fileChanges.every((f) => f.action === 'create')).toBe(true);
    expect(renderPlanText(p)).toContain('note: no previous config: planned against nothing\n');
  });
});

describe('planChanges: rolling', () => {
  test('a CoreDNS pod template change rolls the Deployment by its strategy (maxSurge from the API default)', () => {
    const c = only(plan({}, { components: { coredns: { memoryLimit: '256Mi' } } }));
    expect([c.class, c.action, describeRef(c.object), c.object.component]).toEqual(['rolling', 'update', 'Deployment/kube-system/coredns', 'coredns']);
    expect(c.fields).toEqual(['spec.template.spec.containers[0].resources.limits.memory']);
    expect(c.rollout).toEqual({ strategy: 'RollingUpdate', maxUnavailable: 1, maxSurge: '25%', defaulted: ['maxSurge'], replicas: 2, atOnce: 'of 2 pod(s): at most 1 unavailable and 1 extra at a time' });
  });

  test('flannel v0.27.0 -> v0.28.9 rolls the Linux DaemonSet only, selector untouched, API-default strategy', () => {
    const c = only(plan({ components: { flannel: { version: 'v0.27.0' } } }, {}));
    expect([c.class, describeRef(c.object)]).toEqual(['rolling', 'DaemonSet/kube-flannel/kube-flannel-ds']);
    expect(c.fields.filter((f) => f.startsWith('spec.selector'))).toEqual([]);
    expect(c.fields.every((f) => f.startsWith('spec.template.spec.'))).toBe(true);
    expect(c.rollout).toEqual({ strategy: 'RollingUpdate', maxUnavailable: 1, maxSurge: 0, defaulted: ['strategy', 'maxUnavailable', 'maxSurge'], atOnce: "1 node at a time: each node's old pod stops before its new one starts" });
    expect(c.reasons).toContain('images: ghcr.io/flannel-io/flannel-cni-plugin:v1.7.1-flannel1, ghcr.io/flannel-io/flannel:v0.27.0 -> ghcr.io/flannel-io/flannel-cni-plugin:v1.9.1-flannel3, ghcr.io/flannel-io/flannel:v0.28.9');
  });

  test('with Windows on, the flannel release still rolls only the Linux DaemonSet (the Windows one follows windowsVersion)', () => {
    const p = plan({ windows: { enabled: true }, components: { flannel: { version: 'v0.27.0' } } }, { windows: { enabled: true } });
    expect(objects(p)).toEqual(['rolling update DaemonSet/kube-flannel/kube-flannel-ds']);
  });

  test('Kubernetes 1.34 -> 1.35.4 (the default): a disruptive minor upgrade; CoreDNS, Konnectivity agents and Windows kube-proxy roll', () => {
    const extra: ClusterConfigFile = { windows: { enabled: true }, components: { konnectivity: { enabled: true } } };
    const p = plan({ ...extra, kubernetesVersion: '1.34.3' }, extra);
    expect(config(p)).toEqual([['disruptive', 'kubernetes-minor-upgrade', 'kubernetesVersion', '1.34.3', '1.35.4']]);
    expect(objects(p)).toEqual(['rolling update DaemonSet/kube-system/kube-proxy-windows', 'rolling update Deployment/kube-system/coredns', 'rolling update DaemonSet/kube-system/konnectivity-agent']);
    const images = Object.fromEntries(p.objectChanges.map((c) => [c.object.name, c.reasons.find((r) => r.startsWith('images:'))]));
    expect(images.coredns).toBe('images: registry.k8s.io/coredns/coredns:v1.12.1 -> registry.k8s.io/coredns/coredns:v1.13.1');
    expect(images['konnectivity-agent']).toBe('images: registry.k8s.io/kas-network-proxy/proxy-agent:v0.34.0 -> registry.k8s.io/kas-network-proxy/proxy-agent:v0.35.0');
    expect(images['kube-proxy-windows']).toBe('images: docker.io/sigwindowstools/kube-proxy:v1.34.3-flannel-hostprocess -> docker.io/sigwindowstools/kube-proxy:v1.35.4-flannel-hostprocess');
    expect(p.fileChanges.map((f) => `${f.action} ${f.path}`)).toEqual(expect.arrayContaining(['update node-config/kubeadm-init.yaml', 'update control-plane/manifests/konnectivity-server.yaml']));
  });

  test('a patch release changes no config rule, only what carries the version', () => {
    const p = plan({ kubernetesVersion: '1.35.0' }, {});
    expect(p.configChanges).toEqual([]);
    expect(p.objectChanges).toEqual([]);
    expect(p.fileChanges.map((f) => f.path)).toEqual(['node-config/kubeadm-init.yaml']);
  });
});

describe('planChanges: in-place', () => {
  test('CoreDNS replicas 2 -> 3 scales the Deployment: no pod is replaced, so it is in-place, not rolling', () => {
    const c = only(plan({}, { components: { coredns: { replicas: 3 } } }));
    expect([c.class, c.action, describeRef(c.object), c.fields]).toEqual(['in-place', 'update', 'Deployment/kube-system/coredns', ['spec.replicas']]);
    expect(c.rollout).toBeUndefined();
    expect(c.reasons).toEqual(['scales from 2 to 3 pods; no running pod is replaced (a scale-down deletes pods without consulting their PodDisruptionBudget)']);
  });

  test('a stub domain changes the Corefile in place; CoreDNS reloads it (the Corefile has reload)', () => {
    const after = cfg({ components: { coredns: { stubDomains: { 'corp.example': ['10.0.0.53'] } } } });
    const c = only(planChanges(cfg(), after));
    expect([c.class, c.action, describeRef(c.object), c.fields]).toEqual(['in-place', 'update', 'ConfigMap/kube-system/coredns', ['data.Corefile']]);
    expect(c.reasons).toEqual([
      'ConfigMap data changes in place; the Corefile has `reload`, so Deployment/kube-system/coredns picks it up without a restart (once the kubelet refreshes the mounted file, about a minute, then the reload check)',
    ]);
    const corefile = synthesizeCluster(after).objects.find((o) => o.manifest.kind === 'ConfigMap' && o.manifest.metadata.name === 'coredns')!.manifest.data.Corefile;
    expect(corefile).toMatch(/^\s+reload$/m);
    expect(corefile).toContain('corp.example:53 {');
  });

  test('a tenant label is a metadata change in place', () => {
    const c = only(plan({ tenants: [{ name: 'team-a' }] }, { tenants: [{ name: 'team-a', labels: { team: 'a' } }] }));
    expect([c.class, describeRef(c.object), c.fields, c.reasons]).toEqual(['in-place', 'Namespace/team-a', ['metadata.labels.team'], ['labels or annotations change (metadata only)']]);
  });
});

describe('planChanges: replace (created, deleted, re-created)', () => {
  test('a tenant added: its Namespace and objects are created', () => {
    const p = plan({}, { tenants: [{ name: 'team-a' }] });
    expect(objects(p)).toEqual(TENANT_OBJECTS.map((o) => `replace create ${o}`));
    expect(p.objectChanges[0].reasons).toEqual(['new tenant team-a']);
  });

  test('a tenant removed: its Namespace is deleted, flagged as deleting everything in it', () => {
    const p = plan({ tenants: [{ name: 'team-a' }, { name: 'team-b' }] }, { tenants: [{ name: 'team-b' }] });
    expect(objects(p)).toEqual(TENANT_OBJECTS.map((o) => `replace delete ${o}`));
    const ns = p.objectChanges[0];
    expect(ns.deletesContents).toBe(true);
    expect(ns.reasons).toEqual([
      'tenant team-a removed from the config: deleting the Namespace deletes everything inside it, also objects this config does not manage (workloads, Secrets, PersistentVolumeClaims and their volumes)',
    ]);
    expect(p.objectChanges[1].reasons).toEqual(['deleted with Namespace team-a']);
    expect(renderPlanText(p)).toContain('  delete Namespace/team-a  (tenants)\n    tenant team-a removed from the config');
  });

  test('Konnectivity on: a disruptive change, the agents and their RBAC created, the control-plane files new', () => {
    const p = plan({}, { components: { konnectivity: { enabled: true } } });
    expect(config(p)).toEqual([['disruptive', 'konnectivity', 'components.konnectivity.enabled', false, true]]);
    expect(objects(p)).toEqual(['replace create ClusterRoleBinding/system:konnectivity-server', 'replace create ServiceAccount/kube-system/konnectivity-agent', 'replace create DaemonSet/kube-system/konnectivity-agent']);
    expect(p.fileChanges.filter((f) => f.action === 'create').map((f) => f.path)).toEqual(
      expect.arrayContaining(['control-plane/egress-selector-configuration.yaml', 'control-plane/manifests/konnectivity-server.yaml']),
    );
  });

  test('disabling flannel deletes its Namespace, flagged', () => {
    const p = plan({}, { components: { flannel: { enabled: false } } });
    const ns = p.objectChanges.find((c) => c.object.kind === 'Namespace')!;
    expect([ns.action, ns.object.name, ns.deletesContents]).toEqual(['delete', 'kube-flannel', true]);
  });
});

describe('planChanges: disruptive', () => {
  test('Windows on: windows, and the VNI and port its defaults move', () => {
    const p = plan({}, { windows: { enabled: true } });
    expect(config(p)).toEqual([
      ['disruptive', 'flannel-vxlan-vni', 'components.flannel.vxlan.vni', 1, 4096],
      ['disruptive', 'flannel-vxlan-port', 'components.flannel.vxlan.port', 8472, 4789],
      ['disruptive', 'windows', 'windows.enabled', false, true],
    ]);
    expect(objects(p)).toEqual([
      'replace create ConfigMap/kube-flannel/kube-flannel-windows-cfg',
      'replace create DaemonSet/kube-flannel/kube-flannel-ds-windows-amd64',
      'replace create ServiceAccount/kube-system/kube-proxy-windows',
      'replace create ClusterRoleBinding/kube-proxy-windows',
      'replace create ConfigMap/kube-system/kube-proxy-windows',
      'replace create DaemonSet/kube-system/kube-proxy-windows',
      'in-place update ConfigMap/kube-flannel/kube-flannel-cfg',
    ]);
    expect(p.configChanges.every((c) => c.procedure.length > 0 && c.why.length > 0)).toBe(true);
  });

  test('a VNI change: disruptive; the net-conf ConfigMap changes in place but flannel reads it only at start', () => {
    const p = plan({}, { components: { flannel: { vxlan: { vni: 2 } } } });
    expect(config(p)).toEqual([['disruptive', 'flannel-vxlan-vni', 'components.flannel.vxlan.vni', 1, 2]]);
    const c = only(p);
    expect([c.class, describeRef(c.object), c.fields]).toEqual(['in-place', 'ConfigMap/kube-flannel/kube-flannel-cfg', ['data.net-conf.json']]);
    expect(c.reasons).toEqual([
      'ConfigMap data changes in place; DaemonSet/kube-flannel/kube-flannel-ds reads it only at start: it takes effect when its pods restart (`kubectl -n kube-flannel rollout restart daemonset/kube-flannel-ds`)',
    ]);
    expect(p.configChanges[0].procedure).toContain('kubectl -n kube-flannel delete pod -l app=flannel');
  });

  test('a DNS service IP change: disruptive, and the kube-dns Service is re-created (clusterIP is immutable)', () => {
    const p = plan({}, { networking: { dnsServiceIP: '10.96.0.53' } });
    expect(config(p)).toEqual([['disruptive', 'dns-service-ip', 'networking.dnsServiceIP', '10.96.0.10', '10.96.0.53']]);
    const svc = p.objectChanges.find((c) => c.object.kind === 'Service')!;
    expect([svc.class, svc.action, describeRef(svc.object), svc.fields]).toEqual(['replace', 'recreate', 'Service/kube-system/kube-dns', ['spec.clusterIP']]);
    expect(svc.reasons).toEqual(['spec.clusterIP cannot change on an existing Service: it is deleted and re-created', 'clients of the old address "10.96.0.10" lose it at once']);
    // iptables mode: node-cache also binds the kube-dns IP
    expect(objects(p)).toEqual(['replace recreate Service/kube-system/kube-dns', 'rolling update DaemonSet/kube-system/node-local-dns', 'in-place update ConfigMap/kube-system/node-local-dns']);
    expect(p.fileChanges.map((f) => f.path)).toEqual(expect.arrayContaining(['node-config/kubelet-config.yaml']));
  });

  test('NodeLocal DNS IP and kube-proxy mode changes are disruptive, each with its own id', () => {
    expect(config(plan({}, { networking: { nodeLocalDnsIP: '169.254.20.11' } }))).toEqual([['disruptive', 'node-local-dns-ip', 'networking.nodeLocalDnsIP', '169.254.20.10', '169.254.20.11']]);
    expect(config(plan({}, { networking: { kubeProxyMode: 'ipvs' } }))).toEqual([['disruptive', 'kube-proxy-mode', 'networking.kubeProxyMode', 'iptables', 'ipvs']]);
    // in IPVS mode, NodeLocal DNS decides the kubelets' resolver
    expect(config(plan({ networking: { kubeProxyMode: 'ipvs' } }, { networking: { kubeProxyMode: 'ipvs' }, components: { nodeLocalDns: { enabled: false } } }))).toEqual([
      ['disruptive', 'kubelet-cluster-dns', 'components.nodeLocalDns.enabled', '169.254.20.10', '10.96.0.10'],
    ]);
  });
});

describe('planChanges: impossible changes are refused unless acknowledged by id', () => {
  test('pod CIDR: refused with the field, old and new values and a hint', () => {
    const refuse = () => plan({}, { networking: { podSubnet: '10.200.0.0/16' } });
    expect(refuse).toThrow(ChangeRefusedError);
    let error: ChangeRefusedError | undefined;
    try {
      refuse();
    } catch (e) {
      error = e as ChangeRefusedError;
    }
    expect(error!.message).toBe(
      'refused 1 impossible change (acknowledge each with allowDisruptive / --allow-disruptive <id>):\n' +
        '  - networking.podSubnet [pod-cidr]: cannot change on a running cluster (old "10.244.0.0/16", new "10.200.0.0/16")\n' +
        '    why: every Node keeps the spec.podCIDR it was given (immutable once set), Flannel leases node subnets from it and every running pod has an address in it; kube-controller-manager, kube-proxy (clusterCIDR) and the CCM are configured with it\n' +
        '    hint: build a new cluster with the new range and move the workloads; or, for a cluster you may take down, acknowledge it (--allow-disruptive pod-cidr) and then drain, delete and re-join every node so each gets a podCIDR from the new range',
    );
    expect(error!.plan.refused.map((c) => c.id)).toEqual(['pod-cidr']);
  });

  test('pod CIDR: planned when allowDisruptive names it', () => {
    const p = plan({}, { networking: { podSubnet: '10.200.0.0/16' } }, ['pod-cidr']);
    expect(p.refused).toEqual([]);
    expect(p.configChanges.map((c) => [c.class, c.id, c.acknowledged])).toEqual([['impossible', 'pod-cidr', true]]);
    // flannel's net-conf carries the range (read at start); the rest is in node files
    expect(objects(p)).toEqual(['in-place update ConfigMap/kube-flannel/kube-flannel-cfg']);
    expect(p.fileChanges.map((f) => f.path)).toEqual(['node-config/kubeadm-init.yaml', 'node-config/kube-proxy-config.yaml']);
  });

  test('service CIDR: refused (and the default DNS IP moves with it, disruptive); planned when acknowledged', () => {
    const after = { networking: { serviceSubnet: '10.100.0.0/16' } };
    expect(() => plan({}, after)).toThrow(
      'refused 1 impossible change (acknowledge each with allowDisruptive / --allow-disruptive <id>):\n  - networking.serviceSubnet [service-cidr]: cannot change on a running cluster (old "10.96.0.0/12", new "10.100.0.0/16")\n',
    );
    const p = plan({}, after, ['service-cidr']);
    expect(config(p)).toEqual([
      ['impossible', 'service-cidr', 'networking.serviceSubnet', '10.96.0.0/12', '10.100.0.0/16'],
      ['disruptive', 'dns-service-ip', 'networking.dnsServiceIP', '10.96.0.10', '10.100.0.10'],
    ]);
  });

  test('cluster name (it names the CAs) and cluster domain (in the API server certificate) are impossible too', () => {
    const p = buildPlan(cfg(), cfg({ clusterName: 'prod', networking: { dnsDomain: 'prod.local' } }));
    expect(p.refused.map((c) => [c.id, c.path, c.oldValue, c.newValue])).toEqual([
      ['cluster-name', 'clusterName', 'bootstrap', 'prod'],
      ['cluster-domain', 'networking.dnsDomain', 'cluster.local', 'prod.local'],
    ]);
  });

  test('Kubernetes: skipping a minor or going back is impossible', () => {
    expect(buildPlan(cfg({ kubernetesVersion: '1.33.5' }), cfg()).refused.map((c) => c.id)).toEqual(['kubernetes-minor-skip']);
    expect(buildPlan(cfg(), cfg({ kubernetesVersion: '1.34.3' })).refused.map((c) => c.id)).toEqual(['kubernetes-downgrade']);
  });

  test('an id no rule has is an argument error naming it', () => {
    expect(() => plan({}, {}, ['pod-cdir' as DisruptiveChangeId])).toThrow(UnknownChangeIdError);
    expect(() => plan({}, {}, ['pod-cdir' as DisruptiveChangeId])).toThrow(/^allowDisruptive: not a change id \(got "pod-cdir"\); hint: use one of pod-cidr, service-cidr, /);
  });
});

describe('renderPlanText', () => {
  test('grouped by class, worst first, procedures shown, then files and the summary line', () => {
    const p = plan({ tenants: [{ name: 'team-a' }] }, { networking: { podSubnet: '10.200.0.0/16', dnsServiceIP: '10.96.0.53' }, components: { coredns: { replicas: 3, memoryLimit: '200Mi' } } }, ['pod-cidr']);
    const text = renderPlanText(p);
    const headings = text.split('\n').filter((l) => /^[A-Z-]+: /.test(l));
    expect(headings).toEqual([
      'IMPOSSIBLE: a running cluster cannot take these (1)',
      'DISRUPTIVE: follow the procedure (1)',
      'REPLACE: objects created, deleted, or deleted and re-created (6)',
      'ROLLING: pods replaced by the update strategy (2)',
      'IN-PLACE: updated where they stand (2)',
      'FILES: node and control-plane files, not applied by kubectl; install them on the nodes (3)',
    ]);
    expect(text).toContain('  networking.podSubnet [pod-cidr]: "10.244.0.0/16" -> "10.200.0.0/16"  (acknowledged)\n');
    expect(text).toContain('    procedure: apply (the kube-dns Service is deleted and re-created');
    expect(text).toContain('    strategy: RollingUpdate, maxUnavailable 1, maxSurge 25% (API default): of 3 pod(s): at most 1 unavailable and 1 extra at a time\n');
    expect(text.endsWith('\nPlan: 1 impossible, 1 disruptive, 6 replace, 2 rolling, 2 in-place; 3 node/control-plane file(s)\n')).toBe(true);
  });
});
