import type { ErrorObject, ValidateFunction } from 'ajv';
import { closest } from 'fastest-levenshtein';
import type { ConfigIssue } from './errors';

/**
 * The published JSON Schema of `cluster.yaml` (schema/cluster-config.schema.json), compiled ahead of time
 * by `npm run schema` so start-up neither loads nor compiles Ajv.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validate: ValidateFunction = require('./generated/config-schema-check');

function dotted(instancePath: string): string {
  if (!instancePath) return '<root>';
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(path: string, key: string): string {
  return path === '<root>' ? key : `${path}.${key}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function patternHint(pattern: string): string {
  if (pattern.includes('latest')) return 'use "latest" or a minor release such as "v1.35"';
  if (pattern.includes('Ki|Mi|Gi')) return 'write a quantity such as "170Mi"';
  if (pattern.startsWith('^v')) return 'use a release tag such as "v0.21.5"';
  if (pattern.startsWith('^[0-9]')) return 'use a release such as "1.26.7"';
  if (pattern.startsWith('^unix:')) return 'use an absolute Unix socket URL (three slashes), such as "unix:///var/run/containerd/containerd.sock"';
  return 'use lower-case letters, digits and "-", starting and ending with a letter or digit';
}

function toIssue(error: ErrorObject): ConfigIssue {
  const path = dotted(error.instancePath);
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
      const guess = known.length ? closest(key, known) : undefined;
      return {
        path: join(path, key),
        value: (error.data as Record<string, unknown>)[key],
        message: 'unknown field',
        hint: guess ? `did you mean "${guess}"? Known fields here: ${known.join(', ')}` : 'remove it',
      };
    }
    case 'type':
      return {
        path,
        value: error.data,
        message: `expected ${error.params.type}, found ${describeType(error.data)}`,
        hint: `write a ${error.params.type} value`,
      };
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const guess = typeof error.data === 'string' ? closest(error.data, allowed.map((a) => JSON.parse(a) as string)) : undefined;
      return {
        path,
        value: error.data,
        message: 'not one of the allowed values',
        hint: `use one of ${allowed.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`,
      };
    }
    case 'minimum':
    case 'maximum':
      return {
        path,
        value: error.data,
        message: `must be ${error.keyword === 'minimum' ? '>=' : '<='} ${error.params.limit}`,
        hint: `use a value ${error.keyword === 'minimum' ? 'of at least' : 'of at most'} ${error.params.limit}`,
      };
    case 'pattern':
      return { path, value: error.data, message: `does not match ${error.params.pattern}`, hint: patternHint(String(error.params.pattern)) };
    default:
      return { path, value: error.data, message: error.message ?? error.keyword, hint: 'see schema/cluster-config.schema.json' };
  }
}

/** Structural check against the published JSON Schema: types, unknown keys, enums, ranges. */
export function checkAgainstSchema(input: unknown): ConfigIssue[] {
  if (validate(input)) return [];
  // allErrors can report the same field twice (e.g. type and enum); keep the first message per field.
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const error of validate.errors ?? []) {
    const issue = toIssue(error);
    const key = `${issue.path}|${issue.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push(issue);
    }
  }
  return issues;
}
