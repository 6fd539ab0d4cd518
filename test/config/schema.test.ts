import { execFileSync } from 'child_process';
import * as path from 'path';
import Ajv from 'ajv';
import * as fc from 'fast-check';
import schema from '../../schema/cluster-config.schema.json';
import { DEFAULT_CLUSTER_CONFIG, DEFAULT_TENANT_CONFIG } from '../../lib/config/defaults';
import { ConfigError } from '../../lib/config/errors';
import { parseClusterConfig } from '../../lib/config/parse';

const root = path.join(__dirname, '..', '..');
const editorValidator = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Walks the schema and yields [dotted path, default] for every property that declares a `default`. */
function schemaDefaults(root = 'ClusterConfigFile'): [string, unknown][] {
  const defs = (schema as any).definitions;
  const out: [string, unknown][] = [];
  const walk = (def: any, prefix: string) => {
    for (const [key, prop] of Object.entries<any>(def.properties ?? {})) {
      const p = prefix ? `${prefix}.${key}` : key;
      if ('default' in prop) out.push([p, prop.default]);
      if (prop.$ref) walk(defs[prop.$ref.split('/').pop()], p);
    }
  };
  walk(defs[root], '');
  return out;
}

function at(object: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<any>((o, k) => (o == null ? undefined : o[k]), object);
}

describe('published JSON Schema of cluster.yaml', () => {
  test('is generated from the TypeScript types (npm run schema leaves it unchanged)', () => {
    expect(() => execFileSync('node', [path.join(root, 'scripts', 'generate-config-schema.js'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  test('every @default in the schema equals the embedded default config, and vice versa', () => {
    const defaults = schemaDefaults();
    expect(defaults.length).toBeGreaterThan(10);
    for (const [p, value] of defaults) expect([p, at(DEFAULT_CLUSTER_CONFIG, p)]).toEqual([p, value]);
    const leaves: string[] = [];
    const walk = (o: any, prefix: string) =>
      Object.entries(o).forEach(([k, v]) => (v && typeof v === 'object' ? walk(v, `${prefix}${k}.`) : leaves.push(`${prefix}${k}`)));
    walk(DEFAULT_CLUSTER_CONFIG, '');
    expect(leaves.sort()).toEqual(defaults.map(([p]) => p).sort());
  });

  test('every @default of a tenant equals DEFAULT_TENANT_CONFIG (the container limits are a prose default: they apply only when none are written)', () => {
    const defaults = schemaDefaults('TenantConfig');
    expect(defaults.map(([p]) => p).sort()).toEqual([
      'networkPolicies.egress',
      'networkPolicies.enabled',
      'networkPolicies.ingress',
      'onRemoval',
      'podSecurity.audit',
      'podSecurity.auditVersion',
      'podSecurity.enforce',
      'podSecurity.enforceVersion',
      'podSecurity.warn',
      'podSecurity.warnVersion',
    ]);
    for (const [p, value] of defaults) expect([p, at(DEFAULT_TENANT_CONFIG, p)]).toEqual([p, value]);
    const container = (schema as any).definitions.TenantLimitRangeConfig.properties.container.description;
    expect(container).toContain('{ default: { memory: 512Mi }, defaultRequest: { memory: 256Mi } }');
    expect(DEFAULT_TENANT_CONFIG.limitRange.container).toEqual({ default: { memory: '512Mi' }, defaultRequest: { memory: '256Mi' } });
  });

  test('the embedded default passes both the schema and the validator', () => {
    expect(editorValidator(DEFAULT_CLUSTER_CONFIG)).toBe(true);
    expect(() => parseClusterConfig(DEFAULT_CLUSTER_CONFIG)).not.toThrow();
  });

  test('the schema and the validator agree: what the schema rejects, the validator rejects', () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }));
    const key = fc.constantFrom('clusterName', 'kubernetesVersion', 'networking', 'apiServer', 'windows', 'imageRegistry', 'components', 'typo');
    const sub = fc.dictionary(fc.constantFrom('podSubnet', 'port', 'enabled', 'type', 'flannel', 'dnsDomain', 'kubeProxyMode', 'x'), value, { maxKeys: 3 });
    const config = fc.dictionary(key, fc.oneof(value, sub), { maxKeys: 4 });
    fc.assert(
      fc.property(config, (input) => {
        let accepted = true;
        try {
          parseClusterConfig(input);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          accepted = false;
        }
        // The validator may refuse more (semantic checks) but never accepts what the schema refuses.
        if (accepted) expect(editorValidator(input)).toBe(true);
        if (!editorValidator(input)) expect(accepted).toBe(false);
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 400) },
    );
  });
});
