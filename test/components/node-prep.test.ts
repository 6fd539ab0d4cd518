import { parse } from 'yaml';
import { flannelNodePrepFiles } from '../../lib/components/flannel/node-prep';
import { writeFiles } from '../../lib/output/synth';
import { parseClusterConfig } from '../../lib/config/parse';
import { synthBootstrap } from '../support/synth';
import * as path from 'path';
import { tempDir } from '../support/temp-dir';

describe('Flannel node preparation', () => {
  test('sysctl and module files, and a cloud-init snippet that installs exactly them', () => {
    const files = flannelNodePrepFiles(parseClusterConfig({}));
    const byName = Object.fromEntries(files.map((f) => [f.path, f.content]));
    const sysctl = byName['node/linux/sysctl.d/90-cluster-bootstrap-flannel.conf'];
    const modules = byName['node/linux/modules-load.d/90-cluster-bootstrap-flannel.conf'];
    expect(sysctl).toContain('net.bridge.bridge-nf-call-iptables = 1');
    expect(sysctl).not.toContain('ip6tables');
    expect(modules.split('\n')).toContain('br_netfilter');
    const cloudInit = byName['node/linux/cloud-init-flannel.yaml'];
    expect(cloudInit.startsWith('#cloud-config\n')).toBe(true);
    const doc = parse(cloudInit);
    expect(doc.write_files.map((f: any) => [f.path, f.content])).toEqual([
      ['/etc/modules-load.d/90-cluster-bootstrap-flannel.conf', modules],
      ['/etc/sysctl.d/90-cluster-bootstrap-flannel.conf', sysctl],
    ]);
    expect(doc.runcmd).toEqual([['modprobe', 'br_netfilter'], ['sysctl', '--system']]);
  });

  test('dual-stack adds the IPv6 bridge and forwarding settings', () => {
    const files = flannelNodePrepFiles(parseClusterConfig({ networking: { podSubnet: '10.244.0.0/16,fd00:1::/56', serviceSubnet: '10.96.0.0/12,fd00:2::/112' } }));
    expect(files[0].content).toContain('net.bridge.bridge-nf-call-ip6tables = 1');
  });

  test('the bootstrap collects the files of enabled components only', () => {
    expect([...synthBootstrap().bootstrap.files.keys()]).toEqual(['flannel', 'node-config', 'pki']);
    expect([...synthBootstrap({ components: { flannel: { enabled: false }, nodeConfig: { enabled: false } } }).bootstrap.files.keys()]).toEqual(['pki']);
    expect(synthBootstrap({ components: { flannel: { enabled: false }, nodeConfig: { enabled: false } }, pki: { planFiles: false } }).bootstrap.files.size).toBe(0);
  });

  test('file paths cannot escape the output folder', () => {
    const dir = tempDir('cb-files-');
    expect(() => writeFiles([{ path: '../evil.conf', content: 'x' }], dir)).toThrow(/must stay inside/);
    expect(() => writeFiles([{ path: 'x.k8s.yaml', content: 'x' }], dir)).toThrow(/must stay inside/);
    expect(writeFiles([{ path: 'a/b.conf', content: 'x' }], dir)).toEqual([path.join(dir, 'a', 'b.conf')]);
  });
});
