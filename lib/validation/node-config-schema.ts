import * as fs from 'fs';
import * as path from 'path';
import type { ErrorObject } from 'ajv';
import * as semver from 'semver';
import { KindValidators, type SchemaBundle } from './precompiled';

/**
 * Strict validation of the node and control-plane config files (kubeadm, kubelet, kube-proxy, audit,
 * encryption, egress selector) against JSON Schemas reflected from their Go types
 * (scripts/node-config-schemas, `npm run schemas:node-config`): unknown fields and wrong types fail.
 */

// compiled code lives in build/lib/validation, sources in lib/validation, the synth bundle in build/
const DIRS = [['..', '..', '..'], ['..', '..'], ['..']].map((up) => path.join(__dirname, ...up, 'schema', 'node-config'));


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


export class NodeConfigSchema {
  static forVersion(kubernetesVersion: string): NodeConfigSchema {
    return new NodeConfigSchema(KindValidators.load('node-config', schemaDir(), nodeConfigSchemaVersionFor(kubernetesVersion)));
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
    const validate = this.validators.get(kind, definition);
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
