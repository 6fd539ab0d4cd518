import { Chart, JsonPatch, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterBootstrap } from '../lib/cluster-bootstrap';
import type { ClusterComponent } from '../lib/component';
import { Flannel, FlannelComponent } from '../lib/components/flannel';
import { parseClusterConfig } from '../lib/config/parse';
import * as k8s from '../lib/k8s';
import { find, synthBootstrap } from './support/synth';

class DnsProbe implements ClusterComponent {
  readonly id = 'dns-probe';
  isEnabled(): boolean {
    return true;
  }
  version(): string {
    return 'v1';
  }
  addTo(chart: Chart, config: ReturnType<typeof parseClusterConfig>): Construct {
    const holder = new Construct(chart, 'probe');
    new k8s.KubeConfigMap(holder, 'cm', {
      metadata: { name: 'dns-probe', namespace: 'kube-system' },
      data: { dnsServiceIP: config.network.dnsServiceIP.toString() },
    });
    return holder;
  }
}

describe('ClusterBootstrap', () => {
  test('one chart per enabled component, named by the component id', () => {
    const { bootstrap } = synthBootstrap();
    expect([...bootstrap.charts.keys()]).toEqual(['flannel', 'coredns', 'node-local-dns', 'node-config', 'cluster-doctor-rbac', 'pki']);
    expect(bootstrap.component('flannel')).toBeInstanceOf(Flannel);
  });

  test('a disabled component gets no chart', () => {
    const { bootstrap, all } = synthBootstrap({ components: { flannel: { enabled: false }, coredns: { enabled: false }, nodeLocalDns: { enabled: false }, nodeConfig: { enabled: false }, clusterDoctorRbac: { enabled: false } }, pki: { planFiles: false } });
    expect(bootstrap.charts.size).toBe(0);
    expect(all).toEqual([]);
  });

  test('app repos add components that read the shared network facts', () => {
    const { charts } = synthBootstrap(
      { networking: { serviceSubnet: '172.30.0.0/16' } },
      { components: [new FlannelComponent(), new DnsProbe()] },
    );
    expect(Object.keys(charts)).toEqual(['flannel', 'dns-probe']);
    expect(find(charts['dns-probe'], 'ConfigMap', 'dns-probe').data.dnsServiceIP).toBe('172.30.0.10');
  });

  test('duplicate and non-kebab-case ids are refused', () => {
    const config = parseClusterConfig({});
    expect(() => new ClusterBootstrap(Testing.app(), { config, components: [new FlannelComponent(), new FlannelComponent()] })).toThrow(
      /two components have the id "flannel"/,
    );
    const bad = Object.assign(new DnsProbe(), { id: 'DnsProbe' });
    expect(() => new ClusterBootstrap(Testing.app(), { config, components: [bad] })).toThrow(/must be kebab-case/);
  });

  test('escape hatch: users patch a built-in object after construction', () => {
    const config = parseClusterConfig({});
    const bootstrap = new ClusterBootstrap(Testing.app(), { config });
    const flannel = bootstrap.component<Flannel>('flannel')!;
    flannel.daemonSet.metadata.addAnnotation('example.com/owner', 'platform');
    const ds = find(Testing.synth(bootstrap.charts.get('flannel')!), 'DaemonSet', 'kube-flannel-ds');
    expect(ds.metadata.annotations).toEqual({ 'example.com/owner': 'platform' });
  });
});

describe('patching any object (escape hatch)', () => {
  test('JSON Patch on a built-in object, found by kind, namespace and name', () => {
    const config = parseClusterConfig({});
    const app = Testing.app();
    const bootstrap = new ClusterBootstrap(app, { config });
    bootstrap.patch({ kind: 'Deployment', namespace: 'kube-system', name: 'coredns' }, JsonPatch.add('/spec/template/metadata/annotations', { 'example.com/owner': 'platform' }), JsonPatch.replace('/spec/replicas', 3));
    const coredns = Testing.synth(bootstrap.charts.get('coredns')!).find((o: any) => o.kind === 'Deployment');
    expect(coredns.spec.replicas).toBe(3);
    expect(coredns.spec.template.metadata.annotations['example.com/owner']).toBe('platform');
    expect(bootstrap.findObject({ kind: 'Service', name: 'kube-dns' })?.metadata.namespace).toBe('kube-system');
  });

  test('a missing object is an error that lists what exists', () => {
    const bootstrap = new ClusterBootstrap(Testing.app(), { config: parseClusterConfig({}) });
    expect(() => bootstrap.patch({ kind: 'Deployment', namespace: 'kube-system', name: 'core-dns' })).toThrow('no Deployment kube-system/core-dns to patch; the enabled components emit these Deployment objects: kube-system/coredns');
  });
});
