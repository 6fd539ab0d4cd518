import * as fs from 'fs';
import * as path from 'path';
import { ConfigError } from '../../lib/config/errors';
import { findConfigSource, loadClusterConfig, parseConfigText } from '../../lib/config/load';
import { tempDir as removedAfterAll } from '../support/temp-dir';

function tempDir(): string {
  return removedAfterAll('cb-load-');
}

describe('config source', () => {
  test('no file and no variable: the embedded default', () => {
    const dir = tempDir();
    expect(findConfigSource(dir, {})).toEqual({ kind: 'embedded-default' });
    expect(loadClusterConfig(findConfigSource(dir, {})).clusterName).toBe('bootstrap');
  });

  test('cluster.yaml in the working directory overrides the default', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'cluster.yaml'), 'clusterName: prod-eu\nnetworking:\n  serviceSubnet: 172.20.0.0/16\n');
    const config = loadClusterConfig(findConfigSource(dir, {}));
    expect(config.clusterName).toBe('prod-eu');
    expect(config.network.dnsServiceIP.toString()).toBe('172.20.0.10');
  });

  test('$CLUSTER_CONFIG wins over cluster.yaml', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'cluster.yaml'), 'clusterName: local\n');
    fs.writeFileSync(path.join(dir, 'other.yaml'), 'clusterName: from-env\n');
    const source = findConfigSource(dir, { CLUSTER_CONFIG: 'other.yaml' });
    expect(source).toEqual({ kind: 'file', path: path.join(dir, 'other.yaml') });
    expect(loadClusterConfig(source).clusterName).toBe('from-env');
  });

  test('a missing file is a config error naming the path', () => {
    expect(() => loadClusterConfig({ kind: 'file', path: '/nonexistent/cluster.yaml' })).toThrow(/cannot read the file/);
  });
});

describe('YAML text', () => {
  test('syntax errors name the line', () => {
    expect(() => parseConfigText('networking:\n  podSubnet: [10.244.0.0/16\n', 'c.yaml')).toThrow(ConfigError);
    expect(() => parseConfigText('networking:\n  podSubnet: [10.244.0.0/16\n', 'c.yaml')).toThrow(/YAML syntax error: .* at line 3, column 1/);
  });

  test('duplicate keys are refused rather than silently merged', () => {
    expect(() => parseConfigText('clusterName: a\nclusterName: b\n', 'c.yaml')).toThrow(/YAML syntax error/);
  });

  test('an empty file means all defaults', () => {
    expect(parseConfigText('', 'c.yaml').network.dnsServiceIP.toString()).toBe('10.96.0.10');
  });

  test('errors carry the source file name', () => {
    expect(() => parseConfigText('kubeProxyMode: ipvs\n', 'site.yaml')).toThrow(/^invalid site.yaml: 1 problem/);
  });
});
