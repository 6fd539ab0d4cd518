import { dump } from 'js-yaml';
import { Document, isScalar, visit } from 'yaml';

/**
 * YAML for every file the synth writes (manifests and config files), one document per object, separated by
 * `---`. js-yaml writes straight from the objects, about 5× faster than going through a YAML document model
 * (cdk8s `Yaml.stringify`), which dominated synth time at a thousand tenants. Its compatibility mode quotes
 * the strings a YAML 1.1 reader (the Go YAML libraries of kubectl and the kubelet) would take for another type,
 * e.g. `"yes"`, `"on"`, `"0o14"`, except numbers written with underscores (`0_`, `1_0.5`): a document holding
 * such a string (rare: no built-in object has one) is written with every string, keys included, quoted. A property test parses
 * the output back under YAML 1.1 and 1.2.
 */
export function toYaml(...documents: readonly unknown[]): string {
  return documents.map((d) => (hasUnderscoredNumber(d) ? quotingEveryString(d) : dump(d, DUMP_OPTIONS))).join('---\n');
}

const DUMP_OPTIONS = { lineWidth: -1, noRefs: true, quotingType: '"' } as const;

/** The slow, safe way: every string, keys included, double-quoted (js-yaml's forceQuotes leaves keys plain). */
function quotingEveryString(value: unknown): string {
  const doc = new Document(value, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string') node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}

/** A string YAML 1.1 may read as a number because it allows `_` between digits, and js-yaml leaves plain. */
const UNDERSCORED_NUMBER = /^[-+]?[0-9.][0-9_.:eE+-]*$/;

function hasUnderscoredNumber(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('_') && UNDERSCORED_NUMBER.test(value);
  if (Array.isArray(value)) return value.some(hasUnderscoredNumber);
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (hasUnderscoredNumber(k) || hasUnderscoredNumber(v)) return true;
  }
  return false;
}
