// `npm run validate [dir]`: checks every manifest in dir (default dist/) against the strict Kubernetes
// schema of the cluster config's Kubernetes version (or --kubernetes-version X.Y.Z). Exits 1 on any problem.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ConfigError } from '../lib/config/errors';
import { loadClusterConfig } from '../lib/config/load';
import { KubernetesSchema, formatViolations } from '../lib/validation/kubernetes-schema';

function main(argv: string[]): number {
  const flag = argv.indexOf('--kubernetes-version');
  const explicit = flag >= 0 ? argv[flag + 1] : undefined;
  const dir = argv.filter((a, i) => !a.startsWith('--') && (flag < 0 || i !== flag + 1))[0] ?? 'dist';
  let version = explicit;
  if (!version) {
    try {
      version = loadClusterConfig().kubernetesVersion.semver;
    } catch (e) {
      if (e instanceof ConfigError) {
        process.stderr.write(`error: ${e.message}\n`);
        return 1;
      }
      throw e;
    }
  }
  if (!fs.existsSync(dir)) {
    process.stderr.write(`error: ${dir} does not exist; run \`npx cdk8s synth\` first\n`);
    return 1;
  }
  let schema: KubernetesSchema;
  try {
    schema = KubernetesSchema.forVersion(version);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
  // kustomization.yaml is kustomize's input, not an object for the API server
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml').sort();
  let objects = 0;
  let problems = 0;
  for (const file of files) {
    const docs = parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'));
    for (const doc of Array.isArray(docs) ? docs : [docs]) {
      const object = doc.toJS();
      if (!object) continue;
      objects++;
      const violations = schema.validate(object);
      problems += violations.length;
      if (violations.length) process.stdout.write(`${file}: ${formatViolations(violations)}\n`);
    }
  }
  process.stdout.write(`${objects} objects in ${files.length} files checked against Kubernetes ${schema.kubernetesVersion}: ${problems} problem(s)\n`);
  return problems ? 1 : 0;
}

process.exit(main(process.argv.slice(2)));
