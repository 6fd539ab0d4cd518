import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as semver from 'semver';
import { loadPrecompiled, newAjv, precompiledValidator, type PrecompiledValidators } from './precompiled';

/**
 * Strict validation of the node and control-plane config files (kubeadm, kubelet, kube-proxy, audit,
 * encryption, egress selector) against JSON Schemas reflected from their Go types
 * (scripts/node-config-schemas, `npm run schemas:node-config`): unknown fields and wrong types fail.
 */

// compiled code lives in build/lib/validation, sources in lib/validation, the synth bundle in build/
const DIRS = [['..', '..', '..'], ['..', '..'], ['..']].map((up) => path.join(__dirname, ...up, 'schema', 'node-config'));

interface Bundle {
  readonly kubernetesVersion: string;
  readonly kinds: Record<string, string>;
  readonly definitions: Record<string, object>;
}

function schemaDir(): string {
  return DIRS.find((d) => fs.existsSync(path.join(d, '..', 'cluster-config.schema.json'))) ?? DIRS[1];
}

/**
 * The schema release for a Kubernetes version: the newest not newer than it, else the oldest. Older targets
 * (1.27 to 1.34) are checked against the 1.35 types, which still serve kubeadm v1beta3; the generators only
 * emit fields that exist since 1.27.
 */
export function nodeConfigSchemaVersionFor(kubernetesVersion: string): string {
  const versions = fs
    .readdirSync(schemaDir())
    .filter((f) => f.endsWith('.json.gz'))
    .map((f) => f.slice(0, -'.json.gz'.length))
    .sort(semver.compare);
  if (!versions.length) throw new Error(`no node-config schemas in ${schemaDir()}`);
  const wanted = semver.coerce(kubernetesVersion);
  return (wanted && versions.filter((v) => semver.lte(semver.coerce(v)!, wanted)).pop()) ?? versions[0];
}

export interface ConfigFileViolation {
  /** `apiVersion/kind` of the document. */
  readonly kind: string;
  /** JSON pointer inside the document, e.g. `/authentication/anonymus`. */
  readonly path: string;
  readonly message: string;
}

function describe(e: ErrorObject): ConfigFileViolation['message'] {
  if (e.keyword === 'additionalProperties') return `unknown field "${e.params.additionalProperty}"`;
  if (e.keyword === 'const') return `must be ${JSON.stringify(e.params.allowedValue)}`;
  return e.message ?? e.keyword;
}

const cache = new Map<string, NodeConfigSchema>();

export class NodeConfigSchema {
  static forVersion(kubernetesVersion: string): NodeConfigSchema {
    const version = nodeConfigSchemaVersionFor(kubernetesVersion);
    let schema = cache.get(version);
    if (!schema) {
      const bundle = JSON.parse(zlib.gunzipSync(fs.readFileSync(path.join(schemaDir(), `${version}.json.gz`))).toString('utf8')) as Bundle;
      schema = new NodeConfigSchema(bundle, loadPrecompiled('node-config', version, bundle.kubernetesVersion));
      cache.set(version, schema);
    }
    return schema;
  }

  private ajv?: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(
    private readonly bundle: Bundle,
    private readonly precompiled?: PrecompiledValidators,
  ) {}

  /** Whether validators compiled at build time are in use (false: each kind is compiled on first use). */
  get isPrecompiled(): boolean {
    return this.precompiled !== undefined;
  }

  private compile(kind: string, definition: string): ValidateFunction {
    const precompiled = precompiledValidator(this.precompiled, kind);
    if (precompiled) return precompiled;
    if (!this.ajv) {
      this.ajv = newAjv();
      this.ajv.addSchema({ $id: 'node-config', definitions: this.bundle.definitions });
    }
    return this.ajv.compile({ $ref: `node-config#/definitions/${definition}` });
  }

  get kubernetesVersion(): string {
    return this.bundle.kubernetesVersion;
  }

  /** The `apiVersion/kind`s this schema knows. */
  get kinds(): string[] {
    return Object.keys(this.bundle.kinds);
  }

  /** Whether this schema has the Go type of `apiVersion`/`kind`. */
  serves(apiVersion: string, kind: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.bundle.kinds, `${apiVersion}/${kind}`);
  }

  /** Every problem with one document; empty when its Go type accepts it. */
  validate(document: Record<string, unknown>): ConfigFileViolation[] {
    const kind = `${document?.apiVersion}/${document?.kind}`;
    const definition = this.bundle.kinds[kind];
    if (!definition) return [{ kind, path: '', message: `no schema for ${kind}; known: ${this.kinds.join(', ')}` }];
    let validate = this.validators.get(kind);
    if (!validate) {
      validate = this.compile(kind, definition);
      this.validators.set(kind, validate);
    }
    if (validate(document)) return [];
    return (validate.errors ?? []).map((e) => ({ kind, path: e.instancePath || '/', message: describe(e) }));
  }

  /** Throws when a document does not match its Go type (so a bad file is never written). */
  assertValid(document: Record<string, unknown>, file: string): void {
    const violations = this.validate(document);
    if (violations.length) {
      const lines = violations.map((v) => `  - ${v.path}: ${v.message}`);
      throw new Error(`${file}: ${violations[0].kind} does not match its Go type (Kubernetes ${this.kubernetesVersion}):\n${lines.join('\n')}`);
    }
  }
}
