// The cdk8s validation plugin: `cdk8s synth` (cdk8s-cli 2.x) loads it from the `validations:` list of cdk8s.yaml
// and runs it on every *.yaml file under its output folder. The contract, from cdk8s-cli's
// lib/plugins/_manager.js and validation.js (2.207): the CLI requires `package` (a path starting with `./` or an
// absolute path is loaded from disk; any other name is `npm install`ed into ~/.cdk8s/plugins), takes the export
// named `class`, calls `new Class(properties ?? {})`, then `await instance.validate(context)`; `context.manifests`
// holds the file paths, `context.report.addViolation({ ruleName, recommendation, fix, violatingResources:
// [{ resourceName, locations, manifestPath }] })` records a violation and `context.report.submit('success' |
// 'failure', metadata)` must be called before returning; `context.logger.log` prints. A failed report makes the
// CLI print every report and exit 2; an exception (e.g. from the constructor) exits 1 with its message.
// cdk8s-cli is not imported: the types below restate the part of the contract used.
/**
 * The cdk8s validation plugin, the package export `cluster-bootstrap/cdk8s-plugin` (docs/checking-output.md).
 * @module cluster-bootstrap/cdk8s-plugin
 */
import * as fs from 'fs';
import * as path from 'path';
import { coveringRecord } from './check-record';
import { RULE_IDS, RULES, type RuleId, type RuleViolation } from './consistency-rules';

/** `properties:` of the plugin's entry in cdk8s.yaml. */
export interface ClusterBootstrapValidationProperties {
  /** Kubernetes release whose schemas apply, e.g. "1.35.4". @default from a kubeadm ClusterConfiguration in the output, else the newest schema */
  readonly kubernetesVersion?: string;
  /** Rules to run. @default all */
  readonly rules?: readonly RuleId[];
  /** Rules to leave out. @default none */
  readonly skipRules?: readonly RuleId[];
}

/** One object a violation names, as cdk8s-cli's report takes it. */
export interface ViolatingResource {
  readonly resourceName: string;
  readonly locations: readonly string[];
  readonly manifestPath: string;
}
/** The part of cdk8s-cli's ValidationContext the plugin uses. */
export interface ValidationContextLike {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(v: { ruleName: string; recommendation: string; fix: string; violatingResources: readonly ViolatingResource[] }): void;
    submit(status: 'success' | 'failure', metadata?: Readonly<Record<string, string>>): void;
  };
  readonly logger: { log(message: string): void };
}

const PROPERTIES = ['kubernetesVersion', 'rules', 'skipRules'] as const;
const WHERE = 'cdk8s.yaml validations[].properties';

function invalid(message: string): Error {
  return new Error(`cluster-bootstrap validation plugin: ${message}`);
}

function ruleList(name: string, value: unknown): RuleId[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(`property "${name}" in ${WHERE} must be a list of rule ids (${RULE_IDS.join(', ')}); got ${JSON.stringify(value)}`);
  for (const r of value) {
    if (!RULE_IDS.includes(r)) throw invalid(`property "${name}" in ${WHERE} names unknown rule ${JSON.stringify(r)}; known: ${RULE_IDS.join(', ')}`);
  }
  return value;
}

/** How a file is shown: relative to the working folder, through the symlinks synth leaves in the CLI's folder. */
function shown(file: string): string {
  let real = file;
  try {
    real = fs.realpathSync(file);
  } catch {
    // shown as given
  }
  return path.relative(process.cwd(), real) || real;
}

export class ClusterBootstrapValidation {
  private readonly kubernetesVersion?: string;
  private readonly rules: RuleId[];

  constructor(properties: ClusterBootstrapValidationProperties = {}) {
    const props = (properties ?? {}) as Record<string, unknown>;
    if (typeof props !== 'object' || Array.isArray(props)) throw invalid(`${WHERE} must be a map; got ${JSON.stringify(properties)}`);
    for (const key of Object.keys(props)) {
      if (!(PROPERTIES as readonly string[]).includes(key)) throw invalid(`unknown property "${key}" in ${WHERE}; known: ${PROPERTIES.join(', ')}`);
    }
    if (props.kubernetesVersion !== undefined && (typeof props.kubernetesVersion !== 'string' || !/^v?\d+\.\d+(\.\d+)?$/.test(props.kubernetesVersion))) {
      throw invalid(`property "kubernetesVersion" in ${WHERE} must be a version like "1.35.4"; got ${JSON.stringify(props.kubernetesVersion)}`);
    }
    this.kubernetesVersion = props.kubernetesVersion as string | undefined;
    const only = ruleList('rules', props.rules) ?? RULE_IDS;
    const skip = ruleList('skipRules', props.skipRules) ?? [];
    this.rules = only.filter((r) => !skip.includes(r));
  }

  async validate(context: ValidationContextLike): Promise<void> {
    // our synth app ran these rules on these very bytes before it published them (lib/output/self-check.ts)
    const { record } = coveringRecord(context.manifests, this.rules, this.kubernetesVersion);
    if (record) {
      context.logger.log(`cluster-bootstrap: ${record.documents} object(s) in ${context.manifests.length} file(s) checked by the synth app before it published them, unchanged since (Kubernetes ${record.kubernetesVersion}; rules ${this.rules.join(', ')}): 0 violation(s)`);
      context.report.submit('success', { objects: String(record.documents), violations: '0', kubernetes: record.kubernetesVersion });
      return;
    }
    // loaded only here: YAML and the compiled schemas are most of the plugin's cost
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { checkManifestDocuments, readManifestFiles } = require('./manifest-check') as typeof import('./manifest-check');
    const read = readManifestFiles(context.manifests.map((p) => ({ path: p, shownAs: shown(p) })));
    const result = checkManifestDocuments(read.documents, { rules: this.rules, kubernetesVersion: this.kubernetesVersion });
    const violations: RuleViolation[] = [...read.violations, ...result.violations];
    for (const v of violations) {
      context.report.addViolation({
        ruleName: `${v.rule}: ${RULES[v.rule]}`,
        recommendation: `${v.object}${v.path ? ` at ${v.path}` : ''}: ${v.message}`,
        fix: v.hint,
        violatingResources: [{ resourceName: v.object, locations: [v.path ?? '/'], manifestPath: v.file }],
      });
    }
    const files = new Set(read.documents.map((d) => d.file)).size;
    context.logger.log(`cluster-bootstrap: ${result.documents} object(s) in ${files} file(s) checked (Kubernetes ${result.kubernetesVersion}; rules ${this.rules.join(', ')}): ${violations.length} violation(s)`);
    if (result.unknownKinds.length) context.logger.log(`cluster-bootstrap: no schema for ${result.unknownKinds.join(', ')}: checked by the schema-free rules only`);
    context.report.submit(violations.length ? 'failure' : 'success', { objects: String(result.documents), violations: String(violations.length), kubernetes: result.kubernetesVersion });
  }
}
