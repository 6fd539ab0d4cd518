import * as fs from 'fs';
import * as path from 'path';
import * as semver from 'semver';
import { isDnsSubdomain } from '../net/names';
import { KindValidators, type SchemaBundle } from './precompiled';

/**
 * Strict structural validation of manifests against the official Kubernetes OpenAPI schema of a release
 * (see scripts/update-k8s-schemas.js for how the committed schemas are made). Unknown fields, wrong
 * types, missing required fields, and kinds the release does not serve all fail. Runs offline.
 */

// compiled code lives in build/lib/validation, sources in lib/validation, the synth bundle in build/
const SCHEMA_DIRS = [['..', '..', '..'], ['..', '..'], ['..']].map((up) => path.join(__dirname, ...up, 'schema', 'kubernetes'));


export interface ManifestViolation {
  /** `Kind namespace/name` of the object. */
  readonly object: string;
  /** JSON path inside the object, e.g. `/spec/template/spec/containers/0/imagePullPolicyy`. */
  readonly path: string;
  readonly message: string;
}

function schemaDir(): string {
  return SCHEMA_DIRS.find((d) => fs.existsSync(path.join(d, '..', 'cluster-config.schema.json'))) ?? SCHEMA_DIRS[1];
}

/** Kubernetes releases with a committed schema, oldest first. */
export function availableSchemaVersions(): string[] {
  return fs
    .readdirSync(schemaDir())
    .filter((f) => f.endsWith('.json.gz'))
    .map((f) => f.slice(0, -'.json.gz'.length))
    .sort(semver.compare);
}

/** The newest committed schema not newer than `kubernetesVersion` (schemas are per minor release). */
export function schemaVersionFor(kubernetesVersion: string): string {
  const wanted = semver.coerce(kubernetesVersion);
  const versions = availableSchemaVersions();
  if (!wanted) throw new Error(`"${kubernetesVersion}" is not a Kubernetes version`);
  const minorOf = (v: semver.SemVer) => `${v.major}.${v.minor}.0`;
  const match = versions.filter((v) => semver.lte(minorOf(semver.coerce(v)!), minorOf(wanted))).pop();
  if (!match) throw new Error(`no Kubernetes schema at or below ${kubernetesVersion}; available: ${versions.join(', ')}`);
  return match;
}

function describe(object: Record<string, any>): string {
  const meta = object?.metadata ?? {};
  return `${object?.kind ?? '<no kind>'} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name ?? '<no name>'}`;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

// RBAC objects only need names that are valid URL path segments (e.g. `system:coredns`)
const PATH_SEGMENT_NAMED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding']);

/** API server rules on metadata that the OpenAPI schema does not express (name and label syntax). */
function metadataViolations(object: Record<string, any>): Omit<ManifestViolation, 'object'>[] {
  const out: Omit<ManifestViolation, 'object'>[] = [];
  const meta = object.metadata ?? {};
  if (PATH_SEGMENT_NAMED.has(object.kind)) {
    if (typeof meta.name !== 'string' || !meta.name || meta.name === '.' || meta.name === '..' || /[/%]/.test(meta.name)) {
      out.push({ path: '/metadata/name', message: `name ${JSON.stringify(meta.name)} is not a valid path segment` });
    }
  } else if (typeof meta.name !== 'string' || !isDnsSubdomain(meta.name)) {
    out.push({ path: '/metadata/name', message: `name ${JSON.stringify(meta.name)} is not a DNS subdomain` });
  }
  for (const [key, value] of Object.entries<string>(meta.labels ?? {})) {
    const [prefix, name] = key.includes('/') ? key.split('/', 2) : [undefined, key];
    const badKey = (prefix !== undefined && !isDnsSubdomain(prefix)) || !LABEL_NAME.test(name) || name.length > 63;
    if (badKey) out.push({ path: `/metadata/labels/${key}`, message: `label key "${key}" is invalid` });
    if (!LABEL_VALUE.test(value) || value.length > 63) out.push({ path: `/metadata/labels/${key}`, message: `label value "${value}" is invalid` });
  }
  return out;
}


/**
 * A loaded schema for one Kubernetes release. Uses the validators compiled at build time when they exist, else
 * compiles each kind's validator on first use (same Ajv options).
 */
export class KubernetesSchema {
  static forVersion(kubernetesVersion: string): KubernetesSchema {
    return new KubernetesSchema(KindValidators.load('kubernetes', schemaDir(), schemaVersionFor(kubernetesVersion)));
  }

  private constructor(private readonly validators: KindValidators) {}

  private get bundle(): SchemaBundle {
    return this.validators.bundle;
  }

  /** Whether validators compiled at build time are in use (false: each kind is compiled on first use). */
  get isPrecompiled(): boolean {
    return this.validators.isPrecompiled;
  }

  get kubernetesVersion(): string {
    return this.bundle.kubernetesVersion;
  }

  /** Whether this release serves `kind` in `apiVersion` (false for custom resources and unknown kinds). */
  serves(apiVersion: string, kind: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.bundle.kinds, `${apiVersion}/${kind}`);
  }

  /**
   * Whether the API group of `apiVersion` is one the release serves (core, apps, policy, rbac.authorization.k8s.io,
   * ...): a kind in such a group that `serves` does not know is a removed or misspelt built-in, not a custom resource.
   */
  servesGroup(apiVersion: string): boolean {
    const group = (v: string) => (v.includes('/') ? v.slice(0, v.lastIndexOf('/')) : '');
    const wanted = group(apiVersion);
    return Object.keys(this.bundle.kinds).some((k) => group(k.slice(0, k.lastIndexOf('/'))) === wanted);
  }

  /** Every problem with one object; empty when the API server's schema accepts it. */
  validate(object: Record<string, any>): ManifestViolation[] {
    const name = describe(object);
    const key = `${object?.apiVersion}/${object?.kind}`;
    const definition = this.bundle.kinds[key];
    if (!definition) {
      return [{ object: name, path: '', message: `Kubernetes ${this.kubernetesVersion} serves no ${object?.kind} in ${object?.apiVersion}` }];
    }
    const validate = this.validators.get(key, definition);
    const violations: ManifestViolation[] = metadataViolations(object).map((v) => ({ object: name, ...v }));
    if (!validate(object)) {
      for (const e of validate.errors ?? []) {
        const where = e.keyword === 'additionalProperties' ? `${e.instancePath}/${e.params.additionalProperty}` : e.instancePath;
        const message = e.keyword === 'additionalProperties' ? 'unknown field' : (e.message ?? e.keyword);
        violations.push({ object: name, path: where, message });
      }
    }
    return violations;
  }

  validateAll(objects: readonly Record<string, any>[]): ManifestViolation[] {
    return objects.flatMap((o) => this.validate(o));
  }
}

export function formatViolations(violations: readonly ManifestViolation[]): string {
  return violations.map((v) => `${v.object}: ${v.path || '/'}: ${v.message}`).join('\n');
}
