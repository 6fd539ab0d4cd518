import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import type { ClusterConfig } from './cluster-config';
import { ConfigError } from './errors';
import { parseClusterConfig } from './parse';

/** Environment variable naming a cluster config file; it wins over `cluster.yaml`. */
export const CONFIG_ENV_VAR = 'CLUSTER_CONFIG';
export const DEFAULT_CONFIG_FILE = 'cluster.yaml';

/** Where the config came from: a file path, or the embedded default. */
export interface ConfigSource {
  readonly kind: 'file' | 'embedded-default';
  readonly path?: string;
}

/** Decides which config to use: `$CLUSTER_CONFIG`, else `./cluster.yaml`, else the embedded default. */
export function findConfigSource(cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): ConfigSource {
  const fromEnv = env[CONFIG_ENV_VAR];
  if (fromEnv) return { kind: 'file', path: path.resolve(cwd, fromEnv) };
  const local = path.join(cwd, DEFAULT_CONFIG_FILE);
  if (fs.existsSync(local)) return { kind: 'file', path: local };
  return { kind: 'embedded-default' };
}

/** Parses YAML (or JSON) text of a cluster config; syntax errors become a `ConfigError` with the line. */
export function parseConfigText(text: string, source: string): ClusterConfig {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        path: '<root>',
        value: undefined,
        message: `YAML syntax error: ${e.message.split('\n')[0].replace(/:$/, '')}`,
        hint: 'fix the YAML syntax (indentation, quoting, duplicate keys)',
      })),
      source,
    );
  }
  return parseClusterConfig(doc.toJS() ?? {}, source);
}

/** Loads and validates the config from `source`. */
export function loadClusterConfig(source: ConfigSource = findConfigSource()): ClusterConfig {
  if (source.kind === 'embedded-default' || !source.path) return parseClusterConfig({}, 'embedded default config');
  let text: string;
  try {
    text = fs.readFileSync(source.path, 'utf8');
  } catch (e) {
    throw new ConfigError(
      [{ path: '<root>', value: source.path, message: `cannot read the file: ${(e as Error).message}`, hint: `check the path in $${CONFIG_ENV_VAR}` }],
      source.path,
    );
  }
  return parseConfigText(text, path.relative(process.cwd(), source.path) || source.path);
}
