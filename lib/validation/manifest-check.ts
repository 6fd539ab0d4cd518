// Every rule over a set of manifest files: the strict schemas (Kubernetes OpenAPI, node-config Go types) and
// the schema-free rules of consistency-rules.ts. What the cdk8s validation plugin runs.
import * as fs from 'fs';
import { parseAllDocuments } from 'yaml';
import { checkConsistency, describeDocument, kubernetesDocuments, RULE_IDS, type ManifestDocument, type RuleId, type RuleViolation } from './consistency-rules';
import { availableSchemaVersions, KubernetesSchema } from './kubernetes-schema';
import { NodeConfigSchema } from './node-config-schema';

export interface ManifestCheckOptions {
  /** The rules to run. @default every rule */
  readonly rules?: readonly RuleId[];
  /**
   * The Kubernetes release whose schemas apply. @default the kubernetesVersion of a kubeadm ClusterConfiguration
   * among the documents, else the newest committed schema
   */
  readonly kubernetesVersion?: string;
}

export interface ManifestCheckResult {
  readonly violations: RuleViolation[];
  /** Documents checked (with an apiVersion and a kind). */
  readonly documents: number;
  /** `apiVersion/Kind` of documents no schema knows (custom resources, app-specific kinds): only the schema-free rules saw them. */
  readonly unknownKinds: string[];
  readonly kubernetesVersion: string;
}

/** Parses files into documents; a file that is not YAML becomes a violation instead of an exception. */
export function readManifestFiles(files: readonly { path: string; shownAs?: string }[]): { documents: ManifestDocument[]; violations: RuleViolation[] } {
  const documents: ManifestDocument[] = [];
  const violations: RuleViolation[] = [];
  for (const f of files) {
    const file = f.shownAs ?? f.path;
    try {
      for (const doc of parseAllDocuments(fs.readFileSync(f.path, 'utf8'))) {
        if (doc.errors.length) throw doc.errors[0];
        documents.push({ document: doc.toJS(), file });
      }
    } catch (e) {
      violations.push({ rule: 'kubernetes-schema', object: '(file)', file, message: `not valid YAML: ${(e as Error).message.split('\n')[0]}`, hint: 'fix the file or leave it out of the output folder' });
    }
  }
  return { documents, violations };
}

function versionFrom(docs: readonly ManifestDocument[]): string | undefined {
  const cc = docs.find((d) => d.document.kind === 'ClusterConfiguration' && String(d.document.apiVersion).startsWith('kubeadm.k8s.io/'));
  const v = cc?.document.kubernetesVersion;
  return typeof v === 'string' && /^v?\d+\.\d+/.test(v) ? v : undefined;
}

export function checkManifestDocuments(all: readonly ManifestDocument[], options: ManifestCheckOptions = {}): ManifestCheckResult {
  const rules = options.rules ?? RULE_IDS;
  const docs = kubernetesDocuments(all);
  const kubernetesVersion = options.kubernetesVersion ?? versionFrom(docs) ?? availableSchemaVersions().slice(-1)[0];
  const kube = KubernetesSchema.forVersion(kubernetesVersion);
  const nodeConfig = NodeConfigSchema.forVersion(kubernetesVersion);
  const violations: RuleViolation[] = [];
  const unknown = new Set<string>();
  for (const { document, file } of docs) {
    const { apiVersion, kind } = document;
    if (nodeConfig.serves(apiVersion, kind)) {
      if (!rules.includes('node-config-schema')) continue;
      for (const v of nodeConfig.validate(document)) {
        violations.push({ rule: 'node-config-schema', object: describeDocument(document), file, path: v.path, message: `${v.message} (Kubernetes ${nodeConfig.kubernetesVersion} Go types)`, hint: 'remove or rename the field; `cluster-bootstrap` writes these files from cluster.yaml, so change the config rather than the file' });
      }
    } else if (kube.serves(apiVersion, kind) || kube.servesGroup(apiVersion)) {
      if (!rules.includes('kubernetes-schema')) continue;
      for (const v of kube.validate(document)) {
        violations.push({ rule: 'kubernetes-schema', object: v.object, file, path: v.path || '/', message: `${v.message} (Kubernetes ${kube.kubernetesVersion})`, hint: v.message === 'unknown field' ? 'the API server would reject or silently drop it: check the spelling against `kubectl explain`' : `fix the object so the Kubernetes ${kube.kubernetesVersion} API server accepts it (\`kubectl explain\`, \`npm run validate\`)` });
      }
    } else {
      unknown.add(`${apiVersion}/${kind}`);
    }
  }
  violations.push(...checkConsistency(docs, rules));
  return { violations, documents: docs.length, unknownKinds: [...unknown].sort(), kubernetesVersion: kube.kubernetesVersion };
}
